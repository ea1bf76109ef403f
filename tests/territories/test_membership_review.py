"""The secretariat's review of a membership request: changes are asked once (one mail, whose
link works), and the applicant's address is a safe mailto: link."""

import re

import pytest
from django.urls import reverse

from territories.membership import services
from territories.models import MembershipRequest
from tests.territories.test_membership import details

pytestmark = pytest.mark.django_db

Status = MembershipRequest.Status


def test_asking_for_changes_twice_sends_one_mail_whose_link_works(
    client, client_for, secretariat_user, mailoutbox, django_capture_on_commit_callbacks
):
    request = services.membership_request_submit(actor=None, data=details())
    staff = client_for(secretariat_user)
    url = reverse("membership:request_changes", kwargs={"pk": request.pk})

    with django_capture_on_commit_callbacks(execute=True):
        first = staff.post(url, {"message": "Please describe your work."})
        second = staff.post(url, {"message": "Please describe your work."})

    assert first.status_code == 302
    assert second.status_code == 409
    assert "Changes were already asked" in second.content.decode()
    assert len(mailoutbox) == 1
    request.refresh_from_db()
    assert request.status == Status.CHANGES_REQUESTED
    edit_url = reverse("membership:edit", kwargs={"key": request.edit_key})
    assert edit_url in mailoutbox[0].body
    assert client.get(edit_url).status_code == 200


def test_the_form_to_ask_for_changes_shows_only_on_a_submitted_request(
    client_for, secretariat_user
):
    request = services.membership_request_submit(actor=None, data=details())
    staff = client_for(secretariat_user)
    detail = reverse("membership:detail", kwargs={"pk": request.pk})
    action = reverse("membership:request_changes", kwargs={"pk": request.pk})
    assert action in staff.get(detail).content.decode()

    services.membership_request_request_changes(
        request=request, actor=secretariat_user, message="More."
    )

    assert action not in staff.get(detail).content.decode()


def test_the_applicants_address_cannot_add_recipients_to_the_mailto_link(
    client_for, secretariat_user
):
    address = '"x?cc=spy@evil.example&body=hi"@example.org'  # a valid (quoted) address
    request = services.membership_request_submit(actor=None, data=details(applicant_email=address))

    html = (
        client_for(secretariat_user)
        .get(reverse("membership:detail", kwargs={"pk": request.pk}))
        .content.decode()
    )

    assert 'href="mailto:%22x%3Fcc%3Dspy@evil.example%26body%3Dhi%22@example.org"' in html
    assert all("?" not in href for href in re.findall(r'href="(mailto:[^"]*)"', html))
