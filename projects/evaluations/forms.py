"""Forms of the evaluation pages: a session, its tally (one number per level of each
indicator), one participant's placement, and the choice of two sessions to compare.

The forms resolve ids into this coordination group's objects and check what a browser checks
too (numbers, dates); the services check the rest (the scale, the participants), so a crafted
POST is refused with the same messages.
"""

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.evaluations.figures import level_names
from projects.evaluations.selectors import group_choices, indicator_choices
from projects.evaluations.services import NOTES_MAX, PARTICIPANTS_MAX, TITLE_MAX
from projects.models import EvaluationSession, Indicator
from territories.models import CoordinationGroup

_TALLY_FIELD = re.compile(r"^i(\d{1,10})-l(\d{1,10})$")


class _IndicatorChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if obj.status == Indicator.Status.DRAFT:
            return _("%(indicator)s (draft)") % {"indicator": obj.title}
        return obj.title


class SessionForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=TITLE_MAX,
        help_text=gettext_lazy("For example: “Young people, before the community garden”."),
    )
    held_on = forms.DateField(
        label=gettext_lazy("Date of the session"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter the date as YYYY-MM-DD.")},
    )
    group: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("Who evaluated"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("The whole platform"),
        help_text=gettext_lazy("A homogeneous group, or the whole platform."),
    )
    participants = forms.IntegerField(
        label=gettext_lazy("Number of participants"),
        min_value=1,
        max_value=PARTICIPANTS_MAX,
        error_messages={
            "required": gettext_lazy(
                "A session needs at least one participant: enter how many people took part."
            ),
            "min_value": gettext_lazy(
                "A session needs at least one participant: enter how many people took part."
            ),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    indicators = _IndicatorChoices(
        label=gettext_lazy("Indicators evaluated"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one indicator to evaluate.")},
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What the participants said about the scales, for the record."),
    )

    def __init__(self, *args: Any, tenant: CoordinationGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = group_choices(tenant)  # type: ignore[attr-defined]
        self.fields["indicators"].queryset = indicator_choices(tenant)  # type: ignore[attr-defined]

    @staticmethod
    def initial_of(session: EvaluationSession) -> dict[str, Any]:
        return {
            "title": session.title,
            "held_on": session.held_on,
            "group": session.group_id,
            "participants": session.participants,
            "indicators": list(session.indicators.values_list("pk", flat=True)),
            "notes": session.notes,
        }


class TallyForm(forms.Form):
    """One number per level of each indicator of the session: how many participants placed
    the territory there (blank is nobody). Field i<indicator>-l<position>."""

    def __init__(
        self,
        *args: Any,
        indicators: list[Indicator],
        counts: dict[int, tuple[int, ...]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        self.groups: list[tuple[Indicator, list[str]]] = []
        self.sizes: dict[int, int] = {}
        counts = counts or {}
        for indicator in indicators:
            names = level_names(indicator)
            known = counts.get(indicator.pk, ())
            fields = []
            for position, name in enumerate(names, start=1):
                key = f"i{indicator.pk}-l{position}"
                self.fields[key] = forms.IntegerField(
                    label=f"{position} · {name}",
                    required=False,
                    min_value=0,
                    error_messages={
                        "min_value": gettext_lazy("A number of participants cannot be negative."),
                        "invalid": gettext_lazy("Enter a whole number of participants."),
                    },
                    initial=known[position - 1] if position <= len(known) else None,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
                )
                fields.append(key)
            self.groups.append((indicator, fields))
            self.sizes[indicator.pk] = len(fields)

    def fieldsets(self) -> list[tuple[Indicator, list[forms.BoundField]]]:
        return [(indicator, [self[key] for key in keys]) for indicator, keys in self.groups]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # A level the scale does not have (a crafted or stale form): refused, not ignored.
        titles = {indicator.pk: indicator for indicator in self.indicators}
        for key in self.data:
            match = _TALLY_FIELD.match(key)
            if match is None or key in self.fields:
                continue
            indicator = titles.get(int(match[1]))
            if indicator is None:
                raise forms.ValidationError(
                    _("This form names an indicator this session does not evaluate.")
                )
            raise forms.ValidationError(
                _(
                    "Level %(level)s is outside the scale of “%(indicator)s”: its levels go "
                    "from 1 to %(last)d. Nothing was saved."
                )
                % {
                    "level": match[2],
                    "indicator": indicator.title,
                    "last": self.sizes[indicator.pk],
                }
            )
        return cleaned

    def tallies(self) -> dict[Indicator, dict[int, int]]:
        """{indicator: {position: count}} from the cleaned data (blank: nobody)."""
        result: dict[Indicator, dict[int, int]] = {}
        for indicator, keys in self.groups:
            result[indicator] = {
                position: self.cleaned_data.get(key) or 0
                for position, key in enumerate(keys, start=1)
            }
        return result


class PlacementForm(forms.Form):
    """One participant's placement: an indicator and the number of a level of its scale."""

    indicator = forms.TypedChoiceField(label=gettext_lazy("Indicator"), coerce=int)
    level = forms.IntegerField(
        label=gettext_lazy("Level (1 is the worst)"),
        min_value=1,
        error_messages={
            "min_value": gettext_lazy("Levels are numbered from 1, the worst situation."),
            "invalid": gettext_lazy("Enter the number of a level."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
    )

    def __init__(self, *args: Any, indicators: list[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by_pk = {indicator.pk: indicator for indicator in indicators}
        self.fields["indicator"].choices = [  # type: ignore[attr-defined]
            (indicator.pk, indicator.title) for indicator in indicators
        ]

    def chosen(self) -> Indicator:
        return self.by_pk[self.cleaned_data["indicator"]]


class _SessionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("%(title)s, %(date)s") % {
            "title": obj.title,
            "date": date_format(obj.held_on, "SHORT_DATE_FORMAT"),
        }


class CompareForm(forms.Form):
    """Two sessions of the group (a GET form: the comparison has its own address)."""

    before = _SessionChoice(
        label=gettext_lazy("Before"),
        queryset=None,
        error_messages={"invalid_choice": gettext_lazy("Choose one of the sessions listed.")},
    )
    after = _SessionChoice(
        label=gettext_lazy("After"),
        queryset=None,
        error_messages={"invalid_choice": gettext_lazy("Choose one of the sessions listed.")},
    )

    def __init__(self, *args: Any, sessions: QuerySet[EvaluationSession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["before"].queryset = sessions  # type: ignore[attr-defined]
        self.fields["after"].queryset = sessions  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        before, after = cleaned.get("before"), cleaned.get("after")
        if before is not None and before == after:
            raise forms.ValidationError(_("Choose two different sessions to compare."))
        return cleaned
