import datetime

import pytest

from criteria.codes import full_code_parse
from criteria.models import Classification, Component, Criterion, Question
from criteria.selectors import component_list, grid_current, question_list
from criteria.services import (
    criterion_classify,
    criterion_create,
    criterion_delete,
    criterion_dispute,
)
from tests.factories import (
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_user,
    reference_data,
)
from wikispiral.audit.models import AuditEntry
from wikispiral.errors import DomainError
from wikispiral.tenancy import cross_tenant, tenant_scope

pytestmark = pytest.mark.django_db


def test_seed_grid_is_current_with_nine_families_and_every_component():
    grid = grid_current()
    components = list(component_list(version=grid))
    assert grid.families.count() == 9
    assert len(components) == 60
    assert {c.code[0] for c in components} == set("ABCDEFGHI")
    assert all(c.code.endswith("00") for c in components if c.order == 0)
    a01 = next(c for c in components if c.code == "A01")
    assert a01.label("fr") == "Alimentation"
    assert a01.label("pt") == "Alimentação"
    assert a01.label("de") == "Food / drink"


def test_provisional_label_mark_follows_seed_status():
    grid = grid_current()
    assert Component.objects.get(version=grid, code="A08").label_is_provisional("en")
    assert not Component.objects.get(version=grid, code="A01").label_is_provisional("en")
    a10 = Component.objects.get(version=grid, code="A10")
    assert not a10.label_is_provisional("fr")
    assert a10.label_is_provisional("en")


def test_three_network_questions_and_a_groups_own_question():
    tenant = make_coordination_group()
    other = make_coordination_group()
    Question.objects.create(tenant=tenant, code="Q4", texts={"en": "Future generations?"}, order=4)
    assert [q.code for q in question_list(tenant=tenant)] == ["Q1", "Q2", "Q3", "Q4"]
    assert [q.code for q in question_list(tenant=other)] == ["Q1", "Q2", "Q3"]
    assert [q.code for q in question_list()] == ["Q1", "Q2", "Q3"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A01", "A01"),
        ("a01-11", "A01-11"),
        ("A01-11/p15", "A01-11/P15"),
        (" A01-11 / P15 / K ", "A01-11/P15/k"),
        ("A01/P", "A01/P"),
    ],
)
def test_full_code_prefixes_are_valid(raw, expected):
    assert str(full_code_parse(raw)) == expected


@pytest.mark.parametrize("raw", ["", "A1", "A01/X15", "A01//k", "A01/P15/k/z", "A01-x", "A01/P/12"])
def test_full_code_errors_name_the_faulty_part(raw):
    with pytest.raises(DomainError) as error:
        full_code_parse(raw)
    assert error.value.field == "full_code"
    assert error.value.message


def test_criterion_create_defaults_to_group_language_and_last_meeting():
    tenant = make_coordination_group()
    with cross_tenant():
        group = make_homogeneous_group(
            tenant=tenant, language="fr", meeting_dates=["2026-02-01", "2026-03-05"]
        )
    with tenant_scope(tenant):
        criterion = criterion_create(
            tenant=tenant,
            group=group,
            question=Question.objects.shared().get(code="Q2"),
            text="  Le bruit\r\nla nuit  ",
            actor=make_user(),
        )
    assert criterion.text == "Le bruit\nla nuit"
    assert criterion.language == "fr"
    assert criterion.session_date == datetime.date(2026, 3, 5)
    assert criterion.status == Criterion.Status.UNCLASSIFIED


def test_criterion_create_refuses_empty_text_and_another_groups_question():
    tenant = make_coordination_group()
    other = make_coordination_group()
    foreign = Question.objects.create(tenant=other, code="Q4", texts={"en": "?"})
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant)
        with pytest.raises(DomainError):
            criterion_create(tenant=tenant, group=group, question=foreign, text="Peace", actor=None)
        with pytest.raises(DomainError):
            criterion_create(
                tenant=tenant, group=group, question=question_list()[0], text="  ", actor=None
            )
        assert not Criterion.objects.exists()


def test_classify_dispute_and_reclassify_keep_the_whole_history():
    tenant = make_coordination_group()
    user = make_user()
    criterion = make_criterion(tenant=tenant, text="Eating well")
    grid = grid_current()
    a01 = Component.objects.get(version=grid, code="A01")
    f01 = Component.objects.get(version=grid, code="F01")
    with tenant_scope(tenant):
        criterion_classify(
            tenant=tenant, criterion=criterion, component=f01, actor=user, full_code=""
        )
        criterion_dispute(tenant=tenant, criterion=criterion, actor=user, note="Food, not health")
        criterion_classify(
            tenant=tenant, criterion=criterion, component=a01, actor=user, full_code="a01-11/p15/k"
        )
        history = list(Classification.objects.filter(criterion=criterion))
    criterion.refresh_from_db()
    assert criterion.status == Criterion.Status.CLASSIFIED
    assert criterion.full_code == "A01-11/P15/k"
    assert [(h.status, h.component.code) for h in history] == [
        ("classified", "F01"),
        ("disputed", "F01"),
        ("classified", "A01"),
    ]
    assert history[1].note == "Food, not health"


def test_full_code_must_sit_inside_the_chosen_component():
    tenant = make_coordination_group()
    criterion = make_criterion(tenant=tenant)
    a02 = Component.objects.get(version=grid_current(), code="A02")
    with tenant_scope(tenant), pytest.raises(DomainError) as error:
        criterion_classify(
            tenant=tenant, criterion=criterion, component=a02, actor=make_user(), full_code="A01-1"
        )
    assert error.value.field == "full_code"
    criterion.refresh_from_db()
    assert criterion.status == Criterion.Status.UNCLASSIFIED


def test_inactive_component_is_refused():
    tenant = make_coordination_group()
    criterion = make_criterion(tenant=tenant)
    b05 = Component.objects.get(version=grid_current(), code="B05")
    b05.is_active = False
    b05.save()
    with tenant_scope(tenant), pytest.raises(DomainError):
        criterion_classify(tenant=tenant, criterion=criterion, component=b05, actor=make_user())


def test_delete_keeps_the_text_in_the_audit_log():
    tenant = make_coordination_group()
    criterion = make_criterion(tenant=tenant, text="Clean streets")
    with tenant_scope(tenant):
        kept = criterion_delete(tenant=tenant, criterion=criterion, actor=make_user())
        assert not Criterion.objects.exists()
    assert kept["text"] == "Clean streets"
    entry = AuditEntry.objects.get(action="criteria.criterion.deleted")
    assert entry.data["text"] == "Clean streets"
    assert entry.tenant_id == tenant.pk


def test_criteria_are_scoped_to_their_tenant():
    from django_scopes.exceptions import ScopeError

    tenant = make_coordination_group()
    make_criterion(tenant=tenant)
    with pytest.raises(ScopeError):
        list(Criterion.objects.all())


@pytest.mark.django_db(transaction=True)
def test_reference_data_restores_grid_and_questions():
    reference_data()
    assert grid_current().components.count() == 60
    with cross_tenant():
        assert Question.objects.filter(tenant=None).count() == 3
