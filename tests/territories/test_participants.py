"""A homogeneous group's number of participants: unknown when nobody gave it (never 0), read
as such on its page and its coordination group's page, with plurals in every language."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from territories.models import HomogeneousGroup
from territories.services import TerritoryError, homogeneous_group_create
from tests.factories import make_coordination_group, make_homogeneous_group
from wikispiral.tenancy import cross_tenant, tenant_scope

pytestmark = pytest.mark.django_db


def _hg_page(client: Client, hg) -> str:
    url = reverse("groups:homogeneous_group", kwargs={"cg": hg.tenant.slug, "hg": hg.slug})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _group_page(client: Client, group, language: str = "en") -> str:
    response = client.get(
        reverse("directory:group", kwargs={"cg": group.slug}), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_group_without_a_number_reads_not_given_on_its_page(client: Client):
    with cross_tenant():
        hg = make_homogeneous_group(tenant=make_coordination_group())

    html = _hg_page(client, hg)

    assert "<dt>Participants</dt><dd>not given</dd>" in html


def test_a_group_with_a_number_shows_it_on_its_page(client: Client):
    with cross_tenant():
        hg = make_homogeneous_group(tenant=make_coordination_group(), participants=1)

    assert "<dt>Participants</dt><dd>1</dd>" in _hg_page(client, hg)


def test_zero_participants_is_refused_by_the_service_and_the_database():
    group = make_coordination_group()

    with tenant_scope(group), pytest.raises(TerritoryError, match="at least one participant"):
        homogeneous_group_create(
            actor=None, group=group, name="Nobody", profile_other="Nobody", participants=0
        )
    with cross_tenant(), pytest.raises(IntegrityError), transaction.atomic():
        make_homogeneous_group(tenant=group, participants=0)


def test_a_coordination_group_with_no_homogeneous_group_has_zero_participants(client: Client):
    html = _group_page(client, make_coordination_group())

    assert "<dt>Participants</dt><dd>0</dd>" in html


def test_a_coordination_group_whose_groups_gave_no_number_reads_not_given(client: Client):
    group = make_coordination_group()
    with cross_tenant():
        make_homogeneous_group(tenant=group, name="Uncounted")

    html = _group_page(client, group)

    assert "<dt>Participants</dt><dd>not given</dd>" in html
    assert "number of participants not given" in html


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "1 participant", "2 participants"),
        ("fr", "1 participant", "2 participants"),
        ("pt", "1 participante", "2 participantes"),
    ],
)
def test_the_group_page_lists_participants_in_the_readers_plural(
    client: Client, language: str, one: str, two: str
):
    group = make_coordination_group()
    with cross_tenant():
        make_homogeneous_group(tenant=group, name="Alone", participants=1)
        make_homogeneous_group(tenant=group, name="Pair", participants=2)

    html = _group_page(client, group, language)

    assert f"{one}</span>" in html
    assert f"{two}</span>" in html


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_a_stored_zero_into_unknown_and_keeps_real_numbers():
    # The group (and the reference data it needs: the grid…) with today's models, before going
    # back: rolling back territories also rolls back the later migrations of the apps above.
    group = make_coordination_group()
    before = [("territories", "0008_project_platforms")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        groups = old_apps.get_model("territories", "HomogeneousGroup")._base_manager
        for slug, participants in (("zero", 0), ("nine", 9), ("none", None)):
            groups.create(tenant_id=group.pk, name=slug, slug=slug, participants=participants)
    finally:
        executor = MigrationExecutor(connection)
        # Back to the latest of every app, whatever came after ours, for the tests that follow.
        executor.migrate(executor.loader.graph.leaf_nodes())

    with cross_tenant():
        found = dict(HomogeneousGroup.objects.values_list("slug", "participants"))
    assert found == {"zero": None, "nine": 9, "none": None}
