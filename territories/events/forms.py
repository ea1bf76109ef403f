"""The events' forms. They parse; the services validate (a refusal comes back on its field)."""

import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territories.events.validation import MAX_CAPACITY
from territories.models import Event
from wikispiral.accounts.zones import zone_names
from wikispiral.widgets import FastSelect

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _language_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


class KindFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All kinds")), *Event.Kind.choices],
        required=False,
    )


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.CharField(
        label=_("Address"),
        max_length=70,
        required=False,
        help_text=_(
            "The end of the event's address: lower-case letters, digits, hyphens. "
            "Leave it empty to make it from the title."
        ),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    time_zone = forms.ChoiceField(
        label=_("Organiser's time zone"),
        widget=FastSelect,
        help_text=_(
            "The programme's times are typed in this zone; each reader also sees them in her own."
        ),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=_language_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    is_online = forms.BooleanField(label=_("On-line"), required=False, initial=True)
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("A town, a hall, an address; empty for an on-line event."),
    )
    meeting_url = forms.URLField(
        label=_("Link to the meeting"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Shown only to those signed up; a session may have its own."),
    )
    audience = forms.CharField(label=_("For"), max_length=20, required=False)
    theme = forms.CharField(label=_("Theme"), max_length=20, required=False)

    def __init__(self, *args: object, creating: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        zone = self.fields["time_zone"]
        assert isinstance(zone, forms.ChoiceField)
        zone.choices = [("UTC", "UTC")] + [(name, name.replace("_", " ")) for name in zone_names()]
        if not creating:
            # The address stays what it was: links, feeds and calendars point at it.
            del self.fields["slug"]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("slug", None)
        return data


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=_DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=_DATETIME)
    languages = forms.MultipleChoiceField(
        label=_("Languages of this session"),
        choices=_language_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: the event's languages."),
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Empty: the event's place."),
    )
    meeting_url = forms.URLField(
        label=_("Link to the meeting"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Empty: the event's link. Shown only to those signed up."),
    )
    capacity = forms.IntegerField(
        label=_("Places"),
        required=False,
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text=_("Empty: no limit."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args: object, event: Event, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        zone = event.time_zone.replace("_", " ")
        for name in ("starts_at", "ends_at"):
            self.fields[name].help_text = _("In the organiser's time zone, %(zone)s.") % {
                "zone": zone
            }
        languages = self.fields["languages"]
        assert isinstance(languages, forms.MultipleChoiceField)
        names = dict(_language_choices())
        languages.choices = [(code, names.get(code, code)) for code in event.languages]

    def _naive(self, name: str) -> datetime.datetime | None:
        # The time is in the event's zone, not the reader's: the service attaches the zone.
        value = self.cleaned_data.get(name)
        if value is not None and timezone.is_aware(value):
            try:
                return timezone.make_naive(value)
            except (OverflowError, ValueError) as error:
                raise forms.ValidationError(_("Enter a valid date and time.")) from error
        return value

    def clean_starts_at(self) -> datetime.datetime | None:
        return self._naive("starts_at")

    def clean_ends_at(self) -> datetime.datetime | None:
        return self._naive("ends_at")


class WrittenForm(forms.Form):
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("It becomes a page of the network's wiki, with its history (Markdown)."),
    )
