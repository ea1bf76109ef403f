"""Reading, creating, editing and printing pages, and the caches that serve them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
)

from wikispiral.notifications.stamps import follows_stamp
from wikispiral.wiki import caching, selectors, services
from wikispiral.wiki.diffing import diff_rows
from wikispiral.wiki.forms import (
    PageEditForm,
    PageNewForm,
)
from wikispiral.wiki.models import Page
from wikispiral.wiki.permissions import (
    can_create_page,
    can_edit_page,
    can_manage_page,
)
from wikispiral.wiki.views._common import _language_or_404, _page_or_404, _refuse


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
    # The follow button shows whether she follows the page: her follows' stamp retires the
    # copy when she follows or unfollows anything (a cache read, no query).
    reader = (
        f"{user.pk}|{user.public_name}|{user.is_active:d}{user.is_secretariat:d}"
        f"{user.is_superuser:d}{user.is_staff:d}{user.email_confirmed_at is not None:d}"
        f"|{follows_stamp(user.pk)}"
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


def _preview(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The editing page with its preview, or the preview part alone for htmx."""
    response = render(request, f"{template}#preview" if request.htmx else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


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
        return _preview(request, "wiki/edit.html", _edit_context(page, form, preview=preview))
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
        return _preview(request, "wiki/new.html", {**context, "form": form, "preview": preview})
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
