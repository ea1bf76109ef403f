"""Asking for impact reports and drawing them, as the syntheses' PDF reports are drawn: a report
is queued (one in progress per action, or platform, and language), claimed by its durable job
("projects.impact_report") with a conditional UPDATE, frozen (projects.impact.freeze), written
as HTML from the frozen copy only and laid out by WeasyPrint (projects.impact.document), then
saved. The job kind's reset, failed, revive and orphans callbacks put back, fail and restart
reports whose runs died, so a killed worker or a flushed broker loses nothing.
"""

import datetime
import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from projects.impact import document
from projects.impact.freeze import impact_freeze
from projects.models import Action, ImpactReport
from projects.permissions import can_build_progress
from territories.models import CoordinationGroup
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.jobs.leases import RowLease
from wikispiral.jobs.services import job_enqueue
from wikispiral.tenancy import cross_tenant, tenant_scope

logger = logging.getLogger(__name__)

JOB_KIND = "projects.impact_report"
TIME_LIMIT = 300
# A report "running" for longer than the hard limit lost its worker: a run may claim it again
# (the jobs' sweep normally puts it back to waiting before that).
RUNNING_TIMEOUT = datetime.timedelta(seconds=TIME_LIMIT + 60)
# A run presumed dead after RUNNING_TIMEOUT is taken over (wikispiral/jobs/leases.py).
LEASE = RowLease(ImpactReport, RUNNING_TIMEOUT)
IN_PROGRESS = (ImpactReport.Status.QUEUED, ImpactReport.Status.RUNNING)

# Messages stored on a failed report, translated when shown (the reader's language).
FAILED_GENERIC = gettext_noop(
    "The report could not be drawn. Ask for it again; if it fails again, tell the secretariat."
)
FAILED_TOO_LONG = gettext_noop("The report took too long to draw. Ask for it again later.")


# --- Asking for a report --------------------------------------------------------------------------


@transaction.atomic
def impact_report_request(
    *,
    tenant: CoordinationGroup,
    actor: User | AnonymousUser | None,
    action: Action | None,
    language: str,
) -> ImpactReport:
    """A report of action (None: the whole platform) in language, queued and given a job after
    the commit; or the one already queued or running for the same action and language (asked
    twice at once: one job). DomainError for a language the site does not offer, an actor who
    is not a facilitator of tenant, an action of another group."""
    if not can_build_progress(actor, tenant):
        raise DomainError(_("Only the platform's facilitators may ask for impact reports."))
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Choose one of the site's languages."), "language")
    if action is not None and action.tenant_id != tenant.pk:
        raise DomainError(_("This action belongs to another platform."))
    with tenant_scope(tenant):
        existing = _in_progress(tenant, action, language)
        if existing is not None:
            return existing
        try:
            # A savepoint: the constraint refuses a second report in progress when two
            # requests race past the check above; the loser returns the winner's report.
            with transaction.atomic():
                report = ImpactReport.objects.create(
                    tenant=tenant,
                    action=action,
                    language=language,
                    created_by=actor if isinstance(actor, User) else None,
                )
        except IntegrityError:
            existing = _in_progress(tenant, action, language)
            if existing is None:
                raise
            return existing
        audit_record(
            actor=actor if isinstance(actor, User) else None,
            action="projects.impact_report.requested",
            target=report,
            tenant_id=tenant.pk,
            action_id=action.pk if action is not None else None,
            language=language,
        )
    job_enqueue(
        kind=JOB_KIND,
        key=impact_report_job_key(report.pk),
        args={"report_id": report.pk, "tenant_id": tenant.pk},
        tenant_id=tenant.pk,
        actor=actor,
        language=language,
    )
    return report


def impact_report_job_key(report_id: int) -> str:
    return f"{JOB_KIND}:{report_id}"


def _in_progress(
    tenant: CoordinationGroup, action: Action | None, language: str
) -> ImpactReport | None:
    return ImpactReport.objects.filter(
        tenant=tenant, action=action, language=language, status__in=IN_PROGRESS
    ).first()


# --- Drawing a report -----------------------------------------------------------------------------


def impact_report_render(
    *, report_id: int, checkpoint: Callable[[], None] | None = None
) -> ImpactReport | None:
    """Draw the PDF of a waiting report (or of one whose last run died): freeze what it shows,
    write its HTML from the frozen copy, lay it out, save the file; progress goes from 0 to 100.

    Returns the report, or None when there was nothing to do (done, failed, held by another
    run, gone): running it twice draws one PDF. A failure marks the report failed with a
    message. A transient database error puts the report back in the queue and is raised again,
    for the job to retry."""
    with cross_tenant():
        tenant_id = (
            ImpactReport.objects.filter(pk=report_id).values_list("tenant_id", flat=True).first()
        )
    if tenant_id is None:
        return None
    tenant = CoordinationGroup.objects.get(pk=tenant_id)
    with tenant_scope(tenant):
        return _render(tenant, report_id, checkpoint)


def _render(
    tenant: CoordinationGroup, report_id: int, checkpoint: Callable[[], None] | None
) -> ImpactReport | None:
    started_at = LEASE.claim(report_id)
    if started_at is None:
        return None
    report = ImpactReport.objects.select_related("tenant", "action").get(pk=report_id)
    try:
        report.frozen = impact_freeze(report=report)
        LEASE.progress(report_id, started_at, 30)
        html = document.impact_report_html(frozen=report.frozen)
        LEASE.progress(report_id, started_at, 50)
        # Looked up on the module at call time: tests replace document.impact_report_pdf.
        pdf, pages = document.impact_report_pdf(html)
        LEASE.progress(report_id, started_at, 90)
        if checkpoint is not None:
            checkpoint()
        return _finish(report, started_at, pdf=pdf, pages=pages)
    except OperationalError:
        LEASE.release(report_id, started_at)
        raise
    except Exception as error:
        # Anything else is a bug or a limit: the person gets a plain message, the logs the rest.
        logger.exception("Impact report %s failed", report_id)
        too_long = type(error).__name__ == "SoftTimeLimitExceeded"
        LEASE.fail(report_id, started_at, FAILED_TOO_LONG if too_long else FAILED_GENERIC)
    report.refresh_from_db()
    return report


def _finish(
    report: ImpactReport, started_at: datetime.datetime, *, pdf: bytes, pages: int
) -> ImpactReport | None:
    finished_at = timezone.now()
    subject = f"action-{report.action_id}" if report.action_id else "platform"
    name = (
        f"{report.tenant.slug}-{subject}-{report.pk}-{report.language}-{finished_at:%Y-%m-%d}-"
        # Media may be served by the web server: a draft action's report must not be guessable.
        f"{secrets.token_hex(8)}.pdf"
    )
    report.file.save(name, ContentFile(pdf), save=False)
    done = LEASE.ours(report.pk, started_at).update(
        status=ImpactReport.Status.DONE,
        progress=100,
        file=report.file.name,
        pages=pages,
        finished_at=finished_at,
        frozen=report.frozen,
    )
    if not done:
        report.file.delete(save=False)
        return None
    report.refresh_from_db()
    return report


# --- The sweep (the job kind's callbacks: they run outside any tenant's scope) --------------------


def impact_reports_in_progress() -> list[tuple[int, int]]:
    """(report id, tenant id) of the reports waiting or being drawn, oldest first."""
    with cross_tenant():
        return list(
            ImpactReport.objects.filter(status__in=IN_PROGRESS)
            .order_by("created_at")
            .values_list("pk", "tenant_id")[:500]
        )


def impact_report_requeue(*, report_id: int) -> None:
    """A run that died left the report running: it waits again for the next run."""
    with cross_tenant():
        ImpactReport.objects.filter(pk=report_id, status=ImpactReport.Status.RUNNING).update(
            status=ImpactReport.Status.QUEUED, progress=0
        )


def impact_report_revive(*, report_id: int) -> None:
    """A failed report asked again through its job (the operators' retry)."""
    with cross_tenant():
        ImpactReport.objects.filter(
            pk=report_id, status__in=[*IN_PROGRESS, ImpactReport.Status.FAILED]
        ).update(status=ImpactReport.Status.QUEUED, progress=0, message="", finished_at=None)


def impact_report_give_up(*, report_id: int) -> None:
    """Its job stopped trying (its runs kept dying): the report is failed, not waiting."""
    with cross_tenant():
        ImpactReport.objects.filter(pk=report_id, status__in=IN_PROGRESS).update(
            status=ImpactReport.Status.FAILED,
            message=FAILED_TOO_LONG,
            finished_at=timezone.now(),
        )
