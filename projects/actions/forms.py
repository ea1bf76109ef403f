"""The forms of the actions' pages. They only parse: the services check everything else (that
each id is the group's, the dates, the amounts) and their refusals are shown on the forms."""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from criteria.models import Component, Criterion, Family
from projects.models import Action, EvaluationSession, Indicator, Pledge
from territories.models import HomogeneousGroup
from wikispiral.text import line_clean

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _criterion_label(criterion: Criterion) -> str:
    text = line_clean(criterion.text)
    short = text if len(text) <= 160 else f"{text[:159]}…"
    return f"{short} ({criterion.group.name}, {criterion.question.code})"


def _component_label(component: Component) -> str:
    return f"{component.code} {component.label()}"


class SendOnce(forms.Form):
    """A form whose send is remembered (projects.actions.views.SEND_SECONDS): the same send
    again, after a double click or a lost answer, saves nothing twice."""

    submission = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex
    )


class ActionForm(SendOnce):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What will be done, by whom, for whom. It starts the action's wiki page."),
    )
    language = forms.ChoiceField(label=_("Language of the action"), choices=settings.LANGUAGES)
    status = forms.ChoiceField(
        label=_("State"), choices=Action.Status.choices, initial=Action.Status.PROPOSED
    )
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DATE_INPUT)
    ends_on = forms.DateField(
        label=_("Ended on"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Needed once the action is done."),
    )
    criteria = forms.TypedMultipleChoiceField(
        label=_("Criteria it answers"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    components = forms.TypedMultipleChoiceField(
        label=_("Components it aims to improve"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    indicators = forms.TypedMultipleChoiceField(
        label=_("Indicators it aims to improve"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = forms.TypedMultipleChoiceField(
        label=_("Homogeneous groups behind it"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    published = forms.BooleanField(
        label=_("Publish it now"),
        required=False,
        help_text=_("Unpublished, only the members of the coordination group see it."),
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        criteria: Sequence[Criterion],
        components: Sequence[tuple[Family | None, list[Component]]],
        indicators: Sequence[Indicator],
        groups: Sequence[HomogeneousGroup],
        initial: dict[str, Any] | None = None,
        with_publish: bool = True,
    ) -> None:
        super().__init__(data, initial=initial)
        self.fields["language"].initial = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
        _choices(self, "criteria").choices = [(c.pk, _criterion_label(c)) for c in criteria]
        _choices(self, "components").choices = [
            (
                family.label() if family is not None else _("Older grid versions"),
                [(c.pk, _component_label(c)) for c in members],
            )
            for family, members in components
        ]
        _choices(self, "indicators").choices = [(i.pk, i.title or f"#{i.pk}") for i in indicators]
        _choices(self, "groups").choices = [(g.pk, g.name) for g in groups]
        if not with_publish:
            del self.fields["published"]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        names = (
            "title",
            "description",
            "language",
            "status",
            "starts_on",
            "ends_on",
            "indicators",
            "components",
            "groups",
            "criteria",
        )
        return {name: data[name] for name in names}


class StateFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Every state")), *Action.Status.choices],
    )


class EvaluationsForm(forms.Form):
    before = forms.TypedChoiceField(
        label=_("Evaluation before the action"), coerce=int, empty_value=None, required=False
    )
    after = forms.TypedChoiceField(
        label=_("Evaluation after the action"), coerce=int, empty_value=None, required=False
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        sessions: Sequence[EvaluationSession],
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.sessions = {session.pk: session for session in sessions}
        choices = [("", _("None"))] + [
            (s.pk, f"{s.title} ({s.held_on.isoformat()})") for s in sessions
        ]
        _choices(self, "before").choices = choices
        _choices(self, "after").choices = choices

    def session(self, name: str) -> EvaluationSession | None:
        pk = self.cleaned_data.get(name)
        return self.sessions.get(pk) if pk is not None else None


class PledgeForm(SendOnce):
    pledger = forms.ChoiceField(
        label=_("Who pledges"),
        choices=Pledge.Pledger.choices,
        initial=Pledge.Pledger.PERSON,
        widget=forms.RadioSelect,
    )
    group = forms.TypedChoiceField(
        label=_("The homogeneous group"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("When a homogeneous group pledges."),
    )
    name = forms.CharField(
        label=_("Name of the organisation or public body"),
        max_length=200,
        required=False,
        help_text=_("When a member organisation or a public body pledges."),
    )
    offer = forms.ChoiceField(
        label=_("What is offered"), choices=Pledge.Offer.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("In a few words"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # No min_value: the service refuses a negative amount with its own, clearer message.
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=_("Where it makes sense: hours, euros, chairs…"),
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, groups: Sequence[HomogeneousGroup]
    ) -> None:
        super().__init__(data)
        _choices(self, "group").choices = [("", "—")] + [(g.pk, g.name) for g in groups]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        names = ("pledger", "offer", "group", "name", "description", "amount", "unit")
        return {name: data[name] for name in names}
