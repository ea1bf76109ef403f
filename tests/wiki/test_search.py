"""Page search: the same behaviour on PostgreSQL full-text search and on the SQLite fallback.

Unmarked tests run on whichever database the suite uses (SQLite locally, PostgreSQL under CI),
so both code paths answer to them; ``postgres`` tests pin what only full-text search can do.
"""

import itertools
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_user
from wikispiral.wiki import search
from wikispiral.wiki.models import Page, Revision, Space
from wikispiral.wiki.search import page_search, page_search_index_update

_sequence = itertools.count(1)


def _space(*, is_public: bool = True) -> Space:
    number = next(_sequence)
    return Space.objects.create(slug=f"space-{number}", name=f"Space {number}", is_public=is_public)


def _page(
    *,
    title: str,
    body: str,
    space: Space | None = None,
    language: str = "en",
    is_deleted: bool = False,
    updated_at: datetime | None = None,
) -> Page:
    """A page with one revision, indexed as the services would have it indexed."""
    page = Page.objects.create(
        space=space or _space(),
        language=language,
        slug=f"page-{next(_sequence)}",
        title=title,
        is_deleted=is_deleted,
        updated_at=updated_at or timezone.now(),
    )
    revision = Revision.objects.create(
        page=page,
        number=1,
        kind=Revision.Kind.CREATE,
        title=title,
        slug=page.slug,
        body=body,
        size=len(body.encode()),
    )
    Page.objects.filter(pk=page.pk).update(current_revision=revision)
    page.current_revision = revision
    page_search_index_update(page_id=page.pk)
    return page


def _titles(result: search.SearchPage) -> list[str]:
    return [hit.title for hit in result.results]


# --- Any database -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_finds_page_by_title_word() -> None:
    _page(title="Cooperative bakery", body="Bread for the neighbourhood.")
    _page(title="Unrelated", body="Nothing to see.")

    result = page_search(query="bakery", language="en")

    assert _titles(result) == ["Cooperative bakery"]
    assert result.total == 1
    assert result.query == "bakery"


@pytest.mark.django_db
def test_search_finds_page_by_body_word_and_links_to_it() -> None:
    page = _page(title="Water", body="The village shares one **well** and a pump.")

    result = page_search(query="pump", language="en")

    [hit] = result.results
    assert hit.page == page
    assert hit.url == page.get_absolute_url()
    assert hit.updated_at == page.updated_at
    assert "<mark>pump</mark>" in hit.snippet_html


@pytest.mark.django_db
def test_search_requires_every_word() -> None:
    _page(title="Gardens", body="Community gardens feed schools.")
    _page(title="Schools", body="Schools teach children.")

    assert _titles(page_search(query="gardens schools", language="en")) == ["Gardens"]


@pytest.mark.django_db
def test_search_excludes_deleted_pages() -> None:
    _page(title="Old compost notes", body="Compost.", is_deleted=True)

    assert page_search(query="compost", language="en").total == 0


@pytest.mark.django_db
def test_search_excludes_pages_of_non_public_spaces() -> None:
    _page(title="Draft compost plan", body="Compost.", space=_space(is_public=False))
    _page(title="Public compost guide", body="Compost.")

    assert _titles(page_search(query="compost", language="en")) == ["Public compost guide"]


@pytest.mark.django_db
def test_search_excludes_pages_without_a_revision() -> None:
    Page.objects.create(space=_space(), language="en", slug="empty", title="Compost stub")

    assert page_search(query="compost", language="en").total == 0


@pytest.mark.django_db
def test_search_keeps_to_the_language_unless_none_is_given() -> None:
    _page(title="Solidarity economy", body="Markets.", language="en")
    _page(title="Solidarity economy", body="Marchés.", language="fr")

    assert [
        hit.page.language for hit in page_search(query="solidarity", language="en").results
    ] == ["en"]
    everywhere = page_search(query="solidarity", language=None)
    assert sorted(hit.page.language for hit in everywhere.results) == ["en", "fr"]


@pytest.mark.django_db
def test_title_match_ranks_before_body_match() -> None:
    # The body-only match is the most recently modified, so only ranking can put it second.
    _page(title="Harvest festival", body="Music and food.", updated_at=timezone.now())
    _page(
        title="Calendar",
        body="The harvest comes in September.",
        updated_at=timezone.now() + timedelta(days=1),
    )

    assert _titles(page_search(query="harvest", language="en")) == ["Harvest festival", "Calendar"]


@pytest.mark.django_db
def test_snippet_escapes_page_text_but_keeps_the_highlight() -> None:
    _page(title="Tricky", body='Before <script>alert("x")</script> the seedbank <b>opens</b>.')

    [hit] = page_search(query="seedbank", language="en").results

    # PostgreSQL's headline drops tags and the fallback escapes them: either way, never markup.
    assert "<mark>seedbank</mark>" in hit.snippet_html
    assert "<script" not in hit.snippet_html
    assert "<b>" not in hit.snippet_html


@pytest.mark.django_db
def test_snippet_ignores_highlight_sentinels_written_in_the_page() -> None:
    _page(title="Sly", body="A \ue000forged\ue001 mark next to the seedbank.")

    [hit] = page_search(query="seedbank", language="en").results

    assert hit.snippet_html.count("<mark>") == 1
    assert "<mark>seedbank</mark>" in hit.snippet_html


@pytest.mark.django_db
def test_blank_query_returns_nothing_without_querying(django_assert_num_queries) -> None:
    _page(title="Anything", body="Anything.")

    with django_assert_num_queries(0):
        result = page_search(query="   \n ", language=None)

    assert result == search.SearchPage(results=[], total=0, query="")


@pytest.mark.django_db
def test_query_is_cut_to_200_characters() -> None:
    result = page_search(query="x" * 500, language="en")

    assert result.query == "x" * 200


@pytest.mark.django_db
def test_search_paginates_with_limit_and_offset() -> None:
    for number in range(3):
        _page(
            title=f"Mutual aid {number}",
            body="Help.",
            updated_at=timezone.now() - timedelta(days=number),
        )

    first = page_search(query="mutual", language="en", limit=2)
    second = page_search(query="mutual", language="en", limit=2, offset=2)

    assert (first.total, second.total) == (3, 3)
    assert len(first.results) == 2
    assert len(second.results) == 1
    assert {*_titles(first), *_titles(second)} == {"Mutual aid 0", "Mutual aid 1", "Mutual aid 2"}


@pytest.mark.django_db
def test_search_query_count_does_not_grow_with_results(django_assert_max_num_queries) -> None:
    for number in range(8):
        _page(title=f"Seed library {number}", body="Seeds.", space=_space())

    with django_assert_max_num_queries(2):
        result = page_search(query="seed", language=None)
        rendered = [(hit.url, hit.page.space.name, hit.snippet_html) for hit in result.results]

    assert len(rendered) == 8


@pytest.mark.django_db
def test_fallback_snippet_is_a_window_around_the_first_match(monkeypatch) -> None:
    # Forced here so the fallback is covered under CI, where the suite runs on PostgreSQL.
    monkeypatch.setattr(search, "_is_postgresql", lambda: False)
    body = "Lorem ipsum. " * 40 + "The orchard is shared. " + "Dolor sit amet. " * 40
    _page(title="Orchard", body=body, updated_at=datetime(2024, 1, 1, tzinfo=UTC))
    _page(title="Fruit trees", body="Ask <b>at</b> the *orchard*.")

    result = page_search(query="ORCHARD", language="en")

    assert _titles(result) == ["Orchard", "Fruit trees"]  # title match beats recency
    snippet = result.results[0].snippet_html
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "<mark>orchard</mark> is shared" in snippet
    assert len(snippet) < 260
    assert result.results[1].snippet_html == "Ask &lt;b&gt;at&lt;/b&gt; the <mark>orchard</mark>."


@pytest.mark.django_db
def test_search_reads_the_current_revision_after_an_edit() -> None:
    page = _page(title="Bees", body="Hives.")
    newer = Revision.objects.create(
        page=page,
        number=2,
        parent=page.current_revision,
        title="Bees",
        slug=page.slug,
        body="Hives and an orchard.",
    )
    Page.objects.filter(pk=page.pk).update(current_revision=newer)
    page_search_index_update(page_id=page.pk)

    assert _titles(page_search(query="orchard", language="en")) == ["Bees"]


@pytest.mark.django_db
def test_index_update_of_a_missing_page_does_nothing() -> None:
    page_search_index_update(page_id=987654)


@pytest.mark.django_db
def test_search_page_lists_hits_with_escaped_titles(client: Client) -> None:
    page = _page(title="Seed <b>library</b>", body="Seeds for everyone.")

    response = client.get(reverse("wiki:search"), {"q": "seeds"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "1 result for" in html
    assert f'href="{page.get_absolute_url()}"' in html
    assert "Seed &lt;b&gt;library&lt;/b&gt;" in html


@pytest.mark.django_db
def test_search_page_without_hits_offers_to_create_the_page(client: Client) -> None:
    response = client.get(reverse("wiki:search"), {"q": "Bee & <i>hive</i>"})
    html = response.content.decode()

    new_page = reverse("wiki:page_new", kwargs={"space": "network", "lang": "en"})
    assert "0 results for" in html
    assert "Bee &amp; &lt;i&gt;hive&lt;/i&gt;" in html
    assert "<i>" not in html
    assert f'href="{new_page}?title=Bee%20%26%20%3Ci%3Ehive%3C%2Fi%3E"' in html


# --- PostgreSQL full-text search ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db
def test_french_search_matches_other_forms_of_a_word() -> None:
    _page(title="Coopération", body="Le territoire rassemble ses habitants.", language="fr")

    assert _titles(page_search(query="territoires", language="fr")) == ["Coopération"]
    assert _titles(page_search(query="territoires", language=None)) == ["Coopération"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_each_language_is_searched_with_its_own_stemming() -> None:
    # English stems "running" to "run"; the French configuration does not.
    _page(title="Training", body="We run every week.", language="en")
    _page(title="Entraînement", body="Nous aimons le run.", language="fr")

    assert _titles(page_search(query="running", language=None)) == ["Training"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_index_uses_the_plain_text_of_the_current_revision() -> None:
    page = _page(title="Links", body="See [[Seed library|the library]] and **harvest**.")

    vector = Page.objects.values_list("search_vector", flat=True).get(pk=page.pk)

    assert "'link':1A" in vector
    assert "'harvest'" in vector
    assert "seed" not in vector  # a wiki link's target is not text of the page


@pytest.mark.postgres
@pytest.mark.django_db
def test_headline_marks_matches_and_escapes_page_text() -> None:
    _page(
        title="Semences",
        body="Avant <script>alert(1)</script> si 3 < 5 & les semences. " + "Mot. " * 100,
        language="fr",
    )

    [hit] = page_search(query="semence", language="fr").results

    assert "<mark>semences</mark>" in hit.snippet_html
    assert "<script" not in hit.snippet_html
    assert "3 &lt; 5 &amp; les" in hit.snippet_html
    assert hit.rank > 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_search_vector_has_a_gin_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'wiki_page' AND indexname = %s",
            ["wiki_page_search_gin"],
        )
        [(definition,)] = cursor.fetchall()

    assert "USING gin (search_vector)" in definition


# --- A real Celery worker -----------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_created_page_is_indexed_by_the_worker(celery_worker_process) -> None:
    from wikispiral.wiki.services import page_create

    page_create(
        space=_space(),
        language="en",
        title="Quinoa cooperative",
        body="Farmers share one threshing machine.",
        actor=make_user(),
    )

    # On PostgreSQL only the stored vector can match the body, and only the worker writes it.
    deadline = time.monotonic() + 20
    result = page_search(query="threshing", language="en")
    while result.total == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
        result = page_search(query="threshing", language="en")

    assert _titles(result) == ["Quinoa cooperative"], celery_worker_process.log()
