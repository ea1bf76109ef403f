"""`{% load notifications %}{% follow_button "page" page.pk %}`: the follow button of a
followable thing, for any page that shows one (one query for a signed-in reader, none for an
anonymous one, who gets a link to log in)."""

from typing import Any

from django import template

from wikispiral.notifications.registry import followable_get
from wikispiral.notifications.selectors import is_following

register = template.Library()


@register.inclusion_tag("notifications/_follow.html", takes_context=True)
def follow_button(context: template.Context, kind: str, key: object) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    followable = followable_get(kind)
    if followable is None or user is None:
        return {"followable": None}
    return {
        "followable": followable,
        "kind": kind,
        "key": str(key),
        "following": is_following(user=user, kind=kind, key=key),
        "user": user,
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }
