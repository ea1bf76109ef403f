"""The SPIRAL grid (versioned reference data), the questions, and the criteria citizens express.

The grid is never edited in place: a new version gets new rows, and a mapping from old codes to
new ones moves criteria across. Old components stay, so every classification ever made can still
be read.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from wikispiral.tenancy import ScopedOrSharedManager

TEXT_MAX_LENGTH = 1000


def _shown_language(texts: dict[str, str], language: str | None = None) -> str:
    """The language whose text _label shows for language: itself, else English, else any."""
    language = (language or translation.get_language() or "en").split("-")[0]
    for candidate in (language, "en"):
        if texts.get(candidate):
            return candidate
    return next((code for code, text in texts.items() if text), "")


def _label(names: dict[str, str], language: str | None = None) -> str:
    """The label in language (or the active one), falling back to English, then to any."""
    return names.get(_shown_language(names, language), "")


class _Labelled(models.Model):
    """Reference data named in several languages: {"en": …, "fr": …}.

    provisional_translations says which of those texts are our own translation, awaiting the
    secretariat's official wording: {"names": ["pt"], "descriptions": ["fr", "pt"]}. The pages
    mark them as provisional, as they mark a component's provisional label.
    """

    names = models.JSONField(_("names"), default=dict)
    descriptions = models.JSONField(_("descriptions"), default=dict, blank=True)
    provisional_translations = models.JSONField(
        _("provisional translations"),
        default=dict,
        blank=True,
        help_text=_(
            "The languages whose name or description is a provisional translation, e.g. "
            '{"names": ["pt"], "descriptions": ["fr", "pt"]}.'
        ),
    )

    class Meta:
        abstract = True

    def label(self, language: str | None = None) -> str:
        return _label(self.names, language)

    def description(self, language: str | None = None) -> str:
        return _label(self.descriptions, language) if self.descriptions else ""

    def _is_provisional(self, kind: str, texts: dict[str, str], language: str | None) -> bool:
        provisional = (self.provisional_translations or {}).get(kind) or ()
        return bool(texts) and _shown_language(texts, language) in provisional

    def name_is_provisional(self, language: str | None = None) -> bool:
        """Whether the name shown in language is our provisional translation."""
        return self._is_provisional("names", self.names, language)

    def description_is_provisional(self, language: str | None = None) -> bool:
        """Whether the description shown in language is our provisional translation."""
        return self._is_provisional("descriptions", self.descriptions, language)

    def description_language(self, language: str | None = None) -> str:
        """The language of the description shown in language (for a lang attribute)."""
        return _shown_language(self.descriptions, language) if self.descriptions else ""

    def name_language(self, language: str | None = None) -> str:
        """The language of the name shown in language (for a lang attribute)."""
        return _shown_language(self.names, language)


class GridVersion(models.Model):
    """One edition of the classification grid; exactly one is current."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    notes = models.TextField(_("notes"), blank=True)
    is_current = models.BooleanField(_("current"), default=False)
    source_filename = models.CharField(_("source file"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("grid version")
        verbose_name_plural = _("grid versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="criteria_one_current_grid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.name}"


class Family(_Labelled):
    """A dimension of well-being (letters A–I in the seed grid)."""

    version = models.ForeignKey(GridVersion, on_delete=models.CASCADE, related_name="families")
    letter = models.CharField(_("letter"), max_length=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")
        ordering = ["version", "order", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["version", "letter"], name="criteria_family_letter")
        ]

    def __str__(self) -> str:
        return f"{self.letter} {self.label()}"


class Component(_Labelled):
    """A component of a family, with a code such as A01."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CONFIRMED_DESCRIPTION = "confirmed-description", _("Description confirmed")
        CONFIRMED_FR = "confirmed-fr", _("French label confirmed")
        PROVISIONAL = "provisional", _("Provisional label")

    version = models.ForeignKey(GridVersion, on_delete=models.CASCADE, related_name="components")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="components")
    code = models.CharField(_("code"), max_length=3)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.CONFIRMED
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["version", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="criteria_component_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label()}"

    def label_is_provisional(self, language: str | None = None) -> bool:
        """Whether the label shown in language still awaits the secretariat's official wording.

        "confirmed-fr" rows have an official French label only; "confirmed-description" rows an
        official description but provisional labels. A label that is our own translation
        (provisional_translations) is provisional whatever the status.
        """
        language = (language or translation.get_language() or "en").split("-")[0]
        if self.name_is_provisional(language):
            return True
        if self.status == self.Status.CONFIRMED:
            return False
        if self.status == self.Status.CONFIRMED_FR:
            return language != "fr"
        return True


class GridMapping(models.Model):
    """Where a component of an older version went in a newer one (used once, when the newer
    version becomes current; kept as the record of the move)."""

    from_component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="+")
    to_component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("grid mapping")
        verbose_name_plural = _("grid mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["from_component", "to_component"], name="criteria_mapping_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_component_id} → {self.to_component_id}"


class SenseCategory(_Labelled):
    """One of the five senses of a full code: O attainment, R opposition, P possibility,
    Q quality, S sustainability."""

    code = models.CharField(_("code"), max_length=1, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("sense category")
        verbose_name_plural = _("sense categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label()}"


class Question(models.Model):
    """A question put to homogeneous groups. Network questions (Q1–Q3) have no tenant; a
    coordination group may add its own."""

    tenant = models.ForeignKey(
        "territories.CoordinationGroup",
        verbose_name=_("coordination group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="questions",
    )
    code = models.CharField(_("code"), max_length=12)
    texts = models.JSONField(_("texts"), default=dict)
    short_names = models.JSONField(_("short names"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # A group's scope sees its own questions and the network's (tenant NULL).
    objects = ScopedOrSharedManager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(tenant__isnull=True), name="criteria_question_network"
            ),
            models.UniqueConstraint(
                fields=["tenant", "code"],
                condition=Q(tenant__isnull=False),
                name="criteria_question_tenant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text()}"

    def text(self, language: str | None = None) -> str:
        return _label(self.texts, language)

    def short_name(self, language: str | None = None) -> str:
        return _label(self.short_names, language) if self.short_names else self.code


class ImportBatch(models.Model):
    """One spreadsheet of criteria, from its preview to its commit; its hash refuses the same
    file twice in a coordination group (a previewed file uploaded again reuses its row)."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Checked, not imported")
        QUEUED = "queued", _("Waiting to be imported")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    tenant = models.ForeignKey(
        "territories.CoordinationGroup", on_delete=models.CASCADE, related_name="criteria_imports"
    )
    file_sha256 = models.CharField(max_length=64)
    filename = models.CharField(_("file name"), max_length=255)
    # Where the uploaded file waits between preview and commit (outside the served media).
    stored_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PREVIEWED
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows imported"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # The first errors found by the preview: [{"row": 3, "column": "code", "message": "…"}].
    errors = models.JSONField(_("error list"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("criteria import")
        verbose_name_plural = _("criteria imports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "file_sha256"], name="criteria_import_once")
        ]

    def __str__(self) -> str:
        return self.filename


class NetworkImportBatch(models.Model):
    """One network-wide spreadsheet of criteria (rows of many coordination groups), imported by
    the secretariat. Not a tenant's row: the commit fans it out into one ImportBatch per
    coordination group named in the file, in one transaction. The same file may come again
    when every row has an external key (only the new rows are entered)."""

    Status = ImportBatch.Status

    file_sha256 = models.CharField(max_length=64, db_index=True)
    filename = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PREVIEWED
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows imported"), default=0)
    # Rows whose external key is already in their coordination group: left as they are.
    rows_existing = models.PositiveIntegerField(_("rows already there"), default=0)
    # Every row carries an external key: importing the file again enters only new rows.
    all_keyed = models.BooleanField(default=False)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("error list"), default=list, blank=True)
    # Per coordination group: [{"id", "name", "slug", "rows", "new", "existing", "batch"}].
    groups = models.JSONField(_("coordination groups"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("network criteria import")
        verbose_name_plural = _("network criteria imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class Criterion(models.Model):
    """One idea a citizen wrote and the group accepted, answering one question."""

    class Status(models.TextChoices):
        UNCLASSIFIED = "unclassified", _("Unclassified")
        CLASSIFIED = "classified", _("Classified")
        DISPUTED = "disputed", _("Disputed")

    tenant = models.ForeignKey(
        "territories.CoordinationGroup",
        verbose_name=_("coordination group"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    group = models.ForeignKey(
        "territories.HomogeneousGroup",
        verbose_name=_("homogeneous group"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="criteria"
    )
    text = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH)
    language = models.CharField(_("language"), max_length=12)
    session_date = models.DateField(_("session date"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UNCLASSIFIED
    )
    component = models.ForeignKey(
        Component,
        verbose_name=_("component"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="criteria",
    )
    full_code = models.CharField(_("full code"), max_length=40, blank=True)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    classified_at = models.DateTimeField(_("classified at"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="criteria"
    )
    # The row's id in the system it came from (a Tiki tracker item, a network file's key):
    # importing it again into the same coordination group enters it once.
    external_key = models.CharField(_("external key"), max_length=64, null=True, blank=True)
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["created_at", "id"]
        indexes = [
            # The classification queue: a group's unclassified and disputed criteria, oldest first.
            models.Index(fields=["tenant", "status", "created_at"], name="criteria_queue"),
            # Fast entry and Info criteria: one group's criteria per question.
            models.Index(fields=["group", "question", "created_at"], name="criteria_group_q"),
            # Info criteria and syntheses: counts per component, by year.
            models.Index(fields=["tenant", "component", "session_date"], name="criteria_comp"),
            models.Index(fields=["component", "session_date"], name="criteria_comp_year"),
            models.Index(fields=["-created_at"], name="criteria_recent"),
            # The classification queue, oldest first: only the rows still waiting (a few
            # hundred per group, against tens of thousands classified).
            models.Index(
                fields=["tenant", "created_at", "id"],
                condition=Q(status__in=["unclassified", "disputed"]),
                name="criteria_waiting",
            ),
            # An old site's link names an item by its id alone, whatever its group.
            models.Index(
                fields=["external_key"],
                condition=Q(external_key__isnull=False),
                name="criteria_external_key",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="unclassified", component__isnull=True)
                | ~Q(status="unclassified"),
                name="criteria_unclassified_has_no_component",
            ),
            models.CheckConstraint(
                condition=Q(status="classified", component__isnull=False) | ~Q(status="classified"),
                name="criteria_classified_has_component",
            ),
            models.UniqueConstraint(
                fields=["tenant", "external_key"],
                condition=Q(external_key__isnull=False),
                name="criteria_external_key_once",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Classification(models.Model):
    """One step in a criterion's classification history (append-only)."""

    tenant = models.ForeignKey(
        "territories.CoordinationGroup", on_delete=models.CASCADE, related_name="+"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="classifications"
    )
    status = models.CharField(_("status"), max_length=12, choices=Criterion.Status.choices)
    component = models.ForeignKey(
        Component, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    full_code = models.CharField(_("full code"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # True when the step was made by moving to a new grid version, not by a person.
    by_grid_mapping = models.BooleanField(default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.criterion_id} · {self.status}"
