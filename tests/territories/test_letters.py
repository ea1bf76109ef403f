"""The network letter: written as a wiki page by the secretariat, sent once to its subscribers,
each in her language where a translation exists, never mailed twice to anyone (a second send,
a job run again, a worker killed halfway), left with one click, read on the site and in feeds."""

import re
from urllib.parse import urlsplit

import feedparser
import pytest
from django.conf import settings
from django.core import signing
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from territories.letters import services
from territories.models import LetterDelivery, NetworkLetter
from tests.factories import make_user
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import job_enqueue, job_run
from wikispiral.notifications.models import Follow
from wikispiral.wiki.models import Page, Space
from wikispiral.wiki.services import page_create

pytestmark = pytest.mark.django_db

MANAGE_LIST = reverse("letters:manage_list")
NEW = reverse("letters:new")
PUBLIC_LIST = reverse("letters:list")


def _subscriber(language: str = "", **extra):
    user = make_user(preferred_language=language, **extra)
    Follow.objects.create(user=user, kind="letter", key="network")
    return user


def _letter(author, *, title="News of the network", body="Dear friends,\n\nThe **news**."):
    return services.letter_create(actor=author, title=title, language="en", body=body)


def _translate(letter, language: str, title: str, body: str, author=None):
    return page_create(
        space=letter.page.space,
        language=language,
        title=title,
        body=body,
        actor=author,
        translation_of=letter.page,
    )


def _send(client, letter, capture):
    with capture(execute=True):
        return client.post(reverse("letters:send", kwargs={"letter": letter.pk}))


def _letter_mails(mailoutbox):
    return [mail for mail in mailoutbox if "List-Unsubscribe" in mail.extra_headers]


# --- Writing ------------------------------------------------------------------------------------


def test_the_secretariat_writes_a_draft_as_a_protected_page_of_the_network_space(
    client, secretariat_user, mailoutbox
):
    client.force_login(secretariat_user)

    response = client.post(
        NEW, {"title": "Spring letter", "language": "fr", "body": "Chers amis,\n\n# Nouvelles"}
    )

    letter = NetworkLetter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("letters:manage", kwargs={"letter": letter.pk})
    assert letter.status == NetworkLetter.Status.DRAFT
    assert letter.sent_at is None
    assert letter.created_by == secretariat_user
    assert letter.page.space.kind == Space.Kind.NETWORK
    assert letter.page.language == "fr"
    assert letter.page.is_protected
    assert letter.page.current_revision.body == "Chers amis,\n\n# Nouvelles"
    assert mailoutbox == []
    manage = client.get(response["Location"]).content.decode()
    # The wiki's own translation flow, for each language the letter lacks.
    assert f"translation_of={letter.page.pk}" in manage
    assert (
        reverse("wiki:page_new", kwargs={"space": letter.page.space.slug, "lang": "pt"}) in manage
    )
    assert client.get(MANAGE_LIST).status_code == 200


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [("", "Some text", "title"), ("   ", "Some text", "title"), ("A title", "  \n ", "body")],
)
def test_an_empty_title_or_text_is_refused_and_nothing_is_saved(
    client, secretariat_user, title, body, field
):
    client.force_login(secretariat_user)

    response = client.post(NEW, {"title": title, "language": "en", "body": body})

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not NetworkLetter.objects.exists()


def test_two_letters_may_share_a_title(secretariat_user):
    first = _letter(secretariat_user)
    second = _letter(secretariat_user)

    assert first.page.slug != second.page.slug


# --- Sending ------------------------------------------------------------------------------------


def test_each_subscriber_receives_the_letter_once_in_her_language(
    client, secretariat_user, mailoutbox, django_capture_on_commit_callbacks
):
    english = _subscriber("en")
    french = _subscriber("fr")
    portuguese = _subscriber("pt")  # no Portuguese translation: the original
    no_preference = _subscriber("")
    _subscriber("fr", is_active=False)
    _subscriber("fr", confirmed=False)
    make_user(preferred_language="fr")  # not subscribed
    letter = _letter(secretariat_user, body="Dear friends,\n\nThe harvest was good.")
    _translate(letter, "fr", "Nouvelles du réseau", "Chers amis,\n\nLa récolte fut bonne.")
    client.force_login(secretariat_user)

    confirmation = client.get(reverse("letters:send", kwargs={"letter": letter.pk}))
    response = _send(client, letter, django_capture_on_commit_callbacks)

    assert confirmation.status_code == 200
    assert confirmation.context["audience"].total == 4
    assert {line.language: line.count for line in confirmation.context["audience"].lines} == {
        "en": 3,
        "fr": 1,
    }
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == NetworkLetter.Status.SENT
    assert letter.sent_by == secretariat_user
    assert letter.sent_at is not None
    mails = {mail.to[0]: mail for mail in _letter_mails(mailoutbox)}
    assert len(_letter_mails(mailoutbox)) == 4
    assert set(mails) == {english.email, french.email, portuguese.email, no_preference.email}
    assert "Nouvelles du réseau" in mails[french.email].subject
    assert "La récolte fut bonne." in mails[french.email].body
    for person in (english, portuguese, no_preference):
        assert "News of the network" in mails[person.email].subject
        assert "The harvest was good." in mails[person.email].body
    deliveries = dict(LetterDelivery.objects.values_list("user__email", "language"))
    assert deliveries == {
        english.email: "en",
        french.email: "fr",
        portuguese.email: "en",
        no_preference.email: "en",
    }
    read = mails[french.email].body
    assert f"{settings.SITE_URL}/letters/{letter.pk}/?lang=fr" in read


def test_a_letter_sent_twice_is_refused_and_mails_nobody_again(
    client, secretariat_user, mailoutbox, django_capture_on_commit_callbacks
):
    _subscriber("en")
    _subscriber("fr")
    letter = _letter(secretariat_user)
    client.force_login(secretariat_user)
    _send(client, letter, django_capture_on_commit_callbacks)
    letter.refresh_from_db()
    sent_at = letter.sent_at
    mailed = len(mailoutbox)

    again = _send(client, letter, django_capture_on_commit_callbacks)

    assert mailed == 2
    assert again.status_code == 400
    assert "This letter was already sent" in again.content.decode()
    assert len(mailoutbox) == mailed
    assert LetterDelivery.objects.count() == 2
    letter.refresh_from_db()
    assert letter.sent_at == sent_at
    with pytest.raises(services.LetterAlreadySent):
        services.letter_send(letter=letter, actor=secretariat_user)


def test_running_the_job_again_mails_nobody_twice(
    secretariat_user, mailoutbox, django_capture_on_commit_callbacks
):
    people = [_subscriber("en") for _ in range(3)]
    letter = _letter(secretariat_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_send(letter=letter, actor=secretariat_user)
    assert len(mailoutbox) == 3

    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(
            kind=services.JOB_KIND,
            key=services.letter_job_key(letter.pk),
            args={"letter_id": letter.pk},
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert job_run(job_id=job.pk, heartbeat=False) in {"done", "skipped"}
        assert services.letter_deliver(letter_id=letter.pk) == 0

    assert len(mailoutbox) == 3
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(p.email for p in people)
    assert LetterDelivery.objects.filter(letter=letter).count() == 3


class Crash(Exception):
    pass


def test_a_worker_killed_halfway_keeps_what_it_delivered_and_the_rest_follow(
    secretariat_user, mailoutbox, django_capture_on_commit_callbacks
):
    people = [_subscriber("en") for _ in range(5)]
    letter = _letter(secretariat_user)
    with django_capture_on_commit_callbacks(execute=False):
        # The send is recorded, its job's message lost: nothing mailed yet.
        services.letter_send(letter=letter, actor=secretariat_user)

    def crash(delivered: int) -> None:
        raise Crash(delivered)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Crash):
        services.letter_deliver(letter_id=letter.pk, batch_size=2, after_batch=crash)

    assert LetterDelivery.objects.filter(letter=letter).count() == 2
    assert len(mailoutbox) == 2
    letter.refresh_from_db()
    assert letter.status == NetworkLetter.Status.SENDING

    # The job the send recorded runs at last (a worker, or the sweep's second message).
    job = Job.objects.get(key=services.letter_job_key(letter.pk))
    with django_capture_on_commit_callbacks(execute=True):
        assert job_run(job_id=job.pk, heartbeat=False) == "done"

    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(p.email for p in people)
    assert LetterDelivery.objects.filter(letter=letter).count() == 5
    letter.refresh_from_db()
    assert letter.status == NetworkLetter.Status.SENT


def test_a_batch_that_fails_midway_saves_none_of_its_deliveries(
    secretariat_user, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    people = [_subscriber("en") for _ in range(4)]
    letter = _letter(secretariat_user)
    with django_capture_on_commit_callbacks(execute=False):
        services.letter_send(letter=letter, actor=secretariat_user)
    real_mail = services._mail

    def mail_or_crash(letter, user, *args):
        if user == people[3]:
            raise Crash("the worker dies between two mails of one batch")
        real_mail(letter, user, *args)

    monkeypatch.setattr(services, "_mail", mail_or_crash)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Crash):
        services.letter_deliver(letter_id=letter.pk, batch_size=2)

    # The first batch committed; the second rolled back whole: no delivery without its mail.
    assert set(LetterDelivery.objects.values_list("user", flat=True)) == {
        people[0].pk,
        people[1].pk,
    }
    assert len(mailoutbox) == 2
    monkeypatch.setattr(services, "_mail", real_mail)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.letter_deliver(letter_id=letter.pk, batch_size=2) == 2
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(p.email for p in people)


def test_a_letter_with_no_subscriber_is_recorded_as_sent(
    client, secretariat_user, mailoutbox, django_capture_on_commit_callbacks
):
    letter = _letter(secretariat_user)
    client.force_login(secretariat_user)

    response = _send(client, letter, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == NetworkLetter.Status.SENT
    assert not LetterDelivery.objects.exists()
    assert mailoutbox == []
    assert letter.title in client.get(PUBLIC_LIST).content.decode()


def test_sending_protects_every_translation(secretariat_user, django_capture_on_commit_callbacks):
    translator = make_user()
    letter = _letter(secretariat_user)
    french = _translate(letter, "fr", "Nouvelles", "Texte.", author=translator)
    assert not french.is_protected

    with django_capture_on_commit_callbacks(execute=True):
        services.letter_send(letter=letter, actor=secretariat_user)

    french.refresh_from_db()
    assert french.is_protected


# --- Leaving the list ---------------------------------------------------------------------------


def _unsubscribe_path(mail) -> str:
    header = mail.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{settings.SITE_URL}/") and header.endswith(">")
    return urlsplit(header[1:-1]).path


def test_the_mail_carries_a_one_click_unsubscribe_that_works(
    client, secretariat_user, mailoutbox, django_capture_on_commit_callbacks
):
    reader = _subscriber("en")
    other = _subscriber("en")
    letter = _letter(secretariat_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_send(letter=letter, actor=secretariat_user)
    mail = next(m for m in mailoutbox if m.to == [reader.email])
    path = _unsubscribe_path(mail)

    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"{settings.SITE_URL}{path}" in mail.body
    # Opened in a browser, signed in or not: a page asking to confirm, nothing changed yet.
    assert client.get(path).status_code == 200
    assert Follow.objects.filter(user=reader, kind="letter").exists()
    # A mail client's one-click POST (RFC 8058) carries no CSRF token and no session.
    one_click = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert one_click.status_code == 200
    assert not Follow.objects.filter(user=reader, kind="letter").exists()
    assert Follow.objects.filter(user=other, kind="letter").exists()
    # Again: nothing left to remove, still fine.
    assert Client(enforce_csrf_checks=True).post(path).status_code == 200
    # The next letter skips her.
    second = _letter(secretariat_user, title="The next letter")
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_send(letter=second, actor=secretariat_user)
    assert [m.to for m in mailoutbox if "The next letter" in m.subject] == [[other.email]]


def test_a_tampered_unsubscribe_link_answers_400_and_changes_nothing(
    client, secretariat_user, mailoutbox, django_capture_on_commit_callbacks
):
    reader = _subscriber("en")
    letter = _letter(secretariat_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_send(letter=letter, actor=secretariat_user)
    path = _unsubscribe_path(mailoutbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    forged = [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        signing.dumps({"u": reader.pk, "w": "letter"}, salt="another.salt"),
        "not-a-token",
    ]

    for bad in forged:
        bad_path = path.replace(token, bad)
        for method in (client.get, client.post):
            assert method(bad_path).status_code == 400, bad
    assert Follow.objects.filter(user=reader, kind="letter").exists()


# --- Reading ------------------------------------------------------------------------------------


def test_drafts_are_the_secretariats_alone(client, secretariat_user):
    letter = _letter(secretariat_user, title="Secret draft")
    detail = reverse("letters:detail", kwargs={"letter": letter.pk})
    outsider = make_user()

    assert client.get(detail).status_code == 404
    assert "Secret draft" not in client.get(PUBLIC_LIST).content.decode()
    client.force_login(outsider)
    assert client.get(detail).status_code == 404
    for name in ("letters:manage", "letters:send"):
        url = reverse(name, kwargs={"letter": letter.pk})
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert client.get(MANAGE_LIST).status_code == 404
    assert client.post(NEW, {"title": "x", "language": "en", "body": "x"}).status_code == 404
    assert not NetworkLetter.objects.exclude(pk=letter.pk).exists()
    client.force_login(secretariat_user)
    assert client.get(detail).status_code == 200


def _wiki_address(page) -> str:
    return reverse(
        "wiki:page", kwargs={"space": page.space.slug, "lang": page.language, "slug": page.slug}
    )


def test_a_drafts_wiki_page_is_the_secretariats_alone(client, secretariat_user):
    letter = _letter(secretariat_user, title="Secret draft", body="Unsent words.")
    french = _translate(letter, "fr", "Brouillon secret", "Mots pas envoyés.", secretariat_user)
    page = letter.page
    space_home = reverse("wiki:space_home", kwargs={"space": page.space.slug})
    public = [
        reverse("wiki:recent_changes"),
        reverse("wiki:feed_latest_rss"),
        reverse("wiki:feed_latest_atom"),
    ]

    assert page.space.kind == Space.Kind.NETWORK
    assert not page.space.is_public
    assert french.space == page.space
    for who in (None, make_user()):  # anonymous, then a confirmed person who is not staff
        if who is not None:
            client.force_login(who)
        for url in (
            _wiki_address(page),
            _wiki_address(french),
            _wiki_address(page) + "history/",
            _wiki_address(page) + "feed.rss",
            space_home,
        ):
            assert client.get(url).status_code == 404, (who, url)
        edit = client.get(_wiki_address(page) + "edit/")
        # Editing asks an anonymous visitor to sign in first (whatever the page), then 404.
        assert edit.status_code == (302 if who is None else 404)
        for url in public:
            response = client.get(url)
            assert response.status_code == 200
            text = response.content.decode()
            assert "Secret draft" not in text and "Brouillon secret" not in text, url
            assert page.space.slug not in text, url
    client.force_login(secretariat_user)
    assert client.get(_wiki_address(page)).status_code == 200
    assert client.get(_wiki_address(french)).status_code == 200


def test_only_the_secretariat_translates_a_letter(client, secretariat_user):
    letter = _letter(secretariat_user)
    new = reverse("wiki:page_new", kwargs={"space": letter.page.space.slug, "lang": "fr"})
    data = {"title": "Nouvelles", "body": "Texte.", "translation_of": letter.page.pk}

    client.force_login(make_user())
    assert client.get(new, {"translation_of": letter.page.pk}).status_code == 404
    assert client.post(new, data).status_code == 404
    assert not Page.objects.filter(translation_key=letter.page.translation_key, language="fr")

    client.force_login(secretariat_user)
    assert client.post(new, data).status_code == 302
    assert sorted(services.selectors.letter_pages(letter=letter)) == ["en", "fr"]


def test_a_translation_made_after_sending_is_never_delivered(
    client, secretariat_user, mailoutbox, django_capture_on_commit_callbacks
):
    french = _subscriber("fr")
    english = _subscriber("en")
    letter = _letter(secretariat_user, body="The harvest was good.")
    with django_capture_on_commit_callbacks(execute=False):
        # The send is recorded, its job not run yet.
        services.letter_send(letter=letter, actor=secretariat_user)
    letter.refresh_from_db()
    late = _translate(letter, "fr", "Nouvelles tardives", "Texte jamais envoyé.", secretariat_user)
    assert late.created_at > letter.sent_at

    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(
            kind=services.JOB_KIND,
            key=services.letter_job_key(letter.pk),
            args={"letter_id": letter.pk},
        )
    with django_capture_on_commit_callbacks(execute=True):
        job_run(job_id=job.pk, heartbeat=False)
        services.letter_deliver(letter_id=letter.pk)

    mails = {mail.to[0]: mail for mail in _letter_mails(mailoutbox)}
    assert set(mails) == {french.email, english.email}
    assert "Texte jamais envoyé." not in mails[french.email].body
    assert "The harvest was good." in mails[french.email].body
    assert dict(LetterDelivery.objects.values_list("user__email", "language")) == {
        french.email: "en",
        english.email: "en",
    }
    detail = reverse("letters:detail", kwargs={"letter": letter.pk})
    assert "Texte jamais envoyé." not in client.get(detail + "?lang=fr").content.decode()


def test_a_reader_reads_the_letter_in_her_language_where_it_exists(
    client, secretariat_user, django_capture_on_commit_callbacks
):
    letter = _letter(secretariat_user, body="The harvest was good.")
    _translate(letter, "fr", "Nouvelles du réseau", "La récolte fut bonne.")
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_send(letter=letter, actor=secretariat_user)
    detail = reverse("letters:detail", kwargs={"letter": letter.pk})

    french = client.get(detail, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    portuguese = client.get(detail, HTTP_ACCEPT_LANGUAGE="pt").content.decode()
    chosen = client.get(detail + "?lang=en", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "La récolte fut bonne." in french
    assert "The harvest was good." in portuguese
    assert "The harvest was good." in chosen
    listed = client.get(PUBLIC_LIST).content.decode()
    assert detail in listed


def test_the_feeds_list_sent_letters_only_with_escaped_titles(
    client, secretariat_user, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    title = 'L\'Atelier & <b>co</b>: "news" <script>x</script>'
    sent = _letter(secretariat_user, title=title, body="Some <b>bold</b> words.")
    for number in range(3):
        other = _letter(secretariat_user, title=f"Older letter {number}")
        with django_capture_on_commit_callbacks(execute=True):
            services.letter_send(letter=other, actor=secretariat_user)
    _letter(secretariat_user, title="Secret draft")
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_send(letter=sent, actor=secretariat_user)
    link = reverse("letters:detail", kwargs={"letter": sent.pk})

    for name in ("letters:feed_rss", "letters:feed_atom"):
        with django_assert_max_num_queries(3):
            raw = client.get(reverse(name)).content.decode()
        parsed = feedparser.parse(raw)
        assert parsed.bozo == 0, name
        titles = [entry.title for entry in parsed.entries]
        assert titles[0] == title, name
        assert len(titles) == 4
        assert "Secret draft" not in raw
        assert parsed.entries[0].link.endswith(link)
        # Escaped once, as XML: never markup of its own, never "&amp;lt;".
        assert "&lt;b&gt;co&lt;/b&gt;" in raw
        assert "<script>" not in raw and "<b>" not in raw
        assert "&amp;lt;" not in re.sub(
            r"<(summary|description)[^>]*>.*?</\1>", "", raw, flags=re.S
        )


def test_the_public_list_is_newest_first_in_few_queries(
    client, secretariat_user, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for number in range(5):
        letter = _letter(secretariat_user, title=f"Letter {number}")
        with django_capture_on_commit_callbacks(execute=True):
            services.letter_send(letter=letter, actor=secretariat_user)

    with django_assert_max_num_queries(8):
        html = client.get(PUBLIC_LIST).content.decode()

    positions = [html.index(f"Letter {number}<") for number in range(5)]
    assert positions == sorted(positions, reverse=True)


def test_a_reader_subscribes_from_the_letters_page(client):
    reader = make_user(preferred_language="pt")
    client.force_login(reader)
    follow = reverse("notifications:follow")

    html = client.get(PUBLIC_LIST).content.decode()
    response = client.post(follow, {"kind": "letter", "key": "network", "next": PUBLIC_LIST})

    assert f'action="{follow}"' in html
    assert 'name="kind" value="letter"' in html
    assert response.status_code == 302
    assert list(services.selectors.subscribers()) == [reader]
    assert (
        f'action="{reverse("notifications:unfollow")}"' in client.get(PUBLIC_LIST).content.decode()
    )


# --- Demo ---------------------------------------------------------------------------------------


def test_seed_letters_refuses_when_debug_is_off(settings):
    # Sending the seeded letter mails every subscriber: on a real site, real people.
    settings.DEBUG = False
    make_user(username="secretariat", secretariat=True)
    _subscriber("en")

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_letters")

    assert not NetworkLetter.objects.exists()
    assert not LetterDelivery.objects.exists()


def test_seed_letters_is_idempotent(mailoutbox, settings):
    settings.DEBUG = True
    make_user(username="secretariat", secretariat=True)

    call_command("seed_letters")
    call_command("seed_letters")

    letters = list(NetworkLetter.objects.order_by("pk"))
    assert [letter.status for letter in letters] == ["sent", "draft"]
    sent = letters[0]
    assert sorted(services.selectors.letter_pages(letter=sent)) == ["en", "fr", "pt"]
    subscribers = services.selectors.subscribers().count()
    assert subscribers >= 3
    assert LetterDelivery.objects.filter(letter=sent).count() == subscribers
