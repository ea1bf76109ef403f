"""A page's history: revisions, differences between two, reverting, and its feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_POST,
)

from wikispiral.wiki import selectors, services
from wikispiral.wiki.diffing import diff_rows, diff_stats, inline_segments
from wikispiral.wiki.feeds import PageHistoryFeed
from wikispiral.wiki.permissions import (
    can_edit_page,
    can_manage_page,
)
from wikispiral.wiki.views._common import _number, _page_or_404, _refuse

page_history_feed = PageHistoryFeed()


@require_GET
def page_history(request: HttpRequest, space: str, lang: str, slug: str) -> HttpResponse:
    page = _page_or_404(request, space, lang, slug)
    paginator = Paginator(selectors.revision_list(page=page), 50)
    revisions = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "space": page.space,
        "revisions": revisions,
        "can_edit": can_edit_page(request.user, page) and not page.is_deleted,
        "can_manage": can_manage_page(request.user, page),
    }
    return render(request, "wiki/history.html", context)


@require_GET
def page_diff(request: HttpRequest, space: str, lang: str, slug: str) -> HttpResponse:
    page = _page_or_404(request, space, lang, slug)
    current_number = page.current_revision.number
    new_number = _number(request.GET.get("to")) or current_number
    old_number = _number(request.GET.get("from"))
    if old_number is None:
        old_number = max(new_number - 1, 1)
    if old_number > new_number:
        old_number, new_number = new_number, old_number
    old = selectors.revision_get(page=page, number=old_number)
    new = selectors.revision_get(page=page, number=new_number)
    inline = request.GET.get("mode") == "inline"
    added, removed = diff_stats(old.body, new.body)
    context = {
        "page": page,
        "space": page.space,
        "old": old,
        "new": new,
        "inline": inline,
        "rows": None if inline else diff_rows(old.body, new.body),
        "segments": inline_segments(old.body, new.body) if inline else None,
        "words_added": added,
        "words_removed": removed,
        "can_edit": can_edit_page(request.user, page),
    }
    return render(request, "wiki/diff.html", context)


@require_GET
def revision_detail(
    request: HttpRequest, space: str, lang: str, slug: str, number: int
) -> HttpResponse:
    page = _page_or_404(request, space, lang, slug)
    revision = selectors.revision_get(page=page, number=number)
    context = {
        "page": page,
        "space": page.space,
        "revision": revision,
        "rendered": selectors.revision_render(page=page, revision=revision),
        "is_current": revision.pk == page.current_revision_id,
        "can_edit": can_edit_page(request.user, page) and not page.is_deleted,
    }
    return render(request, "wiki/revision.html", context)


@login_required
@require_POST
def page_revert(
    request: HttpRequest, space: str, lang: str, slug: str, number: int
) -> HttpResponse:
    page = _page_or_404(request, space, lang, slug)
    if not can_edit_page(request.user, page) or page.is_deleted:
        _refuse(request, page.space, _("You may not edit this page."))
    try:
        services.page_revert(
            page=page, actor=request.user, number=number, comment=request.POST.get("comment", "")
        )
    except services.WikiError as error:
        messages.error(request, error.message)
        return redirect(page.url_for("history"))
    messages.success(
        request, _("The page was reverted to revision %(number)d.") % {"number": number}
    )
    return redirect(page)
