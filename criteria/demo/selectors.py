"""What earlier demo runs left in the database."""

from collections import Counter
from dataclasses import dataclass, field

from django.db import models

from criteria.models import Criterion
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.tenancy import cross_tenant

DEMO_SLUG_PREFIX = "demo-"
# GC0 + five digits: valid network ids (GC + 4 to 10 digits) numerically below 100000, where
# network_id_next starts, so demo groups never shift the numbering of real ones.
DEMO_NETWORK_ID_PREFIX = "GC0"


@dataclass
class DemoSummary:
    countries: int = 0
    countries_created: int = 0
    coordination_groups: int = 0
    homogeneous_groups: int = 0
    statuses: Counter = field(default_factory=Counter)
    # The demo login's coordination groups (ids), and the criteria written in those of them
    # the generator did not make (seed_territories' groups).
    facilitated: list[int] = field(default_factory=list)
    facilitated_criteria: int = 0

    @property
    def criteria(self) -> int:
        return sum(self.statuses.values())

    def line(self) -> str:
        statuses = ", ".join(
            f"{self.statuses.get(status, 0):,} {status}" for status in Criterion.Status.values
        )
        line = (
            f"{self.countries} countries ({self.countries_created} new), "
            f"{self.coordination_groups:,} coordination groups, "
            f"{self.homogeneous_groups:,} homogeneous groups, "
            f"{self.criteria:,} criteria ({statuses})"
        )
        if self.facilitated_criteria:
            line += (
                f", and {self.facilitated_criteria:,} criteria in the demo facilitator's "
                f"{len(self.facilitated)} groups"
            )
        return line


def demo_groups() -> models.QuerySet[CoordinationGroup]:
    """The coordination groups this generator made."""
    return CoordinationGroup.objects.filter(
        slug__startswith=DEMO_SLUG_PREFIX, network_id__startswith=DEMO_NETWORK_ID_PREFIX
    )


def demo_existing() -> DemoSummary | None:
    """What an earlier run left, or None."""
    groups = demo_groups()
    ids = list(groups.values_list("pk", flat=True))
    if not ids:
        return None
    with cross_tenant():
        statuses = Counter(
            dict(
                Criterion.objects.filter(tenant_id__in=ids)
                .order_by()
                .values_list("status")
                .annotate(models.Count("pk"))
            )
        )
        homogeneous = HomogeneousGroup.objects.filter(tenant_id__in=ids).count()
    countries = groups.order_by().values("country_id").distinct().count()
    return DemoSummary(
        countries=countries,
        coordination_groups=len(ids),
        homogeneous_groups=homogeneous,
        statuses=statuses,
    )
