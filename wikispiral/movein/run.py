"""One move-in from start to end: read what was given, then write it in order, each step
through the services of the floor that owns it, and keep the report.

1. the coordination groups tracker, then the homogeneous groups tracker (all or nothing per
   tracker, territories' bulk opening: the same checks and errors as a secretariat's file);
2. the pages with their whole history (each page whole or not at all), placed in the network's
   space, or in a group's when the trackers or the mapping say the page is the group's;
3. their tree and translations (the structure CSV);
4. the gallery files, as attachments of the spaces whose pages use them;
5. the criteria tracker (all or nothing, the network-wide criteria import with the Tiki item
   id as external key);
6. the old addresses of all of these, for the redirects.

Every step is idempotent (pages by their versions' times, at the address an earlier run gave
them; groups by their item ids; criteria by their external keys; files by their names and
content, in the space they went to; addresses by their keys), so a run cut short by a dying
worker is simply run again, and a later export of the same site brings only what changed.
A dry run goes through the same steps in one transaction that it rolls back: the preview is
what the import would do, exactly, with nothing written.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.db import (
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.transfer.storage import write_atomically
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.jobs.aside import row_update_aside
from wikispiral.jobs.services import JobLost, JobRun
from wikispiral.movein import steps_groups, steps_pages
from wikispiral.movein.models import MoveIn
from wikispiral.movein.report import ERROR, Report
from wikispiral.movein.sources import Sources, sources_read
from wikispiral.movein.storage import report_path
from wikispiral.wiki.tiki.pages import Placer

logger = logging.getLogger(__name__)

Status = MoveIn.Status
PROGRESS_EVERY = 0.5  # seconds between two writes of the progress


@dataclass
class Context:
    """What the steps share: the run, who acts, the report, and what earlier steps made."""

    move: MoveIn
    actor: User
    report: Report
    run: JobRun | None = None
    echo: Callable[[str], None] | None = None
    # Tiki item id -> our object's pk, filled by the group steps for the later ones.
    group_items: dict[int, int] = field(default_factory=dict)
    hg_items: dict[int, int] = field(default_factory=dict)
    network_ids: dict[int, str] = field(default_factory=dict)  # group pk -> network id
    # Tiki page name (case-folded) -> where the trackers say it goes.
    page_owners: dict[str, tuple[str, int]] = field(default_factory=dict)
    placement: Placer | None = None
    _last_write: float = 0.0
    _phase: str = ""

    def progress(self, phase: str, done: int, total: int) -> None:
        """Say how far the run is: on the run's row (the page's progress bar), to the job, and
        to the command's output, at most twice a second."""
        now = time.monotonic()
        if phase == self._phase and done < total and now - self._last_write < PROGRESS_EVERY:
            return
        if phase != self._phase and self.echo is not None:
            self.echo(str(PHASES.get(phase, phase)))
        self._phase, self._last_write = phase, now
        self.move.phase, self.move.done, self.move.total = phase, done, total
        _progress_write(self.move)
        if self.run is not None:
            self.run.progress(movein_percent(self.move))
            if phase == "pages" and done:
                # Tests stop a worker here, once: a page is in, the rest of the run is not.
                self.run.checkpoint()


PHASES = {
    "reading": gettext_lazy("Reading the files"),
    "coordination_groups": gettext_lazy("Coordination groups"),
    "homogeneous_groups": gettext_lazy("Homogeneous groups"),
    "pages": gettext_lazy("Wiki pages"),
    "structure": gettext_lazy("Tree and translations"),
    "files": gettext_lazy("Files"),
    "criteria": gettext_lazy("Criteria"),
    "addresses": gettext_lazy("Old addresses"),
}


def movein_percent(move: MoveIn) -> int:
    """How far a run is, over all its steps."""
    index = list(PHASES).index(move.phase) if move.phase in PHASES else 0
    share = (move.done / move.total) if move.total else 0
    return min(100, int(100 * (index + share) / len(PHASES)))


def _progress_write(move: MoveIn) -> None:
    """Write the run's step and count where the page can read them: directly outside a
    transaction; inside one (a dry run), on a connection of its own (PostgreSQL only: SQLite
    would wait on its own writer's lock, and its page then shows the end only)."""
    values: dict[str, str | int] = {"phase": move.phase, "done": move.done, "total": move.total}
    if connection.in_atomic_block:
        row_update_aside(MoveIn, move.pk, values)
    else:
        MoveIn.objects.filter(pk=move.pk).update(**values)


def _steps(context: Context, paths: dict[str, Path]) -> None:
    context.progress("reading", 0, 1)
    sources: Sources = sources_read(paths, context.report)
    steps_groups.coordination_groups_step(context, sources)
    steps_groups.homogeneous_groups_step(context, sources)
    outcomes = steps_pages.pages_step(context, sources)
    steps_pages.structure_step(context, sources)
    steps_pages.files_step(context, sources, outcomes)
    steps_groups.criteria_step(context, sources)
    steps_pages.page_addresses_step(context, sources, outcomes)


def movein_run(
    *, move: MoveIn, run: JobRun | None = None, echo: Callable[[str], None] | None = None
) -> Report | None:
    """Run a waiting move-in to its end and keep its report; None when it was not waiting (a
    second worker, or one already done). A failure is recorded on the run, with the report
    of what was read so far; a lost connection or time limit puts it back to waiting."""
    claimed = MoveIn.objects.filter(pk=move.pk, status=Status.QUEUED).update(
        status=Status.RUNNING, phase="", done=0, total=0, message=""
    )
    if not claimed:
        return None
    move.refresh_from_db()
    actor = move.created_by
    report = Report(dry_run=move.dry_run)
    if actor is None:
        return _fail(move, report, _("The person who started this import no longer exists."))
    context = Context(move=move, actor=actor, report=report, run=run, echo=echo)
    paths = {kind: Path(path) for kind, path in move.sources.items()}
    try:
        if move.dry_run:
            with transaction.atomic():
                _steps(context, paths)
                if run is not None:
                    run.confirm()
                transaction.set_rollback(True)
        else:
            _steps(context, paths)
            if run is not None:
                with transaction.atomic():
                    run.confirm()
    except JobLost:
        raise
    except (OperationalError, InterfaceError, SoftTimeLimitExceeded):
        MoveIn.objects.filter(pk=move.pk, status=Status.RUNNING).update(status=Status.QUEUED)
        raise
    except Exception:
        logger.exception("move-in %s failed", move.pk)
        return _fail(
            move,
            report,
            _(
                "The import stopped on an unexpected error. What was imported before it is "
                "kept; run the import again to go on (it picks up where it stopped), and tell "
                "the technical team if it stops again."
            ),
        )
    return _finish(move, report, Status.DONE)


def _fail(move: MoveIn, report: Report, message: str) -> Report:
    report.add("sources", "", message, ERROR)
    return _finish(move, report, Status.FAILED, message=message)


def _finish(move: MoveIn, report: Report, status: str, *, message: str = "") -> Report:
    write_atomically(report_path(move), report.to_json().encode("utf-8"))
    move.status = status
    move.message = message
    move.counts = report.counts
    move.warning_count = report.warnings
    move.error_count = report.errors
    move.finished_at = timezone.now()
    move.phase = ""
    move.save(
        update_fields=[
            "status",
            "message",
            "counts",
            "warning_count",
            "error_count",
            "finished_at",
            "phase",
        ]
    )
    audit_record(
        actor=move.created_by,
        action="movein.dry_run" if move.dry_run else "movein.imported",
        target=move,
        status=status,
        errors=report.errors,
        warnings=report.warnings,
        counts=report.counts,
    )
    return report
