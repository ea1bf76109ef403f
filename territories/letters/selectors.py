"""The network letter: reading letters, their translations and who receives them.

Letters belong to no coordination group (the network's secretariat writes them), so nothing
here is tenant-scoped. Subscribers are the people who follow the kind "letter" with the key
"network" in the notifications engine (read here, written only by that engine). A draft
exists for the secretariat alone: for anyone else it is 404.
"""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from territories.models import LetterDelivery, NetworkLetter
from territories.permissions import is_network_staff
from wikispiral.accounts.models import User
from wikispiral.notifications.selectors import follower_ids
from wikispiral.notifications.services import LETTER_KEY, LETTER_KIND
from wikispiral.wiki.models import Page
from wikispiral.wiki.selectors import page_translation_find

FOLLOW_KIND = LETTER_KIND
FOLLOW_KEY = LETTER_KEY
# Letters whose sending has started: readable by everyone (a subscriber may open her mail's
# link while the job still mails the later batches).
PUBLISHED = (NetworkLetter.Status.SENDING, NetworkLetter.Status.SENT)


def _letters() -> QuerySet[NetworkLetter]:
    return NetworkLetter.objects.select_related("page", "page__space", "page__current_revision")


def letter_list_published() -> QuerySet[NetworkLetter]:
    """Letters sent (or being sent), newest first, with their page and its current text."""
    return _letters().filter(status__in=PUBLISHED).order_by("-sent_at", "-pk")


def letter_list_all() -> QuerySet[NetworkLetter]:
    """Every letter, drafts first then the newest sent (the secretariat's list)."""
    return _letters().select_related("created_by", "sent_by").order_by("-created_at", "-pk")


def letter_get_or_404(*, pk: int, user: object) -> NetworkLetter:
    """The letter pk; 404 when it does not exist, or is a draft and user is not staff."""
    letter = _letters().select_related("created_by", "sent_by").filter(pk=pk).first()
    if letter is None:
        raise Http404(_("No such letter."))
    if letter.status not in PUBLISHED and not is_network_staff(user):
        raise Http404(_("No such letter."))
    return letter


def letter_pages(*, letter: NetworkLetter) -> dict[str, Page]:
    """{language: page} of the letter: its original and every live translation (one query per
    other language of the site). The original is always there, even if deleted since. Once
    the letter is sent, only the translations that existed when it was sent: what was mailed
    is what is read, and a translation made later is never delivered (nor shown)."""
    original = letter.page
    pages = {original.language: original}
    for language, _name in settings.LANGUAGES:
        if language == original.language:
            continue
        translation = page_translation_find(page=original, language=language)
        if translation is None or translation.space_id != original.space_id:
            continue
        if letter.sent_at is not None and translation.created_at > letter.sent_at:
            continue
        translation.space = original.space
        pages[language] = translation
    return pages


def letter_language_for(*, preferred: str, available: dict[str, Page], original: str) -> str:
    """The language a subscriber reads the letter in: hers when a translation exists, else the
    original's."""
    return preferred if preferred in available else original


def subscribers() -> QuerySet[User]:
    """The people the letter is mailed to: active accounts with a confirmed address that
    follow the letter. A confirmed address only: an address typed by somebody else at sign-up
    never receives the letter."""
    followers = follower_ids(kind=FOLLOW_KIND, key=FOLLOW_KEY)
    return (
        User.objects.filter(pk__in=followers, is_active=True, email_confirmed_at__isnull=False)
        .exclude(email="")
        .order_by("pk")
    )


def letter_recipients_pending(*, letter: NetworkLetter, limit: int) -> list[User]:
    """The next limit subscribers the letter was not delivered to yet, by id."""
    delivered = LetterDelivery.objects.filter(letter=letter).values("user_id")
    return list(subscribers().exclude(pk__in=delivered)[:limit])


@dataclass(frozen=True)
class AudienceLine:
    language: str
    count: int
    # Whether the letter has a page in this language (False: the original is sent instead).
    translated: bool


@dataclass(frozen=True)
class Audience:
    total: int
    # What each subscriber would receive, by language of the letter sent.
    lines: list[AudienceLine]
    # Subscribers by their own language where no translation exists (reading the original).
    untranslated: dict[str, int]


def letter_audience(*, letter: NetworkLetter, pages: dict[str, Page] | None = None) -> Audience:
    """Who would receive the letter now, counted by the language she would get (one query
    beside the translations)."""
    pages = pages if pages is not None else letter_pages(letter=letter)
    original = letter.page.language
    by_preference = Counter(
        dict(
            subscribers()
            .order_by()
            .values("preferred_language")
            .annotate(count=Count("pk"))
            .values_list("preferred_language", "count")
        )
    )
    received: Counter[str] = Counter()
    untranslated: Counter[str] = Counter()
    for preferred, count in by_preference.items():
        language = letter_language_for(preferred=preferred, available=pages, original=original)
        received[language] += count
        if language != preferred and preferred:
            untranslated[preferred] += count
    lines = [
        AudienceLine(language=language, count=received[language], translated=language in pages)
        for language, _name in settings.LANGUAGES
        if received[language] or language in pages
    ]
    return Audience(total=sum(received.values()), lines=lines, untranslated=dict(untranslated))


def letter_delivery_count(*, letter: NetworkLetter) -> int:
    return LetterDelivery.objects.filter(letter=letter).count()


def letter_delivery_counts(*, letter: NetworkLetter) -> dict[str, int]:
    """{language: deliveries} of a letter sent (or being sent)."""
    rows = (
        LetterDelivery.objects.filter(letter=letter)
        .order_by()
        .values("language")
        .annotate(count=Count("pk"))
        .values_list("language", "count")
    )
    return dict(rows)
