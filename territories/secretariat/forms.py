"""Forms of the secretariat's pages: they parse and check input; services do the writing."""

import datetime
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core import signing
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territories.models import CoordinationGroup, Country, NetworkMember
from territories.secretariat.selectors import GROUP_STATES
from territories.services import GEOGRAPHY_LIMITS
from wikispiral.typing import StrOrPromise
from wikispiral.uploads import UploadProblem, csv_text

GEOGRAPHY_MAX_BYTES = GEOGRAPHY_LIMITS.max_bytes
GEOGRAPHY_SIGNING_SALT = "territories.secretariat.geography"
GEOGRAPHY_MAX_AGE_SECONDS = 60 * 60
SEARCH_MAX_LENGTH = 100
MEMBER_DESCRIPTION_MAX_LENGTH = 5000
# A "member since" date before the network's first members is a typing mistake (0001-01-01).
MEMBER_EARLIEST_YEAR = 1990


def _country_choices(countries: Iterable[Country]) -> list[tuple[str, StrOrPromise]]:
    return [("", _("All countries")), *((c.code, c.label()) for c in countries)]


class GroupFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("awaiting", _("Awaiting validation")),
            ("hidden", _("Hidden")),
            ("all", _("All")),
        ],
    )
    kind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All types")), *CoordinationGroup.Kind.choices],
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    q = forms.CharField(label=_("Name or network id"), required=False, max_length=SEARCH_MAX_LENGTH)

    def __init__(self, data: QueryDict, *, countries: Iterable[Country] = ()) -> None:
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["country"]).choices = _country_choices(countries)

    def clean_state(self) -> str:
        state = self.cleaned_data.get("state") or "awaiting"
        return state if state in GROUP_STATES else "awaiting"


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for hiding"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Sent to the group's facilitators and kept in the moderation history."),
        error_messages={"required": _("Give the reason: the facilitators will read it.")},
    )


class NoteForm(forms.Form):
    reason = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("Sent to the group's facilitators and kept in the moderation history."),
    )


class GeographyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, comma-separated, at most 1 MB."),
        error_messages={"required": _("Choose a CSV file to upload.")},
    )

    def clean_file(self) -> str:
        """The file's text (the form's cleaned value is the decoded content)."""
        upload = self.cleaned_data["file"]
        if upload.size > GEOGRAPHY_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 1 MB. Split it into several files.")
            )
        data = upload.read(GEOGRAPHY_MAX_BYTES + 1)
        try:
            return csv_text(data, limits=GEOGRAPHY_LIMITS)
        except UploadProblem as problem:
            raise forms.ValidationError(problem.message) from problem


def geography_sign(text: str) -> str:
    """The content, signed and timestamped, to carry from the preview to the import."""
    return signing.TimestampSigner(salt=GEOGRAPHY_SIGNING_SALT).sign_object(text, compress=True)


class GeographyCommitForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput, strip=False)

    def clean_payload(self) -> str:
        """The previewed content, if the signature is ours and under an hour old."""
        signer = signing.TimestampSigner(salt=GEOGRAPHY_SIGNING_SALT)
        try:
            text = signer.unsign_object(
                self.cleaned_data["payload"], max_age=GEOGRAPHY_MAX_AGE_SECONDS
            )
        except signing.SignatureExpired as exc:
            raise forms.ValidationError(
                _("This preview is more than an hour old. Upload the file again.")
            ) from exc
        except (signing.BadSignature, ValueError) as exc:
            raise forms.ValidationError(
                _("The previewed file could not be read back. Upload the file again.")
            ) from exc
        if not isinstance(text, str) or len(text.encode()) > GEOGRAPHY_MAX_BYTES:
            raise forms.ValidationError(
                _("The previewed file could not be read back. Upload the file again.")
            )
        return text


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name (English)"), max_length=150)
    name_fr = forms.CharField(label=_("Name in French"), max_length=150, required=False)
    name_pt = forms.CharField(label=_("Name in Portuguese"), max_length=150, required=False)
    order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=32767,
        initial=100,
        help_text=_("Smaller numbers come first in the lists."),
    )
    is_active = forms.BooleanField(
        label=_("Offered to coordination groups"), required=False, initial=True
    )


class MemberFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Membership"),
        required=False,
        choices=[("", _("All memberships")), *NetworkMember.Kind.choices],
    )
    nature = forms.ChoiceField(
        label=_("Nature"),
        required=False,
        choices=[("", _("All natures")), *NetworkMember.Nature.choices],
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    q = forms.CharField(label=_("Name"), required=False, max_length=SEARCH_MAX_LENGTH)

    def __init__(self, data: QueryDict, *, countries: Iterable[Country] = ()) -> None:
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["country"]).choices = _country_choices(countries)


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CoordinationGroup) -> str:
        return f"{obj.name} ({obj.network_id})"


class NetworkMemberForm(forms.Form):
    kind = forms.ChoiceField(label=_("Membership"), choices=NetworkMember.Kind.choices)
    nature = forms.ChoiceField(label=_("Nature"), choices=NetworkMember.Nature.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the coordination group's name."),
    )
    coordination_group = GroupChoiceField(
        label=_("Coordination group"),
        queryset=CoordinationGroup.objects.order_by("name"),
        required=False,
        help_text=_("For full members. Choose it here or type its network id below."),
    )
    network_id = forms.CharField(
        label=_("or its network id"),
        max_length=12,
        required=False,
        help_text=_("Like GC136526."),
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.order_by("name"),
        required=False,
        help_text=_("Leave empty to use the coordination group's country."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MEMBER_DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    joined_on = forms.DateField(
        label=_("Member since"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("YYYY-MM-DD"),
    )
    is_listed = forms.BooleanField(
        label=_("Listed in the public directory"), required=False, initial=True
    )

    def clean_joined_on(self) -> datetime.date:
        value = self.cleaned_data["joined_on"]
        if value.year < MEMBER_EARLIEST_YEAR or value > timezone.localdate():
            raise forms.ValidationError(
                _("Give a date from %(year)d to today.") % {"year": MEMBER_EARLIEST_YEAR}
            )
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        network_id = (data.get("network_id") or "").strip().upper()
        if network_id:
            by_id = CoordinationGroup.objects.filter(network_id=network_id).first()
            if by_id is None:
                self.add_error("network_id", _("No coordination group has this network id."))
            elif data.get("coordination_group") not in (None, by_id):
                self.add_error(
                    "network_id",
                    _("This network id is not the one of the coordination group chosen above."),
                )
            else:
                data["coordination_group"] = by_id
        return data


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    q = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("Part of the action, object or person."),
    )

    def __init__(self, data: QueryDict, *, prefixes: Iterable[str] = ()) -> None:
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["action"]).choices = [
            ("", _("All actions")),
            *((prefix, prefix) for prefix in prefixes),
        ]
