"""Gallery files into the wiki as attachments (issue 15).

A Tiki file becomes an attachment of each space whose pages use it (of the network's space when
no page does), under a name made from its id, so that the converted pages, which point at
`attachment:<name>`, find it, and so that importing again finds it too. The bytes were checked
when the files were read (type from their first bytes, size, pixels: wiki.tiki.files); they
are checked again against their digest before they are stored.
"""

import re
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import get_valid_filename

from wikispiral.accounts.models import User
from wikispiral.wiki import caching
from wikispiral.wiki.models import Attachment, Page, Space
from wikispiral.wiki.tiki.files import TikiFile

EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
_STEM_LENGTH = 80


def tiki_attachment_name(file: TikiFile) -> str:
    """The attachment's name: `tiki-<id>-<name>.<ext>`, the extension from its real type."""
    base = file.filename or file.name or "file"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[-_.]+", "-", get_valid_filename(stem) if stem.strip() else "file")
    stem = stem.strip("-")[:_STEM_LENGTH] or "file"
    return f"tiki-{file.file_id}-{stem}{EXTENSIONS.get(file.content_type, '')}"


@dataclass(frozen=True)
class AttachmentOutcome:
    attachment: Attachment | None
    status: str  # "created", "updated", "unchanged", "skipped"


def tiki_attachment_import(
    *, file: TikiFile, space: Space, page: Page | None, actor: User | None, dry_run: bool
) -> AttachmentOutcome:
    """Store file as an attachment of space (linked to page), or find it there already: the
    same name and digest is unchanged, another digest replaces the bytes (the file changed on
    the old site). A dry run stores nothing and says what would happen."""
    name = tiki_attachment_name(file)
    existing = Attachment.objects.filter(space=space, name=name).first()
    if existing is not None and existing.sha256 == file.sha256:
        return AttachmentOutcome(existing, "unchanged")
    if dry_run:
        return AttachmentOutcome(None, "updated" if existing is not None else "created")
    data = file.open()
    if data is None:
        return AttachmentOutcome(None, "skipped")
    with transaction.atomic():
        attachment = existing or Attachment(space=space, name=name)
        old_file = existing.file.name if existing is not None else ""
        attachment.page = attachment.page or page
        attachment.content_type = file.content_type
        attachment.size = len(data)
        attachment.sha256 = file.sha256
        attachment.uploaded_by = actor
        if file.created is not None and existing is None:
            attachment.created_at = file.created
        attachment.file.save(name, ContentFile(data), save=False)
        attachment.save()
        if old_file:
            storage = attachment.file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    caching.invalidate(structure=True)
    return AttachmentOutcome(attachment, "updated" if existing is not None else "created")
