import datetime
import re

import pytest
from django.urls import reverse

from criteria import suggestions
from criteria.models import Classification, Component, Criterion, Question
from criteria.selectors import component_choices, grid_current
from criteria.services import criterion_dispute
from territories.models import Membership
from territories.services import membership_set
from tests.factories import (
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_user,
)
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _fresh_model(monkeypatch):
    """Each test trains from its own rows, in the request, with no throttle."""
    monkeypatch.setattr(suggestions, "BACKGROUND_RETRAIN", False)
    monkeypatch.setattr(suggestions, "VERSION_CHECK_SECONDS", 0.0)
    monkeypatch.setattr(suggestions, "RETRAIN_MIN_SECONDS", 0.0)
    suggestions.suggestion_model_forget()
    yield
    suggestions.suggestion_model_forget()


@pytest.fixture
def facilitator():
    return make_user(username="fac")


@pytest.fixture
def tenant(facilitator):
    return make_coordination_group(name="Mulhouse", facilitator=facilitator)


@pytest.fixture
def young(tenant):
    with cross_tenant():
        return make_homogeneous_group(tenant=tenant, name="Young people", slug="young")


@pytest.fixture
def elders(tenant):
    with cross_tenant():
        return make_homogeneous_group(tenant=tenant, name="Elderly people", slug="elders")


@pytest.fixture
def fac_client(client_for, facilitator):
    return client_for(facilitator)


def _criterion(tenant, **fields):
    with cross_tenant():
        return make_criterion(tenant=tenant, **fields)


def _queue(tenant):
    return reverse("classification:queue", kwargs={"cg": tenant.slug})


def _classify(tenant, criterion):
    return reverse("classification:classify", kwargs={"cg": tenant.slug, "criterion": criterion.pk})


def _dispute(tenant, criterion):
    return reverse("classification:dispute", kwargs={"cg": tenant.slug, "criterion": criterion.pk})


def _page(tenant, criterion):
    return reverse(
        "classification:criterion", kwargs={"cg": tenant.slug, "criterion": criterion.pk}
    )


def _fresh(criterion):
    with cross_tenant():
        return Criterion.objects.select_related("component").get(pk=criterion.pk)


def _history(criterion):
    with cross_tenant():
        return list(Classification.objects.filter(criterion=criterion).order_by("id"))


# --- The queue ----------------------------------------------------------------------------------


def test_queue_lists_only_unclassified_and_disputed_criteria_of_the_group(
    fac_client, tenant, young, facilitator
):
    waiting = _criterion(tenant, group=young, text="Having friends nearby")
    classified = _criterion(tenant, group=young, text="Eating well", component="A01")
    doubtful = _criterion(tenant, group=young, text="A warm house", component="A03")
    with cross_tenant():
        criterion_dispute(tenant=tenant, criterion=doubtful, actor=facilitator, note="Maybe B00?")
    other = make_coordination_group()
    _criterion(other, text="Another group's secret")

    response = fac_client.get(_queue(tenant))

    html = response.content.decode()
    assert response.status_code == 200
    assert waiting.text in html
    assert doubtful.text in html
    assert classified.text not in html
    assert "Another group&#x27;s secret" not in html and "Another group's secret" not in html
    assert "Maybe B00?" in html
    assert "Currently classified as A03" in html
    assert "2 criteria match." in html


def test_queue_filters_by_status_group_and_question_with_plain_get(
    fac_client, tenant, young, elders, facilitator
):
    young_q1 = _criterion(tenant, group=young, question="Q1", text="Young well-being")
    young_q2 = _criterion(tenant, group=young, question="Q2", text="Young ill-being")
    elders_q1 = _criterion(tenant, group=elders, question="Q1", text="Elders well-being")
    disputed = _criterion(tenant, group=elders, question="Q2", text="Elders disputed")
    with cross_tenant():
        criterion_dispute(tenant=tenant, criterion=disputed, actor=facilitator)
    q1 = Question.objects.shared().get(code="Q1")

    by_group = fac_client.get(_queue(tenant), {"group": "young"}).content.decode()
    by_question = fac_client.get(_queue(tenant), {"question": q1.pk}).content.decode()
    by_status = fac_client.get(_queue(tenant), {"status": "disputed"}).content.decode()
    both = fac_client.get(
        _queue(tenant), {"group": "young", "question": q1.pk, "status": "unclassified"}
    ).content.decode()

    assert young_q1.text in by_group and young_q2.text in by_group
    assert elders_q1.text not in by_group
    assert young_q1.text in by_question and elders_q1.text in by_question
    assert young_q2.text not in by_question
    assert disputed.text in by_status and young_q1.text not in by_status
    assert young_q1.text in both
    assert young_q2.text not in both and elders_q1.text not in both


def test_queue_with_htmx_answers_the_results_only_and_varies_on_it(fac_client, tenant, young):
    _criterion(tenant, group=young, text="Clean streets")

    fragment = fac_client.get(_queue(tenant), {"group": "young"}, headers=HTMX)
    full = fac_client.get(_queue(tenant))

    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert html.lstrip().startswith('<section id="queue-results"')
    assert "Clean streets" in html
    assert "<html" not in html
    assert "HX-Request" in fragment["Vary"] and "HX-Request" in full["Vary"]


def test_queue_shows_the_oldest_first_ten_per_page(fac_client, tenant, young):
    created = [_criterion(tenant, group=young, text=f"Idea number {n:02d}") for n in range(13)]
    with cross_tenant():
        for n, criterion in enumerate(created):
            Criterion.objects.filter(pk=criterion.pk).update(
                created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
                + datetime.timedelta(minutes=13 - n)
            )

    first = fac_client.get(_queue(tenant)).content.decode()
    second = fac_client.get(_queue(tenant), {"page": 2}).content.decode()

    assert first.index("Idea number 12") < first.index("Idea number 11")
    assert "Idea number 03" in first and "Idea number 02" not in first
    assert "Idea number 02" in second and "Idea number 00" in second
    assert "page 2 of 2" in second


def test_invalid_filter_answers_400_with_a_message(fac_client, tenant):
    response = fac_client.get(_queue(tenant), {"group": "no-such-group"})

    assert response.status_code == 400
    assert "These filters are not valid" in response.content.decode()


def test_queue_shows_who_entered_a_criterion_to_facilitators_only(
    client_for, fac_client, tenant, young, facilitator
):
    _criterion(tenant, group=young, text="Walking to school", entered_by=facilitator)
    editor = make_user(username="editor", display_name="Eddie Editor")
    membership_set(group=tenant, user=editor, role=Membership.Role.EDITOR)
    facilitator.display_name = "Fanny Facilitator"
    facilitator.save(update_fields=["display_name"])

    as_facilitator = fac_client.get(_queue(tenant)).content.decode()
    as_editor = client_for(editor).get(_queue(tenant)).content.decode()

    assert "Walking to school" in as_facilitator and "Walking to school" in as_editor
    assert "entered by Fanny Facilitator" in as_facilitator
    assert "Fanny Facilitator" not in as_editor


def test_queue_query_count_does_not_grow_with_the_page(
    fac_client, tenant, young, django_assert_max_num_queries
):
    _criterion(tenant, group=young, text="Bread for everyone", component="A01")
    for n in range(3):
        _criterion(tenant, group=young, text=f"Few {n}")
    fac_client.get(_queue(tenant))  # the model trains once, on the first request

    with django_assert_max_num_queries(11) as few:
        assert fac_client.get(_queue(tenant)).status_code == 200
    for n in range(30):
        _criterion(tenant, group=young, text=f"Many {n}")
    with django_assert_max_num_queries(11) as many:
        assert fac_client.get(_queue(tenant)).status_code == 200

    assert len(many.captured_queries) == len(few.captured_queries)


# --- Suggestions --------------------------------------------------------------------------------


def test_queue_suggests_components_learnt_from_other_groups_without_applying_them(
    fac_client, tenant, young
):
    other = make_coordination_group()
    for text in ("Eating fresh bread", "Good bread and food", "Food for the children"):
        _criterion(other, text=text, component="A01")
    for text in ("A bus to the town", "Buses on Sunday", "Transport to work"):
        _criterion(other, text=text, component="A10")
    waiting = _criterion(tenant, group=young, text="Fresh food and bread at school")

    html = fac_client.get(_queue(tenant)).content.decode()

    suggested = html.split('data-suggestion="')[1:]
    assert suggested[0].startswith("A01")
    assert "Eating fresh bread" not in html  # other groups' texts never show
    assert "% confidence" in html
    assert _fresh(waiting).status == Criterion.Status.UNCLASSIFIED
    assert _history(waiting) == []


def test_a_suggestion_link_preselects_the_component_without_javascript(fac_client, tenant, young):
    waiting = _criterion(tenant, group=young, text="Bread")

    response = fac_client.get(_queue(tenant), {"status": "", "pick": f"{waiting.pk}:A01"})

    assert _component_field(response.content.decode(), waiting)["value"] == "A01"
    assert _fresh(waiting).status == Criterion.Status.UNCLASSIFIED


def _component_field(html, criterion):
    """The attributes of a queue item's component field."""
    tag = html.split(f'<input type="text" name="component" id="component-{criterion.pk}"')[1]
    tag = tag.split(">")[0]
    return dict(
        (part.split("=")[0], part.split("=", 1)[1].strip('"') if "=" in part else "")
        for part in tag.split()
    )


def test_items_share_one_list_of_components_and_a_disputed_one_shows_its_component(
    fac_client, tenant, young, facilitator
):
    waiting = _criterion(tenant, group=young, text="Nothing chosen yet")
    doubtful = _criterion(tenant, group=young, text="A warm house", component="A03")
    with cross_tenant():
        criterion_dispute(tenant=tenant, criterion=doubtful, actor=facilitator)

    html = fac_client.get(_queue(tenant)).content.decode()

    assert html.count('name="component"') == 2
    assert f'<label for="component-{waiting.pk}" id="component-{waiting.pk}-label">' in html
    assert _component_field(html, waiting)["value"] == ""
    assert _component_field(html, doubtful)["value"] == "A03"
    # One list for every item: each option once, however many items.
    assert html.count('<datalist id="queue-components"') == 1
    assert {_component_field(html, c)["list"] for c in (waiting, doubtful)} == {"queue-components"}
    choices = component_choices(version=grid_current())
    assert html.count('<option value="A03"') == 1
    listed = html.split('<datalist id="queue-components"')[1].split("</datalist>")[0]
    assert listed.count("<option ") == sum(len(components) for _f, components in choices)
    assert '<select name="component"' not in html


# --- Classify and dispute -----------------------------------------------------------------------


def test_classify_with_a_plain_post_redirects_to_the_queue_with_its_filters(
    fac_client, tenant, young, facilitator
):
    waiting = _criterion(tenant, group=young, text="Good bread")

    response = fac_client.post(
        _classify(tenant, waiting),
        {"component": "a01", "full_code": "", "return": "group=young&page=2&next=//evil.example"},
        follow=True,
    )

    assert response.redirect_chain[0][0] == _queue(tenant) + "?group=young&page=2"
    assert "Classified as A01 Food / drink." in response.content.decode()
    found = _fresh(waiting)
    assert found.status == Criterion.Status.CLASSIFIED
    assert found.component.code == "A01"
    assert found.classified_by == facilitator
    (step,) = _history(waiting)
    assert step.status == Criterion.Status.CLASSIFIED and step.actor == facilitator


def test_classify_with_htmx_removes_the_item_and_announces_it(fac_client, tenant, young):
    waiting = _criterion(tenant, group=young, text="Good bread")
    _criterion(tenant, group=young, text="Still waiting")

    response = fac_client.post(
        _classify(tenant, waiting),
        {"component": "A01", "full_code": "a01-11/p15/K"},
        headers=HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="criterion-{waiting.pk}"' not in html
    assert 'id="queue-announcer" hx-swap-oob="innerHTML"' in html
    assert "Classified as A01-11/P15/k Food / drink." in html
    assert "1 criterion matches." in html
    assert _fresh(waiting).full_code == "A01-11/P15/k"


def test_dispute_keeps_the_component_and_the_note_shows_in_the_queue(
    fac_client, tenant, young, facilitator
):
    classified = _criterion(tenant, group=young, text="A warm house", component="A03")

    response = fac_client.post(
        _dispute(tenant, classified), {"note": "Rather energy?", "return": "status=disputed"}
    )

    assert response.status_code == 302
    assert response["Location"] == _queue(tenant) + "?status=disputed"
    found = _fresh(classified)
    assert found.status == Criterion.Status.DISPUTED
    assert found.component.code == "A03"
    (step,) = _history(classified)
    assert step.note == "Rather energy?"
    queue = fac_client.get(response["Location"]).content.decode()
    assert "A warm house" in queue and "Rather energy?" in queue


def test_a_queue_item_disputes_on_the_criterion_page_which_comes_back_to_the_queue(
    fac_client, tenant, young
):
    waiting = _criterion(tenant, group=young, text="Hard to say")

    queue = fac_client.get(_queue(tenant), {"status": "unclassified"}).content.decode()
    link = f"{_page(tenant, waiting)}?return=status%3Dunclassified#dispute"
    page = fac_client.get(_page(tenant, waiting), {"return": "status=unclassified"})
    response = fac_client.post(
        _dispute(tenant, waiting), {"note": "No idea", "return": "status=unclassified"}
    )

    assert f'href="{link}"' in queue
    assert 'name="note"' not in queue  # no dispute form in the queue's items
    html = page.content.decode()
    assert 'id="dispute"' in html
    assert '<input type="hidden" name="return" value="status=unclassified">' in html
    assert 'name="back"' not in html
    assert response["Location"] == _queue(tenant) + "?status=unclassified"
    assert _fresh(waiting).status == Criterion.Status.DISPUTED


def test_dispute_with_htmx_shows_the_item_again_as_disputed(fac_client, tenant, young):
    waiting = _criterion(tenant, group=young, text="Hard to say")

    response = fac_client.post(_dispute(tenant, waiting), {"note": "No idea"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="criterion-{waiting.pk}"' in html
    assert "No idea" in html
    assert "Marked as disputed" in html
    assert _fresh(waiting).status == Criterion.Status.DISPUTED


# --- A criterion's page -------------------------------------------------------------------------


def test_criterion_page_shows_the_history_and_who_only_to_facilitators(
    client_for, fac_client, tenant, young, facilitator
):
    facilitator.display_name = "Fanny Facilitator"
    facilitator.save(update_fields=["display_name"])
    criterion = _criterion(tenant, group=young, text="Clean water", entered_by=facilitator)
    fac_client.post(_classify(tenant, criterion), {"component": "A01"})
    fac_client.post(_dispute(tenant, criterion), {"note": "Water is B01?"})
    fac_client.post(_classify(tenant, criterion), {"component": "B01", "back": "criterion"})
    editor = make_user(username="editor")
    membership_set(group=tenant, user=editor, role=Membership.Role.EDITOR)

    as_facilitator = fac_client.get(_page(tenant, criterion)).content.decode()
    as_editor = client_for(editor).get(_page(tenant, criterion)).content.decode()

    for html in (as_facilitator, as_editor):
        assert "Clean water" in html
        assert "Water is B01?" in html
        assert html.count("<tr>") == 4  # header + three steps
        assert "B01" in html
    assert "Fanny Facilitator" in as_facilitator
    assert "Fanny Facilitator" not in as_editor


def test_classify_from_the_criterion_page_comes_back_to_it(fac_client, tenant, young):
    criterion = _criterion(tenant, group=young, text="Clean water")

    response = fac_client.post(
        _classify(tenant, criterion), {"component": "B01", "back": "criterion"}
    )

    assert response.status_code == 302
    assert response["Location"] == _page(tenant, criterion)


def test_criterion_page_query_count_is_bounded(
    fac_client, tenant, young, django_assert_max_num_queries
):
    criterion = _criterion(tenant, group=young, text="Clean water")
    for code in ("A01", "A02", "A03", "B01"):
        fac_client.post(_classify(tenant, criterion), {"component": code})
    fac_client.get(_page(tenant, criterion))

    with django_assert_max_num_queries(14):
        assert fac_client.get(_page(tenant, criterion)).status_code == 200


# --- Bad input ----------------------------------------------------------------------------------


def _deactivate(code):
    Component.objects.filter(version=grid_current(), code=code).update(is_active=False)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"component": "Z99"}, "There is no component Z99 in the current grid."),
        ({"component": ""}, "Choose a component."),
        ({"component": "A02"}, "Component A02 is not in use in the current grid."),
        (
            {"component": "A01", "full_code": "B01-11/P15"},
            "The full code B01-11/P15 does not belong to component A01.",
        ),
        ({"component": "A01", "full_code": "A01/X9"}, "is not a sense"),
        ({"component": "A01", "full_code": "A" * 41}, "at most 40 characters"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_classification_is_refused_with_a_message_and_nothing_saved(
    fac_client, tenant, young, data, message, htmx
):
    _deactivate("A02")
    waiting = _criterion(tenant, group=young, text="Good bread")

    response = fac_client.post(_classify(tenant, waiting), data, headers=HTMX if htmx else {})

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    if htmx:
        assert html.lstrip().startswith(f'<li class="classify-item" id="criterion-{waiting.pk}"')
    else:
        assert "<html" in html and "Classification history" in html
    assert _fresh(waiting).status == Criterion.Status.UNCLASSIFIED
    assert _history(waiting) == []


def test_an_over_long_dispute_note_is_refused_and_nothing_saved(fac_client, tenant, young):
    classified = _criterion(tenant, group=young, text="Bread", component="A01")

    plain = fac_client.post(_dispute(tenant, classified), {"note": "x" * 501})
    htmx = fac_client.post(_dispute(tenant, classified), {"note": "x" * 501}, headers=HTMX)

    assert plain.status_code == 400 and htmx.status_code == 400
    assert "at most 500 characters" in plain.content.decode()
    assert "at most 500 characters" in htmx.content.decode()
    assert _fresh(classified).status == Criterion.Status.CLASSIFIED
    assert _history(classified) == []


def test_classifying_a_criterion_of_another_group_is_404(fac_client, tenant):
    other = make_coordination_group()
    theirs = _criterion(other, text="Their bread")

    classify = fac_client.post(_classify(tenant, theirs), {"component": "A01"})
    dispute = fac_client.post(_dispute(tenant, theirs), {"note": "x"})
    page = fac_client.get(_page(tenant, theirs))

    assert classify.status_code == dispute.status_code == page.status_code == 404
    assert _fresh(theirs).status == Criterion.Status.UNCLASSIFIED


@pytest.mark.parametrize("role", [Membership.Role.MEMBER, None])
def test_a_member_without_the_role_and_an_outsider_get_404_everywhere(
    client_for, tenant, young, role
):
    person = make_user()
    if role:
        membership_set(group=tenant, user=person, role=role)
    else:
        make_coordination_group(facilitator=person)  # facilitates another group
    criterion = _criterion(tenant, group=young, text="Bread")
    client = client_for(person)

    statuses = [
        client.get(_queue(tenant)).status_code,
        client.get(_page(tenant, criterion)).status_code,
        client.post(_classify(tenant, criterion), {"component": "A01"}).status_code,
        client.post(_dispute(tenant, criterion), {"note": ""}).status_code,
        client.post(_classify(tenant, criterion), {"component": "A01"}, headers=HTMX).status_code,
    ]

    assert statuses == [404] * 5
    assert _fresh(criterion).status == Criterion.Status.UNCLASSIFIED


def test_anonymous_visitors_get_404(client, tenant, young):
    criterion = _criterion(tenant, group=young, text="Bread")

    # A GET is offered the login page instead (wikispiral.tenancy.login_offer).
    assert client.get(_queue(tenant)).status_code == 302
    assert client.get(_page(tenant, criterion)).status_code == 302
    assert client.post(_classify(tenant, criterion), {"component": "A01"}).status_code == 404


def test_network_staff_may_classify(client_for, tenant, young):
    staff = make_user(secretariat=True)
    criterion = _criterion(tenant, group=young, text="Bread")

    response = client_for(staff).post(_classify(tenant, criterion), {"component": "A01"})

    assert response.status_code == 302
    assert _fresh(criterion).status == Criterion.Status.CLASSIFIED


# --- In a real browser --------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_facilitator_classifies_and_disputes_with_the_keyboard_only(
    page, browser_login, live_server
):
    from playwright.sync_api import expect

    facilitator = make_user(username="ines")
    tenant = make_coordination_group(name="Villeneuve", facilitator=facilitator)
    other = make_coordination_group()
    for text in ("Fresh bread and vegetables", "Good food for the children", "Eating well"):
        _criterion(other, text=text, component="A01")
    for text in ("A bus to the town", "Buses on Sunday", "Trains on time"):
        _criterion(other, text=text, component="A10")
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, name="Young people")
    first = _criterion(tenant, group=group, text="Fresh vegetables for the children")
    second = _criterion(tenant, group=group, text="A bus on Sunday")
    third = _criterion(tenant, group=group, text="Bread or buses, hard to say")
    browser_login(facilitator)
    page.goto(_queue(tenant))

    page.keyboard.press("j")
    expect(page.locator(f"#criterion-{first.pk}")).to_be_focused()
    page.keyboard.press("1")  # the first suggestion fills the picker; nothing is saved yet
    expect(page.locator(f"#component-{first.pk}")).to_have_value("A01")
    assert _fresh(first).status == Criterion.Status.UNCLASSIFIED
    page.keyboard.press("Enter")  # confirm
    expect(page.locator(f"#criterion-{first.pk}")).to_have_count(0)
    expect(page.locator("#queue-announcer")).to_contain_text("Classified as A01")
    # The next item's first control has the focus: Enter chooses, Enter confirms.
    expect(page.locator(f"#criterion-{second.pk} [data-suggestion]").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#component-{second.pk}")).to_have_value("A10")
    page.keyboard.press("Enter")
    expect(page.locator(f"#criterion-{second.pk}")).to_have_count(0)
    expect(page.locator(f"#criterion-{third.pk} [data-suggestion]").first).to_be_focused()
    # Disputing is done on the criterion's page (the queue stays light), which comes back.
    page.keyboard.press("d")
    expect(page).to_have_url(re.compile(rf"/criteria/{third.pk}/\?return=#dispute$"))
    expect(page.locator(f"#note-{third.pk}")).to_be_focused()
    page.keyboard.type("Food or transport?")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/cg/{tenant.slug}/classify/$"))
    expect(page.locator(f"#criterion-{third.pk} .dispute-notice")).to_contain_text(
        "Food or transport?"
    )
    page.keyboard.press("?")
    expect(page.locator("#classify-shortcuts")).to_have_attribute("open", "")

    assert _fresh(first).component.code == "A01"
    assert _fresh(second).component.code == "A10"
    assert _fresh(third).status == Criterion.Status.DISPUTED
