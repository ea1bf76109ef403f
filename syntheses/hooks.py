"""What the floors above add to synthesis pages.

Syntheses sits below projects, so it never imports it: an app that has pages about a scope
(a coordination group's progress indicators, for one) registers a provider here from its
`AppConfig.ready()`, and the synthesis page lists the links the providers give for the scope
and the reader, in the order they were registered.
"""

from dataclasses import dataclass
from typing import Protocol

from syntheses.selectors import ScopeRef


@dataclass(frozen=True)
class ScopeLink:
    """A link a synthesis page shows under "From this synthesis": label and address, and an
    optional line saying what is there."""

    label: str
    url: str
    description: str = ""


class ScopeLinks(Protocol):
    def __call__(self, *, ref: ScopeRef, user: object) -> list[ScopeLink]: ...


_scope_links: list[ScopeLinks] = []


def register_scope_links(provider: ScopeLinks) -> None:
    """Have provider(ref=..., user=...) add links to the synthesis page of a scope (from
    ready())."""
    if provider not in _scope_links:
        _scope_links.append(provider)


def scope_links(ref: ScopeRef, user: object) -> list[ScopeLink]:
    """The links every registered provider gives for ref, as user may see them."""
    links: list[ScopeLink] = []
    for provider in _scope_links:
        links.extend(provider(ref=ref, user=user))
    return links
