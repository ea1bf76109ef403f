"""Durable background jobs: enqueue, claim with a lease, run, sweep, retry.

One mechanism for every background job. The database records each job; the broker only carries
a wake-up call (the job's id), so a lost message or a killed worker loses nothing:

- ``job_enqueue`` writes a waiting row (one per key) and sends its id after commit.
- ``job_run`` claims the row with a conditional UPDATE (a fresh token, a lease), runs the kind's
  handler and records the outcome; a second message for the same job finds it claimed or
  finished and does nothing. While the handler runs, a heartbeat renews the lease.
- ``jobs_sweep`` (Celery beat, every minute) sends again what nobody claimed, takes back what a
  dead worker left (lease expired: the kind's ``reset`` puts its objects back in a clean state)
  and gives up, with a clear message, after ``max_attempts`` runs.

Kinds register from their app's ``ready()`` with ``@job_kind(...)``: this floor never imports the
apps above it. Handlers must be safe to run twice, and should do their writes in one transaction
that calls ``run.confirm()`` last, so a run that lost its claim cannot commit over its successor.
"""

import datetime
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.jobs.models import Job

logger = logging.getLogger(__name__)

State = Job.State
MESSAGE_MIN_LIFE = 300
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)


class JobLost(Exception):
    """The run's claim was taken back (its lease ran out): it must not commit anything."""


@dataclass(frozen=True)
class JobKind:
    name: str
    handler: Callable[["Job", "JobRun"], Any]
    # Puts the job's objects back as they were before a run (after an interruption or a
    # transient error), so the next run starts from a clean state.
    reset: Callable[["Job"], None] | None = None
    # Records on the job's objects that the job failed for good (message already translated).
    failed: Callable[["Job", str], None] | None = None
    # Puts the job's objects back to waiting when a person starts a failed job again; may raise
    # DomainError (the file is gone...). Without it, reset is used.
    revive: Callable[["Job"], None] | None = None
    max_attempts: int = 3
    # Celery's hard limit for one run; the soft limit comes 10 % earlier.
    time_limit: int = 300
    # Errors worth another attempt, beside a lost database connection.
    transient: tuple[type[BaseException], ...] = field(default_factory=tuple)
    # The work its app's own rows say is waiting ({"key", "args", "tenant_id"} each): the sweep
    # gives a job to any that has none (rows from before a deploy, a job given up on).
    orphans: Callable[[], list[dict]] | None = None
    # One run of the kind at a time (jobs that rewrite the same shared rows: syntheses,
    # summaries); otherwise one run per key at a time.
    exclusive: bool = False
    # Its arguments hold secrets (a mail's body carries invitation links): forgotten once done,
    # never shown to operators.
    sensitive: bool = False


KINDS: dict[str, JobKind] = {}


def job_kind(
    name: str,
    *,
    reset: Callable[[Job], None] | None = None,
    failed: Callable[[Job, str], None] | None = None,
    max_attempts: int = 3,
    time_limit: int = 300,
    transient: tuple[type[BaseException], ...] = (),
    orphans: Callable[[], list[dict]] | None = None,
    revive: Callable[[Job], None] | None = None,
    exclusive: bool = False,
    sensitive: bool = False,
) -> Callable[[Callable[[Job, "JobRun"], Any]], Callable[[Job, "JobRun"], Any]]:
    """Register the decorated function as the handler of jobs of kind name."""

    def register(handler: Callable[[Job, "JobRun"], Any]) -> Callable[[Job, "JobRun"], Any]:
        KINDS[name] = JobKind(
            name=name,
            handler=handler,
            reset=reset,
            failed=failed,
            max_attempts=max_attempts,
            time_limit=time_limit,
            transient=transient,
            orphans=orphans,
            revive=revive,
            exclusive=exclusive,
            sensitive=sensitive,
        )
        return handler

    return register


def person_language(person: Any) -> str:
    """The language of what a job records for the person who started it: theirs, else the
    site's."""
    return (getattr(person, "preferred_language", "") if person else "") or settings.LANGUAGE_CODE


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.JOBS_LEASE_SECONDS)


def _eager() -> bool:
    from wikispiral.celery import app

    return bool(app.conf.task_always_eager)


def jobs_inline() -> bool:
    """Whether jobs run at once in the process that enqueues them (no broker): no delays."""
    return _eager()


# --- Enqueue ------------------------------------------------------------------------------------


def job_enqueue(
    *,
    kind: str,
    key: str,
    args: dict | None = None,
    tenant_id: int | None = None,
    actor: Any = None,
    language: str | None = None,
    delay: float = 0,
) -> Job:
    """Record a waiting job for key (or return the one already waiting) and send it to a worker
    once the current transaction commits, after delay seconds (changes arriving meanwhile join
    it). A job already running for key does not stop a new one from waiting: what changed
    since its start is picked up by the next."""
    spec = KINDS[kind]
    created_by = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    delay = 0 if _eager() else delay
    waiting = Job.objects.filter(key=key, state=State.WAITING).first()
    if waiting is not None:
        # Its message is on its way (or lost, and the sweep sends it again): one is enough.
        return waiting
    try:
        with transaction.atomic():
            waiting = Job.objects.create(
                kind=kind,
                key=key,
                args=args or {},
                tenant_id=tenant_id,
                created_by=created_by,
                language=language or translation.get_language() or settings.LANGUAGE_CODE,
                max_attempts=spec.max_attempts,
                enqueued_at=now,
                run_after=now + datetime.timedelta(seconds=delay) if delay else None,
            )
    except IntegrityError:
        # Enqueued by another request at the same moment: that one is ours too (or, if a worker
        # claimed it meanwhile, the next change will enqueue again).
        return Job.objects.filter(key=key).latest("pk")
    _send_on_commit(waiting, countdown=delay or None)
    return waiting


def _send(job_id: int, kind: str, countdown: float | None = None) -> None:
    from wikispiral.jobs.tasks import jobs_run_task

    spec = KINDS.get(kind)
    limit = spec.time_limit if spec else 300
    jobs_run_task.apply_async(
        (job_id,),
        countdown=countdown or 0,  # 0 is no countdown, as None is
        # A message nobody took in time is dropped (the sweep sends a fresh one), so a busy
        # queue holds a few messages per waiting job, not one per sweep for ever. Never less
        # than five minutes: a message must outlive a queue that is merely busy.
        expires=(countdown or 0) + max(settings.JOBS_REQUEUE_AFTER_SECONDS, MESSAGE_MIN_LIFE),
        time_limit=limit,
        soft_time_limit=int(limit * 0.9),
        # Read at each send (not once by Celery): tests route a run's jobs to their own workers.
        queue=settings.CELERY_TASK_DEFAULT_QUEUE,
    )


def _send_on_commit(job: Job, countdown: float | None = None) -> None:
    job_id, kind = job.pk, job.kind
    # Robust: the change is saved and the job recorded; a broker that is away must not turn
    # that into an error page (the sweep sends the message once the broker is back).
    transaction.on_commit(lambda: _send(job_id, kind, countdown), robust=True)


# --- Run ----------------------------------------------------------------------------------------


class JobRun:
    """What a handler gets beside its job: progress, the claim check, a test checkpoint."""

    def __init__(self, job: Job, *, heartbeat: bool) -> None:
        self.job = job
        self.token = job.token
        self.percent = 0
        self.heartbeat = heartbeat
        self._paused = False

    def progress(self, percent: int) -> None:
        """Record how far the job is (0–100). With a heartbeat it is written with the next
        beat, from its own connection (the handler's transaction may hold its writes)."""
        self.percent = max(0, min(100, int(percent)))
        if not self.heartbeat and not connection.in_atomic_block:
            self._ours().update(progress=self.percent)

    def confirm(self) -> None:
        """Call last, inside the handler's transaction: lock the job and check the claim is
        still this run's; JobLost (the transaction rolls back) when the sweep took it back."""
        if not self._ours().select_for_update().exists():
            raise JobLost(self.job.pk)

    def checkpoint(self) -> None:
        """Tests only (settings.JOBS_TEST_PAUSE_SECONDS): stop here once, so a test can kill
        the worker in the middle of a job."""
        pause = settings.JOBS_TEST_PAUSE_SECONDS
        if pause and not self._paused:
            self._paused = True
            logger.info("job %s paused at its checkpoint for %ss", self.job.pk, pause)
            time.sleep(pause)

    def _ours(self) -> QuerySet[Job]:
        return Job.objects.filter(pk=self.job.pk, token=self.token, state=State.RUNNING)


class _Heartbeat(threading.Thread):
    """Renews the lease (and writes progress) every few seconds on a connection of its own;
    a worker that dies stops beating and its lease runs out."""

    def __init__(self, owner: JobRun) -> None:
        super().__init__(name=f"job-{owner.job.pk}-heartbeat", daemon=True)
        self.owner = owner
        self.stopped = threading.Event()
        self.interval = max(0.5, min(5.0, settings.JOBS_LEASE_SECONDS / 4))

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                try:
                    renewed = self.owner._ours().update(
                        lease_until=timezone.now() + lease(), progress=self.owner.percent
                    )
                except (OperationalError, InterfaceError):
                    logger.warning("job %s: heartbeat not recorded", self.owner.job.pk)
                    # A broken connection stays broken: the next beat opens a new one.
                    connection.close()
                    continue
                if not renewed:
                    logger.warning(
                        "job %s: the sweep took it back from this run", self.owner.job.pk
                    )
                    return
        finally:
            connection.close()


def _busy(job_id: int, now: datetime.datetime) -> str | None:
    """The job's kind when a live run already works on what it would (its key, or its kind
    when the kind is exclusive): it then waits for that run instead of running beside it."""
    job = Job.objects.filter(pk=job_id).values("kind", "key").first()
    if job is None:
        return None
    spec = KINDS.get(job["kind"])
    same = {"kind": job["kind"]} if spec is not None and spec.exclusive else {"key": job["key"]}
    running = Job.objects.filter(**same, state=State.RUNNING, lease_until__gte=now)
    return job["kind"] if running.exclude(pk=job_id).exists() else None


def _claim(job_id: int, worker: str) -> Job | None:
    now = timezone.now()
    token = Job.new_token()
    claimed = (
        Job.objects.filter(pk=job_id, state=State.WAITING)
        .filter(Q(run_after__isnull=True) | Q(run_after__lte=now))
        .update(
            state=State.RUNNING,
            token=token,
            attempts=F("attempts") + 1,
            claimed_at=now,
            claimed_by=worker[:200],
            lease_until=now + lease(),
            progress=0,
        )
    )
    return Job.objects.filter(pk=job_id, token=token).first() if claimed else None


def job_run(*, job_id: int, worker: str = "", heartbeat: bool = True) -> str:
    """Claim the job and run its handler; returns what happened ("done", "failed", "retry",
    "lost" or "skipped" when the job was not waiting: safe to call twice)."""
    kind = None if _eager() else _busy(job_id, timezone.now())
    if kind is not None:
        # Another run holds the same work: come back when its lease would be over.
        _send(job_id, kind, countdown=settings.JOBS_LEASE_SECONDS / 4)
        return "deferred"
    job = _claim(job_id, worker or socket.gethostname())
    if job is None:
        return "skipped"
    spec = KINDS.get(job.kind)
    if spec is None:
        _finish(job, State.FAILED, message=_("This kind of job is unknown to this version."))
        return "failed"
    run = JobRun(job, heartbeat=heartbeat)
    beat = _Heartbeat(run) if heartbeat else None
    if beat is not None:
        beat.start()
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            return _run_handler(job, run, spec)
    finally:
        if beat is not None:
            beat.stopped.set()
            beat.join()


def _run_handler(job: Job, run: JobRun, spec: JobKind) -> str:
    try:
        result = spec.handler(job, run)
    except JobLost:
        logger.warning("job %s lost its claim while running; its successor carries on", job.pk)
        return "lost"
    except DomainError as problem:
        _give_up(job, spec, problem.message)
        return "failed"
    except SoftTimeLimitExceeded:
        # It would take as long the next time: the person decides whether to try again.
        _give_up(job, spec, _("It took too long."))
        return "failed"
    except (*TRANSIENT_ERRORS, *spec.transient) as error:
        logger.warning("job %s (%s): attempt %s failed: %r", job.pk, job.kind, job.attempts, error)
        return _retry_or_give_up(job, spec, _("A service it needs did not answer."))
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _give_up(
            job,
            spec,
            _("An unexpected error stopped it; the site's operators were told. Try again."),
        )
        return "failed"
    if not _finish(job, State.DONE, result=result if isinstance(result, dict) else {}):
        return "lost"
    return "done"


def _finish(job: Job, state: str, *, message: str = "", result: dict | None = None) -> bool:
    spec = KINDS.get(job.kind)
    forget = state == State.DONE and spec is not None and spec.sensitive
    return bool(
        Job.objects.filter(pk=job.pk, token=job.token, state=State.RUNNING).update(
            state=state,
            message=message,
            result=result or {},
            progress=100 if state == State.DONE else F("progress"),
            finished_at=timezone.now(),
            lease_until=None,
            **({"args": {}} if forget else {}),
        )
    )


@transaction.atomic
def _give_up(job: Job, spec: JobKind | None, message: str) -> None:
    if not _finish(job, State.FAILED, message=message):
        return
    # Nobody else learns of it: the operators' log says so, with the reason.
    logger.error("job %s (%s, %s) failed: %s", job.pk, job.kind, job.key, message)
    if spec is not None and spec.failed is not None:
        spec.failed(job, message)


def _backoff(attempts: int) -> float:
    return float(min(300, settings.JOBS_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)))


def _retry_or_give_up(job: Job, spec: JobKind, reason: str) -> str:
    if job.attempts >= job.max_attempts:
        _give_up(job, spec, _attempts_exhausted(job.attempts, reason))
        return "failed"
    delay = 0.0 if _eager() else _backoff(job.attempts)
    now = timezone.now()
    moved = _wait_again(
        job,
        spec,
        message=reason,
        run_after=now + datetime.timedelta(seconds=delay) if delay else None,
        enqueued_at=now,
    )
    if moved:
        _send_on_commit(job, countdown=delay or None)
    return "retry"


@transaction.atomic
def _wait_again(
    job: Job,
    spec: JobKind | None,
    *,
    expired_before: datetime.datetime | None = None,
    **fields: Any,
) -> bool:
    """Put a run's job back to wait and its objects back in a clean state; False, changing
    nothing, unless the run still holds it (and, for the sweep, its lease is over). A job
    waiting for the same key (the same work, asked again while this one ran) has not started:
    this one takes its place, so one job waits per key."""
    held = Job.objects.select_for_update().filter(pk=job.pk, token=job.token, state=State.RUNNING)
    if expired_before is not None:
        held = held.filter(lease_until__lt=expired_before)
    if not held.exists():
        return False
    absorbed = Job.objects.filter(key=job.key, state=State.WAITING).exclude(pk=job.pk).delete()[0]
    if absorbed:
        logger.info("job %s takes the place of the job waiting for %s", job.pk, job.key)
    Job.objects.filter(pk=job.pk).update(
        state=State.WAITING, token=None, lease_until=None, **fields
    )
    if spec is not None and spec.reset is not None:
        spec.reset(job)
    return True


def _attempts_exhausted(attempts: int, reason: str) -> str:
    return (
        ngettext(
            "It stopped after %(count)d attempt.",
            "It stopped after %(count)d attempts.",
            attempts,
        )
        % {"count": attempts}
        + " "
        + reason
    )


# --- Sweep and retry ----------------------------------------------------------------------------


@dataclass
class Swept:
    sent_again: list[int] = field(default_factory=list)
    taken_back: list[int] = field(default_factory=list)
    given_up: list[int] = field(default_factory=list)
    adopted: list[int] = field(default_factory=list)


def jobs_sweep() -> Swept:
    """Take back the jobs whose worker died (lease over), give up on those out of attempts, and
    send again what waited unclaimed longer than JOBS_REQUEUE_AFTER_SECONDS."""
    swept = Swept()
    now = timezone.now()
    for job in Job.objects.filter(state=State.RUNNING, lease_until__lt=now):
        spec = KINDS.get(job.kind)
        # What the sweep writes is read by the person who asked, in their language.
        with transaction.atomic(), translation.override(job.language or settings.LANGUAGE_CODE):
            if job.attempts >= job.max_attempts:
                if not Job.objects.filter(pk=job.pk, lease_until__lt=now).exists():
                    continue  # renewed since it was read: alive after all
                reason = _("Its worker stopped before the end.")
                _give_up(job, spec, _attempts_exhausted(job.attempts, reason))
                swept.given_up.append(job.pk)
                continue
            if not _wait_again(
                job,
                spec,
                expired_before=now,
                run_after=None,
                interruptions=F("interruptions") + 1,
                message="",
            ):
                continue
        swept.taken_back.append(job.pk)
    _adopt_orphans(swept)
    _forget_done(now)
    stale = now - datetime.timedelta(seconds=settings.JOBS_REQUEUE_AFTER_SECONDS)
    unclaimed = Job.objects.filter(state=State.WAITING).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale) | Q(pk__in=swept.taken_back)
    )
    # Adopted jobs were sent when their transaction committed, above.
    unclaimed = unclaimed.exclude(pk__in=swept.adopted)
    unclaimed = unclaimed.filter(Q(run_after__isnull=True) | Q(run_after__lte=now))
    for job_id, kind in unclaimed.values_list("pk", "kind"):
        Job.objects.filter(pk=job_id, state=State.WAITING).update(enqueued_at=now)
        _send(job_id, kind)
        swept.sent_again.append(job_id)
    if swept.taken_back or swept.given_up or swept.sent_again or swept.adopted:
        logger.info(
            "jobs sweep: taken back %s, given up %s, adopted %s, sent again %s",
            swept.taken_back,
            swept.given_up,
            swept.adopted,
            swept.sent_again,
        )
    return swept


def _forget_done(now: datetime.datetime) -> None:
    # Jobs are kept a while for the operators (failed ones longer: people read their reasons),
    # then forgotten a batch per sweep.
    keep_done = datetime.timedelta(days=settings.JOBS_KEEP_DONE_DAYS)
    keep_failed = datetime.timedelta(days=settings.JOBS_KEEP_FAILED_DAYS)
    old = Job.objects.filter(
        Q(state=State.DONE, finished_at__lt=now - keep_done)
        | Q(state=State.FAILED, finished_at__lt=now - keep_failed)
    )
    Job.objects.filter(pk__in=list(old.values_list("pk", flat=True)[:5000])).delete()


def _adopt_orphans(swept: Swept) -> None:
    active = {State.WAITING, State.RUNNING}
    backoff = datetime.timedelta(seconds=settings.JOBS_ORPHAN_BACKOFF_SECONDS)
    for spec in list(KINDS.values()):
        if spec.orphans is None:
            continue
        for item in spec.orphans():
            jobs = Job.objects.filter(key=item["key"])
            if jobs.filter(state__in=active).exists():
                continue
            # Work whose job just failed waits before another try, so a run that always fails
            # is not started again every minute.
            if jobs.filter(state=State.FAILED, finished_at__gte=timezone.now() - backoff).exists():
                continue
            with transaction.atomic():
                job = job_enqueue(
                    kind=spec.name,
                    key=item["key"],
                    args=item.get("args", {}),
                    tenant_id=item.get("tenant_id"),
                )
                if spec.reset is not None:
                    spec.reset(job)
            swept.adopted.append(job.pk)


def job_retry(*, job: Job, actor: Any = None) -> Job:
    """Start a failed job again from a clean state (a person asked for it: attempts restart).
    DomainError unless it failed; the caller checks the person may."""
    spec = KINDS.get(job.kind)
    if spec is None:
        raise DomainError(_("This kind of job is unknown to this version."))
    with transaction.atomic():
        if Job.objects.filter(key=job.key, state=State.WAITING).exists():
            return Job.objects.get(key=job.key, state=State.WAITING)
        moved = Job.objects.filter(pk=job.pk, state=State.FAILED).update(
            state=State.WAITING,
            attempts=0,
            interruptions=0,
            message="",
            progress=0,
            token=None,
            run_after=None,
            finished_at=None,
            enqueued_at=timezone.now(),
        )
        if not moved:
            raise DomainError(_("Only a failed job can be started again."))
        job.refresh_from_db()
        revive = spec.revive or spec.reset
        if revive is not None:
            revive(job)
        audit_record(
            actor=actor,
            action="jobs.job.retried",
            target=job,
            tenant_id=job.tenant_id,
            kind=job.kind,
            key=job.key,
        )
        _send_on_commit(job)
    return job
