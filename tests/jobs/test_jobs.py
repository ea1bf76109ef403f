"""The durable job engine: one waiting job per key, claims, outcomes, the sweep and retries."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import OperationalError, transaction
from django.utils import timezone, translation

from tests.factories import make_user
from wikispiral.audit.models import AuditEntry
from wikispiral.errors import DomainError
from wikispiral.jobs import services
from wikispiral.jobs.models import Job
from wikispiral.jobs.selectors import job_latest, job_state_label
from wikispiral.jobs.services import (
    JobLost,
    job_enqueue,
    job_kind,
    job_retry,
    job_run,
    jobs_sweep,
)
from wikispiral.mail import mail_send_on_commit

pytestmark = pytest.mark.django_db

CALLS: list[tuple[str, dict]] = []


@pytest.fixture(autouse=True)
def sample_kinds():
    """Kinds of this module's own, registered like an app's, removed afterwards."""
    CALLS.clear()
    behaviour = {"raise": None, "confirm_after": None}

    def reset(job):
        CALLS.append(("reset", job.args))

    def failed(job, message):
        CALLS.append(("failed", {"message": message}))

    @job_kind("tests.sample", reset=reset, failed=failed, max_attempts=3, time_limit=30)
    def sample(job, run):
        CALLS.append(("run", job.args))
        if behaviour["confirm_after"] is not None:
            behaviour["confirm_after"]()
            with transaction.atomic():
                Job.objects.filter(pk=job.pk).update(result={"written": True})
                run.confirm()
        if behaviour["raise"] is not None:
            raise behaviour["raise"]
        return {"n": job.args.get("n", 0)}

    yield behaviour
    services.KINDS.pop("tests.sample", None)


def _enqueue(key="tests.sample:1", **args):
    return job_enqueue(kind="tests.sample", key=key, args=args)


def test_a_key_has_one_waiting_job_however_often_it_is_enqueued():
    first = _enqueue(n=1)
    second = _enqueue(n=2)

    assert first.pk == second.pk
    assert Job.objects.count() == 1


def test_a_job_runs_once_even_when_its_message_comes_twice():
    job = _enqueue(n=7)

    assert job_run(job_id=job.pk, heartbeat=False) == "done"
    assert job_run(job_id=job.pk, heartbeat=False) == "skipped"

    job.refresh_from_db()
    assert (job.state, job.attempts, job.progress, job.result) == ("done", 1, 100, {"n": 7})
    assert [call for call, _args in CALLS] == ["run"]


def test_a_running_job_does_not_stop_another_from_waiting():
    job = _enqueue()
    Job.objects.filter(pk=job.pk).update(state="running")

    later = _enqueue()

    assert later.pk != job.pk
    assert job_latest(key="tests.sample:1").pk == later.pk


def test_a_domain_error_fails_the_job_at_once_in_the_askers_language(sample_kinds):
    with translation.override("fr"):
        job = _enqueue()
    sample_kinds["raise"] = DomainError("Le fichier a disparu.")

    assert job_run(job_id=job.pk, heartbeat=False) == "failed"

    job.refresh_from_db()
    assert (job.state, job.attempts, job.message, job.language) == (
        "failed",
        1,
        "Le fichier a disparu.",
        "fr",
    )
    assert ("failed", {"message": "Le fichier a disparu."}) in CALLS
    assert job_state_label(job) == "Failed: Le fichier a disparu."


def test_a_transient_error_is_tried_again_from_a_clean_state_then_given_up(sample_kinds):
    job = _enqueue()
    sample_kinds["raise"] = OperationalError("connection lost")

    outcomes = []
    for _attempt in range(3):
        Job.objects.filter(pk=job.pk).update(run_after=None)  # the backoff, skipped
        outcomes.append(job_run(job_id=job.pk, heartbeat=False))

    job.refresh_from_db()
    assert outcomes == ["retry", "retry", "failed"]
    assert [call for call, _args in CALLS].count("reset") == 2
    assert job.state == "failed"
    assert job.message.startswith("It stopped after 3 attempts.")
    assert "did not answer" in job.message


def test_an_unexpected_error_fails_with_a_plain_message(sample_kinds):
    job = _enqueue()
    sample_kinds["raise"] = RuntimeError("bug")

    assert job_run(job_id=job.pk, heartbeat=False) == "failed"

    job.refresh_from_db()
    assert "unexpected error" in job.message
    assert "bug" not in job.message


def _expire(job, attempts=1):
    Job.objects.filter(pk=job.pk).update(
        state="running",
        attempts=attempts,
        token=Job.new_token(),
        lease_until=timezone.now() - datetime.timedelta(seconds=1),
    )


def test_the_sweep_takes_back_a_job_whose_worker_died(django_capture_on_commit_callbacks):
    job = _enqueue(n=3)
    _expire(job)

    with django_capture_on_commit_callbacks(execute=True):
        swept = jobs_sweep()

    job.refresh_from_db()
    assert swept.taken_back == [job.pk]
    assert ("reset", {"n": 3}) in CALLS
    # Sent again and, Celery being inline here, run to the end.
    assert (job.state, job.attempts, job.interruptions) == ("done", 2, 1)


def test_an_interrupted_job_says_so_while_it_waits(monkeypatch):
    job = _enqueue()
    _expire(job)
    monkeypatch.setattr(services, "_send", lambda *args, **kwargs: None)  # the broker is away

    jobs_sweep()

    job.refresh_from_db()
    assert job.state == "waiting"
    assert job_state_label(job) == "Interrupted, starting again"


def test_the_sweep_gives_up_on_a_job_out_of_attempts():
    job = _enqueue()
    _expire(job, attempts=3)

    swept = jobs_sweep()

    job.refresh_from_db()
    assert swept.given_up == [job.pk]
    assert job.state == "failed"
    assert job.message == "It stopped after 3 attempts. Its worker stopped before the end."
    assert ("failed", {"message": job.message}) in CALLS


def test_what_the_sweep_writes_is_in_the_askers_language():
    with translation.override("fr"):
        job = _enqueue()
    _expire(job, attempts=3)

    jobs_sweep()  # run in the site's language, English

    job.refresh_from_db()
    assert "Son processus de calcul s’est arrêté avant la fin." in job.message


def test_a_run_that_no_longer_holds_its_job_changes_nothing():
    job = _enqueue()
    _expire(job)
    stale = Job.objects.get(pk=job.pk)
    Job.objects.filter(pk=job.pk).update(token=Job.new_token())  # another run holds it now
    later = _enqueue()

    assert services._wait_again(stale, None, run_after=None) is False

    assert Job.objects.filter(pk=later.pk, state="waiting").exists()
    assert Job.objects.get(pk=job.pk).state == "running"


def test_an_interrupted_job_takes_the_place_of_the_one_waiting_for_the_same_work(monkeypatch):
    job = _enqueue(n=1)
    _expire(job)
    _enqueue(n=2)  # the same work asked again while the first ran
    monkeypatch.setattr(services, "_send", lambda *args, **kwargs: None)

    jobs_sweep()

    assert list(Job.objects.values_list("pk", "state", "interruptions")) == [(job.pk, "waiting", 1)]


def test_the_sweep_leaves_a_job_whose_lease_was_renewed_meanwhile(monkeypatch):
    job = _enqueue()
    _expire(job)
    read = Job.objects.get(pk=job.pk)
    Job.objects.filter(pk=job.pk).update(
        lease_until=timezone.now() + datetime.timedelta(seconds=60)
    )

    assert services._wait_again(read, None, expired_before=timezone.now()) is False
    assert Job.objects.get(pk=job.pk).state == "running"


def test_a_job_waits_while_another_run_holds_the_same_work(monkeypatch):
    sent = []
    monkeypatch.setattr(services, "_eager", lambda: False)
    monkeypatch.setattr(services, "_send", lambda *args, **kwargs: sent.append(kwargs))
    first = _enqueue()
    Job.objects.filter(pk=first.pk).update(
        state="running", lease_until=timezone.now() + datetime.timedelta(seconds=60)
    )
    second = _enqueue()

    assert job_run(job_id=second.pk, heartbeat=False) == "deferred"

    assert Job.objects.get(pk=second.pk).state == "waiting"
    assert sent[-1]["countdown"] > 0
    Job.objects.filter(pk=first.pk).update(state="done")
    assert job_run(job_id=second.pk, heartbeat=False) == "done"


def test_a_job_that_takes_too_long_fails_at_once(sample_kinds):
    from celery.exceptions import SoftTimeLimitExceeded

    job = _enqueue()
    sample_kinds["raise"] = SoftTimeLimitExceeded()

    assert job_run(job_id=job.pk, heartbeat=False) == "failed"

    job.refresh_from_db()
    assert (job.state, job.attempts, job.message) == ("failed", 1, "It took too long.")


def test_the_sweep_sends_again_a_job_whose_message_was_lost(
    settings, django_capture_on_commit_callbacks
):
    job = _enqueue()  # no commit hook: the message never left, as after a broker flush
    assert Job.objects.get(pk=job.pk).state == "waiting"
    assert jobs_sweep().sent_again == []  # not yet: it may still be on its way
    Job.objects.filter(pk=job.pk).update(
        enqueued_at=timezone.now()
        - datetime.timedelta(seconds=settings.JOBS_REQUEUE_AFTER_SECONDS + 1)
    )

    swept = jobs_sweep()

    job.refresh_from_db()
    assert swept.sent_again == [job.pk]
    assert job.state == "done"


def test_a_run_that_lost_its_claim_commits_nothing(sample_kinds):
    job = _enqueue()

    def taken_back_meanwhile():
        # The sweep presumed this run dead and gave the job another token.
        Job.objects.filter(pk=job.pk).update(token=Job.new_token())

    sample_kinds["confirm_after"] = taken_back_meanwhile

    assert job_run(job_id=job.pk, heartbeat=False) == "lost"

    job.refresh_from_db()
    assert job.result == {}  # the write before confirm() rolled back
    assert job.state == "running"  # left for the run that holds it


def test_confirm_raises_outside_the_claim():
    job = _enqueue()
    run = services.JobRun(job, heartbeat=False)

    with pytest.raises(JobLost), transaction.atomic():
        run.confirm()


def test_a_failed_job_is_retried_from_a_clean_state(
    sample_kinds, django_capture_on_commit_callbacks
):
    job = _enqueue()
    sample_kinds["raise"] = DomainError("No.")
    job_run(job_id=job.pk, heartbeat=False)
    sample_kinds["raise"] = None

    operator = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job=Job.objects.get(pk=job.pk), actor=operator)

    job.refresh_from_db()
    assert (job.state, job.attempts, job.message) == ("done", 1, "")
    assert [call for call, _args in CALLS] == ["run", "failed", "reset", "run"]
    entry = AuditEntry.objects.get(action="jobs.job.retried")
    assert (entry.actor, entry.target_id) == (operator, str(job.pk))


def test_only_a_failed_job_can_be_retried():
    job = _enqueue()
    job_run(job_id=job.pk, heartbeat=False)

    with pytest.raises(DomainError):
        job_retry(job=Job.objects.get(pk=job.pk))


# --- Mail -----------------------------------------------------------------------------------------


class FlakySMTPBackend(EmailBackend):
    """The outgoing server refuses the first conversations, then accepts (SMTP leaves the
    machine: it is the one thing the tests stand in for)."""

    failures_left = 0

    def send_messages(self, messages):
        if FlakySMTPBackend.failures_left:
            FlakySMTPBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("try later")
        return super().send_messages(messages)


def test_a_mail_survives_an_smtp_server_that_is_away(settings, django_capture_on_commit_callbacks):
    settings.MAILERS = {"default": {"BACKEND": "tests.jobs.test_jobs.FlakySMTPBackend"}}
    FlakySMTPBackend.failures_left = 2
    make_user(email="ana@example.org", preferred_language="pt")

    with django_capture_on_commit_callbacks(execute=True):
        mail_send_on_commit(
            to="ana@example.org",
            template="invitations/email/invitation",
            context={"subject": "Mulhouse", "invites": "Mulhouse", "accept_url": "https://x/i/1"},
            language="pt",
        )
    # Inline here, the attempts follow each other at once (a worker waits 10 s, then 20 s).
    job = Job.objects.get(kind="mail.send")
    assert (job.state, job.attempts) == ("done", 3)
    assert [message.to for message in mail.outbox] == [["ana@example.org"]]
    assert job.args == {}  # its links (tokens) are forgotten once sent


class RefusingSMTPBackend(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"nobody@example.org": (550, b"No such user")})


def test_a_mail_refused_for_good_fails_at_once_with_the_reason(
    settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": "tests.jobs.test_jobs.RefusingSMTPBackend"}}

    with django_capture_on_commit_callbacks(execute=True):
        mail_send_on_commit(
            to="nobody@example.org",
            template="invitations/email/invitation",
            context={"subject": "Mulhouse", "invites": "Mulhouse", "accept_url": "https://x/i/1"},
            language="en",
        )

    job = Job.objects.get(kind="mail.send")
    assert (job.state, job.attempts) == ("failed", 1)
    assert job.message == "The mail server refused the address nobody@example.org."
    assert job.args["to"] == ["nobody@example.org"]  # kept, for a retry


def test_a_rolled_back_change_mails_nobody(settings):
    with pytest.raises(RuntimeError), transaction.atomic():
        mail_send_on_commit(
            to="ana@example.org",
            template="invitations/email/invitation",
            context={"subject": "Mulhouse", "invites": "Mulhouse", "accept_url": "https://x/i/1"},
            language="en",
        )
        raise RuntimeError("refused")

    assert not Job.objects.exists()
    assert mail.outbox == []


def test_the_sweep_forgets_old_done_jobs_and_keeps_failed_ones(settings):
    old = timezone.now() - datetime.timedelta(days=settings.JOBS_KEEP_DONE_DAYS + 1)
    done = _enqueue(key="tests.sample:done")
    job_run(job_id=done.pk, heartbeat=False)
    failed = _enqueue(key="tests.sample:failed")
    recent = _enqueue(key="tests.sample:recent")
    job_run(job_id=recent.pk, heartbeat=False)
    Job.objects.filter(pk=done.pk).update(finished_at=old)
    Job.objects.filter(pk=failed.pk).update(state="failed", finished_at=old)

    jobs_sweep()

    assert set(Job.objects.values_list("pk", flat=True)) == {failed.pk, recent.pk}
