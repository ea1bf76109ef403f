"""Co-responsibility actions and pledges: an action comes with its wiki page; facilitators build
actions, members pledge, outsiders get 404, drafts stay private; bad input is refused with a
message and nothing saved; the action's page shows its pledges, criteria and the change
between the evaluations before and after."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db.models import Max
from django.urls import reverse

from criteria.models import Component, Family, GridMapping, GridVersion
from projects.actions import services
from projects.actions.selectors import action_list, pledge_list, pledge_summary
from projects.models import (
    Action,
    EvaluationSession,
    Indicator,
    IndicatorLevel,
    Placement,
    Pledge,
)
from territories.models import CoordinationGroup, HomogeneousGroup, Membership
from territories.services.memberships import membership_set
from tests.factories import (
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_page,
    make_user,
)
from wikispiral.accounts.models import User
from wikispiral.audit.models import AuditEntry
from wikispiral.errors import DomainError
from wikispiral.tenancy import cross_tenant, tenant_scope
from wikispiral.wiki.models import Page

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@dataclass
class World:
    tenant: CoordinationGroup
    facilitator: User
    member: User
    outsider: User
    hg: HomogeneousGroup
    indicator: Indicator
    theirs: CoordinationGroup
    their_hg: HomogeneousGroup


def _indicator(tenant: CoordinationGroup, title: str = "Safe streets", code: str = "A01"):
    with tenant_scope(tenant):
        indicator = Indicator.objects.create(
            tenant=tenant,
            component=Component.objects.get(version__is_current=True, code=code),
            language="en",
            texts={"en": {"title": title}},
            status=Indicator.Status.PUBLISHED,
        )
        for position in range(1, 6):
            IndicatorLevel.objects.create(
                tenant=tenant,
                indicator=indicator,
                position=position,
                texts={"en": {"name": f"Level {position}"}},
            )
    return indicator


@pytest.fixture
def world() -> World:
    facilitator, member, outsider = make_user(), make_user(), make_user()
    tenant = make_coordination_group(facilitator=facilitator)
    membership_set(group=tenant, user=member, role=Membership.Role.MEMBER)
    theirs = make_coordination_group(facilitator=outsider)
    with cross_tenant():
        hg = make_homogeneous_group(tenant=tenant, name="Young people")
        their_hg = make_homogeneous_group(tenant=theirs, name="Their group")
    return World(
        tenant=tenant,
        facilitator=facilitator,
        member=member,
        outsider=outsider,
        hg=hg,
        indicator=_indicator(tenant),
        theirs=theirs,
        their_hg=their_hg,
    )


def _create(world: World, **fields) -> Action:
    values = {
        "tenant": world.tenant,
        "actor": world.facilitator,
        "title": "A garden for the school",
        "description": "Pupils and elderly people grow vegetables together.",
        "language": "en",
        "status": Action.Status.AGREED,
        "published": True,
    }
    values.update(fields)
    return services.action_create(**values)


def _url(world: World, name: str, **kwargs) -> str:
    return reverse(f"actions:{name}", kwargs={"cg": world.tenant.slug, **kwargs})


def _counts() -> tuple[int, int, int]:
    with cross_tenant():
        return Action.objects.count(), Page.objects.count(), Pledge.objects.count()


# --- Creating an action and its page ------------------------------------------------------------


def test_an_action_is_created_with_its_wiki_page(world):
    criterion = make_criterion(tenant=world.tenant, group=world.hg, question="Q3")
    action = _create(
        world,
        indicators=[world.indicator],
        groups=[world.hg],
        criteria=[criterion.pk],
        components=[Component.objects.get(version__is_current=True, code="A01")],
    )

    page = action.page
    assert page.slug == f"action-{action.pk}"
    assert page.space_id == world.tenant.space_id
    assert page.title == "A garden for the school"
    assert page.parent is not None and page.parent.slug == "home"
    revision = page.current_revision
    assert revision.number == 1
    assert "Pupils and elderly people grow vegetables together." in revision.body
    assert _url(world, "detail", action=action.pk) in revision.body
    with tenant_scope(world.tenant):
        assert list(action.groups.all()) == [world.hg]
        assert list(action.criteria.all()) == [criterion]
        assert list(action.indicators.all()) == [world.indicator]
    assert [c.code for c in action.components.all()] == ["A01"]
    assert AuditEntry.objects.filter(
        action="projects.action.created", target_id=str(action.pk), tenant_id=world.tenant.pk
    ).exists()


def test_a_taken_page_address_falls_back_to_the_next_one(world):
    first = _create(world)
    make_page(space=world.tenant.space, title="Taken", slug=f"action-{first.pk + 1}")

    second = _create(world, title="Another action")

    assert second.pk == first.pk + 1
    assert second.page.slug == f"action-{second.pk}-2"


def test_a_facilitator_opens_an_action_through_the_form(client, world):
    criterion = make_criterion(tenant=world.tenant, group=world.hg, question="Q3", text="I cook")
    component = Component.objects.get(version__is_current=True, code="B01")
    client.force_login(world.facilitator)

    page = client.get(_url(world, "new"))
    assert page.status_code == 200
    assert "I cook" in page.content.decode()

    response = client.post(
        _url(world, "new"),
        {
            "title": "Cooking together",
            "description": "Once a week.",
            "language": "en",
            "status": "proposed",
            "starts_on": "2026-03-01",
            "criteria": [criterion.pk],
            "components": [component.pk],
            "indicators": [world.indicator.pk],
            "groups": [world.hg.pk],
        },
    )

    with tenant_scope(world.tenant):
        action = Action.objects.get(title="Cooking together")
    assert response.status_code == 302
    assert response["Location"] == _url(world, "detail", action=action.pk)
    assert not action.published
    # A draft has no wiki page yet: the wiki shows every page of a public space.
    assert action.page is None

    published = client.post(_url(world, "publish", action=action.pk))

    assert published.status_code == 302
    with tenant_scope(world.tenant):
        action.refresh_from_db()
    assert action.published
    assert action.page.current_revision.number == 1
    assert action.page.space_id == world.tenant.space_id


def test_a_done_action_without_an_end_date_is_refused_and_nothing_is_saved(world, client):
    before = _counts()
    with pytest.raises(DomainError) as refused:
        _create(world, status=Action.Status.DONE)
    assert refused.value.field == "ends_on"
    assert "needs the date it ended" in refused.value.message
    assert _counts() == before

    client.force_login(world.facilitator)
    response = client.post(
        _url(world, "new"), {"title": "Done", "language": "en", "status": "done"}
    )
    assert response.status_code == 400
    assert "A done action needs the date it ended." in response.content.decode()
    assert _counts() == before


def test_an_action_cannot_end_before_it_starts(world):
    with pytest.raises(DomainError, match="cannot end before it starts"):
        _create(
            world,
            starts_on=datetime.date(2026, 5, 1),
            ends_on=datetime.date(2026, 4, 1),
        )


def test_done_needs_a_date_on_update_too(world):
    action = _create(world)
    with pytest.raises(DomainError):
        services.action_update(
            tenant=world.tenant,
            actor=world.facilitator,
            action=action,
            title=action.title,
            language="en",
            status=Action.Status.DONE,
        )
    services.action_update(
        tenant=world.tenant,
        actor=world.facilitator,
        action=action,
        title="Renamed",
        language="en",
        status=Action.Status.DONE,
        ends_on=datetime.date(2026, 6, 30),
    )
    with tenant_scope(world.tenant):
        action.refresh_from_db()
    assert (action.title, action.status) == ("Renamed", "done")


def test_a_member_cannot_create_an_action(world, client):
    with pytest.raises(DomainError):
        _create(world, actor=world.member)
    client.force_login(world.member)
    assert client.get(_url(world, "new")).status_code == 404


# --- Components of a superseded grid ------------------------------------------------------------


def _old_component(code: str) -> Component:
    number = (GridVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    version = GridVersion.objects.create(number=number, name="Old grid", is_current=False)
    family = Family.objects.create(version=version, letter=code[0], names={"en": "Old"})
    return Component.objects.create(
        version=version, family=family, code=code, names={"en": f"Old {code}"}
    )


def test_a_component_of_a_superseded_grid_is_mapped_to_the_current_one(world):
    old = _old_component("A01")
    current = Component.objects.get(version__is_current=True, code="A02")
    GridMapping.objects.create(from_component=old, to_component=current)

    action = _create(world, components=[old.pk])

    assert list(action.components.all()) == [current]
    entry = AuditEntry.objects.get(action="projects.action.created", target_id=str(action.pk))
    assert entry.data["mapped"] == {"A01": ["A02"]}


def test_a_component_of_a_superseded_grid_without_mapping_is_refused(world):
    old = _old_component("C09")
    before = _counts()

    with pytest.raises(DomainError) as refused:
        _create(world, components=[old.pk])

    assert "no mapping says where it went" in refused.value.message
    assert refused.value.field == "components"
    assert _counts() == before


# --- Another group's ids ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["indicators", "groups", "criteria"])
def test_another_groups_ids_are_refused(world, kind):
    their = {
        "indicators": lambda: _indicator(world.theirs, "Theirs"),
        "groups": lambda: world.their_hg,
        "criteria": lambda: make_criterion(tenant=world.theirs, group=world.their_hg),
    }[kind]()
    before = _counts()

    with pytest.raises(DomainError) as refused:
        _create(world, **{kind: [their.pk]})

    assert refused.value.field == kind
    assert _counts() == before


def test_the_form_refuses_another_groups_homogeneous_group(world, client):
    client.force_login(world.facilitator)
    before = _counts()
    response = client.post(
        _url(world, "new"),
        {"title": "T", "language": "en", "status": "proposed", "groups": [world.their_hg.pk]},
    )
    assert response.status_code == 400
    assert _counts() == before


def test_a_pledge_for_another_groups_homogeneous_group_is_refused(world):
    action = _create(world)
    with pytest.raises(DomainError) as refused:
        services.pledge_create(
            tenant=world.tenant,
            actor=world.member,
            action=action,
            pledger=Pledge.Pledger.HOMOGENEOUS_GROUP,
            group=world.their_hg.pk,
            offer=Pledge.Offer.TIME,
        )
    assert refused.value.field == "group"


# --- Pledges ------------------------------------------------------------------------------------


def _pledge(world: World, action: Action, actor: User | None = None, **fields) -> Pledge:
    values = {"pledger": Pledge.Pledger.PERSON, "offer": Pledge.Offer.TIME}
    values.update(fields)
    return services.pledge_create(
        tenant=world.tenant, actor=actor or world.member, action=action, **values
    )


def test_a_member_pledges_to_a_published_action(world, client):
    action = _create(world)
    client.force_login(world.member)

    response = client.post(
        _url(world, "pledge_new", action=action.pk),
        {"pledger": "person", "offer": "time", "amount": "12", "unit": "hours"},
    )

    assert response.status_code == 302
    with tenant_scope(world.tenant):
        pledge = Pledge.objects.get(action=action)
    assert (pledge.person, pledge.amount, pledge.unit) == (world.member, Decimal("12.00"), "hours")
    assert pledge.state == Pledge.State.OFFERED


def test_a_negative_amount_is_refused(world, client):
    action = _create(world)
    with pytest.raises(DomainError) as refused:
        _pledge(world, action, amount=Decimal("-5"))
    assert refused.value.field == "amount"
    assert refused.value.message == "An amount cannot be negative."

    client.force_login(world.member)
    response = client.post(
        _url(world, "pledge_new", action=action.pk),
        {"pledger": "person", "offer": "money", "amount": "-5", "unit": "EUR"},
    )
    assert response.status_code == 400
    assert "An amount cannot be negative." in response.content.decode()
    with tenant_scope(world.tenant):
        assert not Pledge.objects.exists()


def test_an_organisation_pledge_needs_a_name(world):
    action = _create(world)
    with pytest.raises(DomainError) as refused:
        _pledge(world, action, pledger=Pledge.Pledger.ORGANISATION)
    assert refused.value.field == "name"
    pledge = _pledge(
        world, action, pledger=Pledge.Pledger.PUBLIC_BODY, name="Town hall", offer="place"
    )
    assert pledge.person is None and pledge.name == "Town hall"


def test_members_pledge_only_to_published_actions(world, client):
    draft = _create(world, published=False)
    with pytest.raises(DomainError, match="not published yet"):
        _pledge(world, draft)
    # The facilitators record pledges while they prepare it.
    assert _pledge(world, draft, actor=world.facilitator).person == world.facilitator

    client.force_login(world.member)
    response = client.post(
        _url(world, "pledge_new", action=draft.pk), {"pledger": "person", "offer": "time"}
    )
    assert response.status_code == 400
    assert "not published yet" in response.content.decode()


def test_a_member_pledges_only_in_her_own_name(world):
    action = _create(world)
    with pytest.raises(DomainError):
        _pledge(world, action, person=world.facilitator)


def test_only_facilitators_mark_a_pledge_kept_and_its_pledger_may_withdraw_it(world, client):
    action = _create(world)
    pledge = _pledge(world, action)
    other = make_user()
    membership_set(group=world.tenant, user=other, role=Membership.Role.MEMBER)

    # Neither another member nor the pledger herself vouches that it was kept.
    for person in (other, world.member):
        with pytest.raises(DomainError):
            services.pledge_keep(tenant=world.tenant, actor=person, pledge=pledge)
        client.force_login(person)
        keep = _url(world, "pledge_keep", action=action.pk, pledge=pledge.pk)
        assert client.post(keep).status_code == 404
    client.force_login(other)
    withdraw = _url(world, "pledge_withdraw", action=action.pk, pledge=pledge.pk)
    assert client.post(withdraw).status_code == 404
    with tenant_scope(world.tenant):
        pledge.refresh_from_db()
    assert pledge.state == Pledge.State.OFFERED

    client.force_login(world.facilitator)
    response = client.post(_url(world, "pledge_keep", action=action.pk, pledge=pledge.pk))
    assert response.status_code == 302
    with tenant_scope(world.tenant):
        pledge.refresh_from_db()
    assert pledge.state == Pledge.State.KEPT
    assert AuditEntry.objects.filter(
        action="projects.pledge.kept", target_id=str(pledge.pk)
    ).exists()


def test_the_pledger_withdraws_her_own_pledge(world, client):
    action = _create(world)
    pledge = _pledge(world, action)

    client.force_login(world.member)
    page = client.get(_url(world, "detail", action=action.pk)).content.decode()
    assert "Withdraw" in page and "Mark kept" not in page
    response = client.post(_url(world, "pledge_withdraw", action=action.pk, pledge=pledge.pk))

    assert response.status_code == 302
    with tenant_scope(world.tenant):
        pledge.refresh_from_db()
    assert pledge.state == Pledge.State.WITHDRAWN


def test_a_withdrawn_pledge_cannot_be_kept_nor_a_kept_one_withdrawn(world, client):
    action = _create(world)
    withdrawn = _pledge(world, action)
    kept = _pledge(world, action)
    services.pledge_withdraw(tenant=world.tenant, actor=world.member, pledge=withdrawn)
    services.pledge_keep(tenant=world.tenant, actor=world.facilitator, pledge=kept)

    with pytest.raises(DomainError, match="withdrawn: it cannot be kept"):
        services.pledge_keep(tenant=world.tenant, actor=world.facilitator, pledge=withdrawn)
    with pytest.raises(DomainError, match="kept: it cannot be withdrawn"):
        services.pledge_withdraw(tenant=world.tenant, actor=world.member, pledge=kept)

    client.force_login(world.facilitator)
    response = client.post(_url(world, "pledge_keep", action=action.pk, pledge=withdrawn.pk))
    assert response.status_code == 400
    assert "cannot be kept" in response.content.decode()
    with tenant_scope(world.tenant):
        withdrawn.refresh_from_db()
    assert withdrawn.state == Pledge.State.WITHDRAWN


def test_no_pledge_to_a_given_up_action(world):
    action = _create(world, status=Action.Status.GIVEN_UP)
    with pytest.raises(DomainError, match="given up"):
        _pledge(world, action)


def test_the_pledge_summary_counts_and_adds_up(world):
    action = _create(world)
    _pledge(world, action, offer="money", amount="100", unit="EUR")
    kept = _pledge(world, action, offer="money", amount="50.5", unit="EUR")
    gone = _pledge(world, action, offer="money", amount="1000", unit="EUR")
    _pledge(world, action, offer="time", amount="3", unit="hours")
    services.pledge_keep(tenant=world.tenant, actor=world.facilitator, pledge=kept)
    services.pledge_withdraw(tenant=world.tenant, actor=world.member, pledge=gone)

    summary = pledge_summary(row.pledge for row in pledge_list(action=action))

    assert (summary.made, summary.offered, summary.kept, summary.withdrawn) == (4, 2, 1, 1)
    money = next(line for line in summary.amounts if line.offer == "money")
    assert (money.pledged, money.kept) == (Decimal("150.50"), Decimal("50.50"))


# --- Who sees what ------------------------------------------------------------------------------


def test_an_outsider_gets_404_for_drafts_and_every_write(world, client):
    draft = _create(world, published=False, title="Secret plan")
    published = _create(world, title="Open plan")
    pledge = _pledge(world, published)
    client.force_login(world.outsider)

    assert client.get(_url(world, "detail", action=draft.pk)).status_code == 404
    assert "Secret plan" not in client.get(_url(world, "list")).content.decode()
    assert client.get(_url(world, "detail", action=published.pk)).status_code == 200
    for name, kwargs in [
        ("new", {}),
        ("edit", {"action": published.pk}),
        ("publish", {"action": published.pk}),
        ("evaluations", {"action": published.pk}),
        ("pledge_new", {"action": published.pk}),
        ("pledge_keep", {"action": published.pk, "pledge": pledge.pk}),
        ("pledge_withdraw", {"action": published.pk, "pledge": pledge.pk}),
    ]:
        assert client.post(_url(world, name, **kwargs), {"offer": "time"}).status_code == 404
    with tenant_scope(world.tenant):
        assert Pledge.objects.get().state == Pledge.State.OFFERED
        assert Action.objects.filter(published=True).count() == 1


def test_an_action_of_another_group_is_not_found_under_mine(world, client):
    theirs = services.action_create(
        tenant=world.theirs, actor=world.outsider, title="Theirs", language="en", published=True
    )
    client.force_login(world.facilitator)
    assert client.get(_url(world, "detail", action=theirs.pk)).status_code == 404
    assert client.post(_url(world, "publish", action=theirs.pk)).status_code == 404


def test_anonymous_visitors_see_published_actions_only(world, client):
    draft = _create(world, published=False, title="Secret plan")
    _create(world, title="Open plan")

    listing = client.get(_url(world, "list")).content.decode()
    assert "Open plan" in listing and "Secret plan" not in listing
    response = client.get(_url(world, "detail", action=draft.pk))
    assert response.status_code in (302, 404)
    assert "Secret plan" not in response.content.decode()


def test_members_see_drafts_and_a_facilitator_publishes(world, client):
    draft = _create(world, published=False, title="Secret plan")
    client.force_login(world.member)
    assert client.get(_url(world, "detail", action=draft.pk)).status_code == 200
    assert client.post(_url(world, "publish", action=draft.pk)).status_code == 404

    client.force_login(world.facilitator)
    assert client.post(_url(world, "publish", action=draft.pk)).status_code == 302
    with tenant_scope(world.tenant):
        assert Action.objects.get(pk=draft.pk).published


def test_the_list_filters_by_state_in_few_queries(world, client, django_assert_max_num_queries):
    for number in range(5):
        action = _create(world, title=f"Agreed {number}")
        _pledge(world, action)
    _create(world, title="Under way", status=Action.Status.UNDER_WAY)

    client.force_login(world.member)
    with django_assert_max_num_queries(8):
        response = client.get(_url(world, "list"), {"state": "under_way"})

    body = response.content.decode()
    assert "Under way" in body and "Agreed 1" not in body
    with tenant_scope(world.tenant):
        rows = list(action_list(tenant=world.tenant, user=world.member))
    assert sum(row.pledges_made for row in rows) == 5


# --- The action's page --------------------------------------------------------------------------


def test_the_action_page_shows_pledges_made_and_kept_and_the_criteria(world, client):
    criterion = make_criterion(
        tenant=world.tenant,
        group=world.hg,
        question="Q3",
        text="I could lend my tools",
        component="A01",
    )
    unclassified = make_criterion(
        tenant=world.tenant, group=world.hg, question="Q3", text="Not classified yet"
    )
    action = _create(world, criteria=[criterion.pk, unclassified.pk])
    kept = _pledge(world, action, pledger="public_body", name="Town hall", offer="place")
    _pledge(world, action, offer="equipment")
    _pledge(world, action, offer="skills")
    services.pledge_keep(tenant=world.tenant, actor=world.facilitator, pledge=kept)

    body = client.get(_url(world, "detail", action=action.pk)).content.decode()

    assert "3 pledges made" in body and "1 kept" in body
    assert "I could lend my tools" in body
    # The public sees the classified criteria only, as on the group's other public pages.
    assert "Not classified yet" not in body
    client.force_login(world.member)
    assert (
        "Not classified yet" in client.get(_url(world, "detail", action=action.pk)).content.decode()
    )
    assert "Town hall" in body
    assert "Pupils and elderly people grow vegetables together." in body  # the narrative
    assert action.page.get_absolute_url() in body


def test_titles_descriptions_and_names_are_escaped(world, client):
    action = _create(world, title=f"Garden {XSS}", description=f"Text {XSS}")
    _pledge(world, action, pledger="organisation", name=f"Org {XSS}", description=XSS)

    for url in (_url(world, "detail", action=action.pk), _url(world, "list")):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body
        assert "<img src=x" not in body
    assert "&lt;script&gt;" in client.get(_url(world, "detail", action=action.pk)).content.decode()


# --- Before and after ---------------------------------------------------------------------------


def _session(world: World, title: str, held_on: datetime.date, levels: list[int]):
    with tenant_scope(world.tenant):
        session = EvaluationSession.objects.create(
            tenant=world.tenant,
            title=title,
            held_on=held_on,
            participants=len(levels),
            status=EvaluationSession.Status.PUBLISHED,
        )
        session.indicators.add(world.indicator)
        Placement.objects.bulk_create(
            Placement(
                tenant=world.tenant,
                session=session,
                indicator=world.indicator,
                level=level,
                participant=number,
                placed_on=held_on,
            )
            for number, level in enumerate(levels, start=1)
        )
    return session


def test_the_change_before_and_after_is_shown(world, client):
    action = _create(world, indicators=[world.indicator])
    before = _session(world, "Spring meeting", datetime.date(2026, 3, 1), [1, 2, 2, 3])
    after = _session(world, "Autumn meeting", datetime.date(2026, 10, 1), [3, 3, 4, 4])

    client.force_login(world.facilitator)
    response = client.post(
        _url(world, "evaluations", action=action.pk), {"before": before.pk, "after": after.pk}
    )
    assert response.status_code == 302

    body = client.get(_url(world, "detail", action=action.pk)).content.decode()
    assert "Safe streets" in body
    assert "3.5" in body and "+1.5" in body  # the median moved from 2 to 3.5


def test_evaluations_in_the_wrong_order_or_of_another_group_are_refused(world, client):
    action = _create(world)
    early = _session(world, "Early", datetime.date(2026, 1, 1), [2])
    late = _session(world, "Late", datetime.date(2026, 9, 1), [3])

    with pytest.raises(DomainError, match="no later than"):
        services.action_set_evaluations(
            tenant=world.tenant, actor=world.facilitator, action=action, before=late, after=early
        )
    client.force_login(world.facilitator)
    response = client.post(
        _url(world, "evaluations", action=action.pk), {"before": late.pk, "after": early.pk}
    )
    assert response.status_code == 400
    with tenant_scope(world.theirs):
        theirs = EvaluationSession.objects.create(
            tenant=world.theirs, title="Theirs", held_on=datetime.date(2026, 2, 1), participants=1
        )
    response = client.post(
        _url(world, "evaluations", action=action.pk), {"before": theirs.pk, "after": late.pk}
    )
    assert response.status_code == 400
    with tenant_scope(world.tenant):
        action.refresh_from_db()
    assert action.before_id is None and action.after_id is None


def test_the_change_leaves_out_indicators_neither_evaluation_placed(world, client):
    other = _indicator(world.tenant, "Clean air", code="B01")
    action = _create(world, indicators=[world.indicator, other])
    before = _session(world, "Spring meeting", datetime.date(2026, 3, 1), [2])
    after = _session(world, "Autumn meeting", datetime.date(2026, 10, 1), [3])
    services.action_set_evaluations(
        tenant=world.tenant, actor=world.facilitator, action=action, before=before, after=after
    )

    body = client.get(_url(world, "detail", action=action.pk)).content.decode()
    change = body[body.index('id="change-title"') :]

    assert "Safe streets" in change and "Clean air" not in change


def test_the_same_pledge_sent_twice_is_recorded_once(world, client):
    action = _create(world)
    client.force_login(world.member)
    send = {"pledger": "person", "offer": "time", "submission": "a1b2c3", "description": "Once"}

    first = client.post(_url(world, "pledge_new", action=action.pk), send)
    again = client.post(_url(world, "pledge_new", action=action.pk), send)

    assert first.status_code == 302 and again.status_code == 302
    with tenant_scope(world.tenant):
        assert Pledge.objects.filter(action=action, description="Once").count() == 1
    # Another send (a new form) is another pledge.
    client.post(_url(world, "pledge_new", action=action.pk), {**send, "submission": "d4e5"})
    with tenant_scope(world.tenant):
        assert Pledge.objects.filter(action=action, description="Once").count() == 2


def test_a_refused_send_may_be_corrected_and_sent_again(world, client):
    action = _create(world)
    client.force_login(world.member)
    send = {"pledger": "person", "offer": "money", "amount": "-5", "submission": "f6"}

    refused = client.post(_url(world, "pledge_new", action=action.pk), send)
    corrected = client.post(_url(world, "pledge_new", action=action.pk), {**send, "amount": "5"})

    assert refused.status_code == 400 and corrected.status_code == 302
    with tenant_scope(world.tenant):
        assert Pledge.objects.filter(action=action).count() == 1


def test_the_same_new_action_sent_twice_opens_one_action(world, client):
    client.force_login(world.facilitator)
    send = {"title": "Market day", "language": "en", "status": "proposed", "submission": "9z"}

    first = client.post(_url(world, "new"), send)
    again = client.post(_url(world, "new"), send)

    with tenant_scope(world.tenant):
        opened = Action.objects.get(title="Market day")
    assert first["Location"] == again["Location"] == _url(world, "detail", action=opened.pk)
    # The form carries a fresh key each time it is shown.
    page = client.get(_url(world, "new")).content.decode()
    assert 'name="submission"' in page
