"""Synthesis scopes as followable things ("scope", key: the scope's key in URLs, "cg-7",
"country-5", "network"), for the notifications engine: a scope's published figures changed.

Who may see a scope is the syntheses' own rule (permissions.scope_access): anyone, but a hidden
group's scopes only its members and the network staff. The recomputation tells of the scopes
whose figures changed once it committed (`scopes_changed`): it runs in one long transaction,
and a change recorded inside it would carry the time it began.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from syntheses.models import Scope
from syntheses.permissions import scope_access
from syntheses.selectors import PLACE_MODELS, ScopeRef
from territories.followables import memberships_among
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.accounts.models import User
from wikispiral.notifications.registry import AnyUser, Described, Followable, staff_ids
from wikispiral.notifications.services import changes_of_followed
from wikispiral.tenancy import cross_tenant

SCOPE = "scope"
MAX_ID = 2**63 - 1


def scope_key(scope: str, scope_id: int) -> str:
    return ScopeRef(scope, scope_id, "").key


def _parsed(keys: Iterable[str]) -> dict[str, dict[int, str]]:
    """{scope: {id: key}} for the keys that name a scope (malformed ones left out)."""
    found: dict[str, dict[int, str]] = defaultdict(dict)
    for key in keys:
        if key == Scope.NETWORK:
            found[Scope.NETWORK][0] = key
            continue
        kind, _sep, raw = key.rpartition("-")
        named = kind in Scope.values and kind != Scope.NETWORK and raw.isdecimal()
        if named and int(raw) <= MAX_ID and key == f"{kind}-{int(raw)}":
            found[kind][int(raw)] = key
    return found


def _refs(keys: Collection[str]) -> dict[str, ScopeRef]:
    """The scopes keys name, resolved in one query per kind of scope (as scope_get would)."""
    refs: dict[str, ScopeRef] = {}
    for scope, ids in _parsed(keys).items():
        if scope == Scope.NETWORK:
            refs[Scope.NETWORK] = ScopeRef(Scope.NETWORK, 0, _("The whole network"))
        elif scope == Scope.HOMOGENEOUS_GROUP:
            with cross_tenant():
                groups = HomogeneousGroup.objects.filter(pk__in=ids).select_related("tenant")
                for group in groups:
                    refs[ids[group.pk]] = ScopeRef(scope, group.pk, group.name, group, group.tenant)
        elif scope == Scope.COORDINATION_GROUP:
            for tenant in CoordinationGroup.objects.filter(pk__in=ids):
                refs[ids[tenant.pk]] = ScopeRef(scope, tenant.pk, tenant.name, tenant, tenant)
        elif scope == Scope.PROJECT:
            for pk, key in ids.items():
                if pk and pk in CoordinationGroup.Project.values:
                    label = str(CoordinationGroup.Project(pk).label)
                    refs[key] = ScopeRef(scope, pk, label)
        else:
            for place in PLACE_MODELS[scope].objects.filter(pk__in=ids):
                refs[ids[place.pk]] = ScopeRef(scope, place.pk, place.label(), place)
    return refs


def _url(key: str) -> str:
    return reverse("syntheses:synthesis", kwargs={"key": key})


def _describe(keys: Collection[str]) -> dict[str, Described]:
    return {key: Described(ref.name, _url(key)) for key, ref in _refs(keys).items()}


def _public(keys: Collection[str]) -> set[str]:
    return {key for key, ref in _refs(keys).items() if not ref.is_hidden}


def _visible(user: AnyUser, keys: Collection[str]) -> set[str]:
    # The rule of the synthesis pages; it looks up her role only for a hidden group's scope.
    return {key for key, ref in _refs(keys).items() if scope_access(user, ref).can_view}


def _visible_many(wanted: Mapping[int, set[str]], users: Mapping[int, User]) -> dict[int, set[str]]:
    """The same rule for many people: a hidden group's scopes, its members and the staff."""
    refs = _refs(set().union(*wanted.values()))
    staff = staff_ids(users, wanted)
    hidden = {ref.tenant.pk for ref in refs.values() if ref.tenant is not None and ref.is_hidden}
    members = memberships_among(set(wanted) - staff, hidden)

    def may_see(user_id: int, ref: ScopeRef) -> bool:
        if not ref.is_hidden or user_id in staff:
            return True
        return ref.tenant is not None and (user_id, ref.tenant.pk) in members

    return {
        user_id: {key for key in keys if key in refs and may_see(user_id, refs[key])}
        for user_id, keys in wanted.items()
    }


SCOPE_FOLLOWABLE = Followable(
    kind=SCOPE,
    label=gettext_lazy("Synthesis"),
    follow_label=gettext_lazy("Follow this synthesis"),
    following_label=gettext_lazy("You follow this synthesis."),
    describe=_describe,
    visible_keys=_visible,
    public_keys=_public,
    visible_keys_many=_visible_many,
    verbs={"figures": gettext_lazy("New figures")},
)


def scopes_changed(scopes: Iterable[tuple[str, int]]) -> None:
    """Tell the followers of these scopes that their figures changed, once the transaction that
    wrote them commits (robust: a notification that fails never undoes a recomputation)."""
    keys = sorted({scope_key(scope, scope_id) for scope, scope_id in scopes})
    if keys:
        transaction.on_commit(
            lambda: changes_of_followed(kind=SCOPE, keys=keys, verb="figures"), robust=True
        )
