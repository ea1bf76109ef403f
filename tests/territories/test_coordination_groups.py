"""Coordination groups: opened with their space and facilitator, and sealed from each other."""

import pytest
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from territories.models import Membership, Region
from territories.services import TerritoryError, coordination_group_create, membership_set
from tests.factories import make_coordination_group, make_country, make_user
from wikispiral.tenancy import cross_tenant, get_for_tenant_or_404, tenant_required
from wikispiral.wiki.models import Page, Space

pytestmark = pytest.mark.django_db


def _home(group) -> Page:
    return Page.objects.get(space=group.space, slug="home")


def _edit(client, page, body: str):
    return client.post(
        page.url_for("edit"),
        {"title": page.title, "body": body, "base_revision": page.current_revision_id},
    )


def test_opening_a_group_creates_its_space_home_page_and_facilitator():
    facilitator = make_user()

    group = make_coordination_group(name="Mulhouse Bourtzwiller", facilitator=facilitator)

    assert group.space.kind == Space.Kind.COORDINATION_GROUP
    assert group.space.slug == "mulhouse-bourtzwiller"
    assert _home(group).title == "Mulhouse Bourtzwiller"
    with cross_tenant():
        assert group.memberships.get().user == facilitator
        assert group.memberships.get().role == Membership.Role.FACILITATOR


def test_facilitator_edits_the_groups_pages_and_an_outsider_gets_404(client):
    own = make_coordination_group(facilitator=(mine := make_user()))
    other = make_coordination_group(facilitator=make_user())
    client.force_login(mine)

    accepted = _edit(client, _home(own), "Our platform.")
    refused = {
        "edit": _edit(client, _home(other), "Taken over."),
        "move": client.post(_home(other).url_for("move"), {"title": "Gone"}),
        "delete": client.post(_home(other).url_for("delete")),
        "protect": client.post(_home(other).url_for("protect")),
        "new": client.post(
            reverse("wiki:page_new", kwargs={"space": other.space.slug, "lang": "en"}),
            {"title": "Spam", "body": "x"},
        ),
        "upload": client.post(reverse("wiki:attachments", kwargs={"space": other.space.slug})),
    }

    assert accepted.status_code == 302
    assert {name: r.status_code for name, r in refused.items()} == dict.fromkeys(refused, 404)
    assert _home(other).revisions.count() == 1


def test_editor_edits_but_only_facilitators_manage_and_members_only_read(client):
    group = make_coordination_group()
    editor, member = make_user(), make_user()
    membership_set(group=group, user=editor, role=Membership.Role.EDITOR)
    membership_set(group=group, user=member, role=Membership.Role.MEMBER)
    home = _home(group)

    client.force_login(editor)
    edited = _edit(client, home, "Edited by the editor.")
    move_by_editor = client.post(home.url_for("move"), {"title": "Moved"})
    client.force_login(member)
    edit_by_member = _edit(client, home, "By a member.")

    assert edited.status_code == 302
    assert move_by_editor.status_code == 403
    assert edit_by_member.status_code == 403


def test_drafts_of_a_group_are_seen_by_its_members_only(client):
    group = make_coordination_group()
    Space.objects.filter(pk=group.space.pk).update(is_public=False)
    member = make_user()
    membership_set(group=group, user=member, role=Membership.Role.MEMBER)

    client.force_login(make_user())
    outsider = client.get(_home(group).get_absolute_url())
    client.force_login(member)
    insider = client.get(_home(group).get_absolute_url())

    assert outsider.status_code == 404
    assert insider.status_code == 200


def test_new_role_shows_at_once_even_on_a_cached_page_copy(client):
    group = make_coordination_group()
    user = make_user()
    client.force_login(user)
    before = client.get(_home(group).get_absolute_url()).content.decode()

    membership_set(group=group, user=user, role=Membership.Role.FACILITATOR)
    after = client.get(_home(group).get_absolute_url()).content.decode()

    assert _home(group).url_for("edit") not in before
    assert _home(group).url_for("edit") in after and _home(group).url_for("move") in after


def test_bad_group_details_are_refused_and_nothing_is_saved():
    france, belgium = make_country(), make_country(code="BE", name="Belgium")
    wallonia = Region.objects.create(country=belgium, name="Wallonia", slug="wallonia")
    coordination_group_create(actor=None, name="Taken", network_id="GC1000", country=france)

    cases = {
        "region elsewhere": {"name": "A", "network_id": "GC1001", "region": wallonia},
        "same network id": {"name": "B", "network_id": "GC1000"},
        "same address": {"name": "Taken", "network_id": "GC1002"},
        "reserved address": {"name": "Network", "network_id": "GC1003"},
        "bad network id": {"name": "C", "network_id": "136526"},
        "no name": {"name": "  ", "network_id": "GC1004"},
    }
    for label, details in cases.items():
        with pytest.raises(TerritoryError):
            coordination_group_create(actor=None, country=france, **details)
        assert Space.objects.filter(kind=Space.Kind.COORDINATION_GROUP).count() == 1, label


def test_tenant_required_sets_the_tenant_for_members_and_hides_it_from_others():
    group = make_coordination_group(facilitator=(facilitator := make_user()))
    member = make_user()
    membership_set(group=group, user=member, role=Membership.Role.MEMBER)

    @tenant_required(Membership.Role.FACILITATOR)
    def view(request, cg):
        return HttpResponse(request.tenant.network_id)

    def call(user, slug=group.slug):
        request = RequestFactory().get("/")
        request.user = user
        return view(request, cg=slug)

    assert call(facilitator).content.decode() == group.network_id
    assert call(make_user(secretariat=True)).status_code == 200
    for refused in (
        lambda: call(member),
        lambda: call(make_user()),
        lambda: call(facilitator, "nope"),
    ):
        with pytest.raises(Http404):
            refused()


def test_get_for_tenant_or_404_never_finds_another_tenants_object():
    own = make_coordination_group(facilitator=(user := make_user()))
    other = make_coordination_group(facilitator=user)
    with cross_tenant():
        theirs = Membership.objects.get(tenant=other)

    assert get_for_tenant_or_404(Membership, other, pk=theirs.pk) == theirs
    with pytest.raises(Http404):
        get_for_tenant_or_404(Membership, own, pk=theirs.pk)
