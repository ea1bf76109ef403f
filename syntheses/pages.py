"""The narrative of a synthesis: a wiki page per scope, written by people, with the wiki's full
revision history. The figures are never stored in it: the synthesis page draws them from the
latest snapshot around the narrative.

The page lives in the coordination group's space for a homogeneous group or a coordination
group (its members write it, as they write the group's other pages), and in the network space
for places and the network (open to every registered person, as the network's pages are).
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from syntheses.models import SynthesisPage
from syntheses.selectors import ScopeRef, synthesis_page_get
from wikispiral.accounts.models import User
from wikispiral.accounts.permissions import can_edit_wiki
from wikispiral.errors import DomainError
from wikispiral.wiki.models import Space
from wikispiral.wiki.permissions import can_create_page
from wikispiral.wiki.selectors import network_space_find
from wikispiral.wiki.services import PageExists, page_create
from wikispiral.wiki.spaces import network_space_get_or_create

SLUG_ATTEMPTS = 20


def synthesis_space(ref: ScopeRef) -> Space:
    """The wiki space where the scope's narrative lives (the network space is created on first
    use, as the seed command does, so a fresh site can hold narratives of places)."""
    if ref.tenant is not None:
        return ref.tenant.space
    return network_space_get_or_create()


def _page_language(ref: ScopeRef) -> str:
    """The language the narrative is written in: the reader's when the group uses it (or for a
    place), else the group's first offered language, else the site's."""
    offered = dict(settings.LANGUAGES)
    current = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    group_languages = list(ref.tenant.languages or []) if ref.tenant is not None else []
    candidates = []
    if not group_languages or current in group_languages:
        candidates.append(current)
    candidates += [*group_languages, current, settings.LANGUAGE_CODE]
    return next(language for language in candidates if language in offered)


def _initial_body(ref: ScopeRef) -> str:
    url = reverse("syntheses:synthesis", kwargs={"key": ref.key})
    return _(
        "The figures, charts and tables: [the synthesis of %(name)s](%(url)s).\n\n"
        "## What this synthesis shows\n\n"
        "To be written: what the figures say about well-being here, which families and "
        "components stand out, which are missing, and how this compares with other places or "
        "years.\n"
    ) % {"name": ref.name.replace("[", "\\[").replace("]", "\\]"), "url": url}


def synthesis_page_ensure(*, ref: ScopeRef, actor: User) -> SynthesisPage:
    """The scope's narrative page, created through the wiki's page service when missing (title
    "Synthesis: <name>", a short starting text). Raises DomainError when actor may not create
    pages in the scope's space. Safe when two people ask at once: one page, one link."""
    found = synthesis_page_get(ref)
    if found is not None:
        return found
    space = synthesis_space(ref)
    if not can_create_page(actor, space):
        raise DomainError(_("You may not write pages in this space."))
    language = _page_language(ref)
    parent = None
    if ref.tenant is not None:
        parent = space.pages.filter(language=language, slug="home", is_deleted=False).first()
    with translation.override(language):
        title = _("Synthesis: %(name)s") % {"name": ref.name}
        body = _initial_body(ref)
        comment = _("Synthesis page created")
    base = f"synthesis-{ref.key}"
    try:
        with transaction.atomic():
            page = None
            # An address someone already used by hand is left alone: take the next free one.
            for attempt in range(1, SLUG_ATTEMPTS + 1):
                try:
                    page = page_create(
                        space=space,
                        language=language,
                        title=title,
                        slug=base if attempt == 1 else f"{base}-{attempt}",
                        body=body,
                        actor=actor,
                        parent=parent,
                        comment=comment,
                    )
                    break
                except PageExists:
                    continue
            if page is None:
                raise DomainError(_("Could not find a free address for the synthesis page."))
            return SynthesisPage.objects.create(scope=ref.scope, scope_id=ref.scope_id, page=page)
    except IntegrityError:
        # Someone created it a moment ago: theirs stands, ours was rolled back with its page.
        found = synthesis_page_get(ref)
        if found is None:
            raise
        return found


def narrative_space(ref: ScopeRef) -> Space | None:
    """The space of the scope's narrative if it exists already (never creates it)."""
    if ref.tenant is not None:
        return ref.tenant.space
    return network_space_find()


def can_write_narrative(user: User, ref: ScopeRef) -> bool:
    """Whether user may create the scope's narrative page: the wiki decides, by the space."""
    space = narrative_space(ref)
    if space is None:
        # The network space, created with the page: open to every confirmed account.
        return can_edit_wiki(user)
    return can_create_page(user, space)
