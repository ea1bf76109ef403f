"""Tiki pages into the wiki with their whole history (issue 15).

Two passes. The first decides every page's address (space, language, slug) from the caller's
placement, so that the second can convert each revision's links to pages of the same import:
a Tiki name is matched case-insensitively (Tiki's names are), and becomes the target our
renderer resolves (`wikispiral.wiki.selectors.resolve_links`): the slug in the same space and
language, `space:slug` in another space, the page's path in another language. An unknown name
stays as it was and shows as a missing page; the report lists it.

Each page's history is written whole or not at all, in its own transaction (a savepoint when
the caller holds one). A dry run goes through the same steps and rolls each page's back: the
pages of the import are known from the first pass, so links between them are judged without
them being in the database.

Idempotency: a Tiki version is already here when the page at its address holds a revision
imported from Tiki (source_format "tiki") with the same time and the same original text.
Numbers are not compared: Tiki may prune old versions, which shifts them. Versions not yet here
and later than the last one imported are appended, numbered after the page's last revision; a
page edited here since its import, or whose old history changed on the old site, is skipped
with a reason rather than having Tiki's text put over it. A page that exists here with no Tiki
history yet (a group's home page opened with its platform) takes the Tiki history after its
own revisions.
"""

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wikispiral.accounts.models import User
from wikispiral.accounts.selectors import users_by_usernames
from wikispiral.jobs.services import JobLost
from wikispiral.text import line_clean
from wikispiral.wiki import caching
from wikispiral.wiki.models import Page, PageRedirect, Revision, Space
from wikispiral.wiki.selectors import resolve_links
from wikispiral.wiki.services import (
    MAX_BODY_BYTES,
    MAX_COMMENT_LENGTH,
    MAX_TITLE_LENGTH,
    SEARCH_INDEX_BATCH,
    pages_search_index_enqueue,
)
from wikispiral.wiki.tiki.export import TikiPage, TikiRevision
from wikispiral.wiki.tiki.rows import revisions_insert
from wikispiral.wiki.tiki.syntax import Doubt, TikiFileRef, convert

logger = logging.getLogger(__name__)

SOURCE_FORMAT = "tiki"
MAX_SLUG_LENGTH = 200
MAX_AUTHOR_NAME_LENGTH = 150
_RESERVED_SLUGS = {"new", "attachments"}


@dataclass(frozen=True)
class Placement:
    """Where a Tiki page goes: its space, language and slug; title "" keeps the Tiki name."""

    space: Space
    language: str
    slug: str
    title: str = ""


Placer = Callable[[str], Placement]


def tiki_slug(name: str) -> str:
    """The slug a Tiki page name gets by default: our slug of the name, or, when that gives no
    usable address (only punctuation, a reserved word), one made from a digest of the name."""
    slug = slugify(name, allow_unicode=True)[:MAX_SLUG_LENGTH].strip("-")
    if not slug or slug in _RESERVED_SLUGS:
        slug = "tiki-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    return slug


def placement_in_space(
    space: Space, *, language: str | None = None, languages: dict[str, str] | None = None
) -> Placer:
    """Every page in one space, at tiki_slug(name), in the language that languages gives its
    name (matched case-insensitively), else in language, else the site's default language."""
    default = language or settings.LANGUAGE_CODE
    by_key = {name.casefold(): code for name, code in (languages or {}).items()}

    def place(name: str) -> Placement:
        return Placement(
            space=space, language=by_key.get(name.casefold(), default), slug=tiki_slug(name)
        )

    return place


class Status:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"


@dataclass
class PageOutcome:
    """What happened to one Tiki page; reason and warnings are translated."""

    name: str
    status: str = Status.UNCHANGED
    space: str = ""
    language: str = ""
    slug: str = ""
    revisions_added: int = 0
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    doubts: list[Doubt] = field(default_factory=list)
    notes: list[Doubt] = field(default_factory=list)
    missing_links: list[str] = field(default_factory=list)
    page_id: int | None = None
    # The files and pictures its versions use (for the files to become its attachments).
    files: list[TikiFileRef] = field(default_factory=list)


@dataclass
class PagesReport:
    """Every page's outcome in the order given, and the Tiki authors with no account here."""

    dry_run: bool
    pages: list[PageOutcome] = field(default_factory=list)
    authors_unmatched: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.pages if outcome.status == status)

    @property
    def revisions_added(self) -> int:
        return sum(outcome.revisions_added for outcome in self.pages)

    @property
    def missing_links(self) -> list[str]:
        """Every link target left missing, distinct, in the order met."""
        return list(dict.fromkeys(name for o in self.pages for name in o.missing_links))


@dataclass
class _Placed:
    page: TikiPage
    outcome: PageOutcome
    placement: Placement
    title: str


def _place_all(
    pages: Sequence[TikiPage], placement: Placer, report: PagesReport
) -> dict[str, _Placed]:
    """First pass: every page's address, keyed by its casefolded Tiki name; a page whose address
    cannot be used is skipped and left out."""
    placed: dict[str, _Placed] = {}
    seen: set[str] = set()
    addresses: dict[tuple[int, str, str], str] = {}
    languages = dict(settings.LANGUAGES)
    for page in pages:
        outcome = PageOutcome(name=page.name)
        report.pages.append(outcome)
        key = page.name.strip().casefold()
        if key in seen:
            outcome.status = Status.SKIPPED
            outcome.reason = _("This page is in the export twice; the first one was imported.")
            continue
        seen.add(key)
        if not page.revisions:
            outcome.status = Status.SKIPPED
            outcome.reason = _("This page has no version in the export.")
            continue
        where = placement(page.name)
        outcome.space, outcome.language, outcome.slug = (
            where.space.slug,
            where.language,
            where.slug,
        )
        if where.language not in languages:
            outcome.status = Status.SKIPPED
            outcome.reason = _("The language “%(language)s” is not one of the site's.") % {
                "language": where.language
            }
            continue
        if (
            not where.slug
            or where.slug in _RESERVED_SLUGS
            or len(where.slug) > MAX_SLUG_LENGTH
            or slugify(where.slug, allow_unicode=True) != where.slug
        ):
            outcome.status = Status.SKIPPED
            outcome.reason = _("“%(slug)s” cannot be a page's address.") % {"slug": where.slug}
            continue
        address = (where.space.pk, where.language, where.slug)
        if address in addresses:
            outcome.status = Status.SKIPPED
            outcome.reason = _("Its address is the same as the page “%(other)s”'s.") % {
                "other": addresses[address]
            }
            continue
        addresses[address] = page.name
        title = line_clean(where.title or page.name)[:MAX_TITLE_LENGTH] or where.slug
        placed[key] = _Placed(page=page, outcome=outcome, placement=where, title=title)
    return placed


def _link_target(placed: dict[str, _Placed], here: Placement) -> Callable[[str], str | None]:
    def target(name: str) -> str | None:
        other = placed.get(name.strip().casefold())
        if other is None:
            return None
        there = other.placement
        if there.language != here.language:
            return reverse(
                "wiki:page",
                kwargs={"space": there.space.slug, "lang": there.language, "slug": there.slug},
            )
        if there.space.pk == here.space.pk:
            return there.slug
        if there.space.slug == there.space.slug.lower():
            return f"{there.space.slug}:{there.slug}"
        return reverse(
            "wiki:page",
            kwargs={"space": there.space.slug, "lang": there.language, "slug": there.slug},
        )

    return target


def tiki_pages_import(
    *,
    pages: Sequence[TikiPage],
    placement: Placer,
    dry_run: bool,
    file_target: Callable[[TikiFileRef], str | None] | None = None,
    paragraph_formatting: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> PagesReport:
    """Import Tiki pages with their whole history where placement puts them; each page whole or
    not at all, again without change (see the module's docstring); dry_run writes nothing."""
    report = PagesReport(dry_run=dry_run)
    placed = _place_all(pages, placement, report)
    authors = users_by_usernames(
        names={rev.author for entry in placed.values() for rev in entry.page.revisions}
    )
    unmatched: set[str] = set()
    importer = _Importer(
        placed=placed,
        authors=authors,
        unmatched=unmatched,
        file_target=file_target,
        paragraph_formatting=paragraph_formatting,
        dry_run=dry_run,
    )
    importer.run(progress)
    if not dry_run and importer.indexed:
        pages_search_index_enqueue(page_ids=importer.indexed)
        for space_slug in {entry.placement.space.slug for entry in placed.values()}:
            caching.invalidate(space_slug=space_slug, structure=True)
    report.authors_unmatched = sorted(unmatched, key=str.casefold)
    return report


@dataclass
class _Importer:
    placed: dict[str, _Placed]
    authors: dict[str, User]
    unmatched: set[str]
    file_target: Callable[[TikiFileRef], str | None] | None
    paragraph_formatting: bool
    dry_run: bool
    # The wiki-link target each page's last version was written with, per Tiki name.
    current_links: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # Pages written: their search vectors are rebuilt by the worker, after the import.
    indexed: list[int] = field(default_factory=list)

    def run(self, progress: Callable[[int, int], None] | None) -> None:
        total = len(self.placed)
        for done, (key, entry) in enumerate(self.placed.items(), 1):
            try:
                with transaction.atomic():
                    self._page(key, entry)
                    # A dry run goes through every write and takes it back, page by page, so
                    # that what the caller commits meanwhile (its progress) stays.
                    if self.dry_run:
                        transaction.set_rollback(True)
            except (SoftTimeLimitExceeded, OperationalError, InterfaceError, JobLost):
                raise  # the run's own trouble (time, connection, claim): the job retries it
            except Exception as error:  # one page's failure must not stop the rest
                logger.exception("Tiki page %r not imported", entry.page.name)
                entry.outcome.status = Status.SKIPPED
                entry.outcome.revisions_added = 0
                entry.outcome.page_id = None
                entry.outcome.reason = _(
                    "This page could not be saved; nothing of it was imported (%(error)s)."
                ) % {"error": type(error).__name__}
            if len(self.indexed) >= SEARCH_INDEX_BATCH and not self.dry_run:
                pages_search_index_enqueue(page_ids=self.indexed)
                self.indexed = []
            if progress is not None:
                progress(done, total)
        self._missing_links()

    def _page(self, key: str, entry: _Placed) -> None:
        where = entry.placement
        outcome = entry.outcome
        page = (
            Page.objects.select_for_update()
            .filter(space=where.space, language=where.language, slug=where.slug)
            .first()
        )
        history = sorted(entry.page.revisions, key=lambda rev: rev.version)
        current: Revision | None = None
        if page is None:
            page = self._page_create(entry, history)
            outcome.status = Status.CREATED
        else:
            if page.is_deleted or page.current_revision_id is None:
                outcome.status = Status.SKIPPED
                outcome.reason = _("A deleted page is at this address; restore it first.")
                return
            current = Revision.objects.get(pk=page.current_revision_id)
            new = self._not_yet_here(page, current, history, outcome)
            if new is None:
                return
            history = new
            if not history:
                outcome.status = Status.UNCHANGED
                outcome.page_id = page.pk
                if page.search_vector is None:  # its first import was cut short: index it now
                    self.indexed.append(page.pk)
                self._remember_current_links(key, entry, entry.page.revisions)
                return
            outcome.status = Status.UPDATED
        revisions = self._revisions(key, entry, page, current, history)
        _revisions_insert(revisions, parent_id=current.pk if current else None)
        last = revisions[-1]
        if last.pk is None:  # a database that gives no ids back from a bulk insert
            last = Revision.objects.get(page=page, number=last.number)
        updated_at = max(page.updated_at, last.created_at) if current else last.created_at
        moved = Page.objects.filter(
            pk=page.pk, current_revision_id=page.current_revision_id
        ).update(current_revision=last, title=last.title, updated_at=updated_at)
        if moved != 1:
            raise DatabaseError("page moved on while importing")
        self.indexed.append(page.pk)
        outcome.revisions_added = len(revisions)
        outcome.page_id = page.pk

    def _page_create(self, entry: _Placed, history: list[TikiRevision]) -> Page:
        where = entry.placement
        PageRedirect.objects.filter(
            space=where.space, language=where.language, slug=where.slug
        ).delete()
        return Page.objects.create(
            space=where.space,
            language=where.language,
            slug=where.slug,
            title=entry.title,
            created_at=history[0].time,
            updated_at=history[-1].time,
        )

    def _not_yet_here(
        self,
        page: Page,
        current: Revision,
        history: list[TikiRevision],
        outcome: PageOutcome,
    ) -> list[TikiRevision] | None:
        """The versions to append, or None (outcome says why) when they cannot be."""
        imported = list(
            Revision.objects.filter(page=page, source_format=SOURCE_FORMAT)
            .order_by("number")
            .values_list("number", "created_at", "source")
        )
        if not imported:
            outcome.warnings.append(
                _(
                    "A page was already at this address; its versions (%(count)d) come before "
                    "the imported history."
                )
                % {"count": current.number}
            )
            return history
        last_number, last_time, _source = imported[-1]
        if current.number != last_number:
            outcome.status = Status.SKIPPED
            outcome.reason = _(
                "This page was edited here since it was imported; its new versions on the old "
                "site were not imported."
            )
            return None
        here = Counter((time, source) for _number, time, source in imported)
        new: list[TikiRevision] = []
        for rev in history:
            key = (rev.time, _clean_text(rev.text))
            if here[key] > 0:
                here[key] -= 1
            else:
                new.append(rev)
        if any(rev.time <= last_time for rev in new):
            outcome.status = Status.SKIPPED
            outcome.reason = _(
                "Its history on the old site differs from the one imported before (a version "
                "older than the last one imported is new); nothing was changed."
            )
            return None
        return new

    def _revisions(
        self,
        key: str,
        entry: _Placed,
        page: Page,
        current: Revision | None,
        history: list[TikiRevision],
    ) -> list[Revision]:
        outcome = entry.outcome
        link_target = _link_target(self.placed, entry.placement)
        number = current.number if current else 0
        size = current.size if current else 0
        revisions: list[Revision] = []
        for rev in history:
            number += 1
            source = _clean_text(rev.text)
            if source != rev.text:
                outcome.warnings.append(
                    _("Version %(version)d held null characters; they were removed.")
                    % {"version": rev.version}
                )
            conversion = convert(
                source,
                link_target=link_target,
                file_target=self.file_target,
                paragraph_formatting=self.paragraph_formatting,
            )
            body = conversion.markdown
            body_size = len(body.encode("utf-8"))
            if body_size > MAX_BODY_BYTES:
                outcome.warnings.append(
                    _(
                        "Version %(version)d is longer than a page may be (%(max)d KB): it is "
                        "kept, but must be shortened before the page can be edited."
                    )
                    % {"version": rev.version, "max": MAX_BODY_BYTES // 1024}
                )
            comment = line_clean(rev.summary)
            if len(comment) > MAX_COMMENT_LENGTH:
                outcome.warnings.append(
                    _("The summary of version %(version)d was cut to %(max)d characters.")
                    % {"version": rev.version, "max": MAX_COMMENT_LENGTH}
                )
                comment = comment[:MAX_COMMENT_LENGTH]
            author = self.authors.get(rev.author)
            author_name = ""
            if author is None and rev.author:
                author_name = line_clean(rev.author)[:MAX_AUTHOR_NAME_LENGTH]
                self.unmatched.add(author_name)
            outcome.files.extend(ref for ref in conversion.files if ref not in outcome.files)
            # The same construct in twenty versions is one doubt to review.
            outcome.doubts.extend(d for d in conversion.doubts if d not in outcome.doubts)
            outcome.notes.extend(
                note
                for note in conversion.notes
                if all(known.construct != note.construct for known in outcome.notes)
            )
            revisions.append(
                Revision(
                    page=page,
                    number=number,
                    kind=Revision.Kind.CREATE if number == 1 else Revision.Kind.EDIT,
                    title=entry.title,
                    slug=page.slug,
                    body=body,
                    comment=comment,
                    author=author,
                    author_name=author_name,
                    created_at=rev.time,
                    size=body_size,
                    size_delta=body_size - size,
                    source=source,
                    source_format=SOURCE_FORMAT,
                )
            )
            size = body_size
            if rev is history[-1]:
                self.current_links[key] = [
                    (name, link_target(name) or name) for name in conversion.links
                ]
        return revisions

    def _remember_current_links(
        self, key: str, entry: _Placed, history: list[TikiRevision]
    ) -> None:
        """An unchanged page's links, for the report: its last version converted again."""
        last = max(history, key=lambda rev: rev.version)
        link_target = _link_target(self.placed, entry.placement)
        conversion = convert(
            _clean_text(last.text), link_target=link_target, file_target=self.file_target
        )
        entry.outcome.files.extend(conversion.files)
        self.current_links[key] = [(name, link_target(name) or name) for name in conversion.links]

    def _missing_links(self) -> None:
        """Every page's links (as its last version has them) that lead to no page."""
        for key, links in self.current_links.items():
            entry = self.placed[key]
            if entry.outcome.status == Status.SKIPPED:
                continue
            # A page of this import exists unless it was skipped; only other names are looked up.
            unknown = sorted(
                {target for name, target in links if name.strip().casefold() not in self.placed}
            )
            found = (
                resolve_links(
                    space=entry.placement.space,
                    language=entry.placement.language,
                    targets=unknown,
                )
                if unknown
                else {}
            )
            missing: list[str] = []
            for name, target in links:
                other = self.placed.get(name.strip().casefold())
                if other is not None:
                    lost = other.outcome.status == Status.SKIPPED
                else:
                    lost = not (target in found and found[target].exists)
                if lost:
                    missing.append(name)
            entry.outcome.missing_links = missing


_revisions_insert = revisions_insert  # tests fail it midway


def _clean_text(text: str) -> str:
    # PostgreSQL's text cannot hold NUL; nothing a page shows is lost with it.
    return text.replace("\x00", "")


__all__ = [
    "SOURCE_FORMAT",
    "PageOutcome",
    "PagesReport",
    "Placement",
    "Placer",
    "Status",
    "placement_in_space",
    "tiki_pages_import",
    "tiki_slug",
]
