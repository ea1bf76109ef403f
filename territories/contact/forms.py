"""Forms of the contact pages. They check shape and give early feedback; the services decide."""

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from territories.contact.services import (
    BODY_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    LINKS_MAX,
    NAME_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
    ContactDetails,
    links_problem,
)
from territories.models import ContactMessage
from wikispiral.accounts.forms import FORM_STAMP_FIELD, form_stamp_error


class ContactForm(forms.Form):
    """A message to the secretariat or to a platform's facilitators; the signed stamp (how long
    the form took to fill in) is checked like the sign-up's."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=EMAIL_MAX_LENGTH,
        help_text=_("The answer comes to this address. Only the people you write to see it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX_LENGTH)
    body = forms.CharField(
        label=_("Your message"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
    )

    def __init__(self, data: QueryDict | None = None, *, initial: dict | None = None) -> None:
        super().__init__(data, initial=initial)
        # Formatted here, in the reader's language (a lazy string would be formatted at import).
        self.fields["body"].help_text = gettext(
            "At most %(characters)s characters and %(links)s links."
        ) % {
            "characters": formats.number_format(BODY_MAX_LENGTH, force_grouping=True),
            "links": LINKS_MAX,
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        stamp_error = form_stamp_error(self.data.get(FORM_STAMP_FIELD))
        if stamp_error:
            # Added, not raised: the person also sees what else needs fixing.
            self.add_error(None, forms.ValidationError(stamp_error, code="form_stamp"))
        if cleaned.get("body"):
            problem = links_problem(subject=cleaned.get("subject") or "", body=cleaned["body"])
            if problem:
                field, message = problem
                self.add_error(field, message)
        return cleaned

    def details(self, *, language: str) -> ContactDetails:
        """The cleaned values, as the service takes them (call after is_valid())."""
        data = self.cleaned_data
        return ContactDetails(
            name=data["name"],
            email=data["email"],
            subject=data["subject"],
            body=data["body"],
            language=language,
        )


class StatusForm(forms.Form):
    """Mark a message of an inbox new, answered or closed."""

    status = forms.ChoiceField(label=_("Status"), choices=ContactMessage.Status.choices)


class InboxFilterForm(forms.Form):
    """The inbox's filter (GET): empty shows every message."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *ContactMessage.Status.choices],
    )
