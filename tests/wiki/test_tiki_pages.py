"""Tiki pages imported into the wiki with their history (wikispiral/wiki/tiki/pages.py) and
their tree and translations from a CSV (wikispiral/wiki/tiki/structure.py)."""

import datetime

import pytest
from django.db import IntegrityError
from django.urls import reverse

from tests.factories import make_page, make_space, make_user, network_space
from tests.test_tiki_export import tiki_file, tiki_part
from wikispiral.uploads import UploadProblem
from wikispiral.wiki import services
from wikispiral.wiki.models import Page, Revision
from wikispiral.wiki.tiki import (
    TikiPage,
    TikiRevision,
    page_file_read,
    placement_in_space,
    tiki_pages_import,
    tiki_structure_apply,
    tiki_structure_read,
)
from wikispiral.wiki.tiki import pages as tiki_pages

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
T0 = datetime.datetime(2010, 1, 4, 10, 0, tzinfo=UTC)


def rev(version: int, text: str, *, author: str = "admin", summary: str = "", days: int = 0):
    return TikiRevision(
        version=version,
        author=author,
        time=T0 + datetime.timedelta(days=days or version),
        summary=summary,
        description="",
        text=text,
    )


def tiki_page(name: str, *revisions: TikiRevision) -> TikiPage:
    return TikiPage(name=name, source=f"{name}.mime", revisions=list(revisions))


def run(*pages: TikiPage, dry_run: bool = False, space=None, **options):
    return tiki_pages_import(
        pages=list(pages),
        placement=placement_in_space(space or network_space(), **options),
        dry_run=dry_run,
    )


def history(name: str = "History of TOGETHER") -> TikiPage:
    return tiki_page(
        name,
        rev(1, "!Origins\nIt started in 2005.", author="amina", summary="first draft"),
        rev(2, "!Origins\nIt started in __2005__.", author="Olivier", summary="bold"),
        rev(3, "!Origins\nIt started in __2005__, in Strasbourg.", author="ghost"),
    )


def test_history_imported_with_original_times_authors_summaries_and_text():
    amina = make_user(username="amina", display_name="Amina")
    olivier = make_user(username="olivier")

    report = run(history())

    page = Page.objects.get(slug="history-of-together")
    revisions = list(page.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2, 3]
    assert [r.created_at for r in revisions] == [T0 + datetime.timedelta(days=n) for n in (1, 2, 3)]
    assert [r.author for r in revisions] == [amina, olivier, None]  # "Olivier": case differs
    assert [r.author_name for r in revisions] == ["", "", "ghost"]
    assert [r.comment for r in revisions] == ["first draft", "bold", ""]
    assert [r.kind for r in revisions] == ["create", "edit", "edit"]
    assert revisions[1].parent == revisions[0] and revisions[2].parent == revisions[1]
    assert revisions[2].source == "!Origins\nIt started in __2005__, in Strasbourg."
    assert {r.source_format for r in revisions} == {"tiki"}
    assert revisions[2].body.startswith("# Origins")
    assert "**2005**" in revisions[2].body
    assert revisions[2].size == len(revisions[2].body.encode())
    assert page.current_revision == revisions[2]
    assert page.title == "History of TOGETHER"
    assert (page.created_at, page.updated_at) == (revisions[0].created_at, revisions[2].created_at)
    assert report.count("created") == 1 and report.revisions_added == 3
    assert report.authors_unmatched == ["ghost"]


def test_imported_author_without_account_is_shown_escaped(client):
    run(tiki_page("Notes", rev(1, "One."), rev(2, "Two.", author="<b>Zé</b>")))
    page = Page.objects.get(slug="notes")

    html = client.get(page.url_for("history")).content.decode()
    recent = client.get(reverse("wiki:recent_changes")).content.decode()
    current = client.get(page.get_absolute_url()).content.decode()
    feed = client.get(page.url_for("history_feed")).content.decode()

    assert "&lt;b&gt;Zé&lt;/b&gt;" in html and "<b>Zé</b>" not in html
    assert "&lt;b&gt;Zé&lt;/b&gt;" in recent
    assert "&lt;b&gt;Zé&lt;/b&gt;" in current  # the "last modified by" footer
    assert '/">&lt;b&gt;Zé&lt;/b&gt;</dc:creator>' in feed


def test_links_between_imported_pages_resolve_case_insensitively(client):
    group_space = make_space(slug="cg-lyon")
    pages = [
        tiki_page(
            "Home",
            rev(
                1, "See ((history of together|our history)) and ((Lyon Group)).\nAlso ((Nowhere))."
            ),
        ),
        history(),
        tiki_page("Lyon Group", rev(1, "Back to ((HOME))."), rev(2, "Back to ((Home)).")),
        tiki_page("Historia", rev(1, "Ver ((Home)).")),
    ]

    def placement(name: str) -> tiki_pages.Placement:
        if name == "Lyon Group":
            return tiki_pages.Placement(space=group_space, language="en", slug="home")
        language = "pt" if name == "Historia" else "en"
        return tiki_pages.Placement(
            space=network_space(), language=language, slug=tiki_pages.tiki_slug(name)
        )

    report = tiki_pages_import(pages=pages, placement=placement, dry_run=False)

    home = Page.objects.get(space__slug="network", slug="home")
    html = client.get(home.get_absolute_url()).content.decode()
    history_url = reverse("wiki:page", args=["network", "en", "history-of-together"])
    group_url = reverse("wiki:page", args=["cg-lyon", "en", "home"])
    assert f'<a href="{history_url}" class="wikilink">our history</a>' in html
    assert f'<a href="{group_url}" class="wikilink">Lyon Group</a>' in html
    assert 'class="wikilink missing"' in html  # Nowhere
    group_home = Page.objects.get(space=group_space, slug="home")
    group_html = client.get(group_home.get_absolute_url()).content.decode()
    assert f'href="{home.get_absolute_url()}"' in group_html
    historia = Page.objects.get(language="pt")
    assert f"]({home.get_absolute_url()})" in historia.current_revision.body
    outcomes = {o.name: o for o in report.pages}
    assert outcomes["Home"].missing_links == ["Nowhere"]
    assert outcomes["Lyon Group"].missing_links == []
    assert report.missing_links == ["Nowhere"]


def test_iso_8859_1_page_from_a_mime_file():
    data = tiki_file(
        tiki_part(
            "Écoles",
            2,
            "Les élèves __français__ ça va",
            charset="iso-8859-1",
            lastmodified=1_262_390_400,
            author="zoé",
        ),
        tiki_part(
            "Écoles",
            1,
            "Les élèves",
            charset="iso-8859-1",
            lastmodified=1_262_304_000,
            author="zoé",
            summary="créée",
        ),
    )
    page, problems = page_file_read(data, source="Écoles")
    assert page is not None and problems == []

    report = run(page, language="fr")

    imported = Page.objects.get(language="fr", slug="écoles")
    revisions = list(imported.revisions.order_by("number"))
    assert imported.title == "Écoles"
    assert revisions[0].comment == "créée" and revisions[0].author_name == "zoé"
    assert revisions[1].source == "Les élèves __français__ ça va"
    assert "**français**" in revisions[1].body
    assert revisions[0].created_at == datetime.datetime(2010, 1, 1, tzinfo=UTC)
    assert report.count("created") == 1


def test_a_page_failing_mid_history_leaves_nothing_while_others_import(monkeypatch):
    real_insert = tiki_pages._revisions_insert

    def insert_then_fail(revisions: list[Revision], *, parent_id: int | None) -> None:
        real_insert(revisions, parent_id=parent_id)  # the rows are written, then it fails
        if revisions[0].title == "Broken":
            raise IntegrityError("UNIQUE constraint failed: wiki_revision.page_id, number")

    monkeypatch.setattr(tiki_pages, "_revisions_insert", insert_then_fail)

    report = run(
        tiki_page("Before", rev(1, "a")),
        tiki_page("Broken", rev(1, "x"), rev(2, "y")),
        tiki_page("After", rev(1, "b"), rev(2, "c")),
    )

    assert not Page.objects.filter(slug="broken").exists()
    assert not Revision.objects.filter(title="Broken").exists()
    assert set(Page.objects.values_list("slug", flat=True)) == {"before", "after"}
    assert Page.objects.get(slug="after").revisions.count() == 2
    outcomes = {o.name: o for o in report.pages}
    assert outcomes["Broken"].status == "skipped" and "IntegrityError" in outcomes["Broken"].reason
    assert outcomes["Broken"].revisions_added == 0
    assert report.count("created") == 2


def test_importing_the_same_pages_again_changes_nothing():
    make_user(username="amina")
    run(history(), tiki_page("Home", rev(1, "((History of TOGETHER))")))
    before = list(Revision.objects.order_by("pk").values())
    pages_before = list(Page.objects.order_by("pk").values())

    report = run(history(), tiki_page("Home", rev(1, "((History of TOGETHER))")))

    assert list(Revision.objects.order_by("pk").values()) == before
    assert list(Page.objects.order_by("pk").values()) == pages_before
    assert [o.status for o in report.pages] == ["unchanged", "unchanged"]
    assert report.revisions_added == 0


def test_a_later_export_appends_exactly_its_two_new_revisions():
    run(history())
    later = history()
    later = tiki_page(
        later.name,
        *later.revisions[1:],  # the old site pruned its first version: nothing is lost here
        rev(4, "!Origins\nSince 2005.", author="amina", summary="shorter"),
        rev(5, "!Origins\nSince 2005, in Strasbourg.", author="ghost"),
    )

    report = run(later)

    page = Page.objects.get(slug="history-of-together")
    revisions = list(page.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2, 3, 4, 5]
    assert revisions[3].comment == "shorter" and revisions[3].parent == revisions[2]
    assert revisions[4].source == "!Origins\nSince 2005, in Strasbourg."
    assert page.current_revision == revisions[4]
    assert page.updated_at == revisions[4].created_at
    assert report.pages[0].status == "updated" and report.revisions_added == 2


def test_a_page_edited_here_since_its_import_is_not_overwritten():
    editor = make_user()
    run(history())
    page = Page.objects.get(slug="history-of-together")
    services.page_revise(
        page=page,
        actor=editor,
        title=page.title,
        body="Edited here.",
        base_revision_id=page.current_revision_id,
    )

    later = history()
    report = run(tiki_page(later.name, *later.revisions, rev(4, "newer on the old site")))

    assert page.revisions.count() == 4
    assert Page.objects.get(pk=page.pk).current_revision.body == "Edited here."
    assert report.pages[0].status == "skipped" and report.pages[0].reason


def test_a_page_opened_here_takes_the_tiki_history_after_its_own():
    group_space = make_space(slug="cg-porto")
    home = make_page(space=group_space, title="Porto", slug="home", body="Platform opened.")

    def placement(name: str) -> tiki_pages.Placement:
        return tiki_pages.Placement(space=group_space, language="en", slug="home", title="Porto")

    report = tiki_pages_import(
        pages=[tiki_page("Porto CG", rev(1, "Old page"), rev(2, "Old page, edited"))],
        placement=placement,
        dry_run=False,
    )

    revisions = list(home.revisions.order_by("number"))
    assert [r.source_format for r in revisions] == ["", "tiki", "tiki"]
    assert revisions[2].source == "Old page, edited"
    assert Page.objects.get(pk=home.pk).current_revision == revisions[2]
    assert report.pages[0].status == "updated" and report.pages[0].warnings


def test_dry_run_reports_the_same_and_writes_nothing():
    make_user(username="amina")
    pages = [
        history(),
        tiki_page("Home", rev(1, "((Missing page)) {TRACKER(trackerId=1)}{TRACKER}")),
    ]

    steps: list[tuple[int, int]] = []

    preview = tiki_pages_import(
        pages=pages,
        placement=placement_in_space(network_space()),
        dry_run=True,
        progress=lambda done, total: steps.append((done, total)),
    )

    assert not Page.objects.exists() and not Revision.objects.exists()
    assert steps == [(1, 2), (2, 2)]
    real = run(*pages)
    assert preview.dry_run and not real.dry_run
    assert [(o.name, o.status, o.revisions_added) for o in preview.pages] == [
        (o.name, o.status, o.revisions_added) for o in real.pages
    ]
    assert preview.missing_links == real.missing_links == ["Missing page"]
    assert preview.authors_unmatched == real.authors_unmatched == ["admin", "ghost", "Olivier"]
    assert preview.pages[1].doubts and preview.pages[1].doubts == real.pages[1].doubts


def test_long_summary_is_cut_with_a_warning_and_bad_addresses_are_skipped():
    report = run(
        tiki_page("Long", rev(1, "x", summary="s" * 300)),
        tiki_page("long", rev(1, "the same name in other case")),
        tiki_page("Long!", rev(1, "the same address")),
        tiki_page("???", rev(1, "no usable slug: a digest one")),
    )

    revision = Revision.objects.get(page__slug="long")
    assert revision.comment == "s" * 255
    outcomes = [o.status for o in report.pages]
    assert outcomes == ["created", "skipped", "skipped", "created"]
    assert report.pages[0].warnings
    assert report.pages[3].slug.startswith("tiki-")


# --- Structures and translations --------------------------------------------------------------


def structure_pages() -> list[TikiPage]:
    return [
        tiki_page("wikispiral", rev(1, "Top")),
        tiki_page("SPIRAL", rev(1, "The method")),
        tiki_page("History of TOGETHER's activities", rev(1, "Since 2005")),
        tiki_page("Méthode", rev(1, "La méthode")),
        tiki_page("Método", rev(1, "O método")),
        tiki_page("Autre méthode", rev(1, "Une autre")),
    ]


STRUCTURE_CSV = (
    "page;parent;position;language;translation of\n"
    "wikispiral;;;;\n"
    "SPIRAL;wikispiral;1;en;\n"
    "History of TOGETHER's activities;spiral;2;en;\n"
    "Méthode;;;fr;SPIRAL\n"
    "Método;;;pt;Méthode\n"
    "Autre méthode;;;fr;spiral\n"
    "Nowhere;wikispiral;3;;\n"
    "SPIRAL;;;;\n"
).encode()


def test_structure_csv_sets_tree_and_translations_and_reports_conflicts():
    structure = tiki_structure_read(STRUCTURE_CSV)
    assert [p.row for p in structure.problems] == [9]  # SPIRAL named twice
    placement = placement_in_space(network_space(), languages=structure.languages())
    tiki_pages_import(pages=structure_pages(), placement=placement, dry_run=False)

    report = tiki_structure_apply(structure=structure, placement=placement, dry_run=False)

    pages = {p.title: p for p in Page.objects.all()}
    top, spiral, activities = (
        pages["wikispiral"],
        pages["SPIRAL"],
        pages["History of TOGETHER's activities"],
    )
    assert (spiral.parent, spiral.position) == (top, 1)
    assert (activities.parent, activities.position) == (spiral, 2)
    assert top.parent is None
    assert pages["Méthode"].language == "fr" and pages["Método"].language == "pt"
    assert pages["Méthode"].translation_key == spiral.translation_key
    assert pages["Método"].translation_key == spiral.translation_key  # through the chain
    assert pages["Autre méthode"].translation_key != spiral.translation_key
    problems = {(p.row, p.page): p.message for p in report.problems}
    assert "translation in this language" in problems[(7, "Autre méthode")]
    assert "Nowhere" in problems[(8, "Nowhere")]
    assert (9, "SPIRAL") in problems
    assert (report.parents_set, report.translations_set) == (2, 2)

    again = tiki_structure_apply(structure=structure, placement=placement, dry_run=False)
    assert (again.parents_set, again.translations_set) == (0, 0)
    assert again.unchanged == report.unchanged + 4


def test_structure_loops_and_other_languages_are_reported_and_dry_run_writes_nothing():
    csv = b"page,parent\nA,B\nB,A\nC,Fr page\n"
    structure = tiki_structure_read(csv)
    placement = placement_in_space(network_space(), languages={"Fr page": "fr"})
    tiki_pages_import(
        pages=[tiki_page(n, rev(1, n)) for n in ("A", "B", "C", "Fr page")],
        placement=placement,
        dry_run=False,
    )

    preview = tiki_structure_apply(structure=structure, placement=placement, dry_run=True)
    assert not Page.objects.filter(parent__isnull=False).exists()
    report = tiki_structure_apply(structure=structure, placement=placement, dry_run=False)

    assert Page.objects.get(slug="a").parent == Page.objects.get(slug="b")
    assert Page.objects.get(slug="b").parent is None
    assert [(p.row, p.page) for p in report.problems] == [(3, "B"), (4, "C")]
    assert [(p.row, p.page) for p in preview.problems] == [(3, "B"), (4, "C")]
    assert "loop" in report.problems[0].message


def test_structure_csv_without_a_page_column_is_refused():
    with pytest.raises(UploadProblem):
        tiki_structure_read(b"name,parent\nA,B\n")
