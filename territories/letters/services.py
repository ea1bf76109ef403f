"""The network letter: writing it, sending it once, mailing it, and leaving its list.

A letter is a page of the letters' own private wiki space (network staff alone read and write
it; its translations are the page's, made with the wiki's own "translate this page") and a
NetworkLetter row that says where it stands: draft, sending, sent. Sending happens once:
`letter_send` claims the letter (sent_at set once, under a row lock and a conditional UPDATE)
and records a durable job; the job (`letter_deliver`) mails the subscribers a batch per
transaction, in the languages translated before the letter was sent, writing each one's
LetterDelivery (unique) in the same transaction as her mail's job, so a killed worker or a job
run again never mails anyone twice: whoever has a delivery is skipped, whoever has none gets
her mail.
"""

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territories.letters import selectors
from territories.models import LetterDelivery, NetworkLetter
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.errors import DomainError
from wikispiral.jobs.services import job_enqueue
from wikispiral.mail import absolute_url, mail_send_on_commit
from wikispiral.notifications.tokens import unsubscribe_headers
from wikispiral.text import line_clean
from wikispiral.wiki.models import Page, Space
from wikispiral.wiki.selectors import page_find
from wikispiral.wiki.services import WikiError, page_create, page_protect
from wikispiral.wiki.spaces import network_private_space_get_or_create

JOB_KIND = "territories.letter_send"
UNSUBSCRIBE_WHAT = "letter"
# Subscribers mailed per transaction: small enough that a batch commits quickly, large enough
# that a letter to ten thousand people takes a hundred transactions, not ten thousand.
BATCH_SIZE = 100
MAX_TITLE_LENGTH = NetworkLetter._meta.get_field("title").max_length or 200
MAIL_TEMPLATE = "letters/email/letter"
# The letters' pages live in a space of their own, of kind "network" but not public: the wiki
# lets network staff alone read and write it (anyone else gets 404 at its addresses, and its
# pages are in no public list, search or feed), so a draft and its translations stay the
# secretariat's until sent; a sent letter is read at /letters/<id>/.
LETTERS_SPACE_SLUG = "network-letters"
LETTERS_SPACE_NAME = "Network letters"


class LetterError(DomainError):
    pass


class LetterAlreadySent(LetterError):
    pass


def letter_job_key(letter_id: int) -> str:
    return f"{JOB_KIND}:{letter_id}"


# --- Writing ------------------------------------------------------------------------------------


def letters_space() -> Space:
    """The letters' private wiki space, created on first use."""
    try:
        return network_private_space_get_or_create(slug=LETTERS_SPACE_SLUG, name=LETTERS_SPACE_NAME)
    except WikiError as error:  # a group took the address first: the site's admin must act
        raise LetterError(error.message) from error


def _free_slug(space: Space, title: str, language: str) -> str:
    """An address for the letter's page in the letters' space: "letter-<title>", numbered when
    taken (two letters may share a title: "News of the network")."""
    base = f"letter-{slugify(title, allow_unicode=True)}"[:190].strip("-")
    for number in range(1, 100):
        slug = base if number == 1 else f"{base}-{number}"
        if page_find(space=space, language=language, slug=slug) is None:
            return slug
    raise LetterError(_("Too many letters carry this title: choose another."), field="title")


@transaction.atomic
def letter_create(*, actor: User, title: str, language: str, body: str) -> NetworkLetter:
    """A draft letter: its page in the letters' private space (protected as well), in
    language, with body in the wiki's markup. LetterError on an empty title or text."""
    title = line_clean(title)
    if not title:
        raise LetterError(_("A letter needs a title."), field="title")
    if len(title) > MAX_TITLE_LENGTH:
        raise LetterError(
            _("The title is too long (at most %(max)d characters).") % {"max": MAX_TITLE_LENGTH},
            field="title",
        )
    if not (body or "").strip():
        raise LetterError(_("A letter needs a text."), field="body")
    space = letters_space()
    try:
        page = page_create(
            space=space,
            language=language,
            title=title,
            body=body,
            actor=actor,
            slug=_free_slug(space, title, language),
            comment=_("Network letter"),
            protected=True,
        )
    except WikiError as error:
        raise LetterError(error.message, field=error.field) from error
    letter = NetworkLetter.objects.create(title=title, page=page, created_by=actor)
    audit_record(actor=actor, action="territories.letter.created", target=letter)
    return letter


# --- Sending ------------------------------------------------------------------------------------


def _protect(pages: dict[str, Page], actor: User) -> None:
    # What is mailed under the network's name is edited by the secretariat only from now on:
    # a translation made through the wiki by anyone else is protected as it goes out.
    for page in pages.values():
        if not page.is_protected and not page.is_deleted:
            page_protect(
                page=page, actor=actor, protected=True, comment=_("Sent as the network letter")
            )


def letter_send(*, letter: NetworkLetter, actor: User) -> NetworkLetter:
    """Start sending the letter, once: it becomes "sending" with sent_at set, its pages are
    protected, and a job mails its subscribers. LetterAlreadySent when it was sent (or is
    being sent) already; nothing changes then. A letter with no subscriber is sent all the
    same (recorded, with no delivery): it is published on the site and in the feeds."""
    with transaction.atomic():
        locked = (
            NetworkLetter.objects.select_for_update()
            .select_related("page", "page__space")
            .filter(pk=letter.pk)
            .first()
        )
        if locked is None:
            raise LetterError(_("This letter no longer exists."))
        if locked.status != NetworkLetter.Status.DRAFT or locked.sent_at is not None:
            raise LetterAlreadySent(_("This letter was already sent."))
        if locked.page.is_deleted:
            raise LetterError(_("The letter's page was deleted: restore it before sending."))
        now = timezone.now()
        # The lock serialises senders on PostgreSQL; the condition does it where rows are not
        # locked (SQLite): one UPDATE wins, the other finds nothing to claim.
        claimed = NetworkLetter.objects.filter(
            pk=locked.pk, status=NetworkLetter.Status.DRAFT, sent_at__isnull=True
        ).update(status=NetworkLetter.Status.SENDING, sent_at=now, sent_by=actor)
        if not claimed:
            raise LetterAlreadySent(_("This letter was already sent."))
        pages = selectors.letter_pages(letter=locked)
        _protect(pages, actor)
        audit_record(
            actor=actor,
            action="territories.letter.sent",
            target=locked,
            languages=sorted(pages),
            subscribers=selectors.subscribers().count(),
        )
        job_enqueue(
            kind=JOB_KIND,
            key=letter_job_key(locked.pk),
            args={"letter_id": locked.pk},
            actor=actor,
        )
    locked.status, locked.sent_at, locked.sent_by = NetworkLetter.Status.SENDING, now, actor
    return locked


def letters_in_progress() -> list[int]:
    """Ids of the letters whose sending started and did not finish (for the jobs' sweep)."""
    return list(
        NetworkLetter.objects.filter(status=NetworkLetter.Status.SENDING).values_list(
            "pk", flat=True
        )
    )


def letter_read_url(letter: NetworkLetter, language: str) -> str:
    return f"{reverse('letters:detail', kwargs={'letter': letter.pk})}?lang={language}"


def _mail(letter: NetworkLetter, user: User, language: str, page: Page, body: str) -> None:
    # The notifications engine's one-click unsubscribe (a signed link, RFC 8058 headers): the
    # same link in the headers and in the text.
    headers = unsubscribe_headers(user_id=user.pk, what=UNSUBSCRIBE_WHAT)
    mail_send_on_commit(
        to=user.email,
        template=MAIL_TEMPLATE,
        context={
            "title": page.title,
            "body": body,
            "read_url": absolute_url(letter_read_url(letter, language)),
            "unsubscribe_url": headers["List-Unsubscribe"].strip("<>"),
        },
        language=language,
        headers=headers,
        key=f"letter:{letter.pk}:{user.pk}",
    )


def letter_deliver(
    *,
    letter_id: int,
    batch_size: int = BATCH_SIZE,
    confirm: Callable[[], None] | None = None,
    after_batch: Callable[[int], None] | None = None,
) -> int:
    """Mail the letter to every subscriber who has no delivery of it yet, a batch per
    transaction (deliveries written, then the mails queued, then confirm(): the job's claim is
    checked last, so a run that lost it commits nothing); after_batch(delivered so far) runs
    between batches. When none is left the letter is "sent". Returns how many were mailed by
    this call: safe to call again, and after an interruption at any point."""
    letter = (
        NetworkLetter.objects.select_related("page", "page__space", "page__current_revision")
        .filter(pk=letter_id)
        .first()
    )
    if letter is None or letter.status == NetworkLetter.Status.DRAFT:
        return 0
    pages = selectors.letter_pages(letter=letter)
    # One text per language for the whole run, read once.
    bodies = {
        language: page.current_revision.body if page.current_revision is not None else ""
        for language, page in pages.items()
    }
    original = letter.page.language
    delivered = 0
    conflicts = 0
    while True:
        try:
            with transaction.atomic():
                batch = selectors.letter_recipients_pending(letter=letter, limit=batch_size)
                if not batch:
                    NetworkLetter.objects.filter(
                        pk=letter.pk, status=NetworkLetter.Status.SENDING
                    ).update(status=NetworkLetter.Status.SENT)
                    if confirm is not None:
                        confirm()
                    break
                languages = {
                    user.pk: selectors.letter_language_for(
                        preferred=user.preferred_language, available=pages, original=original
                    )
                    for user in batch
                }
                # Written before any mail is queued, in the same transaction: a delivery exists
                # exactly when its mail's job does.
                LetterDelivery.objects.bulk_create(
                    [
                        LetterDelivery(letter=letter, user=user, language=languages[user.pk])
                        for user in batch
                    ]
                )
                for user in batch:
                    language = languages[user.pk]
                    _mail(letter, user, language, pages[language], bodies[language])
                if confirm is not None:
                    confirm()
        except IntegrityError:
            # Another run delivered some of this batch meanwhile: read the rest again.
            conflicts += 1
            if conflicts > 3:
                raise
            continue
        delivered += len(batch)
        if after_batch is not None:
            after_batch(delivered)
    return delivered
