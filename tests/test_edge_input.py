"""Input at the edge: control characters in addresses and forms, invisible characters in names.

A NUL reached PostgreSQL (which refuses it in text) from a path, a query string or a form and
answered 500; bidirectional controls made a title or a name read as another. The first are
refused before any view runs (wikispiral/edge.py: 404 in a path, 400 in a query string or a
form); the second are stripped from names, titles and criteria by one function
(wikispiral.text.line_clean / invisibles_strip).
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from criteria.models import Criterion, Question
from projects.models import Participant, Workshop
from territories.models import HomogeneousGroup, Profile
from tests.factories import (
    make_coordination_group,
    make_homogeneous_group,
    make_page,
    make_user,
    network_space,
)
from wikispiral.tenancy import cross_tenant, tenant_scope
from wikispiral.text import invisibles_strip, line_clean
from wikispiral.wiki.models import Attachment, Page

PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)

pytestmark = pytest.mark.django_db

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def facilitator():
    return make_user(username="fatima", display_name="Fatima")


@pytest.fixture
def group(facilitator):
    return make_coordination_group(name="Rabat Yacoub", facilitator=facilitator)


# --- Control characters in addresses ------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "status", "page"),
    [
        ("/wiki/{space}/en/home%00/", 404, "Not found"),
        ("/apply/%00/", 404, "Not found"),
        ("/wiki/{space}/attachments/%00", 404, "Not found"),
        ("/recent/?space=%00", 400, "Bad request"),
    ],
)
@pytest.mark.parametrize("logged_in", [False, True])
def test_a_nul_in_an_address_is_refused_not_an_error(
    client, group, facilitator, address, status, page, logged_in
):
    if logged_in:
        client.force_login(facilitator)

    response = client.get(address.format(space=group.space.slug))

    assert response.status_code == status
    assert page in response.content.decode()


@pytest.mark.parametrize(
    "address",
    [
        "/wiki/network/en/ho%C2%9Bme/",
        "/wiki/network/en/ho%09me/",
        "/wiki/network/en/home%7F/",
    ],
)
def test_any_control_character_in_a_path_names_nothing(client, address):
    assert client.get(address).status_code == 404


@pytest.mark.parametrize(
    "query", ["space=%00", "q=%00&page=2", "%1b=x", "q=a%0Bb", "q=%0c", "q=%1F", "q=\x08"]
)
def test_a_control_character_in_a_query_string_is_a_bad_request(client, query):
    assert client.get(f"/recent/?{query}").status_code == 400


@pytest.mark.parametrize(
    "query", ["q=100%25+%C3%A9t%C3%A9+%E2%80%A6", "q=pasted%09text", "q=two%0D%0Alines"]
)
def test_tabs_line_ends_escaped_percent_signs_and_other_languages_pass(client, query):
    network_space()

    assert client.get(f"/search/?{query}").status_code == 200


def test_the_refusals_are_in_the_persons_language(client):
    not_found = client.get("/apply/%00/", HTTP_ACCEPT_LANGUAGE="fr")
    bad_request = client.get("/recent/?q=%00", HTTP_ACCEPT_LANGUAGE="pt")

    assert not_found.status_code == 404
    assert "Introuvable" in not_found.content.decode()
    assert bad_request.status_code == 400
    assert "Pedido inválido" in bad_request.content.decode()
    # Refused inside the security middlewares: the pages carry their headers.
    assert "Content-Security-Policy" in not_found and "X-Content-Type-Options" in bad_request


# --- Control characters in forms ----------------------------------------------------------------


def _new_page_url() -> str:
    return reverse("wiki:page_new", kwargs={"space": network_space().slug, "lang": "en"})


@pytest.mark.parametrize(
    "data",
    [
        {"title": "Mul\x00house", "body": "Text."},
        {"title": "Mulhouse", "body": "Line one\x00"},
        {"title": "Mulhouse", "body": "Text.", "comment": "bell\x07"},
        {"title": "Mulhouse", "body": "Text.", "na\x00me": "x"},
    ],
)
def test_a_control_character_in_a_form_is_refused_and_nothing_is_saved(client, data):
    client.force_login(make_user())
    url = _new_page_url()
    pages_before = Page.objects.count()

    response = client.post(url, {**data, "action": "save"})

    assert response.status_code == 400
    assert "invisible control character" in response.content.decode()
    assert Page.objects.count() == pages_before


def test_tabs_and_line_ends_in_a_form_are_kept(client):
    client.force_login(make_user())

    response = client.post(
        _new_page_url(), {"title": "Mulhouse", "body": "One\r\n\tTwo\rThree", "action": "save"}
    )

    assert response.status_code == 302
    assert Page.objects.get(title="Mulhouse").current_revision.body == "One\n\tTwo\nThree"


def test_a_multipart_upload_still_works(client):
    client.force_login(make_user())
    network_space()
    url = reverse("wiki:attachments", kwargs={"space": "network"})

    response = client.post(url, {"file": SimpleUploadedFile("map.png", PNG_1PX), "name": "map"})

    assert response.status_code == 302
    assert Attachment.objects.get().name == "map.png"


def test_a_nul_in_a_multipart_field_is_refused_and_the_file_is_not_kept(client):
    client.force_login(make_user())
    network_space()
    url = reverse("wiki:attachments", kwargs={"space": "network"})

    response = client.post(url, {"file": SimpleUploadedFile("map.png", PNG_1PX), "name": "m\x00ap"})

    assert response.status_code == 400
    assert not Attachment.objects.exists()


def test_control_and_bidi_characters_in_an_uploaded_files_name_are_dropped(client):
    client.force_login(make_user())
    network_space()
    url = reverse("wiki:attachments", kwargs={"space": "network"})

    response = client.post(url, {"file": SimpleUploadedFile("m\x00a\u202ep\x01.png", PNG_1PX)})

    assert response.status_code == 302
    assert Attachment.objects.get().name == "map.png"


def test_an_htmx_post_still_works(client, group, facilitator):
    with cross_tenant():
        hg = make_homogeneous_group(tenant=group, meeting_dates=["2026-03-14"])
    client.force_login(facilitator)
    url = reverse("entry:add", kwargs={"cg": group.slug, "hg": hg.slug})
    data = {
        "question": Question.objects.shared().get(code="Q1").pk,
        "text": "Having friends",
        "session_date": "2026-03-14",
        "language": "en",
    }

    response = client.post(url, data, **HTMX)

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    with tenant_scope(group):
        assert Criterion.objects.get().text == "Having friends"


# --- Invisible characters in names and titles ---------------------------------------------------


def test_bidi_controls_are_stripped_from_a_page_title(client):
    client.force_login(make_user())

    response = client.post(
        _new_page_url(),
        {"title": "\u202eMul\u2066house\u200f", "body": "Text.", "action": "save"},
    )

    assert response.status_code == 302
    page = Page.objects.get(title="Mulhouse")
    assert page.current_revision.title == "Mulhouse"


def test_a_title_of_bidi_controls_alone_is_refused_as_empty(client):
    client.force_login(make_user())
    pages_before = Page.objects.count()

    response = client.post(
        _new_page_url(), {"title": BIDI_CONTROLS, "body": "Text.", "action": "save"}
    )

    assert response.status_code == 400
    assert "A page needs a title." in response.content.decode()
    assert Page.objects.count() == pages_before


def test_bidi_controls_are_stripped_when_a_page_is_edited(client):
    user = make_user()
    page = make_page(title="Mulhouse", author=user)
    client.force_login(user)

    client.post(
        page.url_for("edit"),
        {
            "title": "Mulhouse\u202e2023",
            "body": "Text.",
            "base_revision": page.current_revision_id,
            "action": "save",
        },
    )

    page.refresh_from_db()
    assert page.title == "Mulhouse2023"


def test_bidi_controls_are_stripped_from_a_display_name(client):
    user = make_user()
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "\u202bAna\u202c \u2067Silva\u2069",
            "email": user.email,
            "preferred_language": "en",
        },
    )

    user.refresh_from_db()
    assert response.status_code == 302
    assert user.display_name == "Ana Silva"


def test_bidi_controls_are_stripped_from_a_homogeneous_groups_name(client, group, facilitator):
    client.force_login(facilitator)

    response = client.post(
        reverse("groups:homogeneous_group_new", kwargs={"cg": group.slug}),
        {
            "name": "Young\u202e people",
            "profile": Profile.objects.filter(is_active=True).order_by("order").first().pk,
            "language": "en",
            "meeting_dates": "2025-03-14",
            "participants": "12",
        },
    )

    assert response.status_code == 302
    with tenant_scope(group):
        assert HomogeneousGroup.objects.get().name == "Young people"


def test_bidi_controls_are_stripped_from_a_criterion(client, group, facilitator):
    with cross_tenant():
        hg = make_homogeneous_group(tenant=group, meeting_dates=["2026-03-14"])
    client.force_login(facilitator)
    data = {
        "question": Question.objects.shared().get(code="Q1").pk,
        "text": "Having\u200e friends\u202e",
        "session_date": "2026-03-14",
        "language": "en",
    }

    response = client.post(reverse("entry:add", kwargs={"cg": group.slug, "hg": hg.slug}), data)

    assert response.status_code == 302
    with tenant_scope(group):
        assert Criterion.objects.get().text == "Having friends"


def test_bidi_controls_are_stripped_from_a_participants_name(client):
    client.force_login(make_user())

    response = client.post(
        reverse("projects:join"),
        {"kind": "citizen", "subtype": "family", "name": "The \u202eMartins", "people": "4"},
    )

    assert response.status_code == 302
    assert Participant.objects.get().name == "The Martins"


def test_bidi_controls_are_stripped_from_a_workshops_title(client, facilitator, group):
    client.force_login(facilitator)
    starts = datetime.date.today() + datetime.timedelta(days=30)

    response = client.post(
        reverse("projects:workshop_new"),
        {
            "title": "\u2066Mobility\u2069 in small towns",
            "audience": "everyone",
            "starts_at": f"{starts.isoformat()}T18:30",
            "time_zone": "Europe/Paris",
            "duration_minutes": "90",
            "languages": "en",
            "meeting_url": "https://meet.example.org/m",
            "capacity": "25",
        },
    )

    assert response.status_code == 302
    assert Workshop.objects.get().title == "Mobility in small towns"


@pytest.mark.parametrize(
    "text",
    [
        "مرحبا بكم في الرباط",  # Arabic
        "שלום ירושלים",  # Hebrew
        "می\u200cخواهم",  # Persian, with the zero-width non-joiner its spelling needs
        "👩\u200d👩\u200d👧",  # an emoji sequence joined by zero-width joiners
    ],
)
def test_right_to_left_text_and_joiners_are_kept(text):
    assert line_clean(text) == text


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_line_clean_leaves_no_invisible_character_and_is_idempotent(text):
    cleaned = line_clean(text)

    assert not set(cleaned) & set(BIDI_CONTROLS + "\x00\n\r\t\u200b\ufeff")
    assert cleaned == cleaned.strip()
    assert line_clean(cleaned) == cleaned


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(BIDI_CONTROLS + "\x00\x07\t\n\r ab\u05d0\u0627")))
def test_invisibles_strip_keeps_only_visible_text_and_line_ends(text):
    stripped = invisibles_strip(text)

    assert not set(stripped) & set(BIDI_CONTROLS + "\x00\x07")
    assert [c for c in text if c in "\t\n\r ab\u05d0\u0627"] == list(stripped)
    assert invisibles_strip(stripped) == stripped
