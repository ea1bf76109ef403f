"""Asking for PDF reports of syntheses and drawing them: a report is queued (one in progress per
scope, language and filters), claimed by a Celery run with a conditional UPDATE, frozen from the
scope's latest snapshot, turned into HTML and PDF (syntheses.reports.document) and saved; the
jobs' sweep hooks give up on, revive and requeue reports whose runs died.
"""

import dataclasses
import datetime
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from criteria.selectors import grid_current
from syntheses import reports
from syntheses.models import Report, SynthesisPage
from syntheses.reports.document import TEXTS_PER_COMPONENT, TOP_COMPONENTS, report_html
from syntheses.reports.selectors import _scope_of, _top_components, report_filters
from syntheses.selectors import (
    Figures,
    Filters,
    ScopeRef,
    figures_from,
    snapshot_get,
    synthesis_criteria,
)
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.jobs.leases import RowLease
from wikispiral.jobs.services import job_enqueue
from wikispiral.wiki.models import Page
from wikispiral.wiki.selectors import page_translation_find

logger = logging.getLogger(__name__)


TIME_LIMIT = 300
# A report "running" for longer than the hard limit lost its worker (killed, out of memory): a
# run may claim it again (the jobs' sweep normally puts it back to waiting before that).
RUNNING_TIMEOUT = datetime.timedelta(seconds=TIME_LIMIT + 60)
# A run presumed dead after RUNNING_TIMEOUT is taken over (wikispiral/jobs/leases.py).
LEASE = RowLease(Report, RUNNING_TIMEOUT)


IN_PROGRESS = (Report.Status.QUEUED, Report.Status.RUNNING)

# Messages stored on a failed report, translated when shown (the reader's language).
FAILED_GENERIC = gettext_noop(
    "The report could not be drawn. Ask for it again; if it fails again, tell the secretariat."
)
FAILED_TOO_LONG = gettext_noop("The report took too long to draw. Ask for it again later.")
FAILED_NO_SCOPE = gettext_noop("This synthesis no longer exists.")


# --- Filters --------------------------------------------------------------------------------------


def filters_canonical(filters: Filters) -> dict:
    """Filters as stored on a report: set fields only, keys sorted, so the same filters are
    the same JSON (the one-report-in-progress constraint compares it)."""
    return dict(sorted(filters.as_dict().items()))


# --- Asking for a report --------------------------------------------------------------------------


@transaction.atomic
def report_request(
    *, ref: ScopeRef, language: str, filters: Filters, actor: User | AnonymousUser | None
) -> Report:
    """A report of ref in language under filters, queued and enqueued after the commit; or the
    one already queued or running for the same scope, language and filters (asked twice at
    once: one job). Raises DomainError for a language the site does not offer."""
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Choose one of the site's languages."), "report_language")
    wanted = {
        "scope": ref.scope,
        "scope_id": ref.scope_id,
        "language": language,
        "filters": filters_canonical(filters),
    }
    existing = _in_progress(wanted)
    if existing is not None:
        return existing
    try:
        # A savepoint: the constraint refuses a second report in progress when two requests
        # race past the check above; the loser returns the winner's report.
        with transaction.atomic():
            report = Report.objects.create(**wanted, created_by=_user_or_none(actor))
    except IntegrityError:
        existing = _in_progress(wanted)
        if existing is None:
            raise
        return existing
    job_enqueue(
        kind="syntheses.report",
        key=report_job_key(report.pk),
        args={"report_id": report.pk},
        actor=actor,
        language=language,
    )
    return report


def report_job_key(report_id: int) -> str:
    return f"syntheses.report:{report_id}"


def _in_progress(wanted: dict) -> Report | None:
    return Report.objects.filter(**wanted, status__in=IN_PROGRESS).first()


def _user_or_none(actor: User | AnonymousUser | None) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


# --- Drawing a report -----------------------------------------------------------------------------


def report_render(*, report_id: int, checkpoint: Callable[[], None] | None = None) -> Report | None:
    """Draw the PDF of a waiting report (or of one whose last run died): freeze the scope's
    latest snapshot, write the HTML in the report's language, lay it out with WeasyPrint,
    save the file; progress goes from 0 to 100 on the way.

    Returns the report, or None when there was nothing to do (already done or failed, or
    another run holds it): running it twice draws one PDF. A failure marks the report failed
    with a message (earlier reports stay). A transient database error (OperationalError) puts
    the report back in the queue and is raised again, for the task to retry.
    """
    started_at = LEASE.claim(report_id)
    if started_at is None:
        return None
    report = Report.objects.select_related("grid_version").get(pk=report_id)
    try:
        ref = _scope_of(report)
        report_freeze(report=report, ref=ref)
        LEASE.progress(report.pk, started_at, 30)
        html = report_html(report)
        LEASE.progress(report.pk, started_at, 50)
        # Looked up on the package at call time: tests replace syntheses.reports.report_pdf.
        pdf, pages = reports.report_pdf(html)
        LEASE.progress(report.pk, started_at, 90)
        if checkpoint is not None:
            checkpoint()
        return _finish(report, started_at, pdf=pdf, pages=pages, ref=ref)
    except OperationalError:
        LEASE.release(report_id, started_at)
        raise
    except Http404:
        LEASE.fail(report_id, started_at, FAILED_NO_SCOPE)
    except Exception as error:
        # Anything else is a bug or a limit: the person gets a plain message, the logs the rest.
        logger.exception("Report %s failed", report_id)
        too_long = type(error).__name__ == "SoftTimeLimitExceeded"
        LEASE.fail(report_id, started_at, FAILED_TOO_LONG if too_long else FAILED_GENERIC)
    report.refresh_from_db()
    return report


def _finish(
    report: Report, started_at: datetime.datetime, *, pdf: bytes, pages: int, ref: ScopeRef
) -> Report | None:
    finished_at = timezone.now()
    name = (
        f"{ref.key}-{report.pk}-{report.language}-{finished_at:%Y-%m-%d}-"
        # Media may be served by the web server: a hidden group's report must not be guessable.
        f"{secrets.token_hex(8)}.pdf"
    )
    report.file.save(name, ContentFile(pdf), save=False)
    with transaction.atomic():
        done = LEASE.ours(report.pk, started_at).update(
            status=Report.Status.DONE,
            progress=100,
            file=report.file.name,
            pages=pages,
            finished_at=finished_at,
            frozen=report.frozen,
            grid_version=report.grid_version,
            criteria_count=report.criteria_count,
            snapshot_computed_at=report.snapshot_computed_at,
        )
        if done and report.current:
            # Nobody asked for it: the network publishes it (no person acts).
            audit_record(
                actor=None,
                action="syntheses.report.current_published",
                target=report,
                scope=ref.key,
                language=report.language,
                criteria=report.criteria_count,
            )
    if not done:
        report.file.delete(save=False)
        return None
    report.refresh_from_db()
    return report


def report_freeze(*, report: Report, ref: ScopeRef) -> None:
    """Copy onto report (not saved) what it is drawn from: the scope's latest snapshot, the
    criteria texts behind the main components of each question, and the narrative's current
    revision. An unknown or empty scope freezes an empty cube (a short "no criteria yet"
    report)."""
    snapshot = snapshot_get(ref)
    frozen: dict[str, Any]  # the report's frozen figures, as JSON
    if snapshot is None:
        version = grid_current()
        frozen = {"cube": {}, "groups": {}, "computed_at": None, "criteria_count": 0}
    else:
        version = snapshot.grid_version
        frozen = {
            "cube": snapshot.cube,
            "groups": snapshot.groups,
            "computed_at": snapshot.computed_at.isoformat(),
            "criteria_count": snapshot.criteria_count,
        }
    filters = report_filters(report)
    figures = figures_from(
        cube=frozen["cube"], groups=frozen["groups"], version=version, filters=filters
    )
    frozen["grid_version"] = version.number
    frozen["criteria"] = _criteria_behind(ref, figures, filters)
    frozen["narrative"] = _narrative_frozen(ref, report.language)
    report.frozen = frozen
    report.grid_version = version
    report.criteria_count = figures.total
    report.snapshot_computed_at = snapshot.computed_at if snapshot else None


def _criteria_behind(ref: ScopeRef, figures: Figures, filters: Filters) -> dict[str, list]:
    """{question code: [{"component": code, "texts": [...]}, ...]} for the TOP_COMPONENTS of
    each question, TEXTS_PER_COMPONENT newest texts each."""
    behind: dict[str, list] = {}
    for question in figures.questions:
        entries = []
        for figure in _top_components(figures, question.code, TOP_COMPONENTS):
            page = synthesis_criteria(
                ref=ref,
                component=figure.component,
                filters=dataclasses.replace(filters, question=question.code),
                page=1,
            )
            texts = [
                {
                    "text": criterion.text,
                    "language": criterion.language,
                    "date": criterion.session_date.isoformat() if criterion.session_date else "",
                }
                for criterion in page.object_list[:TEXTS_PER_COMPONENT]
            ]
            entries.append({"component": figure.component.code, "texts": texts})
        behind[question.code] = entries
    return behind


def _narrative_page(ref: ScopeRef, language: str) -> Page | None:
    """The synthesis page of the scope, in language when it has that translation."""
    synthesis = (
        SynthesisPage.objects.select_related("page")
        .filter(scope=ref.scope, scope_id=ref.scope_id)
        .first()
    )
    if synthesis is None:
        return None
    page = synthesis.page
    if page.language != language:
        translated = page_translation_find(page=page, language=language)
        page = translated or page
    if page.is_deleted or page.current_revision_id is None:
        return None
    return page


def _narrative_frozen(ref: ScopeRef, language: str) -> dict | None:
    page = _narrative_page(ref, language)
    if page is None:
        return None
    return {"page": page.pk, "revision": page.current_revision_id}


# --- The sweep ------------------------------------------------------------------------------------


def reports_in_progress_ids() -> list[int]:
    """Reports waiting or being drawn (the jobs' sweep checks each has a job)."""
    return list(
        Report.objects.filter(status__in=IN_PROGRESS)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )


def report_requeue(*, report_id: int) -> None:
    """A run that died left the report running: it waits again for the next run."""
    Report.objects.filter(pk=report_id, status=Report.Status.RUNNING).update(
        status=Report.Status.QUEUED, progress=0
    )


def report_revive(*, report_id: int) -> None:
    """A failed report asked again through its job (the operators' retry)."""
    Report.objects.filter(pk=report_id, status__in=[*IN_PROGRESS, Report.Status.FAILED]).update(
        status=Report.Status.QUEUED, progress=0, message="", finished_at=None
    )


def report_give_up(*, report_id: int) -> None:
    """Its job stopped trying (its runs kept dying): the report is failed, not waiting."""
    Report.objects.filter(pk=report_id, status__in=IN_PROGRESS).update(
        status=Report.Status.FAILED, message=FAILED_TOO_LONG, finished_at=timezone.now()
    )
