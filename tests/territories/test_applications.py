"""Applying to open a platform: the public form, the applicant's edit link, the emails, and the
secretariat's decisions down to the group they open."""

import re
import threading
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import formats, translation

from territories.applications import services
from territories.applications.views import APPLICATIONS_PER_IP_PER_HOUR
from territories.models import (
    Application,
    ApplicationComment,
    CoordinationGroup,
    Invitation,
    Locality,
    Membership,
    NetworkMember,
    Region,
)
from tests.factories import make_application, make_country, make_space, make_user
from wikispiral.accounts.forms import make_form_stamp
from wikispiral.audit.selectors import audit_list
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Page

pytestmark = pytest.mark.django_db

APPLY = reverse("applications:apply")
SENT = reverse("applications:sent")


def _region(country, name: str) -> Region:
    return Region.objects.create(country=country, name=name, slug=name.lower().replace(" ", "-"))


def _locality(region: Region, name: str) -> Locality:
    return Locality.objects.create(region=region, name=name, slug=name.lower())


@pytest.fixture
def places() -> dict:
    france = make_country()
    portugal = make_country(code="PT", name="Portugal")
    grand_est = _region(france, "Grand Est")
    norte = _region(portugal, "Norte")
    return {
        "france": france,
        "portugal": portugal,
        "grand_est": grand_est,
        "norte": norte,
        "mulhouse": _locality(grand_est, "Mulhouse"),
        "braga": _locality(norte, "Braga"),
    }


def apply_data(**overrides: object) -> dict:
    data = {
        "name": "Mulhouse Bourtzwiller",
        "kind": CoordinationGroup.Kind.TERRITORY,
        "actor_type": "Municipality",
        "country": "FR",
        "region": "",
        "locality": "",
        "place": "Bourtzwiller neighbourhood",
        "applicant_name": "Claire Martin",
        "applicant_role": "Deputy mayor",
        "applicant_email": "claire@example.org",
        "applicant_language": "en",
        "description": "A neighbourhood of 10,000 people.",
        "stakeholders": "Social centre\nSchool",
        "motivation": "We want residents to say what well-being means here.",
        "languages": ["fr", "ar"],
        "consent_to_publish": "on",
        "stamp": make_form_stamp(time.time() - 60),
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _submit(client, *, remote_addr: str = "127.0.0.1", **overrides: object):
    return client.post(APPLY, apply_data(**overrides), REMOTE_ADDR=remote_addr)


def _link_path(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", body)
    assert match, body
    return match.group(1)


def _edit_path(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/apply/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def _actions(application: Application) -> list[str]:
    return [entry.action for entry in audit_list(target=application).order_by("created_at", "pk")]


# --- The public form ----------------------------------------------------------------------------


def test_form_page_lists_countries_in_the_readers_language_and_hides_the_honeypot(client, places):
    places["portugal"].names = {"fr": "Portugal (fr)", "pt": "Portugal"}
    places["portugal"].save()
    client.cookies["wikispiral_language"] = "fr"

    response = client.get(APPLY)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="PT">Portugal (fr)</option>' in html
    assert '<optgroup label="France">' in html
    assert 'class="honeypot" aria-hidden="true"' in html
    assert 'name="stamp"' in html
    # The applicant's language defaults to the reader's.
    assert '<option value="fr" selected>' in html
    assert "<script>" not in html and "style=" not in html
    assert "<legend>" in html  # radio buttons and checkboxes are grouped with a legend


def test_valid_application_is_saved_thanked_and_mailed(
    client, places, mailoutbox, django_capture_on_commit_callbacks
):
    secretary = make_user(secretariat=True, preferred_language="en")
    make_user(secretariat=True, is_active=False)  # no mail to former staff

    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(
            client, region=str(places["grand_est"].pk), locality=str(places["mulhouse"].pk)
        )

    assert response.status_code == 302
    assert response["Location"] == SENT
    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED
    assert application.region == places["grand_est"]
    assert application.locality == places["mulhouse"]
    assert application.languages == ["fr", "ar"]
    assert application.applicant is None
    assert len(application.edit_key) >= 40
    assert _actions(application) == ["territories.application.submitted"]
    assert sorted(mail.to[0] for mail in mailoutbox) == ["claire@example.org", secretary.email]
    acknowledgement = next(m for m in mailoutbox if m.to == ["claire@example.org"])
    assert "Mulhouse Bourtzwiller" in acknowledgement.subject
    # No edit link before the secretariat asks for changes.
    assert "/apply/" not in acknowledgement.body
    notice = next(m for m in mailoutbox if m.to == [secretary.email])
    assert reverse("applications:detail", kwargs={"pk": application.pk}) in notice.body
    assert client.get(SENT).status_code == 200


def test_choosing_a_locality_alone_records_its_region(client, places):
    response = _submit(client, locality=str(places["mulhouse"].pk))

    assert response.status_code == 302
    assert Application.objects.get().region == places["grand_est"]


def test_logged_in_person_finds_name_and_email_filled_in_and_is_recorded_as_applicant(client):
    make_country()
    person = make_user(display_name="Ana Lima", email="ana@example.org", preferred_language="pt")
    client.force_login(person)

    page = client.get(APPLY).content.decode()
    _submit(client, applicant_name="Ana Lima", applicant_email="ana@example.org")

    assert 'value="Ana Lima"' in page
    assert 'value="ana@example.org"' in page
    assert '<option value="pt" selected>' in page
    assert Application.objects.get().applicant == person


def test_missing_required_fields_are_listed_and_nothing_is_saved(client, places, mailoutbox):
    response = client.post(
        APPLY, {"stamp": make_form_stamp(time.time() - 60), "country": "", "website": ""}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html
    for field in (
        "name",
        "country",
        "applicant_name",
        "applicant_role",
        "applicant_email",
        "description",
        "motivation",
    ):
        assert f'<a href="#id_{field}">' in html, field
    assert "Choose at least one language." in html
    assert "we need your consent" in html
    assert not Application.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"region": "norte"}, "region", "Norte is not in France"),
        ({"locality": "braga"}, "locality", "Braga is not in France"),
        ({"region": "grand_est", "locality": "braga"}, "locality", "Braga is not in the region"),
    ],
)
def test_places_outside_the_chosen_country_or_region_are_refused_next_to_the_field(
    client, places, overrides, field, message
):
    data = {key: str(places[value].pk) for key, value in overrides.items()}

    response = _submit(client, **data)

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert not Application.objects.exists()


def test_unknown_country_or_region_is_refused(client, places):
    response = _submit(client, country="ZZ", region="999999")

    assert response.status_code == 400
    assert b'id="id_country_error"' in response.content
    assert b'id="id_region_error"' in response.content
    assert not Application.objects.exists()


def test_honeypot_submission_pretends_success_and_saves_nothing(client, places, mailoutbox):
    response = _submit(client, website="https://spam.example")

    assert response.status_code == 302
    assert response["Location"] == SENT
    assert not Application.objects.exists()
    assert mailoutbox == []


def test_submission_sooner_than_three_seconds_after_render_is_refused(client, places):
    response = _submit(client, stamp=make_form_stamp(time.time() - 1))

    assert response.status_code == 400
    assert b"sent too quickly" in response.content
    assert not Application.objects.exists()


def test_missing_or_forged_stamp_is_refused(client, places):
    missing = _submit(client, stamp="")
    forged = _submit(client, stamp="1700000000.0:forged")

    assert missing.status_code == forged.status_code == 400
    assert b"This form was altered" in forged.content
    assert not Application.objects.exists()


def test_applications_beyond_the_hourly_limit_per_address_get_429(client, places, mailoutbox):
    for number in range(APPLICATIONS_PER_IP_PER_HOUR):
        assert _submit(client, name=f"Town {number}").status_code == 302

    response = _submit(client, name="One too many")

    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert response["Retry-After"]
    assert not Application.objects.filter(name="One too many").exists()
    assert _submit(client, name="Elsewhere", remote_addr="192.0.2.9").status_code == 302


def test_too_many_posts_of_any_kind_get_429(client, places):
    from territories.applications.views import APPLY_POSTS_PER_IP_PER_HOUR

    for _number in range(APPLY_POSTS_PER_IP_PER_HOUR):
        assert _submit(client, name="").status_code == 400

    assert _submit(client).status_code == 429
    assert not Application.objects.exists()


# --- Emails in the applicant's language ---------------------------------------------------------


def test_emails_are_written_in_the_applicants_and_each_secretary_language(
    client, places, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    """No catalog is needed to tell: Django formats dates in the active language."""
    from wikispiral import mail

    rendered: list[tuple[str, str]] = []
    original = mail.render_to_string

    def spy(template_name: str, context: dict) -> str:
        rendered.append((template_name, translation.get_language()))
        return original(template_name, context)

    monkeypatch.setattr(mail, "render_to_string", spy)
    french_secretary = make_user(secretariat=True, preferred_language="fr")
    portuguese_secretary = make_user(secretariat=True, preferred_language="pt")

    with django_capture_on_commit_callbacks(execute=True):
        _submit(client, applicant_language="fr")

    application = Application.objects.get()
    assert application.applicant_language == "fr"
    languages = {template: set() for template, _language in rendered}
    for template, language in rendered:
        languages[template].add(language)
    assert languages["applications/email/acknowledgement.txt"] == {"fr"}
    assert languages["applications/email/secretariat_notice.txt"] == {"fr", "pt"}

    def formatted(language: str) -> str:
        with translation.override(language):
            return formats.date_format(application.submitted_at, "DATE_FORMAT")

    assert formatted("fr") != formatted("en")
    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert formatted("fr") in by_recipient["claire@example.org"].body
    assert formatted("en") not in by_recipient["claire@example.org"].body
    assert formatted("pt") in by_recipient[portuguese_secretary.email].body
    assert formatted("fr") in by_recipient[french_secretary.email].body


# --- The full cycle -----------------------------------------------------------------------------


def test_full_cycle_from_application_to_open_platform(
    client, client_for, places, mailoutbox, django_capture_on_commit_callbacks
):
    secretary = make_user(secretariat=True)
    staff = client_for(secretary)
    with django_capture_on_commit_callbacks(execute=True):
        _submit(client, applicant_email="claire@example.org")
    application = Application.objects.get()
    first_key = application.edit_key
    detail = reverse("applications:detail", kwargs={"pk": application.pk})

    # The secretariat comments (internal) and asks for changes.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            reverse("applications:comment", kwargs={"pk": application.pk}),
            {"body": "Looks promising."},
        )
        response = staff.post(
            reverse("applications:request_changes", kwargs={"pk": application.pk}),
            {"message": "Please name the stakeholders."},
        )
    assert response.status_code == 302
    assert response["Location"] == detail
    application.refresh_from_db()
    assert application.status == Application.Status.CHANGES_REQUESTED
    assert application.edit_key != first_key
    assert [m.to for m in mailoutbox] == [["claire@example.org"]]  # the comment is not mailed
    edit_path = _edit_path(mailoutbox[0].body)
    assert edit_path == reverse("applications:edit", kwargs={"key": application.edit_key})
    assert "Please name the stakeholders." in mailoutbox[0].body
    assert client.get(reverse("applications:edit", kwargs={"key": first_key})).status_code == 404

    # The applicant sees the message and the form filled in, and sends it again.
    page = client.get(edit_path)
    assert page.status_code == 200
    assert b"Please name the stakeholders." in page.content
    assert b'value="Mulhouse Bourtzwiller"' in page.content
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_path, apply_data(stakeholders="Social centre\nSchool\nClub", stamp="")
        )
    assert response.status_code == 302
    assert response["Location"] == SENT
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.stakeholders == "Social centre\nSchool\nClub"
    assert sorted(m.to[0] for m in mailoutbox) == ["claire@example.org", secretary.email]
    assert client.get(edit_path).status_code == 404  # the used link is dead

    # Approval opens the group, its space and home page, and invites the facilitator.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("applications:approve", kwargs={"pk": application.pk}), {"slug": ""}
        )
    assert response.status_code == 302
    application.refresh_from_db()
    group = application.coordination_group
    assert application.status == Application.Status.APPROVED
    assert application.decided_by == secretary
    assert application.decided_at is not None
    assert group.name == "Mulhouse Bourtzwiller"
    assert group.slug == "mulhouse-bourtzwiller"
    assert re.fullmatch(r"GC\d{6,}", group.network_id)
    assert group.status == CoordinationGroup.Status.VALIDATED
    assert group.country == places["france"]
    assert group.stakeholders == "Social centre\nSchool\nClub"
    assert group.platform_description == application.description
    assert group.languages == ["en", "fr", "ar"]
    assert group.created_by == secretary
    assert Page.objects.filter(space=group.space, slug="home").exists()
    # Opening a platform does not make it a member of the network: that is a request of its own.
    assert not NetworkMember.objects.exists()
    assert group.level == CoordinationGroup.Level.COUNTRY
    with cross_tenant():
        invitation = Invitation.objects.get(tenant=group)
    assert invitation.email == "claire@example.org"
    assert invitation.role == Membership.Role.FACILITATOR
    assert [m.to for m in mailoutbox] == [["claire@example.org"]]
    approval_mail = mailoutbox[0].body
    assert "/invitations/" in approval_mail
    assert reverse("directory:group", kwargs={"cg": group.slug}) in approval_mail
    assert _actions(application) == [
        "territories.application.submitted",
        "territories.application.commented",
        "territories.application.changes_requested",
        "territories.application.resubmitted",
        "territories.application.approved",
    ]
    timeline = staff.get(detail).content.decode()
    assert "Looks promising." in timeline and "Please name the stakeholders." in timeline

    # Approving again opens no second group.
    again = staff.post(reverse("applications:approve", kwargs={"pk": application.pk}), follow=True)
    assert again.status_code == 200
    assert b"already approved" in again.content
    assert CoordinationGroup.objects.count() == 1
    assert not NetworkMember.objects.exists()

    # The applicant's last link now points to the group, and edits nothing.
    closed = client.post(
        reverse("applications:edit", kwargs={"key": application.edit_key}), apply_data()
    )
    assert closed.status_code == 410
    assert reverse("directory:group", kwargs={"cg": group.slug}).encode() in closed.content


def test_approval_makes_an_existing_confirmed_account_facilitator_without_invitation(
    secretariat_user, mailoutbox, django_capture_on_commit_callbacks
):
    person = make_user(email="Claire@Example.org")
    application = make_application(applicant_email="claire@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        approval = services.application_approve(application=application, actor=secretariat_user)

    with cross_tenant():
        membership = Membership.objects.get(tenant=approval.group)
    assert (membership.user, membership.role) == (person, Membership.Role.FACILITATOR)
    with cross_tenant():
        assert not Invitation.objects.filter(tenant=approval.group).exists()
    assert "/invitations/" not in mailoutbox[0].body


def test_an_unconfirmed_account_with_the_address_only_gets_an_invitation(secretariat_user):
    make_user(email="claire@example.org", confirmed=False)
    application = make_application(applicant_email="claire@example.org")

    approval = services.application_approve(application=application, actor=secretariat_user)

    with cross_tenant():
        assert not Membership.objects.filter(tenant=approval.group).exists()
    with cross_tenant():
        assert Invitation.objects.filter(tenant=approval.group).count() == 1


def test_approving_twice_through_the_service_opens_one_group(secretariat_user):
    application = make_application()

    first = services.application_approve(application=application, actor=secretariat_user)
    second = services.application_approve(application=application, actor=secretariat_user)
    third = services.application_approve(
        application=Application.objects.get(pk=application.pk), actor=secretariat_user
    )

    assert first.created and not second.created and not third.created
    assert second.group == first.group == third.group
    assert CoordinationGroup.objects.count() == 1
    assert not NetworkMember.objects.exists()
    assert [a for a in _actions(application) if a.endswith("approved")] == [
        "territories.application.approved"
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_secretaries_approving_at_the_same_moment_open_one_group():
    application = make_application()
    staff = [make_user(secretariat=True) for _ in range(5)]
    barrier = threading.Barrier(len(staff))
    outcomes: list[object] = [None] * len(staff)

    def approve(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = services.application_approve(
                application=Application.objects.get(pk=application.pk), actor=staff[index]
            )
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(len(staff))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(isinstance(o, services.Approval) for o in outcomes), outcomes
    assert [o.created for o in outcomes].count(True) == 1
    assert CoordinationGroup.objects.count() == 1
    assert not NetworkMember.objects.exists()


def test_home_page_of_the_new_group_is_written_in_the_applicants_language(secretariat_user):
    application = make_application(applicant_language="pt")

    approval = services.application_approve(application=application, actor=secretariat_user)

    # One home page per language the group speaks; the first one opened is the applicant's.
    home = Page.objects.filter(space=approval.group.space, slug="home").order_by("pk").first()
    assert home.language == "pt"
    assert approval.group.languages[0] == "pt"


def test_taken_address_is_refused_with_a_message_and_another_can_be_chosen(
    client_for, secretariat_user
):
    make_space(slug="mulhouse")
    application = make_application(name="Mulhouse")
    url = reverse("applications:approve", kwargs={"pk": application.pk})
    staff = client_for(secretariat_user)

    refused = staff.post(url, {"slug": ""})

    assert refused.status_code == 400
    assert b"This address is already used by another space." in refused.content
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not CoordinationGroup.objects.exists()
    assert not NetworkMember.objects.exists()

    accepted = staff.post(url, {"slug": "mulhouse-platform"})

    assert accepted.status_code == 302
    application.refresh_from_db()
    assert application.coordination_group.slug == "mulhouse-platform"


def test_malformed_address_is_refused_before_anything_happens(client_for, secretariat_user):
    application = make_application()

    response = client_for(secretariat_user).post(
        reverse("applications:approve", kwargs={"pk": application.pk}), {"slug": "no spaces!"}
    )

    assert response.status_code == 400
    assert b'id="id_slug_error"' in response.content
    assert not CoordinationGroup.objects.exists()


# --- Rejection ----------------------------------------------------------------------------------


def test_rejection_needs_a_reason_and_mails_it(
    client_for, secretariat_user, mailoutbox, django_capture_on_commit_callbacks
):
    application = make_application(applicant_language="fr")
    url = reverse("applications:reject", kwargs={"pk": application.pk})
    staff = client_for(secretariat_user)

    without = staff.post(url, {"reason": "  "})
    with django_capture_on_commit_callbacks(execute=True):
        done = staff.post(url, {"reason": "Not a territory of the network."})

    assert without.status_code == 400
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert application.decision_message == "Not a territory of the network."
    assert [m.to for m in mailoutbox] == [[application.applicant_email]]
    assert "Not a territory of the network." in mailoutbox[0].body
    assert _actions(application)[-1] == "territories.application.rejected"


def test_edit_link_after_rejection_shows_the_reason_and_saves_nothing(
    client, client_for, secretariat_user
):
    application = make_application()
    services.application_request_changes(
        application=application, actor=secretariat_user, message="Add details."
    )
    application.refresh_from_db()
    key = application.edit_key
    services.application_reject(
        application=application, actor=secretariat_user, reason="Out of the network's scope."
    )
    url = reverse("applications:edit", kwargs={"key": key})

    page = client.get(url)
    posted = client.post(url, apply_data(name="Renamed"))

    assert page.status_code == 410
    assert b"This application was rejected" in page.content
    assert b"Out of the network&#x27;s scope." in page.content
    assert posted.status_code == 410
    application.refresh_from_db()
    assert application.name != "Renamed"
    assert application.status == Application.Status.REJECTED
    assert "territories.application.resubmitted" not in _actions(application)


def test_an_approved_application_cannot_be_rejected(client_for, secretariat_user):
    application = make_application()
    services.application_approve(application=application, actor=secretariat_user)

    response = client_for(secretariat_user).post(
        reverse("applications:reject", kwargs={"pk": application.pk}), {"reason": "Oops"}
    )

    assert response.status_code == 409
    assert b"cannot be rejected" in response.content
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert application.decision_message == ""


@pytest.mark.parametrize("action", ["approve", "request_changes", "reject"])
def test_decisions_on_a_rejected_application_are_refused_with_409(
    client_for, secretariat_user, mailoutbox, action
):
    application = make_application(status=Application.Status.REJECTED, decision_message="No.")

    response = client_for(secretariat_user).post(
        reverse(f"applications:{action}", kwargs={"pk": application.pk}),
        {"message": "x", "reason": "x", "slug": ""},
    )

    assert response.status_code == 409
    assert b'role="alert"' in response.content
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert application.decision_message == "No."
    assert not CoordinationGroup.objects.exists()
    assert mailoutbox == []


def test_request_for_changes_needs_a_message(client_for, secretariat_user, mailoutbox):
    application = make_application()

    response = client_for(secretariat_user).post(
        reverse("applications:request_changes", kwargs={"pk": application.pk}), {"message": ""}
    )

    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert mailoutbox == []


def test_empty_comment_is_refused(client_for, secretariat_user):
    application = make_application()

    response = client_for(secretariat_user).post(
        reverse("applications:comment", kwargs={"pk": application.pk}), {"body": ""}
    )

    assert response.status_code == 400
    assert not ApplicationComment.objects.exists()


# --- The applicant's edit link in other states --------------------------------------------------


def test_unknown_edit_key_is_404(client):
    assert client.get(reverse("applications:edit", kwargs={"key": "nope"})).status_code == 404


def test_edit_link_of_an_application_under_review_says_so_and_refuses_posts(client):
    application = make_application()
    url = reverse("applications:edit", kwargs={"key": application.edit_key})

    page = client.get(url)
    posted = client.post(url, apply_data(name="Renamed"))

    assert page.status_code == 200
    assert b"under review" in page.content
    assert posted.status_code == 409
    application.refresh_from_db()
    assert application.name != "Renamed"


def test_invalid_resubmission_is_refused_and_keeps_the_link(client, secretariat_user, places):
    application = make_application()
    services.application_request_changes(
        application=application, actor=secretariat_user, message="More, please."
    )
    application.refresh_from_db()
    url = reverse("applications:edit", kwargs={"key": application.edit_key})

    response = client.post(url, apply_data(description="", region=str(places["norte"].pk)))

    assert response.status_code == 400
    assert b"Norte is not in France" in response.content
    application.refresh_from_db()
    assert application.status == Application.Status.CHANGES_REQUESTED
    assert client.get(url).status_code == 200


def test_the_service_refuses_to_resubmit_an_application_not_awaiting_changes(secretariat_user):
    application = make_application()
    form_details = services.ApplicationDetails(
        **{name: getattr(application, name) for name in services.DETAIL_FIELDS}
    )

    with pytest.raises(services.ApplicationStateError):
        services.application_resubmit(application=application, details=form_details, actor=None)


def test_an_application_awaiting_changes_can_be_approved_and_keeps_its_place(
    secretariat_user, places
):
    application = make_application(
        status=Application.Status.CHANGES_REQUESTED,
        region=places["grand_est"],
        locality=places["mulhouse"],
    )

    group = services.application_approve(application=application, actor=secretariat_user).group

    assert (group.region, group.locality) == (places["grand_est"], places["mulhouse"])
    assert group.level == CoordinationGroup.Level.LOCALITY
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
