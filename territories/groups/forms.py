"""Forms of the pages where a coordination group manages itself. They check the shape of the
input and turn names into objects; services decide (their refusals come back as DomainError
and are shown on the field they name)."""

import re

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from territories.models import (
    CoordinationGroup,
    Country,
    Locality,
    Membership,
    Profile,
    Region,
)
from territories.services import (
    MAX_PARTICIPANTS,
    MAX_TEXT_LENGTH,
    PARTICIPANTS_AT_LEAST_ONE,
    PICTURE_MAX_BYTES,
)
from wikispiral.accounts.models import User

PICTURE_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


def _language_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, name in settings.LANGUAGES]


def _text(label: str, *, help_text: str = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_TEXT_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class LabelledChoiceField(forms.ModelChoiceField):
    """Places and profiles are shown under their name in the reader's language."""

    def label_from_instance(self, obj: object) -> str:
        return obj.label() if hasattr(obj, "label") else str(obj)


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.public_name


class SectionedForm(forms.Form):
    """A form shown in fieldsets: SECTIONS lists (legend, field names)."""

    SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.SECTIONS
        ]


def locality_find(
    *, country: Country, region: Region | None, text: str
) -> tuple[Region | None, Locality | None, str | None]:
    """The locality a person typed (by name or address, ignoring case) in region, or anywhere in
    country when no region is given: (region, locality, None), or (…, None, why not)."""
    text = " ".join((text or "").split())
    if not text:
        return region, None, None
    matching = Locality.objects.select_related("region").filter(
        Q(name__iexact=text) | Q(slug=slugify(text, allow_unicode=True))
    )
    if region is not None:
        found = list(matching.filter(region=region)[:2])
        if not found:
            return (
                region,
                None,
                gettext(
                    "No locality called “%(name)s” in %(region)s. Check the spelling, or leave "
                    "it empty."
                )
                % {"name": text, "region": region.label()},
            )
        return region, found[0], None
    found = list(matching.filter(region__country=country)[:2])
    if not found:
        return (
            None,
            None,
            gettext(
                "No locality called “%(name)s” in %(country)s. Check the spelling, or leave it "
                "empty."
            )
            % {"name": text, "country": country.label()},
        )
    if len(found) > 1:
        return (
            None,
            None,
            gettext("Several places are called “%(name)s” in %(country)s: choose the region too.")
            % {"name": text, "country": country.label()},
        )
    return found[0].region, found[0], None


def _profile_queryset(current: Profile | None = None) -> QuerySet[Profile]:
    query = Q(is_active=True)
    if current is not None:
        query |= Q(pk=current.pk)
    return Profile.objects.filter(query).order_by("order", "name")


class CoordinationGroupForm(SectionedForm):
    SECTIONS = (
        (_("The group"), ("name", "actor_type", "level", "referent")),
        (_("Place"), ("region", "locality", "latitude", "longitude")),
        (
            _("Descriptions"),
            ("platform_description", "territory_description", "process_summary"),
        ),
        (_("People and needs"), ("stakeholders", "contacts", "support_needs")),
        (_("Languages"), ("languages", "other_languages")),
        (_("Picture"), ("picture", "picture_remove")),
    )

    name = forms.CharField(label=_("Name"), max_length=200)
    actor_type = forms.CharField(
        label=_("Actor type"),
        max_length=100,
        required=False,
        help_text=_("For example: municipality, school, hospital, association."),
    )
    level = forms.ChoiceField(label=_("Level"), choices=CoordinationGroup.Level.choices)
    referent = LabelledChoiceField(
        label=_("Referent platform"),
        queryset=CoordinationGroup.objects.none(),
        required=False,
        help_text=_("The regional or national platform yours follows, if any."),
    )
    region = LabelledChoiceField(label=_("Region"), queryset=Region.objects.none(), required=False)
    locality = forms.CharField(
        label=_("Locality"),
        max_length=150,
        required=False,
        help_text=_("The town or village, as the network lists it."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        max_digits=8,
        decimal_places=5,
        help_text=_("Between -90 and 90, for example 47.75."),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        max_digits=8,
        decimal_places=5,
        help_text=_("Between -180 and 180, for example 7.33."),
    )
    platform_description = _text(_("The platform"), rows=6)
    territory_description = _text(_("The territory"), rows=6)
    process_summary = _text(_("Summary of the process"), rows=6)
    stakeholders = _text(_("Stakeholders"), help_text=_("One member organisation per line."))
    contacts = _text(_("Contacts"))
    support_needs = _text(_("Support needs"))
    languages = forms.MultipleChoiceField(
        label=_("Languages used"),
        choices=_language_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_languages = forms.CharField(
        label=_("Other languages"),
        max_length=200,
        required=False,
        help_text=_("Language codes separated by commas, for example: ar, it, ro."),
    )
    picture = forms.FileField(
        label=_("New picture"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF, at most %(mb)d MB.")
        % {"mb": PICTURE_MAX_BYTES // (1024 * 1024)},
        widget=forms.FileInput(attrs={"accept": PICTURE_ACCEPT}),
    )
    picture_remove = forms.BooleanField(label=_("Remove the current picture"), required=False)

    def __init__(self, *args: object, group: CoordinationGroup, **kwargs: object) -> None:
        offered = dict(settings.LANGUAGES)
        kwargs.setdefault(
            "initial",
            {
                "name": group.name,
                "actor_type": group.actor_type,
                "level": group.level,
                "referent": group.referent_id,
                "region": group.region_id,
                "locality": group.locality.name if group.locality_id else "",
                "latitude": group.latitude,
                "longitude": group.longitude,
                "platform_description": group.platform_description,
                "territory_description": group.territory_description,
                "process_summary": group.process_summary,
                "stakeholders": group.stakeholders,
                "contacts": group.contacts,
                "support_needs": group.support_needs,
                "languages": [code for code in group.languages if code in offered],
                "other_languages": ", ".join(
                    code for code in group.languages if code not in offered
                ),
            },
        )
        super().__init__(*args, **kwargs)
        self.group = group
        offered_referents = Q(is_hidden=False) & ~Q(kind=CoordinationGroup.Kind.CITIZENS_GROUP)
        self.fields["referent"].queryset = (
            CoordinationGroup.objects.filter(offered_referents | Q(pk=group.referent_id))
            .exclude(pk=group.pk)
            .order_by("name")
        )
        self.fields["region"].queryset = Region.objects.filter(country=group.country)
        self.fields["region"].error_messages["invalid_choice"] = gettext(
            "Choose a region of %(country)s."
        ) % {"country": group.country.label()}
        if not group.picture:
            del self.fields["picture_remove"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if "region" in cleaned and "locality" in cleaned:
            region, locality, problem = locality_find(
                country=self.group.country, region=cleaned["region"], text=cleaned["locality"]
            )
            if problem:
                self.add_error("locality", problem)
            else:
                cleaned["region"], cleaned["locality"] = region, locality
        codes = re.split(r"[\s,;]+", cleaned.get("other_languages") or "")
        cleaned["languages"] = [*cleaned.get("languages", []), *(c for c in codes if c)]
        return cleaned

    def service_fields(self) -> dict[str, object]:
        """What to pass to coordination_group_update."""
        data = dict(self.cleaned_data)
        data.pop("other_languages", None)
        data["picture_remove"] = data.get("picture_remove", False)
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.EDITOR
    )
    language = forms.ChoiceField(
        label=_("Language of the email"),
        choices=_language_choices,
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


def _count(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=MAX_PARTICIPANTS)


class HomogeneousGroupForm(SectionedForm):
    SECTIONS = (
        (_("The group"), ("name", "profile", "profile_other", "language")),
        (_("Meetings"), ("meeting_dates",)),
        (
            _("Participants"),
            ("participants", "participants_women", "participants_men", "participants_other"),
        ),
        (_("Facilitation"), ("facilitators", "notes")),
    )

    name = forms.CharField(label=_("Name"), max_length=200)
    profile = LabelledChoiceField(
        label=_("Profile"),
        queryset=Profile.objects.none(),
        required=False,
        help_text=_("What the participants share."),
    )
    profile_other = forms.CharField(
        label=_("Profile, in your own words"),
        max_length=150,
        required=False,
        help_text=_("If no profile of the list fits, or to say more (e.g. “aged 15 to 18”)."),
    )
    language = forms.ChoiceField(label=_("Language the group spoke"))
    meeting_dates = forms.CharField(
        label=_("Meeting dates"),
        required=False,
        max_length=2000,
        help_text=_("One date per line, written like 2025-03-14."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Unknown is left empty, never 0: pages would read 0 as a group of nobody.
    participants = forms.IntegerField(
        label=_("Number of participants"),
        required=False,
        min_value=1,
        max_value=MAX_PARTICIPANTS,
        help_text=_("Leave it empty if you do not know."),
        error_messages={"min_value": PARTICIPANTS_AT_LEAST_ONE},
    )
    participants_women = _count(_("Of whom women"))
    participants_men = _count(_("Of whom men"))
    participants_other = _count(_("Of whom other or not said"))
    facilitators = MemberChoiceField(
        label=_("Facilitators"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members of the coordination group who facilitated the meeting."),
    )
    notes = _text(_("Notes"), help_text=_("Seen only by the members of the coordination group."))

    def __init__(
        self, *args: object, group: CoordinationGroup, hg: object | None = None, **kwargs: object
    ) -> None:
        if hg is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": hg.name,
                    "profile": hg.profile_id,
                    "profile_other": hg.profile_other,
                    "language": hg.language,
                    "meeting_dates": "\n".join(hg.meeting_dates),
                    "participants": hg.participants,
                    "participants_women": hg.participants_women,
                    "participants_men": hg.participants_men,
                    "participants_other": hg.participants_other,
                    "facilitators": [user.pk for user in hg.facilitators.all()],
                    "notes": hg.notes,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = _profile_queryset(hg.profile if hg else None)
        self.fields["facilitators"].queryset = User.objects.filter(
            memberships__tenant=group
        ).order_by("display_name", "username")
        offered = _language_choices()
        codes = {code for code, _name in offered}
        extra = [(code, code) for code in group.languages if code not in codes]
        if hg is not None and hg.language not in codes | set(group.languages):
            extra.append((hg.language, hg.language))
        self.fields["language"].choices = offered + extra
        if hg is None:
            first = next((code for code in group.languages if code), "")
            self.fields["language"].initial = first or settings.LANGUAGE_CODE

    def service_fields(self) -> dict[str, object]:
        data = dict(self.cleaned_data)
        data["meeting_dates"] = re.split(r"[\s,;]+", data.get("meeting_dates") or "")
        data["facilitators"] = list(data.get("facilitators") or [])
        return data


class CitizensGroupForm(SectionedForm):
    SECTIONS = (
        (_("Your group"), ("name", "profile", "profile_other", "language", "description")),
        (_("Where"), ("country", "region", "locality")),
    )

    name = forms.CharField(
        label=_("Name of the group"),
        max_length=200,
        help_text=_("For example: Young people of Bourtzwiller."),
    )
    profile = LabelledChoiceField(
        label=_("Profile"),
        queryset=Profile.objects.none(),
        required=False,
        help_text=_("What the members of the group share."),
    )
    profile_other = forms.CharField(
        label=_("Profile, in your own words"),
        max_length=150,
        required=False,
        help_text=_("If no profile of the list fits, or to say more."),
    )
    language = forms.ChoiceField(label=_("Language of the group"), choices=_language_choices)
    description = forms.CharField(
        label=_("Short description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    country = LabelledChoiceField(
        label=_("Country"),
        queryset=Country.objects.none(),
        error_messages={"invalid_choice": _("Choose a country from the list.")},
    )
    region = forms.CharField(
        label=_("Region (optional)"),
        max_length=150,
        required=False,
        help_text=_("As the network lists it, for example: Grand Est."),
    )
    locality = forms.CharField(
        label=_("Town or village (optional)"),
        max_length=150,
        required=False,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = _profile_queryset()
        self.fields["country"].queryset = Country.objects.order_by("name")

    def clean(self) -> dict:
        cleaned = super().clean()
        country = cleaned.get("country")
        if country is None:
            return cleaned
        region_text = " ".join((cleaned.get("region") or "").split())
        region = None
        if region_text:
            region = (
                Region.objects.filter(country=country)
                .filter(
                    Q(name__iexact=region_text) | Q(slug=slugify(region_text, allow_unicode=True))
                )
                .first()
            )
            if region is None:
                self.add_error(
                    "region",
                    gettext(
                        "No region called “%(name)s” in %(country)s. Check the spelling, or "
                        "leave it empty."
                    )
                    % {"name": region_text, "country": country.label()},
                )
                return cleaned
        region, locality, problem = locality_find(
            country=country, region=region, text=cleaned.get("locality", "")
        )
        if problem:
            self.add_error("locality", problem)
        cleaned["region"], cleaned["locality"] = region, locality
        return cleaned
