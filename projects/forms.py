"""Forms of the project: they parse what people type; the services decide what is allowed."""

from typing import Any

from django import forms
from django.conf import settings
from django.forms.boundfield import BoundWidget
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import Category, CharterVote, Choice, Participant, Workshop
from projects.services import KIND_OF_SUBTYPE, SUBTYPES
from territories.models import CoordinationGroup, Country
from wikispiral.accounts.zones import zone_names

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class JoinForm(forms.Form):
    """One choice says who joins: the sub-types grouped by kind (templates/projects/join.html
    shows one fieldset of radios per kind), the first sub-type of the first kind preselected,
    so that the form works without JavaScript and its defaults are accepted. The kind follows
    from the sub-type; a kind sent too (an older form, a script) must agree with it, which the
    service checks."""

    subtype = forms.ChoiceField(
        label=_("You join as"),
        choices=[
            (kind_label, [(s.value, s.label) for s in SUBTYPES[kind]])
            for kind, kind_label in Participant.Kind.choices
        ],
        initial=SUBTYPES[Participant.Kind.choices[0][0]][0].value,
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label=_("You join as"),
        choices=Participant.Kind.choices,
        required=False,
        widget=forms.HiddenInput,
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("Shown on your pages: your first name, your family's or organisation's."),
    )
    people = forms.IntegerField(
        label=_("People it covers"),
        min_value=1,
        initial=1,
        help_text=_(
            "How many people your footprint covers: 4 for a family of four, the inhabitants "
            "of a municipality."
        ),
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.order_by("name"),
        required=False,
        help_text=_("Needed for a municipality or a local platform that joins on its own."),
    )
    coordination_group = forms.ModelChoiceField(
        label=_("Coordination group"),
        queryset=CoordinationGroup.objects.none(),
        required=False,
        help_text=_(
            "The coordination group you take part with, if any. A municipality or a local "
            "platform may join through the coordination group it speaks for (its facilitators "
            "make it join), or on its own."
        ),
    )

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coordination_group"].queryset = CoordinationGroup.objects.filter(
            is_hidden=False
        ).order_by("name")

    def subtype_groups(self) -> list[tuple[str, list[BoundWidget]]]:
        """The sub-type radios grouped by kind, in order: (kind's label, its radios)."""
        radios = {str(radio.data["value"]): radio for radio in self["subtype"]}
        return [
            (str(label), [radios[s.value] for s in SUBTYPES[kind]])
            for kind, label in Participant.Kind.choices
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        subtype = cleaned.get("subtype")
        if not cleaned.get("kind") and subtype in KIND_OF_SUBTYPE:
            cleaned["kind"] = str(KIND_OF_SUBTYPE[subtype])
        return cleaned


class ChoiceForm(forms.Form):
    title = forms.CharField(
        label=_("Your choice"),
        max_length=200,
        help_text=_("In a few words: “We cycle to school”, “No more beef at home”."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    status = forms.ChoiceField(
        label=_("Status"), choices=Choice.Status.choices, initial=Choice.Status.STARTED
    )
    started_on = forms.DateField(label=_("Started on"), widget=DATE_INPUT)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    results = forms.CharField(
        label=_("Results observed"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("What changed: money, time, health, how you feel, what others said."),
    )
    emissions_change_kg = forms.IntegerField(
        label=_("Estimated change of emissions (kg CO2e a year)"),
        required=False,
        help_text=_("Negative when the choice avoids emissions: −300 for 300 kg less a year."),
    )

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "category": data["category"],
            "title": data["title"],
            "description": data["description"],
            "started_on": data["started_on"],
            "status": data["status"],
            "results": data["results"],
            "emissions_change_kg": data["emissions_change_kg"],
        }


class FootprintForm(forms.Form):
    measured_on = forms.DateField(label=_("Measured on"), widget=DATE_INPUT)
    total_kg = forms.IntegerField(
        label=_("Total (kg CO2e a year)"),
        required=False,
        min_value=0,
        help_text=_("For all the people you speak for. Leave empty to add up the parts."),
    )
    source = forms.CharField(label=_("Calculator used"), max_length=200, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Category.choices:
            self.fields[f"part_{value}"] = forms.IntegerField(
                label=_("%(category)s (kg)") % {"category": label}, required=False, min_value=0
            )

    def parts(self) -> dict[str, int | None]:
        return {value: self.cleaned_data.get(f"part_{value}") for value in Category.values}


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ShareForm(forms.Form):
    participant = forms.ModelChoiceField(
        label=_("As"), queryset=Participant.objects.none(), empty_label=None
    )

    def __init__(self, *args: object, participants: list[Participant], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = Participant.objects.filter(
            pk__in=[participant.pk for participant in participants]
        ).order_by("name")


class WorkshopForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    theme = forms.ChoiceField(
        label=_("Theme"), choices=[("", _("Any theme")), *Category.choices], required=False
    )
    audience = forms.ChoiceField(label=_("For"), choices=Workshop.Audience.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the time zone below."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), initial=90)
    languages = forms.CharField(
        label=_("Languages spoken"),
        max_length=60,
        help_text=_("Codes separated by commas: en, fr, pt."),
    )
    meeting_url = forms.URLField(
        label=_("Link to the meeting"), max_length=500, assume_scheme="https"
    )
    capacity = forms.IntegerField(label=_("Places"), initial=30)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args: object, zone: str = "UTC", **kwargs: object) -> None:
        kwargs.setdefault("initial", {"time_zone": zone})
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [("UTC", "UTC")] + [
            (name, name.replace("_", " ")) for name in zone_names()
        ]

    def clean_starts_at(self):
        # The time is in the chosen zone, not the reader's: the service attaches the zone.
        value = self.cleaned_data["starts_at"]
        return timezone.make_naive(value) if timezone.is_aware(value) else value


class ConclusionsForm(forms.Form):
    body = forms.CharField(
        label=_("Conclusions"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("What was said and decided. It becomes a page of the wiki, with its history."),
    )


class CharterForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    workshop = forms.ModelChoiceField(
        label=_("Drafted from the conclusions of"),
        queryset=Workshop.objects.filter(conclusions__isnull=False).order_by("-starts_at"),
        required=False,
        empty_label=_("No workshop: a blank draft"),
    )


class CharterOpenForm(forms.Form):
    closes_at = forms.DateTimeField(
        label=_("The vote closes on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class VoteForm(forms.Form):
    participant = forms.ModelChoiceField(
        label=_("As"), queryset=Participant.objects.none(), empty_label=None
    )
    voice = forms.ChoiceField(
        label=_("Your answer"), choices=CharterVote.Voice.choices, widget=forms.RadioSelect
    )
    remarks = forms.CharField(
        label=_("Remarks"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: object, participants: list[Participant], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = Participant.objects.filter(
            pk__in=[participant.pk for participant in participants]
        ).order_by("name")


class MemberForm(forms.Form):
    identifier = forms.CharField(
        label=_("Username or email address"),
        max_length=254,
        help_text=_(
            "Someone who has no account on wikispiral yet gets an invitation at their email "
            "address."
        ),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            ("member", _("Member: records choices and footprints")),
            ("manager", _("Manager: also changes who writes")),
        ],
        initial="member",
    )


class WellbeingForm(forms.Form):
    """The SPIRAL questions, one box each (one answer per line), as in a group's session."""

    session_date = forms.DateField(
        label=_("Date of the answers"), widget=DATE_INPUT, initial=timezone.localdate
    )
    language = forms.ChoiceField(label=_("Language of the answers"))

    def __init__(
        self, *args: object, questions: list, ask_country: bool, language: str, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [(code, _(name)) for code, name in settings.LANGUAGES]
        self.fields["language"].initial = language
        if ask_country:
            self.fields["country"] = forms.ModelChoiceField(
                label=_("Country"),
                queryset=Country.objects.order_by("name"),
                help_text=_("Where you live or act: your answers count in its synthesis."),
            )
        self.question_fields = []
        for question in questions:
            name = f"q{question.pk}"
            self.fields[name] = forms.CharField(
                label=question.text(),
                required=False,
                max_length=100_000,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("One idea per line."),
            )
            self.question_fields.append(name)

    def question_bound_fields(self) -> list:
        return [self[name] for name in self.question_fields]

    def answers(self) -> dict[int, str]:
        return {int(name[1:]): self.cleaned_data.get(name) or "" for name in self.question_fields}


class ParticipantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    people = forms.IntegerField(
        label=_("People it covers"),
        min_value=1,
        help_text=_("How many people your footprint covers: 4 for a family of four."),
    )
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.order_by("name"), required=False
    )


class ReviewThemeForm(forms.Form):
    theme = forms.CharField(
        label=_("Theme of the meeting"),
        max_length=200,
        help_text=_("What the quarter's meeting is about: “Eating well on a small budget”."),
    )
