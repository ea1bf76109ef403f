"""Forms of the classification queue: its filters (GET) and the classify and dispute forms of
each criterion. They check the shape of the input and turn codes into objects; the services
decide (an inactive component, a full code outside the component)."""

from typing import cast

from django import forms
from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from criteria.codes import FULL_CODE_MAX_LENGTH
from criteria.models import Classification, Component, Criterion, GridVersion, Question
from criteria.selectors import component_by_code
from territories.models import HomogeneousGroup
from wikispiral.widgets import FastSelect

NOTE_MAX_LENGTH = Classification._meta.get_field("note").max_length
# What the queue's address may carry back after a POST (anything else is dropped).
QUEUE_PARAMETERS = ("status", "group", "question", "page")


def queue_query(raw: str) -> str:
    """The queue's own parameters out of a query string a form carried back (an open redirect
    or a header injection cannot ride on it: the URL is ours, the values are re-encoded)."""
    parsed = QueryDict(raw[:500] if raw else "")
    kept = [(key, parsed[key][:100]) for key in QUEUE_PARAMETERS if parsed.get(key)]
    return urlencode(kept)


class QueueFilterForm(forms.Form):
    """The queue's filters: every field optional, so no filter shows everything waiting."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Unclassified and disputed")),
            (Criterion.Status.UNCLASSIFIED, _("Unclassified")),
            (Criterion.Status.DISPUTED, _("Disputed")),
        ],
        widget=FastSelect,
    )
    group = forms.ChoiceField(label=_("Homogeneous group"), required=False, widget=FastSelect)
    question = forms.ChoiceField(label=_("Question"), required=False, widget=FastSelect)

    def __init__(
        self,
        data: QueryDict,
        *,
        groups: list[HomogeneousGroup],
        questions: list[Question],
    ) -> None:
        super().__init__(data)
        self.groups = {group.slug: group for group in groups}
        self.questions = {str(question.pk): question for question in questions}
        cast(forms.ChoiceField, self.fields["group"]).choices = [("", _("All groups"))] + [
            (group.slug, group.name) for group in groups
        ]
        cast(forms.ChoiceField, self.fields["question"]).choices = [("", _("All questions"))] + [
            (str(question.pk), f"{question.code} · {question.short_name()}")
            for question in questions
        ]

    def filters(self) -> dict:
        """The valid filters as objects (call after is_valid())."""
        data = self.cleaned_data
        return {
            "status": data.get("status") or "",
            "group": self.groups.get(data.get("group") or ""),
            "question": self.questions.get(data.get("question") or ""),
        }


class ClassifyForm(forms.Form):
    component = forms.CharField(
        label=_("Component"),
        max_length=12,
        error_messages={"required": _("Choose a component.")},
    )
    full_code = forms.CharField(
        label=_("Full code (optional)"),
        required=False,
        max_length=FULL_CODE_MAX_LENGTH,
        help_text=_("object/sense/beneficiary inside the component, for example A01-11/P15/k."),
    )

    def __init__(self, data: QueryDict | None = None, *, version: GridVersion) -> None:
        super().__init__(data)
        self.version = version

    def clean_component(self) -> Component:
        code = self.cleaned_data["component"].strip().upper()
        component = component_by_code(code=code, version=self.version)
        if component is None:
            raise forms.ValidationError(
                _("There is no component %(code)s in the current grid."),
                code="unknown",
                params={"code": code},
            )
        return component


class DisputeForm(forms.Form):
    note = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text=_("What makes the classification doubtful, for whoever decides."),
    )
