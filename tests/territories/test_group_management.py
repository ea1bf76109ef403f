"""A coordination group manages itself: its details, picture, members and invitations."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from territories.models import CoordinationGroup, Invitation, Locality, Membership, Region
from territories.services import (
    TerritoryError,
    coordination_group_update,
    invitation_create,
    membership_set,
)
from tests.factories import make_coordination_group, make_country, make_user
from wikispiral.audit.models import AuditEntry
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def facilitator():
    return make_user()


@pytest.fixture
def group(facilitator):
    return make_coordination_group(name="Mulhouse Bourtzwiller", facilitator=facilitator)


@pytest.fixture
def alsace(group):
    region = Region.objects.create(country=group.country, name="Grand Est", slug="grand-est")
    Locality.objects.create(region=region, name="Mulhouse", slug="mulhouse")
    return region


def _image(fmt: str = "PNG", size: tuple[int, int] = (4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format=fmt)
    return buffer.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header announces width × height pixels (the pixels themselves are absent)."""
    data = bytearray(_image("PNG", (1, 1)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def _upload(content: bytes, name: str = "photo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _details(group: CoordinationGroup, **changes: object) -> dict:
    data = {
        "name": group.name,
        "actor_type": "",
        "level": group.level,
        "referent": "",
        "region": "",
        "locality": "",
        "latitude": "",
        "longitude": "",
        "platform_description": "",
        "territory_description": "",
        "process_summary": "",
        "stakeholders": "",
        "contacts": "",
        "support_needs": "",
        "languages": ["en"],
        "other_languages": "",
    }
    data.update(changes)
    return data


def _edit_url(group: CoordinationGroup) -> str:
    return reverse("groups:edit", kwargs={"cg": group.slug})


def _members_url(group: CoordinationGroup) -> str:
    return reverse("groups:members", kwargs={"cg": group.slug})


# --- Editing the details ------------------------------------------------------------------------


def test_facilitator_edits_the_groups_details(client, group, facilitator, alsace):
    client.force_login(facilitator)

    form = client.get(_edit_url(group))
    response = client.post(
        _edit_url(group),
        _details(
            group,
            name="Mulhouse Bourtzwiller platform",
            actor_type="Municipality",
            region=alsace.pk,
            locality="mulhouse",
            latitude="47.76",
            longitude="7.33",
            platform_description="Elected officials and associations.",
            languages=["fr", "en"],
            other_languages="ar, tr",
        ),
    )

    group.refresh_from_db()
    assert form.status_code == 200
    assert response.status_code == 302
    assert group.name == "Mulhouse Bourtzwiller platform"
    assert group.space.name == "Mulhouse Bourtzwiller platform"
    assert group.slug == "mulhouse-bourtzwiller"
    assert group.locality.name == "Mulhouse" and group.region == alsace
    assert str(group.latitude) == "47.76000"
    assert group.languages == ["fr", "en", "ar", "tr"]
    entry = AuditEntry.objects.get(action="territories.coordination_group.updated")
    assert entry.actor == facilitator
    assert "name" in entry.data["fields"] and "locality" in entry.data["fields"]


def test_locality_is_found_without_its_region(group, facilitator, alsace, client):
    client.force_login(facilitator)

    client.post(_edit_url(group), _details(group, locality="Mulhouse"))

    group.refresh_from_db()
    assert (group.region, group.locality.slug) == (alsace, "mulhouse")


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"name": "   "}, "This field is required"),
        ({"latitude": "91", "longitude": "7"}, "less than or equal to 90"),
        ({"latitude": "45"}, "both latitude and longitude"),
        ({"locality": "Atlantis"}, "No locality called “Atlantis”"),
        ({"other_languages": "English!"}, "is not a language code"),
        ({"level": "planet"}, "Select a valid choice"),
    ],
)
def test_bad_details_are_refused_with_a_clear_message(
    client, group, facilitator, alsace, changes, field_message
):
    client.force_login(facilitator)

    response = client.post(_edit_url(group), _details(group, **changes))

    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert CoordinationGroup.objects.get(pk=group.pk).name == "Mulhouse Bourtzwiller"
    assert not AuditEntry.objects.filter(action="territories.coordination_group.updated").exists()


def test_a_region_of_another_country_is_refused(client, group, facilitator):
    wallonia = Region.objects.create(
        country=make_country(code="BE", name="Belgium"), name="Wallonia", slug="wallonia"
    )
    client.force_login(facilitator)

    response = client.post(_edit_url(group), _details(group, region=wallonia.pk))

    assert response.status_code == 400
    assert "Choose a region of France" in response.content.decode()
    with pytest.raises(TerritoryError, match="not in France"):
        coordination_group_update(actor=facilitator, group=group, region=wallonia)


def test_referent_cannot_make_a_loop(facilitator, group):
    regional = make_coordination_group(name="Grand Est network")
    coordination_group_update(actor=None, group=regional, referent=group)

    with pytest.raises(TerritoryError, match="already follows yours"):
        coordination_group_update(actor=facilitator, group=group, referent=regional)


def test_status_kind_and_network_id_are_not_editable(facilitator, group, client):
    client.force_login(facilitator)

    client.post(
        _edit_url(group),
        _details(group, status="validated", kind="citizens_group", network_id="GC999999"),
    )

    group.refresh_from_db()
    assert (group.status, group.kind) == ("active", "territory")
    assert group.network_id != "GC999999"
    with pytest.raises(TypeError):
        coordination_group_update(actor=facilitator, group=group, status="validated")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_picture_in_an_accepted_format_is_stored_under_our_own_name(
    client, group, facilitator, fmt
):
    client.force_login(facilitator)

    response = client.post(
        _edit_url(group),
        _details(group, picture=_upload(_image(fmt), name="../../evil name.svg")),
    )

    group.refresh_from_db()
    assert response.status_code == 302
    assert group.picture.name.startswith(f"groups/{group.picture.name.split('/')[1]}/mulhouse")
    assert group.picture.name.endswith({"JPEG": ".jpg"}.get(fmt, f".{fmt.lower()}"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "send a JPEG, PNG, WebP or GIF image",
        ),
        (b"%PDF-1.4 not a picture", "send a JPEG, PNG, WebP or GIF image"),
        (_image("BMP"), "send a JPEG, PNG, WebP or GIF image"),
        (_image("PNG")[:40], "send a JPEG, PNG, WebP or GIF image"),
        (_png_claiming(8000, 6000), "at most 40 megapixels"),
        (_png_claiming(100_000, 100_000), "at most 40 megapixels"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024), "at most 5 MB"),
    ],
    ids=["svg", "pdf", "bmp", "truncated", "40mp", "bomb", "too-large"],
)
def test_a_refused_picture_says_why_and_saves_nothing(client, group, facilitator, content, message):
    client.force_login(facilitator)

    response = client.post(
        _edit_url(group), _details(group, name="Renamed", picture=_upload(content))
    )

    group.refresh_from_db()
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not group.picture
    assert group.name == "Mulhouse Bourtzwiller"


def test_picture_can_be_replaced_and_removed(
    client, group, facilitator, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(facilitator)
    client.post(_edit_url(group), _details(group, picture=_upload(_image())))
    group.refresh_from_db()
    first = group.picture.name

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_edit_url(group), _details(group, picture=_upload(_image("JPEG"))))
    group.refresh_from_db()
    second = group.picture.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_edit_url(group), _details(group, picture_remove="on"))
    group.refresh_from_db()

    assert first != second
    assert not (tmp_path / first).exists()
    assert not (tmp_path / second).exists()
    assert not group.picture


# --- Members ------------------------------------------------------------------------------------


def test_members_page_lists_members_and_pending_invitations(
    client, group, facilitator, django_assert_max_num_queries
):
    for role in ("editor", "member", "member", "editor"):
        membership_set(group=group, user=make_user(), role=role)
    invitation_create(group=group, email="new@example.org", role="editor", actor=facilitator)
    invitation_create(group=group, email="late@example.org", role="member", actor=facilitator)
    with cross_tenant():
        Invitation.objects.filter(email="late@example.org").update(revoked_at="2020-01-01T00:00Z")
    client.force_login(facilitator)

    with django_assert_max_num_queries(6):
        response = client.get(_members_url(group))

    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('name="role" id="role-') == 5
    assert "new@example.org" in content
    assert "late@example.org" not in content


def test_facilitator_invites_someone_and_the_email_leaves_after_commit(
    client, group, facilitator, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(facilitator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _members_url(group), {"email": "amina@example.org", "role": "editor", "language": "fr"}
        )

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["amina@example.org"]
    assert "/invitations/" in mailoutbox[0].body
    with cross_tenant():
        assert Invitation.objects.get().role == "editor"


def test_inviting_a_member_or_a_bad_address_is_refused(client, group, facilitator, mailoutbox):
    client.force_login(facilitator)

    existing = client.post(
        _members_url(group), {"email": facilitator.email, "role": "editor", "language": "en"}
    )
    bad = client.post(_members_url(group), {"email": "nobody", "role": "editor", "language": "en"})

    assert existing.status_code == 400
    assert "already a member of the group" in existing.content.decode()
    assert bad.status_code == 400
    with cross_tenant():
        assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_facilitator_changes_a_role_and_removes_a_member(client, group, facilitator):
    editor, member = make_user(), make_user()
    membership_set(group=group, user=editor, role="editor")
    membership_set(group=group, user=member, role="member")
    client.force_login(facilitator)

    promoted = client.post(
        reverse("groups:member_role", kwargs={"cg": group.slug, "user_id": editor.pk}),
        {"role": "facilitator"},
    )
    removed = client.post(
        reverse("groups:member_remove", kwargs={"cg": group.slug, "user_id": member.pk})
    )

    assert promoted.status_code == removed.status_code == 302
    with cross_tenant():
        assert Membership.objects.get(tenant=group, user=editor).role == "facilitator"
        assert not Membership.objects.filter(tenant=group, user=member).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"territories.membership.changed", "territories.membership.removed"} <= actions


def test_the_last_facilitator_can_be_neither_demoted_nor_removed(client, group, facilitator):
    client.force_login(facilitator)

    demoted = client.post(
        reverse("groups:member_role", kwargs={"cg": group.slug, "user_id": facilitator.pk}),
        {"role": "editor"},
    )
    removed = client.post(
        reverse("groups:member_remove", kwargs={"cg": group.slug, "user_id": facilitator.pk})
    )

    assert demoted.status_code == removed.status_code == 400
    assert "only facilitator" in demoted.content.decode()
    assert "only facilitator" in removed.content.decode()
    with cross_tenant():
        assert Membership.objects.get(tenant=group, user=facilitator).role == "facilitator"
    assert not AuditEntry.objects.filter(action__startswith="territories.membership").exists()


def test_a_facilitator_may_step_down_when_another_remains(client, group, facilitator):
    other = make_user()
    membership_set(group=group, user=other, role="facilitator")
    client.force_login(facilitator)

    response = client.post(
        reverse("groups:member_role", kwargs={"cg": group.slug, "user_id": facilitator.pk}),
        {"role": "member"},
    )

    assert response.status_code == 302
    assert response.url == reverse("directory:group", kwargs={"cg": group.slug})
    with cross_tenant():
        assert Membership.objects.get(tenant=group, user=facilitator).role == "member"


def test_facilitator_revokes_a_pending_invitation(client, group, facilitator):
    invitation, token = invitation_create(
        group=group, email="x@example.org", role="member", actor=facilitator
    )
    client.force_login(facilitator)

    response = client.post(
        reverse("groups:invitation_revoke", kwargs={"cg": group.slug, "pk": invitation.pk})
    )

    assert response.status_code == 302
    assert client.get(reverse("groups:invitation", kwargs={"token": token})).status_code == 404


# --- Outsiders ----------------------------------------------------------------------------------


def _facilitator_requests(group: CoordinationGroup, member, invitation) -> list[tuple[str, str]]:
    cg = group.slug
    return [
        ("get", _edit_url(group)),
        ("post", _edit_url(group)),
        ("get", _members_url(group)),
        ("post", _members_url(group)),
        ("post", reverse("groups:member_role", kwargs={"cg": cg, "user_id": member.pk})),
        ("post", reverse("groups:member_remove", kwargs={"cg": cg, "user_id": member.pk})),
        ("post", reverse("groups:invitation_revoke", kwargs={"cg": cg, "pk": invitation.pk})),
    ]


@pytest.mark.parametrize("who", ["other facilitator", "editor", "member", "anonymous"])
def test_everyone_but_facilitators_gets_404_on_the_management_pages(
    client, group, facilitator, who
):
    invitation, _token = invitation_create(
        group=group, email="x@example.org", role="member", actor=facilitator
    )
    if who == "other facilitator":
        make_coordination_group(facilitator=(visitor := make_user()))
    elif who in ("editor", "member"):
        membership_set(group=group, user=(visitor := make_user()), role=who)
    if who != "anonymous":
        client.force_login(visitor)

    statuses = {
        (method, url): getattr(client, method)(
            url, _details(group, name="Taken over", role="member", email="a@example.org")
        ).status_code
        for method, url in _facilitator_requests(group, facilitator, invitation)
    }

    # An anonymous GET is offered the login page instead (wikispiral.tenancy.login_offer).
    offer = 302 if who == "anonymous" else 404
    assert statuses == {(m, url): offer if m == "get" else 404 for m, url in statuses}
    group.refresh_from_db()
    assert group.name == "Mulhouse Bourtzwiller"
    with cross_tenant():
        assert Membership.objects.get(tenant=group, user=facilitator).role == "facilitator"
    with cross_tenant():
        assert Invitation.objects.get().revoked_at is None


def test_a_member_of_another_group_cannot_be_reached_through_this_one(client, group, facilitator):
    other_facilitator = make_user()
    make_coordination_group(facilitator=other_facilitator)
    client.force_login(facilitator)

    response = client.post(
        reverse("groups:member_remove", kwargs={"cg": group.slug, "user_id": other_facilitator.pk})
    )

    assert response.status_code == 404
    with cross_tenant():
        assert Membership.objects.filter(user=other_facilitator).exists()


def test_secretariat_may_edit_any_group(client, group):
    client.force_login(make_user(secretariat=True))

    response = client.post(_edit_url(group), _details(group, name="Fixed by the secretariat"))

    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Fixed by the secretariat"
