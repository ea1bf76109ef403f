"""The network letter's pages: the secretariat writes, checks and sends a letter; everyone reads
the letters sent and follows them in a feed or subscribes (the notifications engine's follow
button; its signed one-click link, in every letter, unsubscribes).

The secretariat's pages are wrapped in `secretariat_required` (anonymous → log in, anyone else
→ 404). A draft is the secretariat's alone: for anyone else its address answers 404. Bad input
answers 400 with the page and its message, nothing saved.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from territories.letters import feeds, selectors, services
from territories.letters.forms import LetterForm
from territories.models import NetworkLetter
from territories.permissions import is_network_staff, secretariat_required
from wikispiral.typing import AuthenticatedHttpRequest
from wikispiral.wiki.models import Page
from wikispiral.wiki.selectors import revision_render

PER_PAGE = 20

feed_rss = feeds.LettersFeed()
feed_atom = feeds.LettersAtomFeed()


# --- The secretariat ----------------------------------------------------------------------------


@secretariat_required
@never_cache
@require_GET
def manage_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every letter, drafts and sent, newest first."""
    page = Paginator(selectors.letter_list_all(), PER_PAGE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "subscriber_count": selectors.subscribers().count()}
    return render(request, "letters/manage_list.html", context)


@secretariat_required
@require_http_methods(["GET", "POST"])
def new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Write a new letter: its wiki page in the network space and the draft."""
    if request.method == "GET":
        form = LetterForm(initial={"language": get_language() or settings.LANGUAGE_CODE})
        return render(request, "letters/new.html", {"form": form})
    form = LetterForm(request.POST)
    if not form.is_valid():
        return render(request, "letters/new.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        letter = services.letter_create(
            actor=request.user, title=data["title"], language=data["language"], body=data["body"]
        )
    except services.LetterError as error:
        error.add_to(form)
        return render(request, "letters/new.html", {"form": form}, status=400)
    messages.success(
        request,
        _("The letter is saved as a draft. Edit and translate its page, then send it."),
    )
    return redirect("letters:manage", letter=letter.pk)


def _translate_url(original: Page, language: str) -> str:
    # The wiki's own translation flow: a new page in language, tied to the original.
    url = reverse("wiki:page_new", kwargs={"space": original.space.slug, "lang": language})
    return f"{url}?{urlencode({'translation_of': original.pk, 'title': original.title})}"


def _manage_context(letter: NetworkLetter) -> dict:
    pages = selectors.letter_pages(letter=letter)
    languages = [
        {
            "code": code,
            "page": pages.get(code),
            # Translations are made before sending: one made later is never delivered.
            "translate_url": None
            if code in pages or letter.status != NetworkLetter.Status.DRAFT
            else _translate_url(letter.page, code),
        }
        for code, _name in settings.LANGUAGES
    ]
    context: dict = {
        "letter": letter,
        "original": letter.page,
        "languages": languages,
        "audience": selectors.letter_audience(letter=letter, pages=pages),
    }
    if letter.status != NetworkLetter.Status.DRAFT:
        counts = selectors.letter_delivery_counts(letter=letter)
        context["delivery_counts"] = sorted(counts.items())
        context["delivered"] = sum(counts.values())
    return context


@secretariat_required
@never_cache
@require_GET
def manage(request: AuthenticatedHttpRequest, letter: int) -> HttpResponse:
    """One letter: its page in each language, who would receive which, and sending."""
    found = selectors.letter_get_or_404(pk=letter, user=request.user)
    return render(request, "letters/manage.html", _manage_context(found))


@secretariat_required
@never_cache
@require_http_methods(["GET", "POST"])
def send(request: AuthenticatedHttpRequest, letter: int) -> HttpResponse:
    """GET: the confirmation (how many subscribers, in which language); POST: send, once."""
    found = selectors.letter_get_or_404(pk=letter, user=request.user)
    if request.method == "GET":
        return render(request, "letters/send.html", _manage_context(found))
    try:
        sent = services.letter_send(letter=found, actor=request.user)
    except services.LetterError as error:
        context = {**_manage_context(found), "problem": error.message}
        return render(request, "letters/send.html", context, status=400)
    messages.success(
        request,
        _("The letter is being sent to its subscribers; it is now on the site and in the feeds."),
    )
    return redirect("letters:manage", letter=sent.pk)


# --- Everyone -----------------------------------------------------------------------------------


@require_GET
def letter_list(request: HttpRequest) -> HttpResponse:
    """The letters sent, newest first."""
    page = Paginator(selectors.letter_list_published(), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "staff": is_network_staff(request.user),
    }
    return render(request, "letters/list.html", context)


def _reading_language(request: HttpRequest, pages: dict[str, Page], original: str) -> str:
    """The language asked for (?lang=), else the reader's, where the letter has it; else the
    original's (else any left: pages is never empty)."""
    for wanted in (request.GET.get("lang", ""), get_language() or "", original):
        if wanted in pages:
            return wanted
    return next(iter(pages))  # the original was deleted: a translation left


@require_GET
def detail(request: HttpRequest, letter: int) -> HttpResponse:
    """One letter, in the reader's language where a translation exists (drafts: secretariat
    only, 404 for anyone else)."""
    found = selectors.letter_get_or_404(pk=letter, user=request.user)
    pages = {
        code: page
        for code, page in selectors.letter_pages(letter=found).items()
        if not page.is_deleted
    }
    if not pages:
        # Its page was deleted (and every translation): nothing left to read.
        raise Http404(_("This letter was withdrawn."))
    language = _reading_language(request, pages, found.page.language)
    page = pages[language]
    revision = page.current_revision
    if revision is None:  # a page gets its first revision with it: never, in practice
        raise Http404(_("This letter was withdrawn."))
    context = {
        "letter": found,
        "page": page,
        "rendered": revision_render(page=page, revision=revision),
        "others": [pages[code] for code, _name in settings.LANGUAGES if code in pages],
        "staff": is_network_staff(request.user),
    }
    return render(request, "letters/detail.html", context)
