"""The wiki steps of a move-in: pages with their history, their tree and translations, the
gallery files as attachments, and the old addresses of pages, files and galleries."""

import fnmatch
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.movein.addresses import (
    address_targets,
    addresses_record,
    addresses_record_feeds,
)
from wikispiral.movein.models import LegacyAddress
from wikispiral.movein.report import ERROR, NOTE, WARNING
from wikispiral.movein.sources import Sources
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Attachment, Page, Space
from wikispiral.wiki.spaces import network_space_get_or_create
from wikispiral.wiki.tiki import (
    PagesReport,
    Placement,
    TikiFileRef,
    placement_in_space,
    tiki_pages_import,
    tiki_structure_apply,
)
from wikispiral.wiki.tiki.attachments import tiki_attachment_import, tiki_attachment_name
from wikispiral.wiki.tiki.languages import language_guess
from wikispiral.wiki.tiki.mapping import COORDINATION_GROUPS, CRITERIA, HOMOGENEOUS_GROUPS
from wikispiral.wiki.tiki.pages import Placer, tiki_slug

if TYPE_CHECKING:
    from wikispiral.movein.run import Context

Kind = LegacyAddress.Kind
# The feed an old tracker's RSS address leads to, by what the tracker held.
TRACKER_FEEDS = {
    COORDINATION_GROUPS: "groups",
    HOMOGENEOUS_GROUPS: "homogeneous_groups",
    CRITERIA: "changes",
}


def _languages(context: "Context", sources: Sources) -> dict[str, str]:
    """Each page's language: the structure file's, else a sure guess from its text; unsure
    guesses are listed and the page takes the default language."""
    assert sources.pages is not None
    given = {
        name.casefold(): code
        for name, code in (sources.structure.languages() if sources.structure else {}).items()
    }
    offered = tuple(code for code, _name in settings.LANGUAGES)
    default = _default_language(sources)
    chosen: dict[str, str] = {}
    for page in sources.pages.pages:
        if page.name.casefold() in given:
            chosen[page.name] = given[page.name.casefold()]
            continue
        if not page.revisions:
            continue
        guess = language_guess(page.revisions[-1].text, languages=offered)
        if guess is None:
            continue
        context.report.languages_guessed.append(
            {
                "page": page.name,
                "language": guess.language,
                "confidence": f"{guess.confidence:.2f}",
                "kept": guess.language if guess.sure else default,
            }
        )
        if guess.sure:
            chosen[page.name] = guess.language
    return chosen


def _default_language(sources: Sources) -> str:
    if sources.mapping is not None and sources.mapping.pages_language:
        return sources.mapping.pages_language
    return settings.LANGUAGE_CODE


def _placement(context: "Context", sources: Sources, languages: dict[str, str]) -> Placer:
    """Where each page goes: the group's home or homogeneous group's page the trackers name,
    a group's space the mapping's [pages.spaces] names, else the network's space."""
    default = _default_language(sources)
    base = placement_in_space(network_space_get_or_create(), language=default, languages=languages)
    by_name = {name.casefold(): code for name, code in languages.items()}
    owners = context.page_owners
    with cross_tenant():
        groups = CoordinationGroup.objects.select_related("space").in_bulk(
            [pk for kind, pk in owners.values() if kind == "coordination_groups"]
        )
        hgs = HomogeneousGroup.objects.select_related("page__space").in_bulk(
            [pk for kind, pk in owners.values() if kind == "homogeneous_groups"]
        )
    patterns: list[tuple[str, CoordinationGroup]] = []
    if sources.mapping is not None and sources.mapping.pages_spaces:
        with cross_tenant():
            for pattern, reference in sources.mapping.pages_spaces.items():
                group = (
                    CoordinationGroup.objects.select_related("space")
                    .filter(network_id=reference.upper())
                    .first()
                    or CoordinationGroup.objects.select_related("space")
                    .filter(slug=reference)
                    .first()
                )
                if group is None:
                    context.report.add(
                        "pages",
                        pattern,
                        _(
                            "The mapping sends these pages to “%(group)s”, which is not a "
                            "coordination group here: they go to the network's space."
                        )
                        % {"group": reference},
                        ERROR,
                    )
                    continue
                patterns.append((pattern.casefold(), group))

    imported = _imported_pages(sources)

    def place(name: str) -> Placement:
        key = name.casefold()
        earlier = imported.get(key)
        if earlier is not None:
            # Imported before: it stays where it is (its group's space, its language), whatever
            # this run's trackers or language guesses say.
            return Placement(space=earlier.space, language=earlier.language, slug=earlier.slug)
        owner = owners.get(key)
        if owner is not None and owner[0] == "coordination_groups" and owner[1] in groups:
            group = groups[owner[1]]
            language = by_name.get(key) or (group.languages[0] if group.languages else default)
            return Placement(space=group.space, language=language, slug="home")
        if owner is not None and owner[0] == "homogeneous_groups" and owner[1] in hgs:
            page = hgs[owner[1]].page
            if page is not None:
                return Placement(space=page.space, language=page.language, slug=page.slug)
        for pattern, group in patterns:
            if fnmatch.fnmatchcase(key, pattern):
                language = by_name.get(key) or (group.languages[0] if group.languages else default)
                return Placement(space=group.space, language=language, slug=tiki_slug(name))
        return base(name)

    return place


def _imported_pages(sources: Sources) -> dict[str, Page]:
    """The pages an earlier run imported under these Tiki names (case-folded), by their old
    addresses."""
    assert sources.pages is not None
    names = [page.name for page in sources.pages.pages]
    found = address_targets(Kind.PAGE, names)
    pages = Page.objects.select_related("space").in_bulk([pk for _m, pk in found.values()])
    return {key: pages[pk] for key, (_model, pk) in found.items() if pk in pages}


def _file_targets(sources: Sources) -> dict[int, str]:
    """Tiki file id -> the attachment name its pages will point at: this run's files, and
    those an earlier run imported."""
    names: dict[int, str] = {}
    found = LegacyAddress.objects.filter(kind=Kind.FILE, object_id__isnull=False).values_list(
        "key", "object_id"
    )
    by_attachment = {key: pk for key, pk in found if pk is not None}
    if by_attachment:
        attachment_names = dict(
            Attachment.objects.filter(pk__in=by_attachment.values()).values_list("pk", "name")
        )
        for key, pk in by_attachment.items():
            if key.isdigit() and pk in attachment_names:
                names[int(key)] = attachment_names[pk]
    if sources.files is not None:
        for file in sources.files.files:
            names[file.file_id] = tiki_attachment_name(file)
    return names


def pages_step(context: "Context", sources: Sources) -> PagesReport | None:
    if sources.pages is None:
        return None
    report = context.report
    pages = sources.pages.pages
    context.progress("pages", 0, len(pages))
    languages = _languages(context, sources)
    context.placement = _placement(context, sources, languages)
    targets = _file_targets(sources)

    def file_target(ref: TikiFileRef) -> str | None:
        if ref.kind == "file" and ref.ref.isdigit() and int(ref.ref) in targets:
            return f"attachment:{targets[int(ref.ref)]}"
        return None

    result = tiki_pages_import(
        pages=pages,
        placement=context.placement,
        dry_run=False,  # a dry run rolls the whole move-in back instead
        file_target=file_target,
        progress=lambda done, total: context.progress("pages", done, total),
    )
    for outcome in result.pages:
        report.count("pages", outcome.status)
        for warning in outcome.warnings:
            report.add("pages", outcome.name, warning, WARNING)
        if outcome.reason:
            report.add(
                "pages",
                outcome.name,
                outcome.reason,
                WARNING if outcome.status != "skipped" else ERROR,
            )
        for doubt in [*outcome.doubts, *outcome.notes]:
            report.add("pages", outcome.name, f"{doubt.message} {doubt.source[:200]}", NOTE)
        for name in outcome.missing_links:
            report.add(
                "pages",
                outcome.name,
                _("The link to “%(name)s” leads to no page.") % {"name": name},
                WARNING,
            )
    report.count("revisions", "created", result.revisions_added)
    report.authors_unmatched = sorted(
        set(report.authors_unmatched) | set(result.authors_unmatched), key=str.casefold
    )
    missing_files = sorted(
        {
            int(ref.ref)
            for o in result.pages
            for ref in o.files
            if ref.kind == "file" and ref.ref.isdigit() and int(ref.ref) not in targets
        }
    )
    for file_id in missing_files:
        report.add(
            "files",
            str(file_id),
            _("Pages use this file, which is not among the gallery files."),
            WARNING,
        )
    return result


def structure_step(context: "Context", sources: Sources) -> None:
    if sources.structure is None or sources.pages is None or context.placement is None:
        return
    context.progress("structure", 0, len(sources.structure.rows))
    applied = tiki_structure_apply(
        structure=sources.structure, placement=context.placement, dry_run=False
    )
    context.report.count("structure", "updated", applied.parents_set + applied.translations_set)
    context.report.count("structure", "unchanged", applied.unchanged)
    for problem in applied.problems[len(sources.structure.problems) :]:
        context.report.add("structure", problem.page or str(problem.row), problem.message, WARNING)
    context.progress("structure", len(sources.structure.rows), len(sources.structure.rows))


def files_step(context: "Context", sources: Sources, pages: PagesReport | None) -> None:
    """Each file into the spaces whose pages use it (the network's when none does)."""
    if sources.files is None:
        return
    files = sources.files.files
    context.progress("files", 0, len(files))
    users: dict[int, set[int]] = defaultdict(set)  # file id -> page ids
    if pages is not None:
        for outcome in pages.pages:
            if outcome.page_id is None:
                continue
            for ref in outcome.files:
                if ref.kind == "file" and ref.ref.isdigit():
                    users[int(ref.ref)].add(outcome.page_id)
    page_spaces = {
        page.pk: page
        for page in Page.objects.filter(
            pk__in={pk for ids in users.values() for pk in ids}
        ).select_related("space")
    }
    network = network_space_get_or_create()
    # A file imported before, that no page of this run names: it stays in its space (never
    # copied to the network's public one).
    earlier = address_targets(Kind.FILE, [file.file_id for file in files])
    earlier_attachments = Attachment.objects.select_related("space").in_bulk(
        [pk for _model, pk in earlier.values()]
    )
    first: dict[int, Attachment] = {}
    gallery_spaces: dict[int, Counter[int]] = defaultdict(Counter)
    spaces: dict[int, Space] = {network.pk: network}
    for done, file in enumerate(files, 1):
        using = sorted(
            (page_spaces[pk] for pk in users.get(file.file_id, ()) if pk in page_spaces),
            key=lambda p: p.pk,
        )
        by_space: dict[int, Page | None] = {}
        for page in using:
            by_space.setdefault(page.space_id, page)
            spaces[page.space_id] = page.space
        before = earlier.get(str(file.file_id))
        if not by_space and before is not None and before[1] in earlier_attachments:
            kept = earlier_attachments[before[1]]
            by_space[kept.space_id] = kept.page
            spaces[kept.space_id] = kept.space
        if not by_space:
            by_space[network.pk] = None
        for space_id, user_page in by_space.items():
            stored = tiki_attachment_import(
                file=file,
                space=spaces[space_id],
                page=user_page,
                actor=context.actor,
                # Files are not in the transaction a dry run rolls back: not stored at all.
                dry_run=context.move.dry_run,
            )
            context.report.count("files", stored.status)
            if stored.status == "skipped":
                context.report.add(
                    "files",
                    f"{file.file_id} {file.name}",
                    _("The file changed or vanished since it was read; it was not imported."),
                    ERROR,
                )
            if stored.attachment is not None:
                first.setdefault(file.file_id, stored.attachment)
            if file.gallery_id is not None:
                gallery_spaces[file.gallery_id][space_id] += 1
        context.progress("files", done, len(files))
    addresses_record(kind=Kind.FILE, targets=first.items(), move_in=context.move)
    addresses_record(
        kind=Kind.GALLERY,
        targets=[
            (gallery, spaces[counts.most_common(1)[0][0]])
            for gallery, counts in gallery_spaces.items()
        ],
        move_in=context.move,
    )


def page_addresses_step(context: "Context", sources: Sources, pages: PagesReport | None) -> None:
    """The old names of the imported pages, and the old trackers' feeds."""
    context.progress("addresses", 0, 1)
    changed = 0
    if pages is not None:
        ids = {o.name.casefold(): o.page_id for o in pages.pages if o.page_id is not None}
        found = Page.objects.in_bulk(list(ids.values()))
        changed += addresses_record(
            kind=Kind.PAGE,
            targets=[(name, found[pk]) for name, pk in ids.items() if pk in found],
            move_in=context.move,
        )
        if sources.structure is not None:
            refs = [
                (ref, found[ids[row.page.casefold()]])
                for row in sources.structure.rows
                for ref in row.page_refs
                if ids.get(row.page.casefold()) in found
            ]
            changed += addresses_record(kind=Kind.PAGE_REF, targets=refs, move_in=context.move)
    feeds = [
        (tracker.mapping.tracker_id, TRACKER_FEEDS[kind])
        for kind, tracker in sources.trackers.items()
        if tracker.mapping.tracker_id
    ]
    changed += addresses_record_feeds(targets=feeds, move_in=context.move)
    context.report.count("addresses", "created", changed)
    context.progress("addresses", 1, 1)
