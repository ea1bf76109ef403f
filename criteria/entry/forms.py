"""Forms of the fast-entry page. Each add form carries the page's session date and language, so
a plain POST without JavaScript holds everything the service needs.

The forms resolve ids and codes into objects of this coordination group (another group's
question is as unknown as a missing one); the services check the texts, so a multi-line paste
can say which line is wrong.
"""

import datetime
from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.entry.selectors import entry_component_get, entry_question_get
from criteria.models import Component, Question
from territories.models import CoordinationGroup, HomogeneousGroup

# A whole paste of sticky notes fits well under this; anything longer is a wrong paste.
RAW_TEXT_MAX_LENGTH = 100_000
# As in a criteria import: older sessions are typing mistakes (0001-01-01, 1025 for 2025).
EARLIEST_SESSION_YEAR = 1990


def language_choices(group: HomogeneousGroup) -> list[tuple[str, str]]:
    """The site's languages, and the group's own when it is another one."""
    choices = [(code, translation.gettext(str(name))) for code, name in settings.LANGUAGES]
    if group.language and group.language not in {code for code, _name in choices}:
        choices.append((group.language, group.language))
    return choices


def _date_check(value: datetime.date | None) -> None:
    # A session already happened; a day of margin covers time zones.
    if value is not None and value > timezone.localdate() + datetime.timedelta(days=1):
        raise forms.ValidationError(_("The session date cannot be in the future."))
    if value is not None and value.year < EARLIEST_SESSION_YEAR:
        raise forms.ValidationError(
            _("The session date cannot be before %(year)d: check the year.")
            % {"year": EARLIEST_SESSION_YEAR}
        )


class EntrySettingsForm(forms.Form):
    """The page's session date and language (a GET form: they travel in the address)."""

    session_date = forms.DateField(
        label=gettext_lazy("Session date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter the session date as YYYY-MM-DD.")},
    )
    language = forms.ChoiceField(label=gettext_lazy("Language of the criteria"))

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        group: HomogeneousGroup,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        cast(forms.ChoiceField, self.fields["language"]).choices = language_choices(group)

    def clean_session_date(self) -> datetime.date:
        value = self.cleaned_data["session_date"]
        _date_check(value)
        return value


class _TenantForm(forms.Form):
    question = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy("Choose the question this criterion answers."),
            "invalid": gettext_lazy("This question is not asked in this coordination group."),
        },
    )
    component = forms.CharField(required=False, max_length=8)

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        tenant: CoordinationGroup,
        group: HomogeneousGroup,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.tenant = tenant
        self.group = group

    def clean_question(self) -> Question:
        question = entry_question_get(tenant=self.tenant, pk=self.cleaned_data["question"])
        if question is None:
            raise forms.ValidationError(_("This question is not asked in this coordination group."))
        return question

    def clean_component(self) -> Component | None:
        code = self.cleaned_data["component"].strip()
        if not code:
            return None
        component = entry_component_get(code=code)
        if component is None:
            raise forms.ValidationError(
                _("No component has the code %(code)s in the current grid.") % {"code": code}
            )
        if not component.is_active:
            raise forms.ValidationError(
                _("Component %(code)s is not in use in the current grid.")
                % {"code": component.code}
            )
        return component


class CriterionAddForm(_TenantForm):
    """Criteria for one question: one per non-empty line of text."""

    # The service checks the text line by line, so this only stops absurd payloads.
    text = forms.CharField(required=False, strip=False, max_length=RAW_TEXT_MAX_LENGTH)
    session_date = forms.DateField(
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy("Enter the session date."),
            "invalid": gettext_lazy("Enter the session date as YYYY-MM-DD."),
        },
    )
    language = forms.ChoiceField(
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy("Choose the language of the criteria."),
            "invalid_choice": gettext_lazy("Choose the language of the criteria from the list."),
        },
    )
    # A key the page makes for each send, so a send repeated after a lost answer saves once.
    submission = forms.CharField(required=False, max_length=64)

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        tenant: CoordinationGroup,
        group: HomogeneousGroup,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, tenant=tenant, group=group, initial=initial)
        cast(forms.ChoiceField, self.fields["language"]).choices = language_choices(self.group)
        self.fields["text"].error_messages["max_length"] = _(
            "This text is too long to be a list of criteria. Nothing was saved."
        )

    def clean_session_date(self) -> datetime.date:
        value = self.cleaned_data["session_date"]
        _date_check(value)
        return value


class CriterionRestoreForm(CriterionAddForm):
    """The values of a criterion just removed, sent back by its Undo button."""


class CriterionEditForm(_TenantForm):
    """Fix a criterion: its text, its question, its component."""

    text = forms.CharField(
        label=gettext_lazy("Criterion"), strip=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        tenant: CoordinationGroup,
        group: HomogeneousGroup,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, tenant=tenant, group=group, initial=initial)
        self.fields["text"].error_messages["required"] = _("Write the criterion before saving it.")
