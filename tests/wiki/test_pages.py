"""The page engine seen through its views: reading, editing, history, conflicts, bad input."""

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import make_page, make_space, make_user, network_space
from wikispiral.wiki import services
from wikispiral.wiki.models import Attachment, Page, Revision

pytestmark = pytest.mark.django_db

PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


class _AttributeCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.handlers: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handlers += [(tag, name) for name, _value in attrs if name.startswith("on")]


def _event_handler_attributes(html: str) -> list[tuple[str, str]]:
    """Elements carrying on* attributes, as a browser's parser would see them."""
    collector = _AttributeCollector()
    collector.feed(html)
    return collector.handlers


def edit(client, page, *, body, title=None, base=None, comment="", action="save", **headers):
    return client.post(
        page.url_for("edit"),
        {
            "title": title or page.title,
            "body": body,
            "comment": comment,
            "base_revision": base if base is not None else page.current_revision_id,
            "action": action,
        },
        headers=headers,
    )


def test_anonymous_reader_sees_page_with_last_modified_footer(client):
    author = make_user(display_name="Amina")
    page = make_page(title="History", body="## Origins\n\nSince 2005.", author=author)

    response = client.get(page.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>History" in html
    assert 'id="origins"' in html
    assert "Page last modified on" in html and "Amina" in html
    assert 'rel="alternate" type="application/rss+xml"' in html


def test_anonymous_page_view_is_served_from_cache_until_the_page_changes(
    client, django_capture_on_commit_callbacks
):
    editor = make_user()
    page = make_page(body="First words.")
    client.get(page.get_absolute_url())

    cached = client.get(page.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        services.page_revise(
            page=page,
            actor=editor,
            title=page.title,
            body="Second words.",
            base_revision_id=page.current_revision_id,
        )
    fresh = client.get(page.get_absolute_url())

    assert cached["X-Page-Cache"] == "hit"
    assert "First words." in cached.content.decode()
    assert "X-Page-Cache" not in fresh
    assert "Second words." in fresh.content.decode()


def test_red_link_turns_blue_when_the_target_page_is_created(
    client, django_capture_on_commit_callbacks
):
    page = make_page(body="See [[Pilot actions]].")
    before = client.get(page.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        make_page(title="Pilot actions")
    after = client.get(page.get_absolute_url()).content.decode()

    assert 'class="wikilink missing"' in before
    assert "new/?title=Pilot+actions" in before
    assert 'class="wikilink missing"' not in after
    assert "/wiki/network/en/pilot-actions/" in after


def test_every_save_appends_a_revision_with_its_size_change(client):
    user = make_user()
    page = make_page(body="abc")
    client.force_login(user)

    response = edit(client, page, body="abcdef", comment="longer")

    page.refresh_from_db()
    latest = page.current_revision
    assert response.status_code == 302
    assert page.revisions.count() == 2
    assert (latest.number, latest.size_delta, latest.comment, latest.author) == (
        2,
        3,
        "longer",
        user,
    )
    assert latest.parent.number == 1


def test_saving_unchanged_text_adds_no_revision(client):
    client.force_login(make_user())
    page = make_page(body="same")

    edit(client, page, body="same")

    assert page.revisions.count() == 1


def test_reader_must_log_in_to_edit(client):
    page = make_page()

    response = client.get(page.url_for("edit"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_unconfirmed_account_cannot_edit(client):
    client.force_login(make_user(confirmed=False))
    page = make_page()

    assert client.get(page.url_for("edit")).status_code == 403
    assert edit(client, page, body="vandalism").status_code == 403
    assert page.revisions.count() == 1


def test_only_secretariat_edits_a_protected_page(client):
    page = make_page(protected=True, body="official")
    client.force_login(make_user())
    refused = edit(client, page, body="changed")
    client.force_login(make_user(secretariat=True))
    accepted = edit(client, page, body="changed by the secretariat")

    assert refused.status_code == 403
    assert accepted.status_code == 302
    page.refresh_from_db()
    assert page.current_revision.body == "changed by the secretariat"


def test_non_overlapping_concurrent_edits_are_merged(client):
    page = make_page(body="line one\nline two\nline three\n")
    base = page.current_revision_id
    first, second = make_user(), make_user()
    client.force_login(first)
    edit(client, page, body="line ONE\nline two\nline three\n", base=base)
    client.force_login(second)

    response = edit(client, page, body="line one\nline two\nline THREE\n", base=base)

    page.refresh_from_db()
    assert response.status_code == 302
    assert page.current_revision.body == "line ONE\nline two\nline THREE\n"
    assert page.current_revision.kind == Revision.Kind.MERGE


def test_overlapping_edit_shows_conflict_and_keeps_the_persons_text(client):
    page = make_page(body="The meeting is on Monday.\n")
    base = page.current_revision_id
    client.force_login(make_user(display_name="Rui"))
    edit(client, page, body="The meeting is on Tuesday.\n", base=base)
    client.force_login(make_user())

    response = edit(client, page, body="The meeting is on Friday.\n", base=base)

    html = response.content.decode()
    page.refresh_from_db()
    assert response.status_code == 409
    assert "Edit conflict" in html
    assert "The meeting is on Friday." in html  # mine, kept in the form
    assert "The meeting is on Tuesday." in html  # theirs, shown
    assert f'name="base_revision" value="{page.current_revision_id}"' in html
    assert page.current_revision.body == "The meeting is on Tuesday.\n"
    assert page.revisions.count() == 2


def test_base_revision_of_another_page_is_refused_without_saving(client):
    client.force_login(make_user())
    page, other = make_page(body="a"), make_page(body="b")
    edit(client, page, body="a2")  # page moves on, so the base below is stale

    response = edit(client, page, body="a3", base=other.current_revision_id)

    assert response.status_code == 400
    assert "reload" in response.content.decode()
    assert page.revisions.count() == 2


def test_empty_title_and_duplicate_address_are_refused_with_a_message(client):
    client.force_login(make_user())
    make_page(title="Mulhouse")
    url = reverse("wiki:page_new", kwargs={"space": "network", "lang": "en"})

    empty = client.post(url, {"title": "   ", "body": "x", "action": "save"})
    duplicate = client.post(url, {"title": "Mulhouse", "body": "x", "action": "save"})

    assert empty.status_code == 400
    assert duplicate.status_code == 400
    assert "A page with this address already exists." in duplicate.content.decode()
    assert Page.objects.filter(slug="mulhouse").count() == 1


def test_new_page_from_a_red_link_prefills_the_title(client):
    client.force_login(make_user())
    network_space()
    url = reverse("wiki:page_new", kwargs={"space": "network", "lang": "en"})

    response = client.get(url, {"title": "Cape Verde"})

    assert 'value="Cape Verde"' in response.content.decode()


def test_script_typed_in_title_body_and_comment_never_reaches_the_page_as_markup(client):
    client.force_login(make_user())
    network_space()
    url = reverse("wiki:page_new", kwargs={"space": "network", "lang": "en"})
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'

    client.post(
        url, {"title": f"T {payload}", "body": payload, "comment": payload, "action": "save"}
    )
    page = Page.objects.get()
    pages = [page.get_absolute_url(), page.url_for("history"), reverse("wiki:recent_changes")]

    for address in pages:
        html = client.get(address).content.decode()
        assert "<script>alert" not in html
        assert not _event_handler_attributes(html)


def test_preview_with_htmx_returns_only_the_fragment_and_saves_nothing(client):
    client.force_login(make_user())
    page = make_page(body="old")

    fragment = edit(client, page, body="**new**", action="preview", HX_Request="true")
    full = edit(client, page, body="**new**", action="preview")

    assert fragment.status_code == 200
    assert fragment.content.decode().lstrip().startswith('<section id="preview"')
    assert "<strong>new</strong>" in fragment.content.decode()
    assert "<html" in full.content.decode() and "<strong>new</strong>" in full.content.decode()
    assert page.revisions.count() == 1


def test_history_diff_and_revert(client):
    user = make_user()
    client.force_login(user)
    page = make_page(body="Well-being is having time.")
    edit(client, page, body="Well-being is having friends.")

    history = client.get(page.url_for("history")).content.decode()
    diff = client.get(page.url_for("diff"), {"from": 1, "to": 2}).content.decode()
    inline = client.get(
        page.url_for("diff"), {"from": 1, "to": 2, "mode": "inline"}
    ).content.decode()
    reverted = client.post(
        reverse(
            "wiki:revert", kwargs={"space": "network", "lang": "en", "slug": page.slug, "number": 1}
        )
    )

    page.refresh_from_db()
    assert history.count('name="from"') == 2
    assert "<del>time</del>" in diff and "<ins>friends</ins>" in diff
    assert "<del>time</del>" in inline
    assert reverted.status_code == 302
    assert page.current_revision.number == 3
    assert page.current_revision.kind == Revision.Kind.REVERT
    assert page.current_revision.body == "Well-being is having time."


def test_unknown_revision_and_page_are_404(client):
    page = make_page()

    assert client.get(page.url_for("diff"), {"from": 1, "to": 99}).status_code == 404
    missing = client.get(
        reverse("wiki:page", kwargs={"space": "network", "lang": "en", "slug": "nope"})
    )
    assert missing.status_code == 404
    assert "This page does not exist yet" in missing.content.decode()
    assert client.get("/wiki/nowhere/en/home/").status_code == 404
    assert client.get("/wiki/network/xx/home/").status_code == 404


def test_move_leaves_a_redirect_and_keeps_history(client):
    page = make_page(title="Old name")
    client.force_login(make_user(secretariat=True))

    response = client.post(page.url_for("move"), {"title": "New name", "slug": "", "comment": ""})

    page.refresh_from_db()
    assert response.status_code == 302
    assert page.slug == "new-name"
    assert page.revisions.count() == 2
    old = client.get("/wiki/network/en/old-name/")
    assert old.status_code == 302 and old["Location"] == page.get_absolute_url()


def test_citizen_cannot_move_delete_or_protect(client):
    page = make_page()
    client.force_login(make_user())

    for action in ("move", "delete", "protect", "restore"):
        assert client.post(page.url_for(action), {"title": "x"}).status_code == 403


def test_delete_is_a_revision_that_can_be_undone(client):
    page = make_page(body="kept")
    client.force_login(make_user(secretariat=True))

    client.post(page.url_for("delete"), {"comment": "spam"})
    gone = client.get(page.get_absolute_url())
    client.post(page.url_for("restore"), {"comment": ""})
    back = client.get(page.get_absolute_url())

    assert gone.status_code == 404
    assert back.status_code == 200 and "kept" in back.content.decode()
    kinds = list(page.revisions.order_by("number").values_list("kind", flat=True))
    assert kinds == ["create", "delete", "restore"]


def test_private_space_is_404_for_outsiders_and_absent_from_recent_changes(client):
    hidden = make_space(slug="drafts", is_public=False)
    page = make_page(space=hidden, title="Secret plan", author=make_user())
    client.force_login(make_user())

    assert client.get(page.get_absolute_url()).status_code == 404
    assert client.get(page.url_for("history")).status_code == 404
    assert client.get(page.url_for("edit")).status_code == 404
    assert "Secret plan" not in client.get(reverse("wiki:recent_changes")).content.decode()


def test_recent_changes_filters_by_language(client):
    make_page(title="Hello", language="en")
    make_page(title="Bonjour", language="fr")

    html = client.get(reverse("wiki:recent_changes"), {"language": "fr"}).content.decode()

    assert "Bonjour" in html and "Hello" not in html


def test_upload_checks_the_real_type_and_size(client, settings):
    client.force_login(make_user())
    network_space()
    url = reverse("wiki:attachments", kwargs={"space": "network"})
    settings.WIKI_ATTACHMENT_MAX_BYTES = 1024

    fake = client.post(url, {"file": SimpleUploadedFile("x.png", b"<svg onload=alert(1)>")})
    large = client.post(url, {"file": SimpleUploadedFile("big.png", PNG_1PX + b"0" * 2000)})
    good = client.post(url, {"file": SimpleUploadedFile("map.png", PNG_1PX), "name": "map"})

    assert fake.status_code == 400 and "Only PNG" in fake.content.decode()
    assert large.status_code == 400
    assert good.status_code == 302
    attachment = Attachment.objects.get()
    served = client.get(
        reverse("wiki:attachment_file", kwargs={"space": "network", "name": "map.png"})
    )
    assert (attachment.name, attachment.content_type) == ("map.png", "image/png")
    assert served["Content-Type"] == "image/png"
    assert "sandbox" in served["Content-Security-Policy"]


def test_page_view_query_count_is_bounded(client, django_assert_max_num_queries):
    parent = make_page(title="Parent")
    page = make_page(title="Child", parent=parent, body="[[Parent]] [[Missing]]")
    for index in range(5):
        make_page(title=f"Grandchild {index}", parent=page)
    client.force_login(make_user())

    with django_assert_max_num_queries(12):
        response = client.get(page.get_absolute_url())

    assert response.status_code == 200


def test_recent_changes_query_count_is_bounded(client, django_assert_max_num_queries):
    for index in range(10):
        make_page(title=f"Page {index}", author=make_user())

    with django_assert_max_num_queries(4):
        client.get(reverse("wiki:recent_changes"))


def test_logged_in_view_is_personal_even_when_the_page_parts_come_from_cache(client):
    page = make_page(title="Shared", body="Common text")
    client.force_login(make_user(display_name="Ana", secretariat=True))
    staff_view = client.get(page.get_absolute_url()).content.decode()
    client.force_login(make_user(display_name="Bruno"))

    citizen_view = client.get(page.get_absolute_url()).content.decode()

    assert "Ana" in staff_view and page.url_for("move") in staff_view
    assert "Bruno" in citizen_view and "Ana" not in citizen_view
    assert page.url_for("move") not in citizen_view
    assert page.url_for("edit") in citizen_view


def test_logged_in_reader_sees_the_new_revision_right_after_a_save(client):
    page = make_page(body="Before")
    client.force_login(make_user())
    client.get(page.get_absolute_url())

    edit(client, page, body="After")
    html = client.get(page.get_absolute_url()).content.decode()

    assert "After" in html and "Before" not in html


def test_warm_logged_in_page_view_needs_two_queries(client, django_assert_max_num_queries):
    page = make_page(body="[[Somewhere]]", parent=make_page(title="Parent"))
    client.force_login(make_user())
    client.get(page.get_absolute_url())

    # The user and the page; session, fragments and rendered text come from the cache.
    with django_assert_max_num_queries(2):
        response = client.get(page.get_absolute_url())

    assert response.status_code == 200


def test_cached_anonymous_response_keeps_language_and_framing_headers(client):
    page = make_page()
    client.get(page.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr")

    hit = client.get(page.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr")

    assert hit["X-Page-Cache"] == "hit"
    assert hit["Content-Language"] == "fr"
    assert "Accept-Language" in hit["Vary"] and "Cookie" in hit["Vary"]
    assert hit["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in hit["Content-Security-Policy"]
    assert '<html lang="fr"' in hit.content.decode()


def test_reader_with_a_session_is_never_served_the_shared_copy(client):
    page = make_page()
    client.get(page.get_absolute_url())
    client.force_login(make_user(display_name="Zoé"))

    response = client.get(page.get_absolute_url())

    assert "X-Page-Cache" not in response
    assert "Zoé" in response.content.decode()


def test_repeat_view_by_a_logged_in_reader_comes_from_their_copy_with_a_working_csrf_token(
    django_assert_max_num_queries,
):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    page = make_page(body="Text")
    client.force_login(make_user(display_name="Lina"))
    client.get(page.get_absolute_url())

    with django_assert_max_num_queries(0):  # user and page both come from the cache
        second = client.get(page.get_absolute_url())
    html = second.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    logout = client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})

    assert "Lina" in html and "csrf-" not in html
    assert logout.status_code == 302
    assert "_auth_user_id" not in client.session


def test_logged_in_copy_is_retired_by_someone_elses_edit_and_by_a_new_name(client):
    page = make_page(body="Version one")
    reader = make_user(display_name="Old name")
    client.force_login(reader)
    client.get(page.get_absolute_url())

    services.page_revise(
        page=page,
        actor=make_user(),
        title=page.title,
        body="Version two",
        base_revision_id=page.current_revision_id,
    )
    after_edit = client.get(page.get_absolute_url()).content.decode()
    reader.display_name = "New name"
    reader.save(update_fields=["display_name"])
    after_rename = client.get(page.get_absolute_url()).content.decode()

    assert "Version two" in after_edit
    assert "New name" in after_rename
