"""Writes to the page engine. Every change to a page appends a revision in the same transaction."""

import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename, slugify
from django.utils.translation import gettext as _

from wikispiral.accounts.models import User
from wikispiral.errors import DomainError
from wikispiral.notifications.services import change_record, follow_edited
from wikispiral.text import line_clean, newlines_normalise
from wikispiral.uploads import MAX_IMAGE_PIXELS, UploadProblem, image_check
from wikispiral.wiki import caching
from wikispiral.wiki.merging import three_way_merge
from wikispiral.wiki.models import Attachment, Page, PageRedirect, Revision, Space

logger = logging.getLogger(__name__)

MAX_TITLE_LENGTH = 255
MAX_BODY_BYTES = 512 * 1024
MAX_COMMENT_LENGTH = 255
EDITING_NOTICE_SECONDS = 10 * 60

# Sniffed from the first bytes, never trusted from the browser. SVG is left out on purpose: it
# can carry script.
ALLOWED_UPLOADS: dict[bytes, tuple[str, str]] = {
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"GIF87a": ("image/gif", ".gif"),
    b"GIF89a": ("image/gif", ".gif"),
    b"%PDF-": ("application/pdf", ".pdf"),
}


class WikiError(DomainError):
    pass


class PageExists(WikiError):
    pass


@dataclass
class EditConflict(Exception):
    """Someone saved after the base revision and the changes overlap."""

    page: Page
    base: Revision
    theirs: Revision
    mine_title: str
    mine_body: str


def _clean_title(title: str) -> str:
    title = line_clean(title)
    if not title:
        raise WikiError(_("A page needs a title."), field="title")
    if len(title) > MAX_TITLE_LENGTH:
        raise WikiError(
            _("The title is too long (at most %(max)d characters).") % {"max": MAX_TITLE_LENGTH},
            field="title",
        )
    return title


def _clean_body(body: str) -> str:
    body = newlines_normalise(body or "")
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        raise WikiError(
            _("The text is too long (at most %(max)d KB).") % {"max": MAX_BODY_BYTES // 1024},
            field="body",
        )
    if "\x00" in body:
        raise WikiError(_("The text contains a null character."), field="body")
    return body


def _clean_comment(comment: str) -> str:
    return line_clean(comment)[:MAX_COMMENT_LENGTH]


def _clean_slug(slug: str | None, title: str) -> str:
    slug = slugify(slug or title, allow_unicode=True)[:200].strip("-")
    if not slug or slug in {"new", "attachments"}:
        raise WikiError(_("Choose a title that gives a usable address."), field="title")
    return slug


def _check_language(language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise WikiError(_("This language is not available."), field="language")


SEARCH_INDEX_BATCH = 200


def pages_search_index_enqueue(*, page_ids: Sequence[int]) -> None:
    """Have the worker rebuild these pages' search vectors, a batch per job (an import's
    pages: their writer does not wait for the index)."""
    from wikispiral.jobs.services import job_enqueue

    for start in range(0, len(page_ids), SEARCH_INDEX_BATCH):
        batch = list(page_ids[start : start + SEARCH_INDEX_BATCH])
        job_enqueue(
            kind="wiki.search_index",
            key=f"wiki.search_index:batch:{batch[0]}:{batch[-1]}:{len(batch)}",
            args={"page_ids": batch},
        )


def _after_save(page: Page, *, structural: bool) -> None:
    page_id = page.pk
    caching.invalidate(space_slug=page.space.slug, structure=structural)
    from wikispiral.jobs.services import job_enqueue

    job_enqueue(
        kind="wiki.search_index", key=f"wiki.search_index:{page_id}", args={"page_id": page_id}
    )


def _append_revision(
    *,
    page: Page,
    current: Revision | None,
    actor: User | None,
    kind: str,
    title: str,
    body: str,
    comment: str,
    reverted_to: Revision | None = None,
) -> Revision:
    """Insert the next revision and make it current, or fail if another save won the race.

    The caller holds the page row lock on PostgreSQL; the unique constraints and the
    conditional UPDATE below still make the chain safe where no lock exists.
    """
    size = len(body.encode("utf-8"))
    now = timezone.now()
    revision = Revision.objects.create(
        page=page,
        number=(current.number + 1) if current else 1,
        parent=current,
        kind=kind,
        title=title,
        slug=page.slug,
        body=body,
        comment=comment,
        author=actor if actor and actor.is_authenticated else None,
        created_at=now,
        size=size,
        size_delta=size - (current.size if current else 0),
        reverted_to=reverted_to,
    )
    moved = Page.objects.filter(
        pk=page.pk, current_revision_id=current.pk if current else None
    ).update(current_revision=revision, title=title, updated_at=now)
    if moved != 1:
        raise IntegrityError("page moved on while saving")
    page.current_revision = revision
    page.title = title
    page.updated_at = now
    _followers_tell(page, revision, actor)
    return revision


# Writing a page makes its author follow it, as MediaWiki's default "add pages I create and
# edit to my watchlist" does; moving, deleting or protecting it does not.
_FOLLOWED_BY_WRITING = frozenset(
    {Revision.Kind.CREATE, Revision.Kind.EDIT, Revision.Kind.MERGE, Revision.Kind.REVERT}
)


def _followers_tell(page: Page, revision: Revision, actor: User | None) -> None:
    """Every revision is a change the page's followers hear of (in this transaction)."""
    if revision.kind in _FOLLOWED_BY_WRITING:
        follow_edited(user=actor, kind="page", key=page.pk)
    change_record(
        kind="page",
        key=page.pk,
        actor=actor,
        title=revision.title,
        url=page.get_absolute_url(),
        summary=revision.comment,
        verb=revision.kind,
    )


def _lock(page: Page) -> Page:
    return Page.objects.select_for_update().select_related("space").get(pk=page.pk)


def _current(locked: Page) -> Revision:
    """The revision the page shows (a page gets one at its creation)."""
    if locked.current_revision_id is None:
        raise Revision.DoesNotExist("The page has no current revision.")
    return Revision.objects.get(pk=locked.current_revision_id)


def page_create(
    *,
    space: Space,
    language: str,
    title: str,
    body: str,
    actor: User | None,
    slug: str | None = None,
    parent: Page | None = None,
    comment: str = "",
    position: int = 0,
    translation_of: Page | None = None,
    protected: bool = False,
) -> Page:
    """Create a page with its first revision; raise PageExists if the address is taken."""
    _check_language(language)
    title = _clean_title(title)
    body = _clean_body(body)
    slug = _clean_slug(slug, title)
    if parent is not None and (parent.space_id != space.pk or parent.language != language):
        raise WikiError(_("The parent page must be in the same space and language."), "parent")
    if translation_of is not None and translation_of.space_id != space.pk:
        raise WikiError(_("A translation must stay in the same space."), field="language")
    try:
        with transaction.atomic():
            if Page.objects.filter(space=space, language=language, slug=slug).exists():
                raise PageExists(_("A page with this address already exists."), field="title")
            PageRedirect.objects.filter(space=space, language=language, slug=slug).delete()
            page = Page(
                space=space,
                language=language,
                slug=slug,
                title=title,
                parent=parent,
                position=position,
                is_protected=protected,
            )
            if translation_of is not None:
                if Page.objects.filter(
                    translation_key=translation_of.translation_key, language=language
                ).exists():
                    raise PageExists(
                        _("This page already has a translation in that language."),
                        field="language",
                    )
                page.translation_key = translation_of.translation_key
            page.save()
            _append_revision(
                page=page,
                current=None,
                actor=actor,
                kind=Revision.Kind.CREATE,
                title=title,
                body=body,
                comment=_clean_comment(comment),
            )
            _after_save(page, structural=True)
    except IntegrityError as exc:
        raise PageExists(_("A page with this address already exists."), field="title") from exc
    return page


def page_revise(
    *,
    page: Page,
    actor: User | None,
    title: str,
    body: str,
    base_revision_id: int,
    comment: str = "",
) -> Revision:
    """Append an edit made from base_revision_id.

    If someone saved since, non-overlapping changes are merged three-way (kind MERGE);
    overlapping ones raise EditConflict and nothing is saved. Saving an unchanged text returns
    the current revision without adding one.
    """
    title = _clean_title(title)
    body = _clean_body(body)
    comment = _clean_comment(comment)
    for attempt in range(3):
        try:
            with transaction.atomic():
                locked = _lock(page)
                if locked.is_deleted:
                    raise WikiError(_("This page was deleted; restore it before editing."))
                current = _current(locked)
                kind = Revision.Kind.EDIT
                new_title, new_body = title, body
                if base_revision_id != current.pk:
                    base = Revision.objects.filter(pk=base_revision_id, page=locked).first()
                    if base is None:
                        raise WikiError(_("The version you started from is unknown; reload."))
                    new_title, new_body = _merge(locked, base, current, title, body)
                    kind = Revision.Kind.MERGE
                if new_title == current.title and new_body == current.body:
                    return current
                revision = _append_revision(
                    page=locked,
                    current=current,
                    actor=actor,
                    kind=kind,
                    title=new_title,
                    body=new_body,
                    comment=comment,
                )
                _after_save(locked, structural=new_title != current.title)
        except IntegrityError:
            # Lost a race with no row lock (SQLite) or a constraint fired: retry from the top,
            # which merges against the winner or reports a conflict.
            if attempt == 2:
                raise
            logger.info("page %s: concurrent save, retrying (attempt %s)", page.pk, attempt + 1)
            continue
        page.current_revision = revision
        page.title = new_title
        page.updated_at = revision.created_at
        return revision
    raise AssertionError("unreachable")


def _merge(page: Page, base: Revision, theirs: Revision, title: str, body: str) -> tuple[str, str]:
    def conflict() -> EditConflict:
        return EditConflict(page=page, base=base, theirs=theirs, mine_title=title, mine_body=body)

    if title == base.title or title == theirs.title:
        merged_title = theirs.title
    elif theirs.title == base.title:
        merged_title = title
    else:
        raise conflict()
    merged = three_way_merge(base=base.body, mine=body, theirs=theirs.body)
    if merged.conflicted:
        raise conflict()
    return merged_title, merged.text


def page_revert(*, page: Page, actor: User, number: int, comment: str = "") -> Revision:
    """Make an old revision's text current again, as a new revision."""
    with transaction.atomic():
        locked = _lock(page)
        target = Revision.objects.filter(page=locked, number=number).first()
        if target is None:
            raise WikiError(_("This revision does not exist."))
        current = _current(locked)
        if target.pk == current.pk:
            raise WikiError(_("This revision is already the current one."))
        revision = _append_revision(
            page=locked,
            current=current,
            actor=actor,
            kind=Revision.Kind.REVERT,
            title=target.title,
            body=target.body,
            comment=_clean_comment(comment)
            or _("Reverted to revision %(number)d") % {"number": target.number},
            reverted_to=target,
        )
        _after_save(locked, structural=target.title != current.title)
    return revision


def page_move(
    *, page: Page, actor: User, title: str, slug: str | None = None, comment: str = ""
) -> Revision:
    """Rename a page and change its address; the old address redirects to it."""
    title = _clean_title(title)
    new_slug = _clean_slug(slug, title)
    try:
        with transaction.atomic():
            locked = _lock(page)
            old_slug = locked.slug
            current = _current(locked)
            if new_slug == old_slug and title == current.title:
                raise WikiError(_("The new title and address are the same as the old ones."))
            if new_slug != old_slug:
                taken = Page.objects.filter(
                    space_id=locked.space_id, language=locked.language, slug=new_slug
                ).exists()
                if taken:
                    raise PageExists(_("A page with this address already exists."), "title")
                PageRedirect.objects.filter(
                    space_id=locked.space_id, language=locked.language, slug=new_slug
                ).delete()
                Page.objects.filter(pk=locked.pk).update(slug=new_slug)
                locked.slug = new_slug
                PageRedirect.objects.update_or_create(
                    space_id=locked.space_id,
                    language=locked.language,
                    slug=old_slug,
                    defaults={"target": locked},
                )
            revision = _append_revision(
                page=locked,
                current=current,
                actor=actor,
                kind=Revision.Kind.MOVE,
                title=title,
                body=current.body,
                comment=_clean_comment(comment)
                or _("Moved from “%(old)s”") % {"old": current.title},
            )
            _after_save(locked, structural=True)
    except IntegrityError as exc:
        raise PageExists(_("A page with this address already exists."), field="title") from exc
    page.slug = new_slug
    page.title = title
    return revision


def _set_flag(
    *, page: Page, actor: User, kind: str, field: str, value: bool, comment: str, error: str
) -> Revision:
    with transaction.atomic():
        locked = _lock(page)
        if getattr(locked, field) == value:
            raise WikiError(error)
        current = _current(locked)
        Page.objects.filter(pk=locked.pk).update(**{field: value})
        setattr(locked, field, value)
        revision = _append_revision(
            page=locked,
            current=current,
            actor=actor,
            kind=kind,
            title=current.title,
            body=current.body,
            comment=_clean_comment(comment),
        )
        _after_save(locked, structural=True)
    setattr(page, field, value)
    return revision


def page_delete(*, page: Page, actor: User, comment: str = "") -> Revision:
    """Hide a page behind a 'deleted' revision; its history stays and it can be restored."""
    return _set_flag(
        page=page,
        actor=actor,
        kind=Revision.Kind.DELETE,
        field="is_deleted",
        value=True,
        comment=comment,
        error=_("This page is already deleted."),
    )


def page_restore(*, page: Page, actor: User, comment: str = "") -> Revision:
    return _set_flag(
        page=page,
        actor=actor,
        kind=Revision.Kind.RESTORE,
        field="is_deleted",
        value=False,
        comment=comment,
        error=_("This page is not deleted."),
    )


def page_protect(*, page: Page, actor: User, protected: bool, comment: str = "") -> Revision:
    """Protect (only the secretariat may edit) or unprotect a page, as a revision."""
    return _set_flag(
        page=page,
        actor=actor,
        kind=Revision.Kind.PROTECT,
        field="is_protected",
        value=protected,
        comment=comment or (_("Page protected") if protected else _("Page unprotected")),
        error=_("Nothing to change."),
    )


def attachment_upload(
    *, space: Space, page: Page | None, actor: User, uploaded: UploadedFile, name: str = ""
) -> Attachment:
    """Store an image or PDF after checking its real type and size; names are unique per space."""
    if uploaded.size is None or uploaded.size == 0:
        raise WikiError(_("The file is empty."), field="file")
    limit = settings.WIKI_ATTACHMENT_MAX_BYTES
    if uploaded.size > limit:
        raise WikiError(
            _("The file is too large (at most %(max)d MB).") % {"max": limit // (1024 * 1024)},
            field="file",
        )
    head = uploaded.read(16)
    uploaded.seek(0)
    sniffed = next(
        (kind for magic, kind in ALLOWED_UPLOADS.items() if head.startswith(magic)), None
    )
    if sniffed is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        sniffed = ("image/webp", ".webp")
    if sniffed is None:
        raise WikiError(
            _("Only PNG, JPEG, GIF, WebP images and PDF files can be attached."), "file"
        )
    content_type, extension = sniffed
    if content_type.startswith("image/"):
        # Browsers (and WeasyPrint) decode what we serve: a picture of a billion pixels is
        # refused here, from its header, before it is stored. Its data is served as it came,
        # never decoded here, so a damaged checksum is the browser's business.
        try:
            image_check(
                uploaded,
                size=uploaded.size,
                max_bytes=limit,
                max_pixels=MAX_IMAGE_PIXELS,
                verify=False,
            )
        except UploadProblem as problem:
            raise WikiError(problem.message, "file") from problem
    stem = get_valid_filename((name or uploaded.name or "file").rsplit(".", 1)[0])[:150] or "file"
    final_name = f"{stem}{extension}"
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    try:
        with transaction.atomic():
            if Attachment.objects.filter(space=space, name=final_name).exists():
                raise WikiError(
                    _("An attachment named “%(name)s” already exists here.") % {"name": final_name},
                    field="file",
                )
            attachment = Attachment(
                space=space,
                page=page,
                name=final_name,
                content_type=content_type,
                size=uploaded.size,
                sha256=digest.hexdigest(),
                uploaded_by=actor,
            )
            attachment.file.save(final_name, uploaded, save=False)
            attachment.save()
    except IntegrityError as exc:
        raise WikiError(_("An attachment with this name already exists here."), "file") from exc
    caching.invalidate(structure=True)
    return attachment


def editing_notice_touch(*, page: Page, user: User) -> list[str]:
    """Record that user opened the editor; return the names of others who did recently."""
    key = f"wiki:editing:{page.pk}"
    now = time.time()
    editors: dict[int, tuple[str, float]] = cache.get(key) or {}
    editors = {
        uid: (name, seen)
        for uid, (name, seen) in editors.items()
        if now - seen < EDITING_NOTICE_SECONDS
    }
    others = [name for uid, (name, _seen) in editors.items() if uid != user.pk]
    editors[user.pk] = (user.public_name, now)
    cache.set(key, editors, EDITING_NOTICE_SECONDS)
    return others
