"""Together let's learn to make the right choices: participants, the choices they make and
their results, and the carbon footprint they record against the 2 t CO2e per person goal.

Participants are not a coordination group's data: anyone registered can join, and their pages
and choices are public, as a citizen's contributions to the project are meant to be. A
territorial entity (a municipality, a local platform) may be tied to the coordination group it
speaks for. The rows a participant owns are scoped to it in requests (projects/scopes.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wikispiral.tenancy import RequestScopedManager

# The project's goal: living well within about 2 tonnes of CO2e per person per year.
GOAL_KG_PER_PERSON = 2000


class Category(models.TextChoices):
    FOOD = "food", _("Food")
    MOBILITY = "mobility", _("Mobility")
    HOUSING = "housing", _("Housing and energy")
    CONSUMPTION = "consumption", _("Consumption and goods")
    DIGITAL = "digital", _("Digital")
    LEISURE = "leisure", _("Leisure and travel")
    MONEY = "money", _("Money and savings")
    PUBLIC = "public", _("Public policies")
    OTHER = "other", _("Other")


class Participant(models.Model):
    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Citizen")
        COLLECTIVE = "collective", _("Collective actor")
        TERRITORY = "territory", _("Territorial entity")

    class Subtype(models.TextChoices):
        # The network's own list, by kind (projects.services.validation.SUBTYPES).
        INDIVIDUAL = "individual", _("An individual")
        FAMILY = "family", _("A family")
        PLACE_OF_LIFE = "place_of_life", _("People sharing a place of life")
        GROUP = "group", _("A group of citizens")
        COMPANY = "company", _("A company")
        SCHOOL = "school", _("A school")
        ASSOCIATION = "association", _("An association")
        PUBLIC_BODY = "public_body", _("A public body")
        OTHER_ACTOR = "other_actor", _("Another collective actor")
        MUNICIPALITY = "municipality", _("A municipality")
        LOCAL_PLATFORM = "local_platform", _("A local platform")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    subtype = models.CharField(_("type"), max_length=20, choices=Subtype.choices)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    # How many people the footprint covers (a household of four, a school's pupils and staff):
    # figures per person divide by it.
    people = models.PositiveIntegerField(_("people"), default=1)
    country = models.ForeignKey(
        "territories.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The coordination group it takes part with (its summaries count it); for a territorial
    # entity, the group it speaks for when it has one (one such participant per group): a
    # municipality or a local platform may join without one.
    coordination_group = models.ForeignKey(
        "territories.CoordinationGroup",
        verbose_name=_("coordination group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participants",
    )
    space = models.OneToOneField("wiki.Space", on_delete=models.PROTECT, related_name="participant")
    # Its answers to the SPIRAL questions are criteria of the pool of its kind in its country's
    # platform, linked to it by ParticipantAnswer (projects/models/answers.py).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("joined on"), auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.CheckConstraint(condition=Q(people__gte=1), name="projects_people_positive"),
            models.UniqueConstraint(
                fields=["coordination_group"],
                condition=Q(kind="territory"),
                name="projects_one_territory_per_group",
            ),
        ]
        indexes = [models.Index(fields=["-created_at"], name="projects_participants_recent")]

    def __str__(self) -> str:
        return self.name


class ParticipantMember(models.Model):
    """Someone who writes for a participant: its managers (who joined, or were made so) and
    its members (a family's other adults, an association's volunteers)."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Manager")
        MEMBER = "member", _("Member")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)

    objects = RequestScopedManager(participant="participant")

    class Meta:
        verbose_name = _("participant member")
        verbose_name_plural = _("participant members")
        constraints = [
            models.UniqueConstraint(fields=["participant", "user"], name="projects_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} of {self.participant_id}"


class Choice(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        STARTED = "started", _("Started")
        KEPT = "kept", _("Kept")
        GIVEN_UP = "given_up", _("Given up")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="choices")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    title = models.CharField(_("choice"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    started_on = models.DateField(_("started on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.STARTED
    )
    results = models.TextField(_("results observed"), blank=True)
    # Estimated change of emissions, kg CO2e per year: negative when the choice avoids some.
    # 64 bits: a territory's choice passes the 2.1 billion kg a 32-bit column holds.
    emissions_change_kg = models.BigIntegerField(_("change of emissions"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded on"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified on"), auto_now=True)

    objects = RequestScopedManager(participant="participant")

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        indexes = [
            models.Index(fields=["participant", "-started_on"], name="projects_choices"),
            models.Index(fields=["-created_at"], name="projects_choices_recent"),
        ]

    def __str__(self) -> str:
        return self.title


class ChoiceComment(models.Model):
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written on"), auto_now_add=True)
    is_hidden = models.BooleanField(_("hidden"), default=False)

    objects = RequestScopedManager(participant="choice__participant")

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.choice_id}: {self.body[:40]}"


class ChoiceShare(models.Model):
    """A participant saying "I do this too" of another's choice."""

    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="shares")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RequestScopedManager(participant="choice__participant")

    class Meta:
        verbose_name = _("shared choice")
        verbose_name_plural = _("shared choices")
        constraints = [
            models.UniqueConstraint(fields=["choice", "participant"], name="projects_share_once")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} does {self.choice_id} too"


class Footprint(models.Model):
    """A carbon footprint as a participant measured it on a date, with whatever calculator
    it used: a total and, when known, its parts by category (kg CO2e per year, for all the
    people the participant covers)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="footprints"
    )
    measured_on = models.DateField(_("measured on"))
    # 64 bits: a territory of a million people emits billions of kilograms a year.
    total_kg = models.PositiveBigIntegerField(_("total"))
    # {category: kg}; the categories of Category, the parts adding up to at most the total.
    by_category = models.JSONField(_("by category"), default=dict, blank=True)
    source = models.CharField(_("calculator used"), max_length=200, blank=True)
    people = models.PositiveIntegerField(_("people"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RequestScopedManager(participant="participant")

    class Meta:
        verbose_name = _("carbon footprint")
        verbose_name_plural = _("carbon footprints")
        ordering = ["measured_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "measured_on"], name="projects_footprint_once_a_day"
            ),
            models.CheckConstraint(condition=Q(people__gte=1), name="projects_footprint_people"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.measured_on}: {self.total_kg} kg"

    @property
    def per_person_kg(self) -> int:
        return round(self.total_kg / max(self.people, 1))


class Summary(models.Model):
    """The figures of the project, a country or a coordination group, computed by a Celery job
    (projects.summaries): pages read them, they never aggregate on the request path."""

    class Scope(models.TextChoices):
        PROJECT = "project", _("The whole project")
        COUNTRY = "country", _("Country")
        COORDINATION_GROUP = "cg", _("Coordination group")
        QUARTER = "quarter", _("Quarter")

    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices)
    # The country's or coordination group's id; 0 for the project; year × 10 + quarter for a
    # quarter's review (20263: July to September 2026).
    scope_id = models.PositiveIntegerField(_("scope id"), default=0)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    figures = models.JSONField(_("figures"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("project summary")
        verbose_name_plural = _("project summaries")
        constraints = [
            models.UniqueConstraint(fields=["scope", "scope_id"], name="projects_summary_scope")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_id}"


class SummaryState(models.Model):
    """One row: since when the summaries are out of date (None: up to date). Every write of the
    project sets it; the job clears it if nothing was written while it computed. The database,
    not the broker, holds it, so a lost job loses nothing (the sweep enqueues another)."""

    dirty_since = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("summaries state")
        verbose_name_plural = _("summaries state")

    def __str__(self) -> str:
        return f"dirty since {self.dirty_since}" if self.dirty_since else "up to date"


class QuarterlyReview(models.Model):
    """What the project's quarterly meeting adds to a quarter's figures (Summary, scope
    "quarter"): its theme and its report, a wiki page of the network written by the
    organisers."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    theme = models.CharField(_("theme of the meeting"), max_length=200, blank=True)
    report = models.OneToOneField(
        "wiki.Page",
        verbose_name=_("report of the meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quarterly_review",
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("quarterly review")
        verbose_name_plural = _("quarterly reviews")
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="projects_review_quarter"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="projects_review_quarter_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter}"


class Workshop(models.Model):
    """An online meeting of the project, on a theme or for one kind of participant."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Every participant")
        CITIZEN = "citizen", _("Citizens")
        COLLECTIVE = "collective", _("Collective actors")
        TERRITORY = "territory", _("Territorial entities")

    title = models.CharField(_("title"), max_length=200)
    theme = models.CharField(_("theme"), max_length=12, choices=Category.choices, blank=True)
    audience = models.CharField(
        _("for"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE
    )
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    # The organiser's zone: the page shows the time in it as well as in the reader's.
    time_zone = models.CharField(_("organiser's time zone"), max_length=64)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=90)
    languages = models.JSONField(_("languages"), default=list)
    meeting_url = models.URLField(_("link to the meeting"), max_length=500)
    capacity = models.PositiveSmallIntegerField(_("places"), default=30)
    conclusions = models.OneToOneField(
        "wiki.Page",
        verbose_name=_("conclusions"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workshop",
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        indexes = [models.Index(fields=["starts_at"], name="projects_workshops")]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="projects_workshop_places")
        ]

    def __str__(self) -> str:
        return self.title


class WorkshopSignup(models.Model):
    """A participant on a workshop's list (one place each)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="signups")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the job that sends the reminder, before it sends: never twice.
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = RequestScopedManager(participant="participant")

    class Meta:
        verbose_name = _("workshop sign-up")
        verbose_name_plural = _("workshop sign-ups")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "participant"], name="projects_signup_once")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} at {self.workshop_id}"


class Charter(models.Model):
    """A charter drafted from workshops' conclusions: a wiki page (with its full history) that
    is put to the participants' approval over a period, the text frozen as it was opened.
    Once the vote is over it is approved or not by the rule shown before and during the vote."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        NOT_APPROVED = "not_approved", _("Not approved")
        NO_QUORUM = "no_quorum", _("Not decided: too few voices")

    title = models.CharField(_("title"), max_length=200)
    page = models.OneToOneField("wiki.Page", on_delete=models.PROTECT, related_name="charter")
    workshop = models.ForeignKey(
        Workshop,
        verbose_name=_("drafted from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="charters",
    )
    # The revision put to the vote, and when the vote runs (None until it is opened).
    revision = models.ForeignKey(
        "wiki.Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opens_at = models.DateTimeField(_("vote opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("vote closes"), null=True, blank=True)
    # How many participants could vote when it opened: the quorum is drawn from it
    # (projects.services.charters.charter_rule), so the rule shown during the vote holds.
    eligible = models.PositiveIntegerField(_("participants invited"), null=True, blank=True)
    # Decided once, after closes_at (on the first read, or by the job that closes votes).
    outcome = models.CharField(
        _("outcome"), max_length=14, choices=Outcome.choices, blank=True, default=""
    )
    closed_at = models.DateTimeField(_("outcome decided at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("charter")
        verbose_name_plural = _("charters")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The job that closes votes looks for those past closes_at with no outcome.
            models.Index(
                fields=["closes_at"], condition=Q(outcome=""), name="projects_charters_to_close"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def state(self, now) -> str:
        if self.opens_at is None:
            return "draft"
        return "open" if now < self.closes_at else "closed"


class CharterVote(models.Model):
    """One participant's voice on a charter."""

    class Voice(models.TextChoices):
        APPROVE = "approve", _("I approve")
        REMARKS = "remarks", _("I approve, with remarks")
        DISAGREE = "disagree", _("I disagree")

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    voice = models.CharField(_("voice"), max_length=10, choices=Voice.choices)
    remarks = models.TextField(_("remarks"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RequestScopedManager(participant="participant")

    class Meta:
        verbose_name = _("charter vote")
        verbose_name_plural = _("charter votes")
        constraints = [
            models.UniqueConstraint(fields=["charter", "participant"], name="projects_one_voice")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.voice} {self.charter_id}"


class ParticipantInvitation(models.Model):
    """An emailed, single-use, expiring offer to write for a participant, made to someone who
    has no account yet. Only a hash of the token is stored: a leaked database does not leak
    usable links."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="invitations"
    )
    # Stored lower-case, so "one open invitation per address" holds whatever the typing.
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=12, choices=ParticipantMember.Role.choices)
    language = models.CharField(_("language"), max_length=12, default="en")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = RequestScopedManager(participant="participant")

    class Meta:
        verbose_name = _("invitation to write for a participant")
        verbose_name_plural = _("invitations to write for a participant")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="projects_one_open_invitation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.participant_id}"
