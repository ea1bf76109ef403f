"""What keeps the second half of the method honest across its parts: a published session or
action shows only published indicators, scales keep their size once evaluated or shared, an
indicator is adopted once per group, and the roll-up pages name lineages with texts the reader
may see."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from criteria.models import Component
from projects.actions.services import action_create, action_publish
from projects.evaluations import rollup
from projects.evaluations.services import (
    session_create,
    session_publish,
    session_tally_set,
)
from projects.indicators.services import (
    default_levels,
    indicator_adopt,
    indicator_create,
    indicator_publish,
    indicator_share,
    indicator_update,
)
from projects.models import Action, EvaluationSession, Indicator
from tests.factories import make_coordination_group, make_user
from wikispiral.errors import DomainError
from wikispiral.tenancy import cross_tenant, tenant_scope

pytestmark = pytest.mark.django_db


def _group(name: str):
    facilitator = make_user()
    return make_coordination_group(name=name, facilitator=facilitator), facilitator


def _indicator(tenant, actor, title: str, *, publish: bool = True) -> Indicator:
    indicator = indicator_create(
        tenant=tenant,
        actor=actor,
        component=Component.objects.get(version__is_current=True, code="A01"),
        language="en",
        title=title,
    )
    if publish:
        indicator = indicator_publish(tenant=tenant, actor=actor, indicator=indicator)
    return indicator


def _session(tenant, actor, indicator, tally, *, publish: bool = True) -> EvaluationSession:
    session = session_create(
        tenant=tenant,
        actor=actor,
        title="Spring meeting",
        held_on=datetime.date(2026, 3, 1),
        group=None,
        participants=sum(tally),
        indicators=[indicator],
    )
    session_tally_set(
        tenant=tenant,
        actor=actor,
        session=session,
        tallies={indicator: dict(enumerate(tally, start=1))},
    )
    if publish:
        session = session_publish(tenant=tenant, actor=actor, session=session)
    return session


def _update(tenant, actor, indicator, *, levels=None, status=None, title=None):
    with tenant_scope(tenant):
        indicator.refresh_from_db()
    return indicator_update(
        tenant=tenant,
        actor=actor,
        indicator=indicator,
        base_revision=indicator.revision,
        language="en",
        title=title or indicator.text("title", "en"),
        description="",
        levels=levels or default_levels("en"),
        status=status,
    )


def test_a_session_or_an_action_on_a_draft_indicator_cannot_be_published():
    tenant, facilitator = _group("Praia")
    draft = _indicator(tenant, facilitator, "Secret draft", publish=False)
    session = _session(tenant, facilitator, draft, [1, 2, 3, 0, 0], publish=False)

    with pytest.raises(DomainError, match="still drafts"):
        session_publish(tenant=tenant, actor=facilitator, session=session)
    with pytest.raises(DomainError, match="still drafts"):
        action_create(
            tenant=tenant,
            actor=facilitator,
            title="Market stalls",
            language="en",
            indicators=[draft],
            published=True,
        )
    action = action_create(
        tenant=tenant, actor=facilitator, title="Market stalls", language="en", indicators=[draft]
    )
    with pytest.raises(DomainError, match="still drafts"):
        action_publish(tenant=tenant, actor=facilitator, action=action)

    with tenant_scope(tenant):
        session.refresh_from_db()
        action.refresh_from_db()
        assert session.status == EvaluationSession.Status.DRAFT
        assert not action.published
        assert not Action.objects.filter(published=True).exists()


def test_an_indicator_a_published_session_shows_stays_published():
    tenant, facilitator = _group("Praia")
    indicator = _indicator(tenant, facilitator, "Clean water")
    _session(tenant, facilitator, indicator, [1, 2, 3, 0, 0])

    with pytest.raises(DomainError, match="cannot go back to being a draft"):
        _update(tenant, facilitator, indicator, status=Indicator.Status.DRAFT)
    with tenant_scope(tenant):
        indicator.refresh_from_db()
    assert indicator.status == Indicator.Status.PUBLISHED


def test_a_scale_the_territory_was_placed_on_keeps_its_number_of_levels():
    tenant, facilitator = _group("Praia")
    indicator = _indicator(tenant, facilitator, "Clean water")
    _session(tenant, facilitator, indicator, [3, 0, 0, 0, 7])

    with pytest.raises(DomainError, match="number of levels cannot change"):
        _update(tenant, facilitator, indicator, levels=default_levels("en")[:3])
    with cross_tenant():
        assert indicator.levels.count() == 5
    # Renaming the levels is still fine.
    renamed = [{**level, "name": f"{level['name']}!"} for level in default_levels("en")]
    _update(tenant, facilitator, indicator, levels=renamed)


def test_a_shared_scale_with_adopted_copies_keeps_its_number_of_levels():
    first, first_facilitator = _group("Mulhouse")
    second, second_facilitator = _group("Charleroi")
    root = _indicator(first, first_facilitator, "Healthy food")
    indicator_share(tenant=first, actor=first_facilitator, indicator=root, shared=True)
    copy = indicator_adopt(tenant=second, actor=second_facilitator, source=root)

    for tenant, actor, indicator in (
        (first, first_facilitator, root),
        (second, second_facilitator, copy),
    ):
        with pytest.raises(DomainError, match="adopted copies"):
            _update(tenant, actor, indicator, levels=default_levels("en")[:4])


def test_an_indicator_is_adopted_once_per_group_even_at_the_same_moment():
    first, first_facilitator = _group("Mulhouse")
    second, second_facilitator = _group("Charleroi")
    root = _indicator(first, first_facilitator, "Healthy food")
    indicator_share(tenant=first, actor=first_facilitator, indicator=root, shared=True)
    copy = indicator_adopt(tenant=second, actor=second_facilitator, source=root)

    with pytest.raises(DomainError, match="already adopted"):
        indicator_adopt(tenant=second, actor=second_facilitator, source=root)
    # Two requests that both passed the check: the database keeps one.
    with pytest.raises(IntegrityError), transaction.atomic(), cross_tenant():
        Indicator.objects.create(
            tenant=second,
            component=copy.component,
            language="en",
            texts=copy.texts,
            origin=root,
            lineage=root.lineage,
        )


def test_roll_up_pages_name_a_lineage_with_texts_the_reader_may_see(
    client, django_capture_on_commit_callbacks
):
    first, first_facilitator = _group("Mulhouse")
    second, second_facilitator = _group("Charleroi")
    root = _indicator(first, first_facilitator, "Healthy food")
    indicator_share(tenant=first, actor=first_facilitator, indicator=root, shared=True)
    copy = indicator_adopt(tenant=second, actor=second_facilitator, source=root)
    copy = _update(second, second_facilitator, copy, title="Food at the market")
    copy = indicator_publish(tenant=second, actor=second_facilitator, indicator=copy)
    with django_capture_on_commit_callbacks(execute=True):
        _session(second, second_facilitator, copy, [1, 2, 3, 2, 1])
    # The first group takes its own indicator back to draft under a new title.
    _update(first, first_facilitator, root, status=Indicator.Status.DRAFT, title="SECRET DRAFT")
    rollup.evaluations_recompute_all()

    group_page = client.get(
        reverse("evaluation_scopes:scope", kwargs={"key": f"cg-{second.pk}"})
    ).content.decode()
    network_page = client.get(
        reverse("evaluation_scopes:scope", kwargs={"key": "network"})
    ).content.decode()

    assert "SECRET DRAFT" not in group_page and "SECRET DRAFT" not in network_page
    assert "Food at the market" in group_page
