"""E-mail digests: one mail per person and period, listing what others changed in what she
follows, in her language and time zone, with a one-click unsubscribe; built for everyone at
once in a fixed number of queries; never twice, even when a run dies halfway."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from territories.models import Membership
from territories.secretariat.services import coordination_group_hide
from territories.services import membership_set
from tests.factories import make_coordination_group, make_page, make_user
from tests.notifications.conftest import follow
from wikispiral.jobs.models import Job
from wikispiral.notifications import digests
from wikispiral.notifications.jobs import DIGEST_JOB, digests_period_enqueue
from wikispiral.notifications.models import Change, Digest, Preference
from wikispiral.notifications.services import change_record
from wikispiral.notifications.tokens import unsubscribe_token_read

pytestmark = pytest.mark.django_db


def _change(kind: str, key: object, actor, title: str = "Wells", verb: str = "edit", **extra):
    change_record(kind=kind, key=key, actor=actor, title=title, url="/x/", verb=verb, **extra)


def _build_and_send(period: str = "daily") -> digests.Built:
    built = digests.digests_build(period=period)
    digests.digests_send()
    return built


def _reader(**extra):
    return make_user(**extra)


def test_a_daily_digest_tells_her_what_others_changed_once(mailoutbox):
    ana, bruno = _reader(display_name="Ana"), make_user(display_name="Bruno")
    page = make_page(title="Wells")
    group = make_coordination_group(name="Praia")
    follow(ana, "page", page.pk)
    follow(ana, "group", group.pk)
    _change("page", page.pk, bruno, summary="deeper now")
    _change("group", group.pk, bruno, title="Praia", verb="updated")
    _change("page", page.pk, ana, summary="her own edit")

    built = _build_and_send()
    again = _build_and_send()

    assert (built.digests, again.digests) == (1, 0)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [ana.email]
    assert message.subject == "wikispiral, your day: 2 changes in what you follow"
    assert "Hello Ana," in message.body
    assert "Wells (Wiki page)" in message.body and page.get_absolute_url() in message.body
    assert "Praia (Coordination group)" in message.body
    assert "Edited · Bruno · “deeper now”" in message.body
    assert "Its description was updated · Bruno" in message.body
    assert "her own edit" not in message.body
    assert Digest.objects.get().sent_at is not None


def test_a_run_that_dies_before_its_commit_leaves_nothing_and_the_next_one_mails_once(mailoutbox):
    ana = _reader()
    page = make_page()
    follow(ana, "page", page.pk)
    _change("page", page.pk, make_user())

    def die() -> None:
        raise RuntimeError("the worker was killed here")

    with pytest.raises(RuntimeError):
        digests.digests_build(period="daily", before_commit=die)
    assert not Digest.objects.exists()
    assert not Preference.objects.filter(user=ana, digest_sent_until__isnull=False).exists()

    _build_and_send()
    _build_and_send()

    assert len(mailoutbox) == 1


def test_changes_before_she_followed_and_after_the_cutoff_wait_their_turn(mailoutbox):
    ana, bruno = _reader(), make_user()
    page = make_page()
    _change("page", page.pk, bruno, summary="before")
    follow(ana, "page", page.pk)
    _change("page", page.pk, bruno, summary="first")
    cutoff = timezone.now()
    _change("page", page.pk, bruno, summary="second")

    digests.digests_build(period="daily", cutoff=cutoff)
    digests.digests_build(period="daily")
    digests.digests_send()

    first, second = (message.body for message in mailoutbox)
    assert "first" in first and "second" not in first and "before" not in first
    assert "second" in second and "first" not in second


def test_each_period_mails_its_own_people_and_never_those_who_said_never(mailoutbox):
    page = make_page()
    people = {}
    for frequency in ("immediate", "daily", "weekly", "never"):
        people[frequency] = make_user(username=frequency)
        Preference.objects.create(user=people[frequency], frequency=frequency)
        follow(people[frequency], "page", page.pk)
    default = make_user(username="default")  # no choice made: daily
    unconfirmed = make_user(username="unconfirmed", confirmed=False)
    for person in (default, unconfirmed):
        follow(person, "page", page.pk)
    _change("page", page.pk, make_user())

    told = {}
    for period in ("immediate", "daily", "weekly"):
        before = len(mailoutbox)
        _build_and_send(period)
        told[period] = sorted(message.to[0].split("@")[0] for message in mailoutbox[before:])

    assert told == {"immediate": ["immediate"], "daily": ["daily", "default"], "weekly": ["weekly"]}


def test_a_hidden_groups_page_is_told_to_its_members_and_the_staff_only(mailoutbox):
    member, outsider, staff = _reader(), _reader(), _reader(secretariat=True)
    group = make_coordination_group(name="Hidden")
    membership_set(group=group, user=member, role=Membership.Role.MEMBER)
    page = make_page(space=group.space, title="Our draft")
    coordination_group_hide(actor=make_user(secretariat=True), group=group, reason="Test")
    for person in (member, outsider, staff):
        follow(person, "page", page.pk)
    _change("page", page.pk, make_user(), title="Our draft")

    _build_and_send()

    assert sorted(message.to[0] for message in mailoutbox) == sorted([member.email, staff.email])


def test_what_she_may_no_longer_see_is_not_mailed_and_not_kept_for_later(mailoutbox):
    ana = _reader()
    group = make_coordination_group(name="Hidden soon")
    follow(ana, "group", group.pk)
    _change("group", group.pk, make_user(), title="Hidden soon", verb="updated")
    coordination_group_hide(actor=make_user(secretariat=True), group=group, reason="Test")

    built = _build_and_send()

    assert (built.readers, built.digests, len(mailoutbox)) == (1, 0, 0)
    assert Preference.objects.get(user=ana).digest_sent_until == built.cutoff


@pytest.mark.parametrize(
    ("language", "month"), [("en", "March 14, 2026"), ("fr", "14 mars 2026"), ("pt", "Março")]
)
def test_each_digest_is_written_in_its_readers_language(mailoutbox, language, month):
    reader = _reader(preferred_language=language)
    page = make_page()
    follow(reader, "page", page.pk)
    reader.follows.update(created_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC))
    _change("page", page.pk, make_user())
    Change.objects.update(created_at=datetime.datetime(2026, 3, 14, 10, 30, tzinfo=datetime.UTC))
    cutoff = datetime.datetime(2026, 3, 15, tzinfo=datetime.UTC)

    digests.digests_build(period="daily", cutoff=cutoff)
    digests.digests_send()

    assert month in mailoutbox[0].body


def test_the_language_of_the_job_does_not_leak_into_her_digest(mailoutbox):
    reader = _reader(preferred_language="en")
    page = make_page()
    follow(reader, "page", page.pk)
    reader.follows.update(created_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC))
    _change("page", page.pk, make_user())
    Change.objects.update(created_at=datetime.datetime(2026, 3, 14, 10, 30, tzinfo=datetime.UTC))

    with translation.override("fr"):
        digests.digests_build(
            period="daily", cutoff=datetime.datetime(2026, 3, 15, tzinfo=datetime.UTC)
        )
    digests.digests_send()

    assert "March 14, 2026" in mailoutbox[0].body and "mars" not in mailoutbox[0].body


def test_times_in_the_digest_are_in_her_time_zone(mailoutbox):
    reader = _reader(time_zone="Asia/Tokyo")
    page = make_page()
    follow(reader, "page", page.pk)
    reader.follows.update(created_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC))
    _change("page", page.pk, make_user())
    Change.objects.update(created_at=datetime.datetime(2026, 3, 14, 22, 30, tzinfo=datetime.UTC))

    digests.digests_build(
        period="daily", cutoff=datetime.datetime(2026, 3, 16, tzinfo=datetime.UTC)
    )
    digests.digests_send()

    body = mailoutbox[0].body
    assert "March 15, 2026, 7:30 a.m." in body and "(Asia/Tokyo)" in body


def test_the_digest_carries_a_one_click_unsubscribe(mailoutbox):
    reader = _reader()
    page = make_page()
    follow(reader, "page", page.pk)
    _change("page", page.pk, make_user())

    _build_and_send()

    headers = mailoutbox[0].extra_headers
    link = headers["List-Unsubscribe"].strip("<>")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link.startswith("http") and link in mailoutbox[0].body
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert unsubscribe_token_read(token) == (reader.pk, "digest")


def test_building_every_digest_takes_the_same_queries_for_3_or_30_people():
    secretary = make_user(secretariat=True)

    def build(people: int) -> tuple[int, int]:
        page = make_page()
        group = make_coordination_group()
        hidden = make_coordination_group()
        private = make_page(space=hidden.space)
        coordination_group_hide(actor=secretary, group=hidden, reason="Test")
        for number in range(people):
            reader = _reader(preferred_language=["en", "fr", "pt"][number % 3])
            follow(reader, "page", page.pk)
            follow(reader, "group", group.pk)
            # A third belong to the hidden group and follow its page and its synthesis.
            if number % 3 == 0:
                membership_set(group=hidden, user=reader, role=Membership.Role.MEMBER)
            follow(reader, "page", private.pk)
            follow(reader, "scope", f"cg-{hidden.pk}")
        _change("page", page.pk, make_user())
        _change("group", group.pk, make_user(), verb="updated")
        _change("page", private.pk, make_user())
        _change("scope", f"cg-{hidden.pk}", None, verb="figures")
        Job.objects.all().delete()  # the sending job is recorded by each build alike
        with CaptureQueriesContext(connection) as queries:
            built = digests.digests_build(period="daily")
        return built.digests, len(queries)

    few, few_queries = build(3)
    many, many_queries = build(30)

    assert (few, many) == (3, 30)
    assert many_queries == few_queries


class RefusingBackend(EmailBackend):
    """Refuses one address for good, as a real server would."""

    def send_messages(self, messages):
        for message in messages:
            if "refused@" in message.to[0]:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
        return super().send_messages(messages)


def test_an_address_refused_for_good_is_skipped_and_the_others_are_sent(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.test_digests.RefusingBackend"}}
    mail.outbox = []
    page = make_page()
    for name in ("refused", "fine"):
        follow(_reader(username=name, email=f"{name}@example.org"), "page", page.pk)
    _change("page", page.pk, make_user())

    digests.digests_build(period="daily")
    sent = digests.digests_send()

    assert sent == 1 and [message.to for message in mail.outbox] == [["fine@example.org"]]
    refused = Digest.objects.get(to="refused@example.org")
    assert refused.failed_at is not None and refused.sent_at is None
    assert digests.digests_send() == 0


def test_the_daily_job_builds_and_sends_through_the_durable_jobs(
    mailoutbox, django_capture_on_commit_callbacks
):
    reader = _reader()
    page = make_page()
    follow(reader, "page", page.pk)
    _change("page", page.pk, make_user())

    with django_capture_on_commit_callbacks(execute=True):
        digests_period_enqueue(period="daily")
    with django_capture_on_commit_callbacks(execute=True):
        digests_period_enqueue(period="daily")  # beat twice the same day: nothing left

    jobs = Job.objects.filter(kind=DIGEST_JOB).order_by("pk")
    assert [(job.state, job.result["digests"]) for job in jobs] == [("done", 1), ("done", 0)]
    assert {job.key for job in jobs} == {f"{DIGEST_JOB}:daily:{timezone.now():%Y-%m-%d}"}
    assert Job.objects.get(kind=digests.SEND_JOB).state == "done"
    assert len(mailoutbox) == 1


def test_a_change_wakes_the_immediate_job_only_for_someone_who_wants_it(
    mailoutbox, django_capture_on_commit_callbacks
):
    quick, daily = _reader(), _reader()
    Preference.objects.create(user=quick, frequency="immediate")
    page, other = make_page(), make_page()
    follow(quick, "page", page.pk)
    follow(daily, "page", other.pk)

    with django_capture_on_commit_callbacks(execute=True):
        _change("page", other.pk, make_user())
    assert not Job.objects.filter(kind="notifications.immediate").exists()
    with django_capture_on_commit_callbacks(execute=True):
        _change("page", page.pk, make_user(), title="Quick")

    assert Job.objects.get(kind="notifications.immediate").state == "done"
    assert [message.to for message in mailoutbox] == [[quick.email]]
    assert mailoutbox[0].subject == "wikispiral: 1 change in what you follow"


def test_old_changes_and_sent_digests_are_forgotten():
    page = make_page()
    Change.objects.update(created_at=timezone.now() - datetime.timedelta(days=400))
    Digest.objects.create(
        user=make_user(),
        period="daily",
        to="a@example.org",
        subject="s",
        body="b",
        covers_until=timezone.now(),
        sent_at=timezone.now(),
    )
    Digest.objects.update(created_at=timezone.now() - datetime.timedelta(days=40))
    _change("page", page.pk, None)

    assert digests.notifications_forget() == (1, 1)
    assert Change.objects.count() == 1


def test_the_sweep_starts_the_immediate_digests_a_lost_message_left_waiting():
    from wikispiral.notifications.jobs import _immediate_orphans

    quick = _reader()
    Preference.objects.create(user=quick, frequency="immediate")
    page = make_page()
    follow(quick, "page", page.pk)
    _change("page", page.pk, make_user())

    waiting = _immediate_orphans()
    digests.digests_build(period="immediate")

    assert waiting == [{"key": "notifications.immediate"}]
    assert _immediate_orphans() == []


def test_a_digest_names_a_thing_as_it_is_named_now(mailoutbox):
    from wikispiral.wiki import services as wiki

    reader = _reader()
    page = make_page(title="Old name")
    follow(reader, "page", page.pk)
    _change("page", page.pk, make_user(), title="Old name")
    wiki.page_move(page=page, actor=reader, title="New name")

    _build_and_send()

    assert "New name (Wiki page)" in mailoutbox[0].body
    assert "Old name" not in mailoutbox[0].body
