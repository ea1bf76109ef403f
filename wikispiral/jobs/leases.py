"""A row drawn by a job (a PDF report: the syntheses', the impact reports) is leased while it is
drawn: one conditional UPDATE takes it, and every later write names the lease (its started_at),
so a run presumed dead and taken over never writes over its successor.

The row's model has the fields status ("queued", "running", "done", "failed"), started_at,
progress, message and finished_at.
"""

import contextlib
import datetime
from dataclasses import dataclass

from django.db import OperationalError
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

QUEUED, RUNNING, FAILED = "queued", "running", "failed"


@dataclass(frozen=True)
class RowLease:
    """The lease of model's rows, taken back from a run older than timeout."""

    model: type[Model]
    timeout: datetime.timedelta

    def claim(self, pk: int) -> datetime.datetime | None:
        """Take the row (queued, or running longer than timeout): its lease, or None when
        another run has it or it is finished."""
        now = timezone.now()
        claimed = (
            self.model._default_manager.filter(pk=pk)
            .filter(Q(status=QUEUED) | Q(status=RUNNING, started_at__lt=now - self.timeout))
            .update(status=RUNNING, started_at=now, progress=5, message="")
        )
        return now if claimed else None

    def ours(self, pk: int, started_at: datetime.datetime) -> QuerySet:
        """The row while the lease taken at started_at holds it."""
        return self.model._default_manager.filter(pk=pk, status=RUNNING, started_at=started_at)

    def progress(self, pk: int, started_at: datetime.datetime, value: int) -> None:
        self.ours(pk, started_at).update(progress=value)

    def release(self, pk: int, started_at: datetime.datetime) -> None:
        """Put the row back in the queue (the database went away mid-run: if it is still away,
        the jobs' sweep puts it back once the run's lease is over)."""
        with contextlib.suppress(OperationalError):
            self.ours(pk, started_at).update(status=QUEUED, progress=0)

    def fail(self, pk: int, started_at: datetime.datetime, message: str) -> None:
        self.ours(pk, started_at).update(status=FAILED, message=message, finished_at=timezone.now())
