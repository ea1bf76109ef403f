"""The tree and translations of imported Tiki pages, from a small CSV (issue 15).

Tiki's page exports carry neither its structures nor its translation links, so the secretariat
writes them down in one CSV with a "page" column and any of "parent", "position", "language"
and "translation of" (a header row; comma, semicolon or tab; UTF-8), one row per page:

- parent and position place the page in the tree (a blank parent with a position: at the
  top; both blank: left where it is); a blank position follows the rows' order among
  siblings;
- language says the page's language: read it before the import (`Structure.languages`, given
  to `placement_in_space`), since a page's language is part of its address;
- translation of names the page this one translates: they share a translation key, the key of
  the page at the end of the chain, at most one page per language.

Every row that cannot be applied is a problem of the report (a page not imported, a parent in
another space or language, a loop, a language already taken); nothing is raised for them.
Applying the same file again changes nothing.
"""

import re
from collections.abc import Container, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from wikispiral.text import line_clean
from wikispiral.uploads import Limits, UploadProblem, csv_sheet, csv_text
from wikispiral.wiki import caching
from wikispiral.wiki.models import Page
from wikispiral.wiki.tiki.pages import Placer

STRUCTURE_LIMITS = Limits(max_bytes=2 * 1024 * 1024, max_rows=50_000, max_columns=10)
_COLUMNS = {
    "page": "page",
    "parent": "parent",
    "position": "position",
    "language": "language",
    "translation of": "translation_of",
    # Tiki's structure node ids of the page (several, separated by spaces or commas), for the
    # old tiki-index.php?page_ref_id=N links.
    "page ref id": "page_ref_id",
    "page ref ids": "page_ref_id",
}
_MAX_CHAIN = 1000


@dataclass(frozen=True)
class StructureRow:
    row: int
    page: str
    parent: str | None = None  # None: the file has no parent column
    position: int | None = None
    language: str = ""
    translation_of: str = ""
    page_refs: tuple[int, ...] = ()


@dataclass(frozen=True)
class StructureProblem:
    """A row that was not (wholly) applied; message is translated."""

    row: int
    page: str
    message: str


@dataclass
class Structure:
    rows: list[StructureRow] = field(default_factory=list)
    problems: list[StructureProblem] = field(default_factory=list)

    def languages(self) -> dict[str, str]:
        """Each page's language as the file gives it, for placement_in_space(languages=...)."""
        return {row.page: row.language for row in self.rows if row.language}


@dataclass
class StructureReport:
    dry_run: bool
    parents_set: int = 0
    translations_set: int = 0
    unchanged: int = 0
    problems: list[StructureProblem] = field(default_factory=list)


def tiki_structure_read(data: bytes, *, limits: Limits = STRUCTURE_LIMITS) -> Structure:
    """The rows of a structure CSV; UploadProblem when the file as a whole cannot be used, a
    problem per row that cannot."""
    sheet = csv_sheet(csv_text(data, limits=limits), limits=limits)
    names = [line_clean(cell).lower().replace("_", " ") for cell in sheet.header]
    columns = {_COLUMNS[name]: index for index, name in enumerate(names) if name in _COLUMNS}
    if "page" not in columns:
        raise UploadProblem(_("The file needs a “page” column."))
    structure = Structure()
    unknown = [cell for cell, name in zip(sheet.header, names, strict=True) if name not in _COLUMNS]
    if unknown:
        structure.problems.append(
            StructureProblem(
                sheet.header_row,
                "",
                _("These columns are not used: %(columns)s.") % {"columns": ", ".join(unknown)},
            )
        )
    languages = dict(settings.LANGUAGES)
    seen: set[str] = set()
    for number, cells in sheet.rows:

        def cell(column: str, cells: list[str] = cells) -> str:
            index = columns.get(column)
            return line_clean(cells[index]) if index is not None and index < len(cells) else ""

        page = cell("page")
        if not page:
            continue
        problem = _row_problem(
            page=page,
            position=cell("position"),
            language=cell("language"),
            seen=seen,
            languages=languages,
        )
        refs = re.split(r"[\s,;]+", cell("page_ref_id").strip())
        if not problem and not all(ref.isdigit() for ref in refs if ref):
            problem = _("The page ref ids must be whole numbers.")
        if problem:
            structure.problems.append(StructureProblem(number, page, problem))
            continue
        seen.add(page.casefold())
        structure.rows.append(
            StructureRow(
                row=number,
                page=page,
                parent=cell("parent") if "parent" in columns else None,
                position=int(cell("position")) if cell("position") else None,
                language=cell("language"),
                translation_of=cell("translation_of"),
                page_refs=tuple(int(ref) for ref in refs if ref),
            )
        )
    return structure


def _row_problem(
    *, page: str, position: str, language: str, seen: set[str], languages: Container[str]
) -> str:
    if page.casefold() in seen:
        return _("This page is named on an earlier row.")
    if position and (not position.isdecimal() or int(position) > 1_000_000):
        return _("The position must be a whole number (0 or more).")
    if language and language not in languages:
        return _("The language “%(language)s” is not one of the site's.") % {"language": language}
    return ""


@dataclass
class _Plan:
    report: StructureReport
    pages: dict[str, Page | None]
    tree: dict[int, tuple[int | None, int]] = field(default_factory=dict)
    keys: dict[int, object] = field(default_factory=dict)


def tiki_structure_apply(
    *, structure: Structure, placement: Placer, dry_run: bool
) -> StructureReport:
    """Set the parents, positions and translation keys the rows give to the pages placement
    finds; every row that cannot be applied is reported; dry_run writes nothing."""
    report = StructureReport(dry_run=dry_run, problems=list(structure.problems))
    names = {
        name
        for row in structure.rows
        for name in (row.page, row.parent or "", row.translation_of)
        if name
    }
    plan = _Plan(report=report, pages=_pages_find(names, placement))
    _plan_tree(structure.rows, plan)
    _plan_translations(structure.rows, plan)
    if not dry_run and (plan.tree or plan.keys):
        with transaction.atomic():
            for pk, (parent_id, position) in plan.tree.items():
                Page.objects.filter(pk=pk).update(parent_id=parent_id, position=position)
            # In the order decided: a page leaving a key is written before one taking its place.
            for pk, key in plan.keys.items():
                Page.objects.filter(pk=pk).update(translation_key=key)
        caching.invalidate(structure=True)
    return report


def _pages_find(names: Iterable[str], placement: Placer) -> dict[str, Page | None]:
    """Each name's page (casefolded name as key), or None when none is at its placement."""
    wanted = {name.casefold(): placement(name) for name in names}
    found: dict[tuple[int, str, str], Page] = {}
    addresses = list(wanted.values())
    for start in range(0, len(addresses), 300):
        query = Q()
        for where in addresses[start : start + 300]:
            query |= Q(space_id=where.space.pk, language=where.language, slug=where.slug)
        for page in Page.objects.filter(query).select_related("space").defer("search_vector"):
            found[(page.space_id, page.language, page.slug)] = page
    return {
        key: found.get((where.space.pk, where.language, where.slug))
        for key, where in wanted.items()
    }


def _problem(plan: _Plan, row: StructureRow, message: str) -> None:
    plan.report.problems.append(StructureProblem(row.row, row.page, message))


def _not_imported(name: str) -> str:
    return _("No imported page is named “%(name)s”.") % {"name": name}


def _plan_tree(rows: list[StructureRow], plan: _Plan) -> None:
    siblings: dict[int | None, int] = {}
    for row in rows:
        if row.parent is None or (not row.parent and row.position is None):
            continue  # the row says nothing of the tree
        page = plan.pages[row.page.casefold()]
        if page is None:
            _problem(plan, row, _not_imported(row.page))
            continue
        parent = plan.pages[row.parent.casefold()] if row.parent else None
        if row.parent and parent is None:
            _problem(plan, row, _not_imported(row.parent))
            continue
        if parent is not None and (
            parent.space_id != page.space_id or parent.language != page.language
        ):
            _problem(plan, row, _("The parent page must be in the same space and language."))
            continue
        parent_id = parent.pk if parent is not None else None
        if parent_id is not None and _would_loop(page.pk, parent_id, plan):
            _problem(plan, row, _("This parent would make the tree loop."))
            continue
        siblings[parent_id] = siblings.get(parent_id, 0) + 1
        position = row.position if row.position is not None else siblings[parent_id]
        if (page.parent_id, page.position) == (parent_id, position):
            plan.report.unchanged += 1
            continue
        plan.tree[page.pk] = (parent_id, position)
        plan.report.parents_set += 1


def _would_loop(page_id: int, parent_id: int, plan: _Plan) -> bool:
    """Whether page_id is parent_id or one of its ancestors, with the planned parents."""
    current: int | None = parent_id
    for _step in range(_MAX_CHAIN):
        if current is None:
            return False
        if current == page_id:
            return True
        if current in plan.tree:
            current = plan.tree[current][0]
        else:
            current = Page.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    return True


def _plan_translations(rows: list[StructureRow], plan: _Plan) -> None:
    of = {row.page.casefold(): row.translation_of for row in rows if row.translation_of}
    members = [plan.pages[row.page.casefold()] for row in rows if row.translation_of]
    roots = [_root(row.page, of, plan) for row in rows if row.translation_of]
    keys = {p.translation_key for p in [*members, *(root for root in roots if root)] if p}
    taken: dict[tuple[object, str], int] = {
        (key, language): pk
        for pk, key, language in Page.objects.filter(translation_key__in=keys).values_list(
            "pk", "translation_key", "language"
        )
    }
    translated = (row for row in rows if row.translation_of)
    for row, page, root in zip(translated, members, roots, strict=True):
        if page is None:
            _problem(plan, row, _not_imported(row.page))
            continue
        if row.language and row.language != page.language:
            _problem(
                plan,
                row,
                _("This page is in “%(here)s” here, not in “%(file)s”.")
                % {"here": page.language, "file": row.language},
            )
            continue
        if root is None:
            _problem(plan, row, _not_imported(_chain_end(row.page, of)))
            continue
        if root.pk == page.pk:
            _problem(plan, row, _("These translations name each other in a loop."))
            continue
        if root.space_id != page.space_id:
            _problem(plan, row, _("A translation must stay in the same space."))
            continue
        key = plan.keys.get(root.pk, root.translation_key)
        current = plan.keys.get(page.pk, page.translation_key)
        if current == key:
            plan.report.unchanged += 1
            continue
        holder = taken.get((key, page.language))
        if holder is not None and holder != page.pk:
            _problem(
                plan,
                row,
                _(
                    "“%(page)s” cannot be linked to “%(root)s”: that page already has a "
                    "translation in this language."
                )
                % {"page": row.page, "root": root.title},
            )
            continue
        taken.pop((current, page.language), None)
        taken[(key, page.language)] = page.pk
        plan.keys[page.pk] = key
        plan.report.translations_set += 1


def _chain_end(name: str, of: dict[str, str]) -> str:
    seen: set[str] = set()
    while name.casefold() in of and name.casefold() not in seen and len(seen) < _MAX_CHAIN:
        seen.add(name.casefold())
        name = of[name.casefold()]
    return name


def _root(name: str, of: dict[str, str], plan: _Plan) -> Page | None:
    """The page at the end of name's "translation of" chain (name's own page in a loop)."""
    end = _chain_end(name, of)
    if end.casefold() in of:  # a loop: reported by the caller
        return plan.pages.get(name.casefold())
    return plan.pages.get(end.casefold())


__all__ = [
    "Structure",
    "StructureProblem",
    "StructureReport",
    "StructureRow",
    "tiki_structure_apply",
    "tiki_structure_read",
]
