"""Views of the page engine: parse input, call one service or selector, render."""

from typing import NoReturn

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from wikispiral.wiki import caching, selectors, services
from wikispiral.wiki.diffing import diff_rows, diff_stats, inline_segments
from wikispiral.wiki.feeds import PageHistoryFeed
from wikispiral.wiki.forms import (
    AttachmentForm,
    PageEditForm,
    PageMoveForm,
    PageNewForm,
    ProtectForm,
    ReasonForm,
)
from wikispiral.wiki.models import Page, Revision, Space
from wikispiral.wiki.permissions import (
    can_create_page,
    can_edit_page,
    can_manage_page,
    can_upload,
    is_outsider,
)
from wikispiral.wiki.search import page_search

page_history_feed = PageHistoryFeed()

SEARCH_PAGE_SIZE = 20


def _language_or_404(lang: str) -> str:
    from django.conf import settings

    if lang not in dict(settings.LANGUAGES):
        raise Http404(_("This language is not available."))
    return lang


def _page_or_404(request: HttpRequest, space: str, lang: str, slug: str) -> Page:
    """A page this user may see at this address (deleted ones included), else 404."""
    lookup = selectors.page_lookup(
        space_slug=space, language=_language_or_404(lang), slug=slug, user=request.user
    )
    if lookup.page is None:
        raise Http404(_("This page does not exist."))
    return lookup.page


def _refuse(request: HttpRequest, space: Space, message: str) -> NoReturn:
    """403 inside the network space or to a member; 404 to outsiders of a tenant's space, so
    nothing tells them what exists there."""
    if is_outsider(request.user, space):
        raise Http404(_("This page does not exist."))
    raise PermissionDenied(message)


def _anonymous_cacheable(request: HttpRequest) -> bool:
    # Only bare GETs of people without a session-bound identity or pending messages share one
    # response; anything personal (a flash message, a query string) is rendered afresh.
    return (
        request.method == "GET"
        and not request.GET
        and not request.user.is_authenticated
        and not len(messages.get_messages(request))
    )


# Stands for the CSRF token in cached personal pages; derived from SECRET_KEY so every worker
# agrees on it and no page author can guess it.
CSRF_SLOT = (
    "csrf-" + salted_hmac("wikispiral.wiki.csrf-slot", "1", algorithm="sha256").hexdigest()[:32]
)


def _personal_cache(request: HttpRequest, space_slug: str) -> HttpResponse | caching.Cached | None:
    """For a logged-in reader: the cached copy of this page as they saw it (a response), or
    where to store a fresh one (Cached with no value), or None when it must not be cached.

    The copy is keyed by address, language and everything about the reader that the page shows
    or that decides what they may do; the generation counters retire it on any change to the
    space or the structure. Only the CSRF token changes between two views, so it is kept as a
    placeholder and filled in for each request.
    """
    user = request.user
    if not user.is_authenticated or request.GET or len(messages.get_messages(request)):
        return None
    reader = (
        f"{user.pk}|{user.public_name}|{user.is_active:d}{user.is_secretariat:d}"
        f"{user.is_superuser:d}{user.is_staff:d}{user.email_confirmed_at is not None:d}"
    )
    key = caching.personal_page_key(request.path, get_language(), reader)
    cached = caching.lookup(key, space_slug)
    if cached.value is None:
        return cached
    return HttpResponse(cached.value.replace(CSRF_SLOT.encode(), get_token(request).encode()))


def _render_page(
    request: HttpRequest, lookup: selectors.PageLookup, *, personal: caching.Cached | None
) -> HttpResponse:
    """Render a page view from cached parts, and keep the whole response for the next view.

    The article, sidebar and footer depend on the revision, the language and what the reader
    may do, never on who the reader is, so they are cached per permission level. The whole
    response is kept for anonymous readers (served by AnonymousPageCacheMiddleware) and, per
    reader, for logged-in ones (served by _personal_cache).
    """
    page = lookup.page
    generations = lookup.generations
    can_edit = can_edit_page(request.user, page)
    can_manage = can_manage_page(request.user, page)
    language = get_language()
    key = caching.page_fragments_key(
        page.pk, page.current_revision_id, language, f"{can_edit:d}{can_manage:d}"
    )
    fragments = caching.lookup(key, page.space.slug).value
    if fragments is None:
        revision = page.current_revision
        context = {
            "page": page,
            "space": page.space,
            "revision": revision,
            "rendered": selectors.revision_render(page=page, revision=revision),
            "breadcrumbs": selectors.page_breadcrumbs(page=page),
            "neighbours": selectors.page_neighbours(page=page),
            "can_edit": can_edit,
            "can_manage": can_manage,
        }
        fragments = {
            part: render_to_string(f"wiki/_page_{part}.html", context)
            for part in ("head", "article", "footer")
        }
        caching.store(key, generations, fragments)
    context = {"page": page, "space": page.space, "fragments": fragments}
    if personal is not None:
        response = render(request, "wiki/page.html", {**context, "csrf_token": CSRF_SLOT})
        caching.store(personal.key, personal.generations, response.content)
        response.content = response.content.replace(CSRF_SLOT.encode(), get_token(request).encode())
        return response
    response = render(request, "wiki/page.html", context)
    if _anonymous_cacheable(request):
        caching.store(
            caching.anonymous_page_key(request.path, language), generations, response.content
        )
    return response


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # Cached copies for anonymous readers are served by AnonymousPageCacheMiddleware.
    personal = _personal_cache(request, caching.HOME_SPACE_SLUG)
    if isinstance(personal, HttpResponse):
        return personal
    lookup = selectors.home_page_lookup(language=get_language(), user=request.user)
    if lookup is None:
        return render(request, "wiki/empty_home.html", status=200)
    return _render_page(request, lookup, personal=personal)


@require_GET
def space_home(request: HttpRequest, space: str) -> HttpResponse:
    space_obj = selectors.space_get(slug=space, user=request.user)
    return redirect(
        "wiki:page", space=space_obj.slug, lang=get_language(), slug=selectors.HOME_SLUG
    )


@require_GET
def page_detail(request: HttpRequest, space: str, lang: str, slug: str) -> HttpResponse:
    personal = _personal_cache(request, space)
    if isinstance(personal, HttpResponse):
        return personal
    lookup = selectors.page_lookup(
        space_slug=space, language=_language_or_404(lang), slug=slug, user=request.user
    )
    if lookup.redirect_to is not None:
        return redirect(lookup.redirect_to)
    page = lookup.page
    if page is None or page.is_deleted:
        context = {
            "space": lookup.space,
            "language": lang,
            "slug": slug,
            "page": page,
            "can_create": can_create_page(request.user, lookup.space),
            "can_manage": page is not None and can_manage_page(request.user, page),
            "new_url": reverse("wiki:page_new", kwargs={"space": lookup.space.slug, "lang": lang}),
        }
        return render(request, "wiki/missing.html", context, status=404)
    return _render_page(request, lookup, personal=personal)


def _edit_context(page: Page, form: PageEditForm, **extra: object) -> dict:
    return {"page": page, "space": page.space, "form": form, "can_edit": True, **extra}


@login_required
@require_http_methods(["GET", "POST"])
def page_edit(request: HttpRequest, space: str, lang: str, slug: str) -> HttpResponse:
    page = _page_or_404(request, space, lang, slug)
    if not can_edit_page(request.user, page) or page.is_deleted:
        _refuse(request, page.space, _("You may not edit this page."))
    current = page.current_revision
    if request.method == "GET":
        form = PageEditForm(
            initial={"title": current.title, "body": current.body, "base_revision": current.pk}
        )
        others = services.editing_notice_touch(page=page, user=request.user)
        return render(request, "wiki/edit.html", _edit_context(page, form, others_editing=others))

    form = PageEditForm(request.POST)
    if not form.is_valid():
        return render(request, "wiki/edit.html", _edit_context(page, form), status=400)
    data = form.cleaned_data
    if request.POST.get("action") == "preview":
        preview = selectors.render_source(
            space=page.space, language=page.language, source=data["body"]
        )
        template = "wiki/edit.html#preview" if request.htmx else "wiki/edit.html"
        response = render(request, template, _edit_context(page, form, preview=preview))
        patch_vary_headers(response, ["HX-Request"])
        return response
    try:
        services.page_revise(
            page=page,
            actor=request.user,
            title=data["title"],
            body=data["body"],
            base_revision_id=data["base_revision"] or current.pk,
            comment=data["comment"],
        )
    except services.EditConflict as conflict:
        # Keep the person's text in the form; the next save is made against the winner's
        # revision, after they have seen both versions.
        form = PageEditForm(
            initial={
                "title": conflict.mine_title,
                "body": conflict.mine_body,
                "comment": data["comment"],
                "base_revision": conflict.theirs.pk,
            }
        )
        context = _edit_context(
            page,
            form,
            conflict=conflict,
            conflict_rows=diff_rows(conflict.theirs.body, conflict.mine_body),
        )
        return render(request, "wiki/edit.html", context, status=409)
    except services.WikiError as error:
        error.add_to(form)
        return render(request, "wiki/edit.html", _edit_context(page, form), status=400)
    messages.success(request, _("Your changes were saved."))
    return redirect(page)


@login_required
@require_http_methods(["GET", "POST"])
def page_new(request: HttpRequest, space: str, lang: str) -> HttpResponse:
    space_obj = selectors.space_get(slug=space, user=request.user)
    language = _language_or_404(lang)
    if not can_create_page(request.user, space_obj):
        _refuse(request, space_obj, _("You may not create pages here."))
    choices = selectors.page_choices(space=space_obj, language=language)
    context = {"space": space_obj, "language": language}
    if request.method == "GET":
        initial = {"title": request.GET.get("title", "")[:255]}
        if request.GET.get("parent", "").isdecimal():
            initial["parent"] = int(request.GET["parent"])
        if request.GET.get("translation_of", "").isdecimal():
            initial["translation_of"] = int(request.GET["translation_of"])
        form = PageNewForm(initial=initial, parent_choices=choices)
        return render(request, "wiki/new.html", {**context, "form": form})

    form = PageNewForm(request.POST, parent_choices=choices)
    if not form.is_valid():
        return render(request, "wiki/new.html", {**context, "form": form}, status=400)
    data = form.cleaned_data
    if request.POST.get("action") == "preview":
        preview = selectors.render_source(space=space_obj, language=language, source=data["body"])
        template = "wiki/new.html#preview" if request.htmx else "wiki/new.html"
        response = render(request, template, {**context, "form": form, "preview": preview})
        patch_vary_headers(response, ["HX-Request"])
        return response
    translation_of = None
    if data.get("translation_of"):
        translation_of = Page.objects.filter(pk=data["translation_of"], space=space_obj).first()
    try:
        page = services.page_create(
            space=space_obj,
            language=language,
            title=data["title"],
            body=data["body"],
            actor=request.user,
            parent=data["parent"],
            comment=data["comment"],
            translation_of=translation_of,
        )
    except services.WikiError as error:
        error.add_to(form)
        return render(request, "wiki/new.html", {**context, "form": form}, status=400)
    messages.success(request, _("The page was created."))
    return redirect(page)


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


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdecimal() and len(value) < 10 else None


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
    request: HttpRequest, page: Page, *, action: str, service: object, done: str
) -> HttpResponse:
    """Confirm form (with a reason) for delete and restore; POST runs the service."""
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(page=page, actor=request.user, comment=form.cleaned_data["comment"])
        except services.WikiError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
        return redirect(page)
    context = {**_manage_context(request, page, form), "action": action}
    return render(request, "wiki/confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def page_delete(request: HttpRequest, space: str, lang: str, slug: str) -> HttpResponse:
    return _confirm_and_run(
        request,
        _manage(request, space, lang, slug),
        action="delete",
        service=services.page_delete,
        done=_("The page was deleted. It can be restored from its history."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def page_restore(request: HttpRequest, space: str, lang: str, slug: str) -> HttpResponse:
    return _confirm_and_run(
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
    form = ProtectForm(request.POST or None, initial={"protected": not page.is_protected})
    if request.method == "POST" and form.is_valid():
        try:
            services.page_protect(
                page=page,
                actor=request.user,
                protected=form.cleaned_data["protected"],
                comment=form.cleaned_data["comment"],
            )
        except services.WikiError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The protection of the page was changed."))
        return redirect(page)
    context = {**_manage_context(request, page, form), "action": "protect"}
    return render(request, "wiki/confirm.html", context)


@require_GET
def page_print(request: HttpRequest, space: str, lang: str, slug: str) -> HttpResponse:
    page = _page_or_404(request, space, lang, slug)
    if page.is_deleted:
        raise Http404(_("This page does not exist."))
    context = {
        "page": page,
        "space": page.space,
        "revision": page.current_revision,
        "rendered": selectors.revision_render(page=page, revision=page.current_revision),
        "breadcrumbs": selectors.page_breadcrumbs(page=page),
    }
    return render(request, "wiki/print.html", context)


@require_GET
def recent_changes(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    language = request.GET.get("language") or None
    if language not in dict(settings.LANGUAGES):
        language = None
    space_slug = request.GET.get("space") or None
    author = (request.GET.get("user") or "").strip()[:150] or None
    revisions = selectors.recent_changes(
        user=request.user, space_slug=space_slug, language=language, author=author, limit=100
    )
    context = {
        "revisions": revisions,
        "spaces": selectors.space_list(user=request.user),
        "filter_space": space_slug or "",
        "filter_language": language or "",
        "filter_user": author or "",
        "kinds": Revision.Kind,
    }
    return render(request, "wiki/recent_changes.html", context)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:200]
    all_languages = request.GET.get("all") == "1"
    page_number = _number(request.GET.get("page")) or 1
    result = None
    if query:
        result = page_search(
            query=query,
            language=None if all_languages else get_language(),
            limit=SEARCH_PAGE_SIZE,
            offset=(page_number - 1) * SEARCH_PAGE_SIZE,
        )
    from urllib.parse import urlencode

    def page_url(number: int) -> str:
        params = {"q": query, "page": number}
        if all_languages:
            params["all"] = "1"
        return f"{reverse('wiki:search')}?{urlencode(params)}"

    has_next = bool(result and result.total > page_number * SEARCH_PAGE_SIZE)
    context = {
        "search_query": query,
        "search_page": result,
        "all_languages": all_languages,
        "page_number": page_number,
        "has_next": has_next,
        "has_previous": page_number > 1,
        "next_url": page_url(page_number + 1),
        "previous_url": page_url(page_number - 1),
    }
    return render(request, "wiki/search.html", context)


@require_http_methods(["GET", "POST"])
def attachment_list(request: HttpRequest, space: str) -> HttpResponse:
    space_obj = selectors.space_get(slug=space, user=request.user)
    allowed = can_upload(request.user, space_obj)
    form = AttachmentForm()
    status = 200
    if request.method == "POST":
        if not allowed:
            _refuse(request, space_obj, _("You may not upload files here."))
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                attachment = services.attachment_upload(
                    space=space_obj,
                    page=None,
                    actor=request.user,
                    uploaded=form.cleaned_data["file"],
                    name=form.cleaned_data["name"],
                )
            except services.WikiError as error:
                form.add_error("file", error.message)
            else:
                messages.success(
                    request,
                    _("Uploaded. Use it in a page as ![description](attachment:%(name)s).")
                    % {"name": attachment.name},
                )
                return redirect("wiki:attachments", space=space_obj.slug)
        status = 400
    context = {
        "space": space_obj,
        "attachments": selectors.attachment_list(space=space_obj)[:200],
        "form": form if allowed else None,
    }
    return render(request, "wiki/attachments.html", context, status=status)


@require_GET
def attachment_file(request: HttpRequest, space: str, name: str) -> FileResponse:
    space_obj: Space = selectors.space_get(slug=space, user=request.user)
    attachment = selectors.attachment_get(space=space_obj, name=name)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = f'inline; filename="{attachment.name}"'
    # A served file never runs script, even a PDF viewer's: sandbox it.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    if space_obj.is_public:
        patch_cache_control(response, public=True, max_age=60 * 60)
    else:
        patch_cache_control(response, private=True)
    return response
