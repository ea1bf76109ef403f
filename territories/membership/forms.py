"""Forms of the membership pages. They check shape and give early feedback; services decide.

The member's web address is the field `web_address`, never `website`: that name is the
honeypot of the public forms (wikispiral.accounts.forms.HONEYPOT_FIELD)."""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from territories.applications.selectors import country_choices
from territories.membership.services import MembershipDetails
from territories.models import CoordinationGroup, Country, MembershipRequest, NetworkMember
from wikispiral.accounts.forms import FORM_STAMP_FIELD, form_stamp_error
from wikispiral.typing import StrOrPromise

Kind = NetworkMember.Kind
Nature = NetworkMember.Nature


def _site_language_choices() -> list[tuple[str, StrOrPromise]]:
    return [(code, name) for code, name in settings.LANGUAGES]


def _textarea(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class PlatformMembershipForm(forms.Form):
    """A platform's request to become a full member: its facilitators say why and who writes."""

    web_address = forms.URLField(
        label=_("Website (optional)"),
        max_length=200,
        required=False,
        assume_scheme="https",
        help_text=_("An address starting with https://."),
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        required=False,
        max_length=10_000,
        widget=_textarea(4),
        help_text=_("Shown in the list of members."),
    )
    motivation = forms.CharField(
        label=_("Why do you want to become a member?"),
        max_length=10_000,
        widget=_textarea(6),
    )
    applicant_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    applicant_email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We write to you at this address about the request."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    applicant_language = forms.ChoiceField(
        label=_("Your language"),
        choices=_site_language_choices,
        help_text=_("The language of the emails we send you."),
    )
    consent_to_list = forms.BooleanField(
        label=_("I agree that the network lists this member publicly, with its description."),
        error_messages={"required": _("The list of members is public: we need your consent.")},
    )

    fieldsets: tuple[tuple[StrOrPromise, tuple[str, ...]], ...] = (
        (_("The member"), ("web_address", "description", "motivation")),
        (_("About you"), ("applicant_name", "applicant_email", "applicant_language")),
        (_("Publication"), ("consent_to_list",)),
    )

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        check_stamp: bool = False,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        # Bot protection on the public form only: the others are reached signed in or with a
        # secret key.
        self.check_stamp = check_stamp

    def grouped_fields(self) -> list[tuple[StrOrPromise, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.check_stamp:
            stamp_error = form_stamp_error(self.data.get(FORM_STAMP_FIELD))
            if stamp_error:
                # Added, not raised: the person also sees what else needs fixing.
                self.add_error(None, forms.ValidationError(stamp_error, code="form_stamp"))
        return cleaned

    def details(
        self, *, group: CoordinationGroup | None = None, country: Country | None = None
    ) -> MembershipDetails:
        """The cleaned values, as the services take them (call after is_valid())."""
        data = self.cleaned_data
        return MembershipDetails(
            kind=data.get("kind", Kind.FULL),
            nature=data.get("nature", Nature.COORDINATION_GROUP),
            name=data.get("name", ""),
            coordination_group=group,
            country=country,
            website=data["web_address"],
            description=data["description"],
            motivation=data["motivation"],
            applicant_name=data["applicant_name"],
            applicant_email=data["applicant_email"],
            applicant_language=data["applicant_language"],
            consent_to_list=data["consent_to_list"],
        )

    @staticmethod
    def initial_for(request: MembershipRequest) -> dict[str, Any]:
        """Initial values that show a request as it stands (the applicant's edit link)."""
        return {
            "kind": request.kind,
            "nature": request.nature,
            "name": request.name,
            "country": request.country.code if request.country else "",
            "web_address": request.website,
            "description": request.description,
            "motivation": request.motivation,
            "applicant_name": request.applicant_name,
            "applicant_email": request.applicant_email,
            "applicant_language": request.applicant_language,
            "consent_to_list": True,
        }


class MembershipRequestForm(PlatformMembershipForm):
    """The public form: a person or an organisation (associate), a public authority (ex
    officio). Platforms ask from their own page."""

    kind = forms.ChoiceField(
        label=_("Membership"),
        choices=[
            (Kind.ASSOCIATE, _("Associate member: a person or an organisation (no vote)")),
            (Kind.EX_OFFICIO, _("Ex officio member: a public authority")),
        ],
        initial=Kind.ASSOCIATE,
        widget=forms.RadioSelect,
    )
    nature = forms.ChoiceField(
        label=_("Who is the member?"),
        choices=[
            (Nature.ORGANISATION, Nature.ORGANISATION.label),
            (Nature.PERSON, Nature.PERSON.label),
            (Nature.PUBLIC_AUTHORITY, Nature.PUBLIC_AUTHORITY.label),
        ],
        initial=Nature.ORGANISATION,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("Name of the member"),
        max_length=200,
        help_text=_("The organisation's, the authority's or your own name, as it will be listed."),
    )
    country = forms.ChoiceField(label=_("Country"))

    fieldsets = (
        (_("The member"), ("kind", "nature", "name", "country", "web_address", "description")),
        (_("Your request"), ("motivation",)),
        (_("About you"), ("applicant_name", "applicant_email", "applicant_language")),
        (_("Publication"), ("consent_to_list",)),
    )

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        check_stamp: bool = False,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, check_stamp=check_stamp, initial=initial)
        field = cast(forms.ChoiceField, self.fields["country"])
        field.choices = [("", _("Choose a country")), *country_choices()]

    def details(
        self, *, group: CoordinationGroup | None = None, country: Country | None = None
    ) -> MembershipDetails:
        country = Country.objects.filter(code=self.cleaned_data["country"]).first()
        return super().details(group=None, country=country)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Internal comment"),
        max_length=5_000,
        widget=_textarea(3),
        help_text=_("Seen by the secretariat only, never by the applicant."),
    )


class RequestChangesForm(forms.Form):
    message = forms.CharField(
        label=_("What should the applicant change?"),
        max_length=5_000,
        widget=_textarea(4),
        help_text=_("Emailed to the applicant with a link to edit the request."),
    )


class ApproveForm(forms.Form):
    message = forms.CharField(
        label=_("A word of welcome (optional)"),
        max_length=5_000,
        required=False,
        widget=_textarea(3),
        help_text=_("Emailed to the applicant with the approval."),
    )


class RejectForm(forms.Form):
    message = forms.CharField(
        label=_("Reason for the rejection"),
        max_length=5_000,
        widget=_textarea(4),
        help_text=_("Emailed to the applicant."),
    )


class QueueFilterForm(forms.Form):
    """The queue's filters (GET), all optional: the default view is the requests awaiting
    action, newest first."""

    STATUS_ALL = "all"
    STATUS_CHOICES: list[tuple[str, StrOrPromise]] = [
        (MembershipRequest.Status.SUBMITTED, _("Awaiting action")),
        (MembershipRequest.Status.CHANGES_REQUESTED, _("Changes requested")),
        (MembershipRequest.Status.APPROVED, _("Approved")),
        (MembershipRequest.Status.REJECTED, _("Rejected")),
        (MembershipRequest.Status.WITHDRAWN, _("Withdrawn")),
        (STATUS_ALL, _("All")),
    ]

    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, applicant or email."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def filters(self) -> dict[str, str]:
        """The chosen filters, defaults filled in (call after is_valid())."""
        return {
            "status": self.cleaned_data["status"] or MembershipRequest.Status.SUBMITTED,
            "q": self.cleaned_data["q"].strip(),
        }
