"""Managing a page (facilitators and secretariat): move, delete, restore, protect."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
)

from wikispiral.wiki import services
from wikispiral.wiki.forms import (
    PageMoveForm,
    ProtectForm,
    ReasonForm,
)
from wikispiral.wiki.models import Page
from wikispiral.wiki.permissions import (
    can_edit_page,
    can_manage_page,
)
from wikispiral.wiki.views._common import _page_or_404, _refuse


def _manage(request: HttpRequest, space: str, lang: str, slug: str) -> Page:
    page = _page_or_404(request, space, lang, slug)
    if not can_manage_page(request.user, page):
        _refuse(
            request, page.space, _("Only the secretariat or the group's facilitators may do this.")
        )
    return page


def _manage_context(request: HttpRequest, page: Page, form: object) -> dict:
    return {
        "page": page,
        "space": page.space,
        "form": form,
        "can_edit": can_edit_page(request.user, page) and not page.is_deleted,
        "can_manage": True,
    }


@login_required
@require_http_methods(["GET", "POST"])
def page_move(request: HttpRequest, space: str, lang: str, slug: str) -> HttpResponse:
    page = _manage(request, space, lang, slug)
    form = PageMoveForm(request.POST or None, initial={"title": page.title, "slug": page.slug})
    if request.method == "POST" and form.is_valid():
        try:
            services.page_move(
                page=page,
                actor=request.user,
                title=form.cleaned_data["title"],
                slug=form.cleaned_data["slug"] or None,
                comment=form.cleaned_data["comment"],
            )
        except services.WikiError as error:
            error.add_to(form)
        else:
            messages.success(request, _("The page was moved; its old address redirects here."))
            return redirect(page)
    status = 400 if request.method == "POST" else 200
    return render(request, "wiki/move.html", _manage_context(request, page, form), status=status)


def _confirm_and_run(
    request: HttpRequest,
    page: Page,
    *,
    form: forms.Form,
    action: str,
    run: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Confirm form for delete, restore and protect; POST runs the service on its data."""
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except services.WikiError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
        return redirect(page)
    context = {**_manage_context(request, page, form), "action": action}
    return render(request, "wiki/confirm.html", context)


def _with_reason(
    request: HttpRequest, page: Page, *, action: str, service: Callable[..., object], done: str
) -> HttpResponse:
    """Delete and restore: a confirm form with a reason; POST runs service with it."""
    return _confirm_and_run(
        request,
        page,
        form=ReasonForm(request.POST or None),
        action=action,
        run=lambda data: service(page=page, actor=request.user, comment=data["comment"]),
        done=done,
    )


@login_required
@require_http_methods(["GET", "POST"])
def page_delete(request: HttpRequest, space: str, lang: str, slug: str) -> HttpResponse:
    return _with_reason(
        request,
        _manage(request, space, lang, slug),
        action="delete",
        service=services.page_delete,
        done=_("The page was deleted. It can be restored from its history."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def page_restore(request: HttpRequest, space: str, lang: str, slug: str) -> HttpResponse:
    return _with_reason(
        request,
        _manage(request, space, lang, slug),
        action="restore",
        service=services.page_restore,
        done=_("The page was restored."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def page_protect(request: HttpRequest, space: str, lang: str, slug: str) -> HttpResponse:
    page = _manage(request, space, lang, slug)
    return _confirm_and_run(
        request,
        page,
        form=ProtectForm(request.POST or None, initial={"protected": not page.is_protected}),
        action="protect",
        run=lambda data: services.page_protect(
            page=page, actor=request.user, protected=data["protected"], comment=data["comment"]
        ),
        done=_("The protection of the page was changed."),
    )
