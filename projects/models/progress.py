"""From syntheses to action, the second half of the SPIRAL method (step 5): a coordination
group's progress indicators, the evaluation sessions that place the territory on them, the
co-responsibility actions with their pledges, and the impact reports that freeze the change.

Every row belongs to one coordination group (its tenant) and is scoped to it like criteria:
outside the group's scope a query raises ScopeError. Evaluations are rolled up into
EvaluationSnapshot rows by the durable jobs, over the same scopes as the syntheses
(projects/evaluations/rollup.py): pages read one snapshot, they never aggregate placements.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from syntheses.fields import PackedJSONField
from syntheses.models import Scope


def text_in(texts: dict, key: str, languages: tuple[str | None, ...]) -> str:
    """texts[language][key] in the first of languages that has it, else in any language
    ({"fr": {"title": ...}, ...}); "" when none has it."""
    for code in languages:
        if code and (texts.get(code) or {}).get(key):
            return str(texts[code][key])
    for value in texts.values():
        if (value or {}).get(key):
            return str(value[key])
    return ""


class Indicator(models.Model):
    """A scale of situations for one component of well-being, from the worst to the ideal,
    each level described in the citizens' words (IndicatorLevel). Its texts are kept per
    language ({"fr": {"title": ..., "description": ...}}); every save is an IndicatorRevision.

    A shared indicator is offered to the network: another group adopts it as a copy whose
    origin is this one, so that their evaluations add up (lineage)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    tenant = models.ForeignKey(
        "territories.CoordinationGroup", on_delete=models.CASCADE, related_name="indicators"
    )
    component = models.ForeignKey(
        "criteria.Component",
        verbose_name=_("component"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The language it was first written in: what a reader sees when hers is missing.
    language = models.CharField(_("language"), max_length=12)
    texts = models.JSONField(_("texts"), default=dict)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    shared = models.BooleanField(_("shared with the network"), default=False)
    origin = models.ForeignKey(
        "self",
        verbose_name=_("adopted from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adoptions",
    )
    # What evaluations add up under: the first indicator of an adoption chain (its own id for
    # an indicator written here). Set once, when the indicator is created.
    lineage = models.PositiveIntegerField(_("lineage"), default=0, db_index=True)
    # The number of the latest revision: a save based on an older one is a conflict.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("progress indicator")
        verbose_name_plural = _("progress indicators")
        ordering = ["tenant_id", "id"]
        indexes = [models.Index(fields=["tenant", "status"], name="projects_indicator_tenant")]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "origin"],
                condition=Q(origin__isnull=False),
                name="projects_indicator_adopted_once",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def text(self, key: str, language: str | None = None) -> str:
        """One of its texts in language, else in its own language, else in any."""
        return text_in(self.texts, key, (language, self.language))

    @property
    def title(self) -> str:
        return self.text("title", (get_language() or "").split("-")[0])


class IndicatorLevel(models.Model):
    """One situation on an indicator's scale: position 1 is the worst."""

    tenant = models.ForeignKey(
        "territories.CoordinationGroup", on_delete=models.CASCADE, related_name="+"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField(_("position"))
    # {"fr": {"name": "Très mauvais", "description": "..."}}
    texts = models.JSONField(_("texts"), default=dict)
    # The criteria behind this level (ill-being criteria usually describe the low levels).
    criteria = models.ManyToManyField(
        "criteria.Criterion", verbose_name=_("criteria"), blank=True, related_name="+"
    )

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("indicator level")
        verbose_name_plural = _("indicator levels")
        ordering = ["indicator_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "position"], name="projects_indicator_level_position"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="projects_indicator_level_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}:{self.position}"

    def text(self, key: str, language: str | None = None, fallback: str = "") -> str:
        return text_in(self.texts, key, (language, fallback))


class IndicatorRevision(models.Model):
    """An indicator as it was saved: its texts, scale and criteria (content), who and when."""

    tenant = models.ForeignKey(
        "territories.CoordinationGroup", on_delete=models.CASCADE, related_name="+"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    # {"component": id, "language": "fr", "texts": {...}, "status": ..., "shared": ...,
    #  "levels": [{"position": 1, "texts": {...}, "criteria": [ids]}, ...]}
    content = models.JSONField(_("content"), default=dict)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    author = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("indicator revision")
        verbose_name_plural = _("indicator revisions")
        ordering = ["indicator_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "number"], name="projects_indicator_revision_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} r{self.number}"


class EvaluationSession(models.Model):
    """A meeting where a homogeneous group (or the whole platform, group empty) placed the
    territory on some indicators. Its placements are anonymous, like criteria."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being entered")
        PUBLISHED = "published", _("Published")

    tenant = models.ForeignKey(
        "territories.CoordinationGroup",
        on_delete=models.CASCADE,
        related_name="evaluation_sessions",
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    group = models.ForeignKey(
        "territories.HomogeneousGroup",
        verbose_name=_("homogeneous group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    participants = models.PositiveIntegerField(_("participants"))
    indicators = models.ManyToManyField(
        Indicator, verbose_name=_("indicators"), related_name="sessions"
    )
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("evaluation session")
        verbose_name_plural = _("evaluation sessions")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(participants__gte=1), name="projects_session_participants"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "-held_on"], name="projects_session_tenant")
        ]

    def __str__(self) -> str:
        return self.title


class Placement(models.Model):
    """One participant's placement of the territory on one indicator's scale (level is the
    level's position). Anonymous: participant is only a number within the session."""

    tenant = models.ForeignKey(
        "territories.CoordinationGroup", on_delete=models.CASCADE, related_name="+"
    )
    session = models.ForeignKey(
        EvaluationSession, on_delete=models.CASCADE, related_name="placements"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"))
    participant = models.PositiveIntegerField(_("participant"))
    placed_on = models.DateField(_("placed on"))

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "indicator", "participant"], name="projects_placement_once"
            ),
            models.CheckConstraint(condition=Q(level__gte=1), name="projects_placement_level"),
        ]
        indexes = [
            models.Index(fields=["indicator", "session"], name="projects_placement_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.indicator_id}={self.level}"


class EvaluationSnapshot(models.Model):
    """The evaluations of one scope added up (one row per scope, as syntheses' Snapshot):
    columns lineage, year, level, count (placements in published sessions), and the number of
    sessions and participants behind each lineage and year."""

    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices)
    scope_id = models.PositiveIntegerField(_("scope id"), default=0)
    cube = PackedJSONField(_("counts"), default=dict)
    sessions = PackedJSONField(_("sessions"), default=dict)
    placements_count = models.PositiveIntegerField(_("placements"), default=0)
    digest = models.CharField(_("digest"), max_length=32, blank=True, editable=False)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("evaluation snapshot")
        verbose_name_plural = _("evaluation snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id"], name="projects_evaluation_snapshot_scope"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_id}"


class EvaluationPending(models.Model):
    """A scope whose evaluation snapshot is out of date (as syntheses' PendingScope)."""

    scope = models.CharField(max_length=12, choices=Scope.choices)
    scope_id = models.PositiveIntegerField(default=0)
    marked_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("pending evaluation roll-up")
        verbose_name_plural = _("pending evaluation roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id"], name="projects_evaluation_pending_scope"
            )
        ]
        indexes = [
            models.Index(fields=["claimed_at", "marked_at"], name="projects_evaluation_pending")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_id}"


class Action(models.Model):
    """A co-responsibility action: what the group and its partners do together to improve
    some indicators and components, with its own wiki page for the narrative."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        AGREED = "agreed", _("Agreed")
        UNDER_WAY = "under_way", _("Under way")
        DONE = "done", _("Done")
        GIVEN_UP = "given_up", _("Given up")

    tenant = models.ForeignKey(
        "territories.CoordinationGroup", on_delete=models.CASCADE, related_name="actions"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=12)
    status = models.CharField(
        _("state"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ended on"), null=True, blank=True)
    # Drafts are seen by the group's members only.
    published = models.BooleanField(_("published"), default=False)
    indicators = models.ManyToManyField(
        Indicator, verbose_name=_("indicators"), blank=True, related_name="actions"
    )
    components = models.ManyToManyField(
        "criteria.Component", verbose_name=_("components"), blank=True, related_name="+"
    )
    groups = models.ManyToManyField(
        "territories.HomogeneousGroup",
        verbose_name=_("homogeneous groups"),
        blank=True,
        related_name="+",
    )
    criteria = models.ManyToManyField(
        "criteria.Criterion", verbose_name=_("criteria"), blank=True, related_name="+"
    )
    page = models.OneToOneField(
        "wiki.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="action"
    )
    # The evaluations the change is measured between.
    before = models.ForeignKey(
        EvaluationSession,
        verbose_name=_("evaluation before"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    after = models.ForeignKey(
        EvaluationSession,
        verbose_name=_("evaluation after"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("co-responsibility action")
        verbose_name_plural = _("co-responsibility actions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(ends_on__isnull=False),
                name="projects_action_done_dated",
            )
        ]
        indexes = [
            models.Index(
                fields=["tenant", "published", "-created_at"], name="projects_action_published"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Pledge(models.Model):
    """Who offers what to an action; kept or withdrawn later."""

    class Pledger(models.TextChoices):
        PERSON = "person", _("A person")
        HOMOGENEOUS_GROUP = "hg", _("A homogeneous group")
        ORGANISATION = "organisation", _("A member organisation")
        PUBLIC_BODY = "public_body", _("A public body")

    class Offer(models.TextChoices):
        TIME = "time", _("Time")
        PLACE = "place", _("A place")
        MONEY = "money", _("Money")
        EQUIPMENT = "equipment", _("Equipment")
        SKILLS = "skills", _("Skills")

    class State(models.TextChoices):
        OFFERED = "offered", _("Offered")
        KEPT = "kept", _("Kept")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    tenant = models.ForeignKey(
        "territories.CoordinationGroup", on_delete=models.CASCADE, related_name="+"
    )
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="pledges")
    pledger = models.CharField(_("who pledges"), max_length=16, choices=Pledger.choices)
    person = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    group = models.ForeignKey(
        "territories.HomogeneousGroup",
        verbose_name=_("homogeneous group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The organisation's or public body's name (a person's and a group's come from their row).
    name = models.CharField(_("name"), max_length=200, blank=True)
    offer = models.CharField(_("offer"), max_length=12, choices=Offer.choices)
    description = models.TextField(_("what is offered"), blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.OFFERED
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("pledged at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["action_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="projects_pledge_amount_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action_id}:{self.offer}"


class ImpactReport(models.Model):
    """A PDF impact assessment of one action (or of the whole platform, action empty) in one
    language. It freezes what it shows (frozen), so it can be drawn again identically."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being drawn")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    tenant = models.ForeignKey(
        "territories.CoordinationGroup", on_delete=models.CASCADE, related_name="+"
    )
    action = models.ForeignKey(
        Action, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    language = models.CharField(_("language"), max_length=12)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.TextField(_("message"), blank=True)
    frozen = models.JSONField(_("frozen figures"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to="impact/%Y/", blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("impact report")
        verbose_name_plural = _("impact reports")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Asked twice at once: one report in progress per action (or platform) and language.
            models.UniqueConstraint(
                fields=["tenant", "action", "language"],
                condition=Q(status__in=["queued", "running"], action__isnull=False),
                name="projects_impact_action_once_in_progress",
            ),
            models.UniqueConstraint(
                fields=["tenant", "language"],
                condition=Q(status__in=["queued", "running"], action__isnull=True),
                name="projects_impact_platform_once_in_progress",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.action_id} {self.language}"
