"""Forms of the indicators' pages: picking a component, the indicator with its levels (one
language at a time), and the target group of an adoption. Plain forms, no JavaScript: the
number of levels changes with a button that draws the form again."""

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from criteria.models import Component
from projects.indicators.selectors import (
    HIGH_QUESTION,
    LOW_QUESTION,
    QuestionCriteria,
)
from projects.indicators.services import default_levels
from projects.indicators.validation import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    LEVEL_DESCRIPTION_MAX,
    LEVEL_NAME_MAX,
    LEVELS_MAX,
    LEVELS_MIN,
    TITLE_MAX,
)
from projects.models import Indicator

LEVEL_PREFIX = "level"
_TEXT_MAX = 60


class ComponentPickForm(forms.Form):
    """Step 1 of a new indicator (a GET form): the component and the language."""

    component = forms.TypedChoiceField(
        label=_("Component"),
        coerce=int,
        error_messages={
            "required": _("Choose the component the indicator is about."),
            "invalid_choice": _("Choose a component of the current grid from the list."),
        },
    )
    lang = forms.ChoiceField(
        label=_("Language you write it in"),
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )

    def __init__(
        self,
        *args: Any,
        families: Sequence[tuple[Any, Sequence[Component]]],
        languages: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: list[Any] = [("", _("Choose a component"))]
        for family, components in families:
            choices.append(
                (
                    f"{family.letter} {family.label()}",
                    [(c.pk, f"{c.code} {c.label()}") for c in components],
                )
            )
        cast(forms.TypedChoiceField, self.fields["component"]).choices = choices
        cast(forms.ChoiceField, self.fields["lang"]).choices = list(languages)


class IndicatorForm(forms.Form):
    """The indicator's texts in one language; with editing=True also its status, sharing,
    a comment and the revision the person started from."""

    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        error_messages={"required": _("Give the indicator a title.")},
    )
    description = forms.CharField(
        label=_("What it measures"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=DESCRIPTION_MAX,
        required=False,
    )
    levels_count = forms.TypedChoiceField(
        label=_("Number of levels"),
        coerce=int,
        choices=[(n, str(n)) for n in range(LEVELS_MIN, LEVELS_MAX + 1)],
        help_text=_("From the worst situation to the ideal; five by default."),
        error_messages={"invalid_choice": _("Choose the number of levels from the list.")},
    )
    status = forms.ChoiceField(label=_("Status"), choices=Indicator.Status.choices)
    shared = forms.BooleanField(
        label=_("Share it with the network"),
        required=False,
        help_text=_("Once published, other platforms may adopt it, so evaluations compare."),
    )
    comment = forms.CharField(
        label=_("What you changed (optional)"), max_length=COMMENT_MAX, required=False
    )
    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self,
        *args: Any,
        editing: bool,
        title_required: bool = True,
        original: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = title_required
        if not editing:
            for name in ("status", "shared", "comment", "base_revision"):
                del self.fields[name]
        original = original or {}
        for name in ("title", "description"):
            if original.get(name):
                # Shared field templates show help text unescaped: this one is people's text.
                self.fields[name].help_text = _("Original: %(text)s") % {
                    "text": escape(original[name])
                }


class LevelForm(forms.Form):
    """One level of the scale: its name and description in the language being written, and the
    criteria behind it."""

    name = forms.CharField(
        label=_("Name"),
        max_length=LEVEL_NAME_MAX,
        error_messages={"required": _("Give this level a name.")},
    )
    description = forms.CharField(
        label=_("The situation, in the citizens' words"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=LEVEL_DESCRIPTION_MAX,
        required=False,
    )
    criteria = forms.TypedMultipleChoiceField(
        label=_("Criteria behind this level"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose criteria of this component from the list.")},
    )

    def __init__(
        self,
        *args: Any,
        criteria_choices: Sequence[Any] = (),
        original: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedMultipleChoiceField, self.fields["criteria"]).choices = list(
            criteria_choices
        )
        original = original or {}
        # A level already named in another language may wait for its translation.
        self.fields["name"].required = not original.get("name")
        for name in ("name", "description"):
            if original.get(name):
                # Shared field templates show help text unescaped: this one is people's text.
                self.fields[name].help_text = _("Original: %(text)s") % {
                    "text": escape(original[name])
                }


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _TEXT_MAX * 3 else text[: _TEXT_MAX * 3 - 1] + "…"


def criteria_choices(
    groups: Sequence[QuestionCriteria],
    *,
    position: int,
    levels: int,
    linked: Mapping[int, str] | None = None,
) -> list[Any]:
    """Checkbox choices grouped by question for the level at position (1 is the worst) of a
    scale of levels: ill-being criteria first for the lower half, well-being first for the
    upper half; criteria already linked that the lists leave out come last."""
    ordered = list(groups)
    if position > levels / 2:
        ordered.sort(key=lambda g: 0 if g.question.code == HIGH_QUESTION else 1)
    else:
        ordered.sort(key=lambda g: 0 if g.question.code == LOW_QUESTION else 1)
    choices: list[Any] = []
    offered: set[int] = set()
    for group in ordered:
        label = f"{group.question.code} · {group.question.short_name()}"
        items = [(c.pk, _short(c.text)) for c in group.criteria]
        offered.update(pk for pk, _text in items)
        choices.append((label, items))
    others = [(pk, _short(text)) for pk, text in (linked or {}).items() if pk not in offered]
    if others:
        choices.append((str(_("Linked earlier")), others))
    return choices


class BaseLevelFormSet(forms.BaseFormSet):
    """Levels worst first; each form gets its criteria choices and its original texts."""

    default_error_messages = {
        "too_few_forms": _(
            "A scale needs at least %(num)d levels, from the worst situation to the ideal."
        ),
        "too_many_forms": _("A scale has at most %(num)d levels."),
    }

    def __init__(
        self,
        *args: Any,
        groups: Sequence[QuestionCriteria] = (),
        originals: Sequence[Mapping[str, str]] = (),
        linked: Mapping[int, str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.groups = groups
        self.originals = list(originals)
        self.linked = linked or {}
        kwargs.setdefault("prefix", LEVEL_PREFIX)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        count = self.total_form_count()
        position = (index or 0) + 1
        kwargs["criteria_choices"] = criteria_choices(
            self.groups, position=position, levels=count, linked=self.linked
        )
        if index is not None and index < len(self.originals):
            kwargs["original"] = self.originals[index]
        return kwargs

    def levels(self) -> list[dict]:
        """The levels as the services take them (after is_valid)."""
        return [
            {
                "name": form.cleaned_data.get("name", ""),
                "description": form.cleaned_data.get("description", ""),
                "criteria": form.cleaned_data.get("criteria", []),
            }
            for form in self.forms
        ]


LevelFormSet = cast(
    "type[BaseLevelFormSet]",
    forms.formset_factory(
        LevelForm,
        formset=BaseLevelFormSet,
        extra=0,
        min_num=LEVELS_MIN,
        max_num=LEVELS_MAX,
        absolute_max=LEVELS_MAX,
        validate_min=True,
        validate_max=True,
    ),
)


def raw_levels(data: Mapping[str, Any]) -> list[dict]:
    """The levels as typed in a POST, unchecked (to draw the form again with another number of
    levels): at most LEVELS_MAX."""
    getlist = getattr(data, "getlist", None)
    levels = []
    for index in range(LEVELS_MAX):
        key = f"{LEVEL_PREFIX}-{index}-"
        if f"{key}name" not in data and f"{key}description" not in data:
            break
        criteria = getlist(f"{key}criteria") if getlist else data.get(f"{key}criteria", [])
        levels.append(
            {
                "name": str(data.get(f"{key}name", ""))[:LEVEL_NAME_MAX],
                "description": str(data.get(f"{key}description", ""))[:LEVEL_DESCRIPTION_MAX],
                "criteria": [int(v) for v in criteria if str(v).isdecimal() and len(str(v)) < 19],
            }
        )
    return levels


class AdoptTargetForm(forms.Form):
    """Which of the groups she facilitates adopts (a GET form on the shared list)."""

    cg = forms.ChoiceField(label=_("Adopt for"))

    def __init__(self, *args: Any, groups: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["cg"]).choices = [(g.slug, g.name) for g in groups]


def levels_count(data: Mapping[str, Any], default: int) -> int:
    raw = str(data.get("levels_count", ""))
    if raw.isdecimal() and LEVELS_MIN <= int(raw) <= LEVELS_MAX:
        return int(raw)
    return default


def resized_levels(data: Mapping[str, Any], count: int, language: str) -> list[dict]:
    """The levels typed so far, cut or completed to count (a new level starts empty; going
    back to five empty levels gives the default names)."""
    levels = raw_levels(data)[:count]
    defaults = default_levels(language) if count == len(default_levels(language)) else []
    while len(levels) < count:
        position = len(levels)
        name = defaults[position]["name"] if position < len(defaults) else ""
        levels.append({"name": name, "description": "", "criteria": []})
    return levels


def form_initial(data: Mapping[str, Any], count: int) -> dict[str, Any]:
    initial = {name: data.get(name, "") for name in ("title", "description", "status", "comment")}
    initial["shared"] = bool(data.get("shared"))
    initial["base_revision"] = data.get("base_revision", "")
    initial["levels_count"] = count
    return initial
