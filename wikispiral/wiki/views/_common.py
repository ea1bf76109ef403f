"""What the page engine's views share: the page or language named in the URL, and refusals."""

from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from wikispiral.wiki import selectors
from wikispiral.wiki.models import Page, Space
from wikispiral.wiki.permissions import (
    is_outsider,
)


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


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdecimal() and len(value) < 10 else None
