"""A coordination group's own questions, next to the network's."""

import pytest
from django.urls import reverse

from criteria.grid.services import (
    question_create,
    question_deactivate,
    question_delete,
    question_update,
)
from criteria.models import Question
from criteria.selectors import question_list
from territories.models import Membership
from territories.services import membership_set
from tests.factories import make_coordination_group, make_criterion, make_user
from wikispiral.audit.models import AuditEntry
from wikispiral.errors import DomainError
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilitator():
    return make_user()


@pytest.fixture
def tenant(facilitator):
    return make_coordination_group(facilitator=facilitator)


@pytest.fixture
def client_f(client_for, facilitator):
    return client_for(facilitator)


def _list_url(tenant) -> str:
    return reverse("grid:questions", kwargs={"cg": tenant.slug})


def _url(name: str, tenant, question: Question) -> str:
    return reverse(f"grid:{name}", kwargs={"cg": tenant.slug, "question": question.pk})


def _own(tenant, code: str = "Q4", **texts: str) -> Question:
    return Question.objects.create(
        tenant=tenant, code=code, texts=texts or {"en": "Future generations?"}, order=4
    )


def _form(**values: str) -> dict[str, str]:
    data = {
        "code": "Q4",
        "text_en": "What about future generations?",
        "text_fr": "",
        "text_pt": "",
        "short_name_en": "Future",
        "short_name_fr": "",
        "short_name_pt": "",
        "order": "",
    }
    data.update(values)
    return data


# --- The list ----------------------------------------------------------------------------------


def test_list_shows_network_questions_and_the_groups_own(
    client_f, tenant, django_assert_max_num_queries
):
    _own(tenant, "Q4", en="Future generations?")
    _own(tenant, "Q5", en="Our river?")
    _own(make_coordination_group(), "Q9", en="Someone else's question?")
    make_criterion(tenant=tenant, question="Q1")
    client_f.get(_list_url(tenant))

    with django_assert_max_num_queries(8):
        response = client_f.get(_list_url(tenant))

    html = response.content.decode()
    assert response.status_code == 200
    for text in ("What is well-being for you?", "Future generations?", "Our river?"):
        assert text in html
    assert "Someone else's question?" not in html
    # Network questions are read-only: no edit link for them.
    network = Question.objects.shared().get(code="Q1")
    assert _url("question_edit", tenant, network) not in html


def test_list_query_count_does_not_grow_with_questions(
    client_f, tenant, django_assert_max_num_queries
):
    for number in range(4, 12):
        _own(tenant, f"Q{number}")
    client_f.get(_list_url(tenant))

    with django_assert_max_num_queries(8):
        assert client_f.get(_list_url(tenant)).status_code == 200


# --- Adding ------------------------------------------------------------------------------------


def test_facilitator_adds_a_question(client_f, tenant, facilitator):
    response = client_f.post(_list_url(tenant), _form(code="q4", text_fr="Et demain ?"))

    assert response.status_code == 302
    with cross_tenant():
        question = Question.objects.get(tenant=tenant)
    assert question.code == "Q4"
    assert question.texts == {"en": "What about future generations?", "fr": "Et demain ?"}
    assert question.short_names == {"en": "Future"}
    assert question.order == 4
    assert [q.code for q in question_list(tenant=tenant)] == ["Q1", "Q2", "Q3", "Q4"]
    entry = AuditEntry.objects.get(action="criteria.question.created")
    assert (entry.actor, entry.tenant_id) == (facilitator, tenant.pk)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"code": "Q1"}, "is the code of a network question"),
        ({"code": "q2"}, "is the code of a network question"),
        ({"code": "Q 4"}, "A question code has 1 to 12 letters, digits or dashes"),
        ({"code": ""}, "This field is required."),
        ({"text_en": "  "}, "Write the question in at least one language."),
        ({"text_en": "x" * 501}, "Ensure this value has at most 500 characters"),
        ({"order": "-1"}, "Ensure this value is greater than or equal to 0."),
    ],
)
def test_bad_question_is_refused_with_a_message(client_f, tenant, values, message):
    response = client_f.post(_list_url(tenant), _form(**values))

    assert response.status_code == 400
    assert message in response.content.decode()
    with cross_tenant():
        assert not Question.objects.filter(tenant=tenant).exists()


def test_a_code_is_unique_in_the_group_but_not_across_groups(client_f, tenant):
    _own(tenant, "Q4")
    other = make_coordination_group()

    response = client_f.post(_list_url(tenant), _form(code="q4"))
    question_create(tenant=other, actor=make_user(), code="Q4", texts={"pt": "Amanhã?"})

    assert response.status_code == 400
    assert "This group already has a question Q4." in response.content.decode()
    with cross_tenant():
        assert Question.objects.filter(tenant=tenant).count() == 1
        assert Question.objects.filter(tenant=other, code="Q4").exists()


# --- Editing, deactivating, deleting ------------------------------------------------------------


def test_facilitator_edits_a_question(client_f, tenant):
    question = _own(tenant, "Q4")

    page = client_f.get(_url("question_edit", tenant, question))
    response = client_f.post(
        _url("question_edit", tenant, question),
        _form(code="Q4b", text_en="", text_pt="E amanhã?", order="9"),
    )

    assert page.status_code == 200
    assert "Future generations?" in page.content.decode()
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.code, question.texts, question.order) == ("Q4B", {"pt": "E amanhã?"}, 9)
    assert AuditEntry.objects.filter(action="criteria.question.updated").exists()


def test_edit_keeps_its_own_code_but_refuses_a_sibling_s(client_f, tenant):
    question = _own(tenant, "Q4")
    _own(tenant, "Q5")

    same = client_f.post(_url("question_edit", tenant, question), _form(code="Q4"))
    clash = client_f.post(_url("question_edit", tenant, question), _form(code="Q5"))

    assert same.status_code == 302
    assert clash.status_code == 400
    assert "This group already has a question Q5." in clash.content.decode()
    question.refresh_from_db()
    assert question.code == "Q4"


def test_deactivate_and_reactivate_a_question(client_f, tenant):
    question = _own(tenant, "Q4")

    client_f.post(_url("question_deactivate", tenant, question))
    question.refresh_from_db()
    offered = [q.code for q in question_list(tenant=tenant)]
    client_f.post(_url("question_reactivate", tenant, question))

    assert not question.is_active
    assert offered == ["Q1", "Q2", "Q3"]
    question.refresh_from_db()
    assert question.is_active
    assert AuditEntry.objects.filter(action="criteria.question.deactivated").count() == 1
    assert AuditEntry.objects.filter(action="criteria.question.reactivated").count() == 1


def test_a_question_without_criteria_may_be_deleted(client_f, tenant):
    question = _own(tenant, "Q4")

    response = client_f.post(_url("question_delete", tenant, question))

    assert response.status_code == 302
    with cross_tenant():
        assert not Question.objects.filter(pk=question.pk).exists()
    assert AuditEntry.objects.get(action="criteria.question.deleted").data["code"] == "Q4"


def test_a_question_with_criteria_is_never_deleted(client_f, tenant):
    question = _own(tenant, "Q4")
    criterion = make_criterion(tenant=tenant)
    with cross_tenant():
        criterion.question = question
        criterion.save(update_fields=["question"])

    listing = client_f.get(_list_url(tenant)).content.decode()
    response = client_f.post(_url("question_delete", tenant, question))

    assert _url("question_delete", tenant, question) not in listing
    assert response.status_code == 409
    assert "deactivate it instead" in response.content.decode()
    with cross_tenant():
        assert Question.objects.filter(pk=question.pk).exists()
    with pytest.raises(DomainError):
        question_delete(tenant=tenant, question=question, actor=make_user())


def test_services_refuse_another_groups_or_a_network_question(tenant):
    theirs = _own(make_coordination_group(), "Q4")
    network = Question.objects.shared().get(code="Q1")
    actor = make_user()

    for question in (theirs, network):
        with pytest.raises(DomainError):
            question_update(
                tenant=tenant, question=question, actor=actor, code="Q7", texts={"en": "?"}
            )
        with pytest.raises(DomainError):
            question_deactivate(tenant=tenant, question=question, actor=actor)
        with pytest.raises(DomainError):
            question_delete(tenant=tenant, question=question, actor=actor)
    network.refresh_from_db()
    assert network.is_active and network.code == "Q1"


# --- Who may -----------------------------------------------------------------------------------


def _every_url(tenant, question: Question) -> list[str]:
    return [_list_url(tenant)] + [
        _url(name, tenant, question)
        for name in (
            "question_edit",
            "question_deactivate",
            "question_reactivate",
            "question_delete",
        )
    ]


def test_another_groups_facilitator_gets_404_everywhere(client_for, tenant):
    question = _own(tenant, "Q4")
    outsider = make_user()
    make_coordination_group(facilitator=outsider)
    client = client_for(outsider)

    for url in _every_url(tenant, question):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, _form(code="Q8")).status_code == 404, url

    question.refresh_from_db()
    assert (question.code, question.is_active) == ("Q4", True)
    with cross_tenant():
        assert Question.objects.filter(tenant=tenant).count() == 1


def test_editing_another_groups_question_through_my_group_is_404(client_f, tenant):
    theirs = _own(make_coordination_group(), "Q4")
    network = Question.objects.shared().get(code="Q1")

    for question in (theirs, network):
        for url in _every_url(tenant, question)[1:]:
            assert client_f.post(url, _form(code="Q8")).status_code == 404, url
        assert client_f.get(_url("question_edit", tenant, question)).status_code == 404

    theirs.refresh_from_db()
    assert (theirs.code, theirs.is_active) == ("Q4", True)
    with cross_tenant():
        assert Question.objects.filter(pk=theirs.pk).exists()


def test_editors_members_and_anonymous_visitors_get_404(client, client_for, tenant):
    question = _own(tenant, "Q4")
    editor, member = make_user(), make_user()
    membership_set(group=tenant, user=editor, role=Membership.Role.EDITOR)
    membership_set(group=tenant, user=member, role=Membership.Role.MEMBER)

    for visitor in (client_for(editor), client_for(member), client):
        # Anonymous: a GET is offered the login page (wikispiral.tenancy.login_offer).
        assert visitor.get(_list_url(tenant)).status_code == (302 if visitor is client else 404)
        assert visitor.post(_list_url(tenant), _form(code="Q8")).status_code == 404
        assert visitor.post(_url("question_delete", tenant, question)).status_code == 404
    with cross_tenant():
        assert Question.objects.filter(tenant=tenant).count() == 1


def test_network_staff_manage_any_groups_questions(client_for, tenant):
    response = client_for(make_user(secretariat=True)).post(_list_url(tenant), _form())

    assert response.status_code == 302
    with cross_tenant():
        assert Question.objects.filter(tenant=tenant, code="Q4").exists()
