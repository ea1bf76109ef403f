"""Forms of the application pages. They check shape and give early feedback; services decide."""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from territories.applications.selectors import Geography, geography_for_form
from territories.applications.services import ApplicationDetails
from territories.models import Application, CoordinationGroup, Locality, Region
from wikispiral.accounts.forms import FORM_STAMP_FIELD, form_stamp_error
from wikispiral.typing import StrOrPromise

# Languages an applicant may tick as "used in the territory": the site's languages and the
# other languages of the network (see docs/spiral README); names come from Django's catalogs.
NETWORK_LANGUAGES = ("en", "fr", "pt", "it", "es", "ro", "el", "ar", "de", "nl")


def _site_language_choices() -> list[tuple[str, StrOrPromise]]:
    return [(code, name) for code, name in settings.LANGUAGES]


def _network_language_choices() -> list[tuple[str, str]]:
    codes = [code for code, _name in settings.LANGUAGES]
    codes += [code for code in NETWORK_LANGUAGES if code not in codes]
    return [(code, translation.get_language_info(code)["name_translated"]) for code in codes]


def _textarea(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ApplicationForm(forms.Form):
    """Every field of an application; geography choices are read once per form."""

    name = forms.CharField(
        label=_("Name of the territory or actor"),
        max_length=200,
        help_text=_("For example a town, a neighbourhood, a school or a hospital."),
    )
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=CoordinationGroup.Kind.choices,
        initial=CoordinationGroup.Kind.TERRITORY,
        widget=forms.RadioSelect,
    )
    actor_type = forms.CharField(
        label=_("Actor type (optional)"),
        max_length=100,
        required=False,
        help_text=_("For example municipality, association, school, company."),
    )
    country = forms.ChoiceField(label=_("Country"))
    region = forms.ChoiceField(
        label=_("Region (optional)"),
        required=False,
        help_text=_("Choose a region of the country above."),
    )
    locality = forms.ChoiceField(
        label=_("Locality (optional)"),
        required=False,
        help_text=_(
            "Choose a locality of the region above. If yours is missing, leave it empty "
            "and name it in the place details."
        ),
    )
    place = forms.CharField(
        label=_("Place details (optional)"),
        max_length=200,
        required=False,
        help_text=_("A neighbourhood, a village, an address: whatever locates you better."),
    )
    applicant_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    applicant_role = forms.CharField(
        label=_("Your role"),
        max_length=150,
        help_text=_("For example deputy mayor, head teacher, coordinator of an association."),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    applicant_email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We write to you at this address about your application."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    applicant_language = forms.ChoiceField(
        label=_("Your language"),
        choices=_site_language_choices,
        help_text=_("The language of the emails we send you, and of your platform's first page."),
    )
    description = forms.CharField(
        label=_("Description of the territory or actor"),
        widget=_textarea(6),
        max_length=10_000,
    )
    stakeholders = forms.CharField(
        label=_("Stakeholders already involved (optional)"),
        required=False,
        max_length=5_000,
        widget=_textarea(4),
        help_text=_("One organisation or person per line."),
    )
    motivation = forms.CharField(
        label=_("Why do you want to open a platform?"),
        widget=_textarea(6),
        max_length=10_000,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages used in the territory"),
        choices=_network_language_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one language.")},
    )
    consent_to_publish = forms.BooleanField(
        label=_("I agree that the network publishes the name and description of the platform."),
        error_messages={"required": _("The platform's pages are public: we need your consent.")},
    )

    fieldsets = (
        (_("The territory or actor"), ("name", "kind", "actor_type")),
        (_("Where"), ("country", "region", "locality", "place")),
        (
            _("About you"),
            ("applicant_name", "applicant_role", "applicant_email", "applicant_language"),
        ),
        (_("The platform"), ("description", "stakeholders", "motivation", "languages")),
        (_("Publication"), ("consent_to_publish",)),
    )

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        check_stamp: bool = False,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        # Bot protection on the public form only: the edit form is reached with a secret key.
        self.check_stamp = check_stamp
        self.geography: Geography = geography_for_form()
        country = cast(forms.ChoiceField, self.fields["country"])
        country.choices = [("", _("Choose a country")), *self.geography.countries]
        region = cast(forms.ChoiceField, self.fields["region"])
        region.choices = [("", _("No region")), *self.geography.regions]
        locality = cast(forms.ChoiceField, self.fields["locality"])
        locality.choices = [("", _("No locality")), *self.geography.localities]

    def grouped_fields(self) -> list[tuple[StrOrPromise, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.check_stamp:
            stamp_error = form_stamp_error(self.data.get(FORM_STAMP_FIELD))
            if stamp_error:
                # Added, not raised: the person also sees what else needs fixing.
                self.add_error(None, forms.ValidationError(stamp_error, code="form_stamp"))
        country = self.geography.country_by_code.get(cleaned.get("country") or "")
        region = self.geography.region_by_pk.get(cleaned.get("region") or "")
        locality = self.geography.locality_by_pk.get(cleaned.get("locality") or "")
        if locality is not None and region is None and "region" not in self.errors:
            region = locality.region  # picking a locality names its region too
        if country is not None and region is not None and region.country_id != country.pk:
            place: Region | Locality
            if cleaned.get("region") or locality is None:  # no region chosen: the locality's
                field, place = "region", region
            else:
                field, place = "locality", locality
            self.add_error(
                field,
                _(
                    "%(place)s is not in %(country)s. Choose a place in %(country)s or leave it "
                    "empty."
                )
                % {"place": place.label(), "country": country.label()},
            )
        elif region is not None and locality is not None and locality.region_id != region.pk:
            self.add_error(
                "locality",
                _(
                    "%(locality)s is not in the region %(region)s. Choose a locality of "
                    "%(region)s or leave it empty."
                )
                % {"locality": locality.label(), "region": region.label()},
            )
        cleaned["country_obj"], cleaned["region_obj"], cleaned["locality_obj"] = (
            country,
            region,
            locality,
        )
        return cleaned

    def details(self) -> ApplicationDetails:
        """The cleaned values, as the services take them (call after is_valid())."""
        data = self.cleaned_data
        return ApplicationDetails(
            name=data["name"],
            kind=data["kind"],
            actor_type=data["actor_type"],
            country=data["country_obj"],
            region=data["region_obj"],
            locality=data["locality_obj"],
            place=data["place"],
            applicant_name=data["applicant_name"],
            applicant_role=data["applicant_role"],
            applicant_email=data["applicant_email"],
            applicant_language=data["applicant_language"],
            description=data["description"],
            stakeholders=data["stakeholders"],
            motivation=data["motivation"],
            languages=list(data["languages"]),
            consent_to_publish=data["consent_to_publish"],
        )

    @staticmethod
    def initial_for(application: Application) -> dict:
        """Initial values that show an application as it stands (the applicant's edit link)."""
        return {
            "name": application.name,
            "kind": application.kind,
            "actor_type": application.actor_type,
            "country": application.country.code,
            "region": str(application.region_id or ""),
            "locality": str(application.locality_id or ""),
            "place": application.place,
            "applicant_name": application.applicant_name,
            "applicant_role": application.applicant_role,
            "applicant_email": application.applicant_email,
            "applicant_language": application.applicant_language,
            "description": application.description,
            "stakeholders": application.stakeholders,
            "motivation": application.motivation,
            "languages": application.languages,
            "consent_to_publish": application.consent_to_publish,
        }


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
        help_text=_("Emailed to the applicant with a link to edit the application."),
    )


class ApproveForm(forms.Form):
    slug = forms.SlugField(
        label=_("Address of the platform (optional)"),
        max_length=80,
        required=False,
        help_text=_(
            "The part of the web address after /cg/. Left empty, it is made from the name."
        ),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the rejection"),
        max_length=5_000,
        widget=_textarea(4),
        help_text=_("Emailed to the applicant."),
    )


class QueueFilterForm(forms.Form):
    """The queue's filters (GET): every field is optional, so an empty query is the default
    view (applications awaiting action, newest first)."""

    STATUS_ALL = "all"

    status = forms.ChoiceField(label=_("Status"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All types")), *CoordinationGroup.Kind.choices],
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, applicant or email."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("name", _("Name")),
        ],
    )

    def __init__(self, data: QueryDict, *, countries: list[tuple[str, str]]) -> None:
        super().__init__(data)
        self.status_choices: list[tuple[str, StrOrPromise]] = [
            (Application.Status.SUBMITTED, _("Awaiting action")),
            (Application.Status.CHANGES_REQUESTED, _("Changes requested")),
            (Application.Status.APPROVED, _("Approved")),
            (Application.Status.REJECTED, _("Rejected")),
            (self.STATUS_ALL, _("All")),
        ]
        cast(forms.ChoiceField, self.fields["status"]).choices = self.status_choices
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            ("", _("All countries")),
            *countries,
        ]

    def filters(self) -> dict[str, str]:
        """The chosen filters, defaults filled in (call after is_valid())."""
        data = self.cleaned_data
        return {
            "status": data["status"] or Application.Status.SUBMITTED,
            "country": data["country"],
            "kind": data["kind"],
            "q": data["q"].strip(),
            "sort": data["sort"] or "newest",
        }
