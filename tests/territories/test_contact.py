"""Writing to the network: the contact forms to the secretariat and to a platform's
facilitators (stored, mailed to each recipient in her language, never to the sender), their
bot protection and limits, and the two inboxes."""

import time

import pytest
from django.urls import reverse
from django.utils import translation

from territories.contact import views
from territories.models import ContactMessage, Membership
from territories.services import membership_set
from tests.factories import make_coordination_group, make_user
from wikispiral.accounts.forms import make_form_stamp
from wikispiral.audit.selectors import audit_list
from wikispiral.jobs.models import Job
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

WRITE = reverse("contact:secretariat")
SENT = reverse("contact:sent")
INBOX = reverse("contact:inbox")


def message_data(**overrides: object) -> dict:
    data = {
        "name": "Claire Martin",
        "email": "claire@example.org",
        "subject": "Joining the network",
        "body": "Our town would like to know how to run SPIRAL with its residents.",
        "stamp": make_form_stamp(time.time() - 60),
        "website": "",
    }
    data.update(overrides)
    return data


def _post(client, url: str = WRITE, remote_addr: str = "198.51.100.7", **overrides: object):
    return client.post(url, message_data(**overrides), REMOTE_ADDR=remote_addr)


def _messages() -> list[ContactMessage]:
    with cross_tenant():
        return list(ContactMessage.objects.order_by("pk"))


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Post a message with the after-commit work (the mail jobs) run."""

    def _send(url: str = WRITE, **overrides: object):
        with django_capture_on_commit_callbacks(execute=True):
            return _post(client, url, **overrides)

    return _send


@pytest.fixture
def platform():
    """A visible platform with two facilitators (one French), an editor and a member."""
    french = make_user(username="amelie", email="amelie@example.org", preferred_language="fr")
    group = make_coordination_group(name="Mulhouse", facilitator=french)
    english = make_user(username="ben", email="ben@example.org", preferred_language="en")
    editor = make_user(username="edith", email="edith@example.org")
    with cross_tenant():
        membership_set(group=group, user=english, role=Membership.Role.FACILITATOR)
        membership_set(group=group, user=editor, role=Membership.Role.EDITOR)
    group.french, group.english, group.editor = french, english, editor
    return group


def _group_url(group, name: str = "contact:group", **kwargs: object) -> str:
    return reverse(name, kwargs={"cg": group.slug, **kwargs})


# --- Writing to the secretariat -----------------------------------------------------------------


def test_contact_form_is_public_protected_and_linked_from_every_page(client):
    html = client.get(WRITE).content.decode()

    assert 'class="honeypot" aria-hidden="true"' in html
    assert 'name="stamp"' in html
    assert '<label for="id_body">' in html
    assert f'href="{WRITE}"' in client.get(reverse("wiki:home")).content.decode()


def test_message_to_the_secretariat_is_stored_and_mailed_to_each_secretary_with_reply_to(
    send, client, mailoutbox
):
    secretary = make_user(secretariat=True, email="sec@example.org")
    colleague = make_user(secretariat=True, email="colleague@example.org")
    make_user(secretariat=True, is_active=False, email="former@example.org")
    make_user(email="someone@example.org")

    response = send()

    assert response.status_code == 302
    assert response["Location"] == SENT
    [message] = _messages()
    assert message.tenant is None
    assert (message.sender_name, message.sender_email) == ("Claire Martin", "claire@example.org")
    assert message.subject == "Joining the network"
    assert message.status == ContactMessage.Status.NEW
    assert message.sender is None
    assert message.mailed_at is not None
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([secretary.email, colleague.email])
    for mail in mailoutbox:
        assert mail.message()["Reply-To"] == "claire@example.org"
        assert "Joining the network" in mail.subject
        assert "run SPIRAL with its residents" in mail.body
        assert reverse("contact:message", kwargs={"pk": message.pk}) in mail.body
    # The sender is never mailed: the form is no relay to an address anyone types.
    assert all("claire@example.org" not in mail.to for mail in mailoutbox)
    sent = client.get(SENT).content.decode()
    assert "sec@example.org" not in sent and "colleague@example.org" not in sent


def test_recipients_addresses_are_never_in_the_pages_the_sender_sees(client, platform):
    make_user(secretariat=True, email="sec@example.org")
    addresses = ["sec@example.org", "amelie@example.org", "ben@example.org"]

    pages = [
        client.get(WRITE),
        _post(client, subject=""),
        client.get(_group_url(platform)),
        _post(client, _group_url(platform), subject=""),
        client.get(reverse("directory:group", kwargs={"cg": platform.slug})),
    ]

    for page in pages:
        html = page.content.decode()
        assert not [address for address in addresses if address in html]


def test_without_any_secretary_the_message_is_kept_for_the_inbox(send, client_for, mailoutbox):
    assert send().status_code == 302

    [message] = _messages()
    assert message.mailed_at is None
    assert mailoutbox == []
    staff = make_user(is_superuser=True)
    assert "Joining the network" in client_for(staff).get(INBOX).content.decode()


def test_signed_in_person_finds_name_and_email_filled_in_and_is_linked(client, mailoutbox):
    person = make_user(display_name="Ana Lima", email="ana@example.org", preferred_language="pt")
    client.force_login(person)

    page = client.get(WRITE).content.decode()
    _post(client, name="Ana Lima", email="ana@example.org")

    assert 'value="Ana Lima"' in page
    assert 'value="ana@example.org"' in page
    [message] = _messages()
    assert message.sender == person
    assert message.sender_language == "pt"


def test_honeypot_pretends_success_and_saves_and_mails_nothing(send, mailoutbox):
    make_user(secretariat=True)

    response = send(website="https://spam.example")

    assert response.status_code == 302
    assert response["Location"] == SENT
    assert _messages() == []
    assert mailoutbox == []


def test_a_form_sent_sooner_than_three_seconds_after_render_is_refused(send, mailoutbox):
    response = send(stamp=make_form_stamp(time.time() - 1))

    assert response.status_code == 400
    assert b"sent too quickly" in response.content
    assert _messages() == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("email", " ", "This field is required."),
        ("subject", "", "This field is required."),
        ("body", "\n \n", "This field is required."),
        ("email", "claire@", "Enter a valid email address."),
        ("subject", "s" * 201, "at most 200 characters"),
        ("body", "b" * 5_001, "at most 5000 characters"),
        ("body", "https://spam.example/a https://spam.example/b", "not only as links"),
        ("body", "Look: www.spam.example", "not only as links"),
        (
            "body",
            "Here are our four pages about the town: http://a.example http://b.example "
            "http://c.example http://d.example",
            "too many links",
        ),
        (
            "subject",
            "http://a.example http://b.example http://c.example www.d.example",
            "too many links",
        ),
    ],
)
def test_bad_input_answers_400_with_a_message_and_saves_and_mails_nothing(
    send, mailoutbox, field, value, message
):
    make_user(secretariat=True)

    response = send(**{field: value})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert f'id="id_{field}_error"' in response.content.decode()
    assert _messages() == []
    assert mailoutbox == []


def test_three_links_with_words_around_them_are_accepted(send):
    body = (
        "We wrote three pages about our first meetings: http://a.example, http://b.example "
        "and www.c.example. Could they go on the wiki?"
    )

    assert send(body=body).status_code == 302
    assert _messages()[0].body == body


def test_newlines_in_name_and_subject_cannot_add_mail_headers(send, mailoutbox):
    make_user(secretariat=True)

    response = send(
        name="Claire\r\nBcc: victim@example.org",
        subject="Hello\r\nBcc: victim@example.org\r\nX-Evil: 1",
    )

    assert response.status_code == 302
    [message] = _messages()
    assert message.sender_name == "Claire Bcc: victim@example.org"
    assert message.subject == "Hello Bcc: victim@example.org X-Evil: 1"
    [mail] = mailoutbox
    raw = mail.message()
    assert "\n" not in mail.subject
    assert raw["Bcc"] is None and raw["X-Evil"] is None
    assert mail.recipients() == [mail.to[0]]


def test_user_text_is_escaped_in_html_and_left_as_written_in_the_plain_text_mail(
    send, client_for, mailoutbox
):
    secretary = make_user(secretariat=True)
    body = 'Tom & Jerry say <script>alert(1)</script> "quoted" and it\'s fine.'

    send(subject="<b>Bold</b> & co", body=body, name="O'Brien <x>")

    [mail] = mailoutbox
    assert body in mail.body
    assert "<b>Bold</b> & co" in mail.subject
    assert "O'Brien <x>" in mail.body
    assert "&amp;" not in mail.body and "&lt;" not in mail.body and "&#x27;" not in mail.body
    [message] = _messages()
    client = client_for(secretary)
    html = client.get(reverse("contact:message", kwargs={"pk": message.pk})).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt;" in html
    listing = client.get(INBOX).content.decode()
    assert "<b>Bold</b>" not in listing and "&lt;b&gt;Bold&lt;/b&gt;" in listing


# --- Limits -------------------------------------------------------------------------------------


def test_messages_beyond_the_hourly_limit_per_address_get_429(client, mailoutbox):
    for number in range(5):
        assert _post(client, email=f"person{number}@example.org").status_code == 302

    response = _post(client, email="one-more@example.org", subject="One too many")

    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert response["Retry-After"] == str(60 * 60)
    assert len(_messages()) == 5
    assert _post(client, email="elsewhere@example.org", remote_addr="192.0.2.9").status_code == 302


def test_messages_beyond_the_hourly_limit_per_sender_address_get_429_from_any_address(client):
    for number in range(5):
        assert _post(client, remote_addr=f"192.0.2.{number + 1}").status_code == 302

    response = _post(client, email="CLAIRE@example.org", remote_addr="192.0.2.99")

    assert response.status_code == 429
    assert len(_messages()) == 5


def test_messages_beyond_the_daily_limit_per_address_get_429_with_a_day_to_wait(
    client, monkeypatch
):
    # The hourly windows out of the way (as if the messages came over a day): only the daily
    # ones count, with their real limits.
    limits = [
        (scope, key, 1_000 if window == views.HOUR else limit, window)
        for scope, key, limit, window in views.MESSAGE_LIMITS
    ]
    monkeypatch.setattr(views, "MESSAGE_LIMITS", tuple(limits))
    monkeypatch.setattr(views, "CONTACT_POSTS_PER_IP_PER_HOUR", 1_000)
    for number in range(20):
        assert _post(client, email=f"p{number}@example.org").status_code == 302

    response = _post(client, email="late@example.org")

    assert response.status_code == 429
    assert response["Retry-After"] == str(24 * 60 * 60)
    assert len(_messages()) == 20


def test_too_many_posts_of_any_kind_get_429(client):
    for _number in range(views.CONTACT_POSTS_PER_IP_PER_HOUR):
        assert _post(client, subject="").status_code == 400

    assert _post(client).status_code == 429
    assert _messages() == []


def test_the_limits_are_shared_by_the_secretariat_and_every_platform(client, platform):
    other = make_coordination_group(name="Braga")
    for url in (WRITE, _group_url(platform), _group_url(other), WRITE, _group_url(platform)):
        assert _post(client, url).status_code == 302

    assert _post(client, _group_url(other)).status_code == 429


# --- Writing to a platform's facilitators -------------------------------------------------------


def test_message_to_a_platform_is_mailed_to_its_facilitators_only(send, platform, mailoutbox):
    make_user(secretariat=True, email="sec@example.org")

    response = send(_group_url(platform))

    assert response.status_code == 302
    assert response["Location"] == SENT
    with cross_tenant():
        message = ContactMessage.objects.get()
    assert message.tenant == platform
    assert message.mailed_at is not None
    assert sorted(mail.to[0] for mail in mailoutbox) == ["amelie@example.org", "ben@example.org"]
    url = _group_url(platform, "contact:group_message", message=message.pk)
    for mail in mailoutbox:
        assert mail.message()["Reply-To"] == "claire@example.org"
        assert "Mulhouse" in mail.subject
        assert url in mail.body


def test_each_facilitator_is_mailed_in_her_own_language(
    send, platform, mailoutbox, monkeypatch, translated
):
    from wikispiral import mail as mail_module

    rendered: list[tuple[str, str]] = []
    original = mail_module.render_to_string

    def spy(template_name: str, context: dict) -> str:
        rendered.append((context["recipient"].email, translation.get_language()))
        return original(template_name, context)

    monkeypatch.setattr(mail_module, "render_to_string", spy)

    send(_group_url(platform))

    assert set(rendered) == {("amelie@example.org", "fr"), ("ben@example.org", "en")}
    languages = dict(Job.objects.filter(kind="mail.send").values_list("key", "language"))
    [message] = _messages()
    assert languages[f"contact:{message.pk}:{platform.french.pk}"] == "fr"
    assert languages[f"contact:{message.pk}:{platform.english.pk}"] == "en"
    by_recipient = {mail.to[0]: mail for mail in mailoutbox}
    # A string the French catalogue already holds: the greeting.
    assert by_recipient["amelie@example.org"].body.startswith("Bonjour amelie,")
    assert by_recipient["ben@example.org"].body.startswith("Hello ben,")


@pytest.fixture
def translated() -> None:
    with translation.override("fr"):
        if translation.gettext("Hello %(name)s,") == "Hello %(name)s,":
            pytest.fail("The French catalogue is not compiled: run compilemessages.")


def test_a_platform_without_facilitator_to_mail_sends_to_the_secretariat(send, mailoutbox):
    secretary = make_user(secretariat=True, email="sec@example.org")
    orphan = make_coordination_group(name="Orphan")

    assert send(_group_url(orphan)).status_code == 302

    [mail] = mailoutbox
    assert mail.to == [secretary.email]
    assert "no facilitator" in mail.body
    assert mail.message()["Reply-To"] == "claire@example.org"


def test_the_platform_page_links_to_its_contact_form(client, platform):
    html = client.get(reverse("directory:group", kwargs={"cg": platform.slug})).content.decode()

    assert f'href="{_group_url(platform)}"' in html
    assert _group_url(platform, "contact:group_inbox") not in html


def test_a_hidden_or_unknown_platform_answers_404(client, client_for, platform, mailoutbox):
    platform.is_hidden = True
    platform.save(update_fields=["is_hidden"])
    stranger = client_for(make_user())
    # Even its own facilitator: nobody writes to a hidden platform through the site.
    facilitator = client_for(platform.french)
    unknown = reverse("contact:group", kwargs={"cg": "no-such-group"})

    assert stranger.get(_group_url(platform)).status_code == 404
    assert facilitator.get(_group_url(platform)).status_code == 404
    assert _post(stranger, _group_url(platform)).status_code == 404
    assert _post(client, _group_url(platform)).status_code == 404
    assert stranger.get(unknown).status_code == 404
    assert _post(client, unknown).status_code == 404
    assert _messages() == []
    assert mailoutbox == []


# --- The inboxes --------------------------------------------------------------------------------


def _stored(tenant=None, subject: str = "Hello", **fields: object) -> ContactMessage:
    with cross_tenant():
        return ContactMessage.objects.create(
            tenant=tenant,
            sender_name="Claire",
            sender_email="claire@example.org",
            subject=subject,
            body="Some words.",
            **fields,
        )


def test_secretariat_inbox_is_for_the_network_staff_only(client, client_for, platform):
    message = _stored()
    detail = reverse("contact:message", kwargs={"pk": message.pk})
    status = reverse("contact:message_status", kwargs={"pk": message.pk})
    outsider = client_for(platform.french)

    assert outsider.get(INBOX).status_code == 404
    assert outsider.get(detail).status_code == 404
    assert outsider.post(status, {"status": "closed"}).status_code == 404
    assert client.get(INBOX).status_code == 302  # to the login page
    assert client.post(status, {"status": "closed"}).status_code == 302
    assert _messages()[0].status == ContactMessage.Status.NEW


def test_secretariat_inbox_lists_its_messages_newest_first_and_no_platforms(
    client_for, platform, secretariat_user
):
    _stored(subject="First to the secretariat")
    _stored(subject="Second to the secretariat")
    _stored(tenant=platform, subject="To the platform")
    client = client_for(secretariat_user)

    html = client.get(INBOX).content.decode()

    assert html.index("Second to the secretariat") < html.index("First to the secretariat")
    assert "To the platform" not in html
    assert f'href="{INBOX}" aria-current="page"' in html  # in the secretariat's menu


def test_inbox_is_paginated_with_a_bounded_number_of_queries(
    client_for, secretariat_user, django_assert_max_num_queries
):
    for number in range(views.INBOX_PAGE_SIZE + 3):
        _stored(subject=f"Message {number:02d}")
    client = client_for(secretariat_user)

    with django_assert_max_num_queries(8):
        first = client.get(INBOX).content.decode()
    second = client.get(INBOX, {"page": 2}).content.decode()

    assert "Message 27" in first and "Message 00" not in first
    assert "Message 00" in second and "Message 27" not in second
    assert 'rel="next"' in first


def test_inbox_filters_by_status_and_refuses_an_unknown_one(client_for, secretariat_user):
    _stored(subject="Still new")
    _stored(subject="Already answered", status="answered")
    client = client_for(secretariat_user)

    answered = client.get(INBOX, {"status": "answered"}).content.decode()
    bad = client.get(INBOX, {"status": "lost"})

    assert "Already answered" in answered and "Still new" not in answered
    assert bad.status_code == 400
    assert b'id="id_status_error"' in bad.content


def test_secretariat_marks_a_message_answered_then_closed(client_for, secretariat_user):
    message = _stored()
    client = client_for(secretariat_user)
    status = reverse("contact:message_status", kwargs={"pk": message.pk})

    answered = client.post(status, {"status": "answered"})
    client.post(status, {"status": "closed"})
    bad = client.post(status, {"status": "lost"})

    assert answered.status_code == 302
    assert answered["Location"] == reverse("contact:message", kwargs={"pk": message.pk})
    assert _messages()[0].status == ContactMessage.Status.CLOSED
    assert bad.status_code == 400
    assert _messages()[0].status == ContactMessage.Status.CLOSED
    entries = audit_list(action_prefix="territories.contact.status_changed")
    assert [entry.data["status"] for entry in entries] == ["closed", "answered"]


def test_platform_inbox_is_its_facilitators_only(client_for, platform):
    mine = _stored(tenant=platform, subject="To Mulhouse")
    bruno = make_user(username="bruno")
    other = make_coordination_group(name="Braga", facilitator=bruno)
    theirs = _stored(tenant=other, subject="To Braga")
    _stored(subject="To the secretariat")
    facilitator = client_for(platform.french)

    html = facilitator.get(_group_url(platform, "contact:group_inbox")).content.decode()
    detail = facilitator.get(_group_url(platform, "contact:group_message", message=mine.pk))

    assert "To Mulhouse" in html
    assert "To Braga" not in html and "To the secretariat" not in html
    assert detail.status_code == 200
    assert "claire@example.org" in detail.content.decode()  # the sender, to answer
    # Another platform's message through my inbox's address: not found.
    assert (
        facilitator.get(
            _group_url(platform, "contact:group_message", message=theirs.pk)
        ).status_code
        == 404
    )
    # Another platform's facilitator, and this platform's editor: 404 everywhere.
    for person in (bruno, platform.editor):
        client = client_for(person)
        assert client.get(_group_url(platform, "contact:group_inbox")).status_code == 404
        assert (
            client.get(_group_url(platform, "contact:group_message", message=mine.pk)).status_code
            == 404
        )
        status = _group_url(platform, "contact:group_message_status", message=mine.pk)
        assert client.post(status, {"status": "closed"}).status_code == 404
    with cross_tenant():
        assert ContactMessage.objects.get(pk=mine.pk).status == ContactMessage.Status.NEW


def test_a_facilitator_marks_a_message_of_her_platform_answered(client_for, platform):
    message = _stored(tenant=platform)
    client = client_for(platform.english)
    status = _group_url(platform, "contact:group_message_status", message=message.pk)

    response = client.post(status, {"status": "answered"}, follow=True)

    assert response.status_code == 200
    with cross_tenant():
        assert ContactMessage.objects.get(pk=message.pk).status == "answered"
    assert "Answered" in response.content.decode()


def test_the_platform_page_links_its_inbox_for_its_facilitators(client_for, platform):
    client = client_for(platform.french)

    html = client.get(reverse("directory:group", kwargs={"cg": platform.slug})).content.decode()

    assert f'href="{_group_url(platform, "contact:group_inbox")}"' in html


def test_an_empty_inbox_says_so(client_for, platform):
    html = client_for(platform.french).get(_group_url(platform, "contact:group_inbox"))

    # In the facilitator's language (French).
    with translation.override("fr"):
        empty = translation.gettext("No message.")
    assert empty != "No message."
    assert empty in html.content.decode()
