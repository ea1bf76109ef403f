"""Reads for the application pages: the public form's geography, the secretariat's queue and an
application's timeline. The secretariat reads across groups: applications belong to no tenant.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Field, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from territories.models import Application, ApplicationComment, Country, Locality, Region
from wikispiral.accounts.models import User
from wikispiral.audit.models import AuditEntry
from wikispiral.audit.selectors import audit_list

Choices = list[tuple[str, str]]
GroupedChoices = list[tuple[str, Choices]]

ACTION_PREFIX = "territories.application."
COMMENTED = ACTION_PREFIX + "commented"
COMMENT = "comment"
ACTION_LABELS: dict[str, Promise] = {
    ACTION_PREFIX + "submitted": _("Application submitted"),
    ACTION_PREFIX + "resubmitted": _("Application sent again by the applicant"),
    ACTION_PREFIX + "changes_requested": _("Changes requested from the applicant"),
    ACTION_PREFIX + "approved": _("Approved: the platform was opened"),
    ACTION_PREFIX + "rejected": _("Rejected"),
    COMMENT: _("Internal comment"),
}


def _by_label(items: Choices) -> Choices:
    return sorted(items, key=lambda item: item[1].casefold())


@dataclass
class Geography:
    """Choices for the country, region and locality selects, labelled in the reader's
    language, and the objects behind each value."""

    countries: Choices = field(default_factory=list)
    regions: GroupedChoices = field(default_factory=list)
    localities: GroupedChoices = field(default_factory=list)
    country_by_code: dict[str, Country] = field(default_factory=dict)
    region_by_pk: dict[str, Region] = field(default_factory=dict)
    locality_by_pk: dict[str, Locality] = field(default_factory=dict)


def geography_for_form() -> Geography:
    """Every country, region and locality, grouped for selects that work without JavaScript
    (three queries, whatever the size)."""
    geography = Geography()
    countries = {country.pk: country for country in Country.objects.all()}
    geography.country_by_code = {country.code: country for country in countries.values()}
    geography.countries = _by_label([(c.code, c.label()) for c in countries.values()])

    regions_of: dict[int, Choices] = {}
    regions = {}
    for region in Region.objects.all():
        region.country = countries[region.country_id]
        regions[region.pk] = region
        geography.region_by_pk[str(region.pk)] = region
        regions_of.setdefault(region.country_id, []).append((str(region.pk), region.label()))
    geography.regions = sorted(
        ((countries[pk].label(), _by_label(items)) for pk, items in regions_of.items()),
        key=lambda group: group[0].casefold(),
    )

    localities_of: dict[int, Choices] = {}
    for locality in Locality.objects.all():
        locality.region = regions[locality.region_id]
        geography.locality_by_pk[str(locality.pk)] = locality
        localities_of.setdefault(locality.region_id, []).append(
            (str(locality.pk), locality.label())
        )
    geography.localities = sorted(
        (
            (f"{regions[pk].label()} ({regions[pk].country.label()})", _by_label(items))
            for pk, items in localities_of.items()
        ),
        key=lambda group: group[0].casefold(),
    )
    return geography


def country_choices() -> Choices:
    """(code, name in the reader's language) of every country, sorted by that name."""
    return _by_label([(country.code, country.label()) for country in Country.objects.all()])


def _filtered(*, country: str = "", kind: str = "", q: str = "") -> QuerySet[Application]:
    applications = Application.objects.all()
    if country:
        applications = applications.filter(country__code=country)
    if kind:
        applications = applications.filter(kind=kind)
    if q:
        applications = applications.filter(
            Q(name__icontains=q) | Q(applicant_name__icontains=q) | Q(applicant_email__icontains=q)
        )
    return applications


def application_list(
    *, status: str = "", country: str = "", kind: str = "", q: str = "", sort: str = "newest"
) -> QuerySet[Application]:
    """Applications matching the filters (status "all" or empty: any), sorted, with what a
    queue row shows joined in."""
    applications = _filtered(country=country, kind=kind, q=q).select_related("country")
    if status and status != "all":
        applications = applications.filter(status=status)
    if sort == "oldest":
        return applications.order_by("submitted_at", "pk")
    if sort == "name":
        return applications.order_by(Lower("name"), "pk")
    return applications.order_by("-submitted_at", "-pk")


def application_status_counts(*, country: str = "", kind: str = "", q: str = "") -> dict[str, int]:
    """How many applications of each status match the other filters (one query)."""
    counts = dict.fromkeys(Application.Status.values, 0)
    rows = (
        _filtered(country=country, kind=kind, q=q)
        .order_by()
        .values("status")
        .annotate(count=Count("pk"))
    )
    for row in rows:
        counts[row["status"]] = row["count"]
    return counts


def application_get(*, pk: int) -> Application | None:
    """One application with everything its detail page shows, or None."""
    return (
        Application.objects.select_related(
            "country",
            "region",
            "locality",
            "applicant",
            "decided_by",
            "coordination_group",
        )
        .filter(pk=pk)
        .first()
    )


def application_get_by_key(*, key: str) -> Application | None:
    """The application an applicant's edit link designates, or None (an empty key never
    matches)."""
    if not key:
        return None
    return (
        Application.objects.select_related("country", "region", "locality", "coordination_group")
        .filter(edit_key=key)
        .first()
    )


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    actor: User | None
    action: str  # an audit code, or COMMENT
    text: str = ""

    @property
    def label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def is_comment(self) -> bool:
        return self.action == COMMENT


def _entry_text(entry: AuditEntry) -> str:
    if entry.action == ACTION_PREFIX + "resubmitted":
        names = entry.data.get("changed") or []
        labels = []
        for name in names:
            try:
                changed = Application._meta.get_field(name)
            except FieldDoesNotExist:
                labels.append(name)
            else:
                # A form's field names a model field, never a relation seen from the other side.
                labels.append(str(changed.verbose_name) if isinstance(changed, Field) else name)
        if not labels:
            return str(_("Nothing was changed."))
        return str(_("Changed: %(fields)s.")) % {"fields": ", ".join(labels)}
    if entry.action == ACTION_PREFIX + "approved":
        return str(entry.data.get("network_id", ""))
    return str(entry.data.get("message", ""))


def application_timeline(*, application: Application) -> list[TimelineItem]:
    """What happened to an application, oldest first: audit entries and internal comments
    (a comment's own audit entry is left out: the comment stands for it). Two queries."""
    items = [
        TimelineItem(
            at=entry.created_at,
            actor=entry.actor,
            action=entry.action,
            text=_entry_text(entry),
        )
        for entry in audit_list(target=application).exclude(action=COMMENTED)
    ]
    items += [
        TimelineItem(at=comment.created_at, actor=comment.author, action=COMMENT, text=comment.body)
        for comment in ApplicationComment.objects.filter(application=application).select_related(
            "author"
        )
    ]
    return sorted(items, key=lambda item: item.at)


def secretariat_recipients() -> QuerySet[User]:
    """The people told about new and resubmitted applications: the active secretariat."""
    return User.objects.filter(is_active=True, is_secretariat=True).exclude(email="").order_by("pk")


def application_list_of(*, user: User, limit: int = 10) -> list[Application]:
    """The applications user sent while logged in, newest first (one query)."""
    return list(
        Application.objects.filter(applicant=user)
        .select_related("coordination_group")
        .order_by("-submitted_at", "-pk")[:limit]
    )
