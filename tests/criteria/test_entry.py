import datetime
import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from criteria.entry.services import criterion_lines_split
from criteria.models import TEXT_MAX_LENGTH, Classification, Component, Criterion, Question
from criteria.selectors import grid_current
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

HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class Setup:
    facilitator: object
    tenant: object
    group: object
    q1: Question
    q2: Question
    q3: Question
    own: Question

    def url(self, name: str, **kwargs: object) -> str:
        return reverse(
            f"entry:{name}", kwargs={"cg": self.tenant.slug, "hg": self.group.slug, **kwargs}
        )

    def add_data(self, text: str, question: Question | None = None, **extra: str) -> dict:
        return {
            "question": (question or self.q1).pk,
            "text": text,
            "session_date": "2026-03-14",
            "language": "fr",
            **extra,
        }


@pytest.fixture
def setup() -> Setup:
    facilitator = make_user(username="ines")
    tenant = make_coordination_group(name="Villeneuve", facilitator=facilitator)
    with cross_tenant():
        group = make_homogeneous_group(
            tenant=tenant, name="Young people", language="fr", meeting_dates=["2026-03-14"]
        )
    own = Question.objects.create(
        tenant=tenant,
        code="Q4",
        texts={"en": "What about future generations?"},
        short_names={"en": "Future"},
        order=4,
    )
    questions = {q.code: q for q in Question.objects.shared()}
    return Setup(facilitator, tenant, group, questions["Q1"], questions["Q2"], questions["Q3"], own)


@pytest.fixture
def facilitator_client(setup, client_for):
    return client_for(setup.facilitator)


def _criteria(setup: Setup) -> list[Criterion]:
    with cross_tenant():
        return list(
            Criterion.objects.filter(group=setup.group)
            .select_related("question", "component")
            .order_by("created_at", "id")
        )


# --- The page -----------------------------------------------------------------------------------


def test_page_has_one_column_per_question_including_the_groups_own(setup, facilitator_client):
    make_criterion(tenant=setup.tenant, group=setup.group, question="Q2", text="Noise at night")

    response = facilitator_client.get(setup.url("entry"))

    assert response.status_code == 200
    html = response.content.decode()
    for question in (setup.q1, setup.q2, setup.q3, setup.own):
        assert f'id="q{question.pk}"' in html
        assert f'action="{setup.url("add")}"' in html
    assert "What about future generations?" in html
    assert "Noise at night" in html
    assert re.search(rf'id="count-q{setup.q2.pk}">1 criterion<', html)
    assert re.search(rf'id="count-q{setup.q1.pk}">0 criteria<', html)
    # The group's last meeting and language are the defaults of new criteria.
    assert 'name="session_date" value="2026-03-14"' in html
    assert 'name="language" value="fr"' in html
    assert "data-component-picker" in html


def test_page_shows_only_this_groups_criteria(setup, facilitator_client):
    with cross_tenant():
        other_group = make_homogeneous_group(tenant=setup.tenant)
    make_criterion(tenant=setup.tenant, group=other_group, text="Somebody else's criterion")
    make_criterion(tenant=make_coordination_group(), text="Another platform's criterion")

    html = facilitator_client.get(setup.url("entry")).content.decode()

    assert "Somebody else's criterion" not in html
    assert "Another platform's criterion" not in html


def test_page_reads_all_criteria_in_one_query_whatever_their_number(
    setup, facilitator_client, django_assert_max_num_queries
):
    make_criterion(tenant=setup.tenant, group=setup.group, component="A01")
    facilitator_client.get(setup.url("entry"))  # the session and the user are cached from now
    with CaptureQueriesContext(connection) as few:
        facilitator_client.get(setup.url("entry"))
    for number in range(30):
        make_criterion(
            tenant=setup.tenant,
            group=setup.group,
            question=f"Q{number % 3 + 1}",
            component="F01" if number % 2 else None,
        )

    with django_assert_max_num_queries(14), CaptureQueriesContext(connection) as many:
        response = facilitator_client.get(setup.url("entry"))

    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert response.content.decode().count('class="entry-row') == 31


def test_session_date_and_language_in_the_address_go_into_every_add_form(setup, facilitator_client):
    response = facilitator_client.get(
        setup.url("entry"), {"session_date": "2025-11-02", "language": "pt"}
    )

    html = response.content.decode()
    assert html.count('name="session_date" value="2025-11-02"') == 4
    assert html.count('name="language" value="pt"') == 4


def test_bad_session_date_in_the_address_is_explained(setup, facilitator_client):
    response = facilitator_client.get(setup.url("entry"), {"session_date": "14/03/2026"})

    assert response.status_code == 400
    assert "Enter the session date as YYYY-MM-DD." in response.content.decode()


# --- Adding -------------------------------------------------------------------------------------


def test_add_with_htmx_answers_only_the_new_row_its_count_and_undo(setup, facilitator_client):
    make_criterion(tenant=setup.tenant, group=setup.group, text="Already there")

    response = facilitator_client.post(setup.url("add"), setup.add_data("Having friends"), **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    [criterion] = [c for c in _criteria(setup) if c.text == "Having friends"]
    assert f'<li id="criterion-{criterion.pk}"' in html
    assert "Already there" not in html
    assert f'id="count-q{setup.q1.pk}" hx-swap-oob="innerHTML">2 criteria<' in html
    assert "Saved: “Having friends”." in html
    assert f'name="criterion" value="{criterion.pk}"' in html
    assert "<html" not in html
    assert criterion.question == setup.q1
    assert criterion.language == "fr"
    assert criterion.session_date == datetime.date(2026, 3, 14)
    assert criterion.entered_by == setup.facilitator
    assert criterion.status == Criterion.Status.UNCLASSIFIED


def test_plain_add_redirects_to_its_column_with_a_message_and_undo(setup, facilitator_client):
    response = facilitator_client.post(
        setup.url("add"), setup.add_data("Clean air", question=setup.q2)
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"#q{setup.q2.pk}")
    page = facilitator_client.get(response["Location"])
    html = page.content.decode()
    assert "Saved: “Clean air”." in html
    assert f'action="{setup.url("undo")}' in html
    assert [c.text for c in _criteria(setup)] == ["Clean air"]


def test_plain_add_keeps_a_changed_session_date_in_the_address(setup, facilitator_client):
    response = facilitator_client.post(
        setup.url("add"), setup.add_data("Clean air", session_date="2026-01-10")
    )

    assert "session_date=2026-01-10" in response["Location"]
    assert _criteria(setup)[0].session_date == datetime.date(2026, 1, 10)


def test_pasted_lines_become_one_criterion_each_without_their_bullets(setup, facilitator_client):
    pasted = "- Having a job\r\n• Time with family\n\n* Good food\n1. Feeling safe\n2) Music\n   \n"

    response = facilitator_client.post(setup.url("add"), setup.add_data(pasted), **HTMX)

    assert response.status_code == 200
    assert [c.text for c in _criteria(setup)] == [
        "Having a job",
        "Time with family",
        "Good food",
        "Feeling safe",
        "Music",
    ]
    assert "Saved 5 criteria, from “Having a job”." in response.content.decode()
    assert response.content.decode().count('class="entry-row is-new"') == 5


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("- one\n- two", ["one", "two"]),
        ("1.5 km on foot", ["1.5 km on foot"]),
        ("-5 degrees in winter", ["-5 degrees in winter"]),
        ("a) first\nb) second", ["first", "second"]),
        ("1.\n- \n•", []),
    ],
)
def test_lines_split_keeps_numbers_that_belong_to_the_text(raw, expected):
    assert criterion_lines_split(raw) == expected


def test_component_at_entry_classifies_at_once(setup, facilitator_client):
    response = facilitator_client.post(
        setup.url("add"), setup.add_data("Feeling fit\nSleeping well", component="f01"), **HTMX
    )

    assert response.status_code == 200
    criteria = _criteria(setup)
    assert [(c.status, c.component.code, c.classified_by) for c in criteria] == [
        (Criterion.Status.CLASSIFIED, "F01", setup.facilitator)
    ] * 2
    with cross_tenant():
        assert Classification.objects.filter(criterion__in=criteria).count() == 2
    assert "F01" in response.content.decode()


def test_add_answers_in_constant_queries_whatever_the_size_of_the_group(
    setup, facilitator_client, django_assert_max_num_queries
):
    facilitator_client.post(setup.url("add"), setup.add_data("Warm up"), **HTMX)
    with CaptureQueriesContext(connection) as few:
        facilitator_client.post(setup.url("add"), setup.add_data("First"), **HTMX)
    with cross_tenant():
        Criterion.objects.bulk_create(
            Criterion(
                tenant=setup.tenant,
                group=setup.group,
                question=setup.q1,
                text=f"Criterion {number}",
                language="en",
                session_date=datetime.date(2026, 3, 14),
            )
            for number in range(500)
        )

    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as many:
        response = facilitator_client.post(setup.url("add"), setup.add_data("Second"), **HTMX)

    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "Criterion 1" not in response.content.decode()


def test_add_with_a_component_stays_within_a_fixed_number_of_queries(
    setup, facilitator_client, django_assert_max_num_queries
):
    facilitator_client.post(setup.url("add"), setup.add_data("Warm up"), **HTMX)

    # Saving and classifying each mark the syntheses out of date (one statement each).
    with django_assert_max_num_queries(18):
        response = facilitator_client.post(
            setup.url("add"), setup.add_data("Food", component="A01"), **HTMX
        )

    assert response.status_code == 200


def test_a_send_repeated_with_the_same_key_saves_once(setup, facilitator_client):
    data = setup.add_data("Only once", submission="k3y-0f-th1s-send")

    first = facilitator_client.post(setup.url("add"), data, **HTMX)
    again = facilitator_client.post(setup.url("add"), data, **HTMX)

    assert first.status_code == again.status_code == 200
    [criterion] = _criteria(setup)
    assert f'id="criterion-{criterion.pk}"' in again.content.decode()


# --- Bad input ----------------------------------------------------------------------------------


def _bad_inputs(setup: Setup) -> list[tuple[dict, str]]:
    other_tenant = make_coordination_group()
    foreign = Question.objects.create(tenant=other_tenant, code="Q9", texts={"en": "Theirs?"})
    inactive = Question.objects.create(
        tenant=setup.tenant, code="Q8", texts={"en": "Old?"}, is_active=False
    )
    long_line = "x" * (TEXT_MAX_LENGTH + 1)
    return [
        (setup.add_data(""), "Write the criterion before saving it."),
        (setup.add_data(" \n - \n "), "Write the criterion before saving it."),
        (setup.add_data(long_line), f"at most {TEXT_MAX_LENGTH} characters"),
        (
            setup.add_data(f"one\ntwo\n{long_line}\nfour\nfive"),
            "Line 3: A criterion has at most",
        ),
        (setup.add_data("Peace", question=foreign), "not asked in this coordination group"),
        (setup.add_data("Peace", question=inactive), "not asked in this coordination group"),
        ({**setup.add_data("Peace"), "question": "999999"}, "not asked in this coordination"),
        ({**setup.add_data("Peace"), "question": "Q1"}, "not asked in this coordination group"),
        (setup.add_data("Peace", component="Z99"), "No component has the code Z99"),
        (setup.add_data("Peace", component="B05"), "Component B05 is not in use"),
        (setup.add_data("Peace", session_date="2026-02-30"), "YYYY-MM-DD"),
        (setup.add_data("Peace", session_date="2999-01-01"), "cannot be in the future"),
        (setup.add_data("Peace", language="xx"), "language of the criteria from the list"),
    ]


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(setup, client_for, htmx):
    Component.objects.filter(version=grid_current(), code="B05").update(is_active=False)
    client = client_for(setup.facilitator)
    problems = []
    for data, message in _bad_inputs(setup):
        response = client.post(setup.url("add"), data, **(HTMX if htmx else {}))
        html = response.content.decode()
        if response.status_code != 400 or message not in html:
            problems.append(f"{data!r}: {response.status_code} {message!r}")
        # Without JavaScript the text comes back in its field, so nothing typed is lost.
        typed = data["text"].strip(" \n-") and isinstance(data["question"], int)
        if not htmx and typed and data["text"][:20] not in html:
            problems.append(f"{data!r}: the text is not back in the field")
    assert not problems, "\n".join(problems)
    assert _criteria(setup) == []


def test_a_five_line_paste_with_one_line_too_long_saves_none_and_names_it(
    setup, facilitator_client
):
    lines = ["Friends", "Work", "Health", "x" * (TEXT_MAX_LENGTH + 5), "Sun"]

    response = facilitator_client.post(setup.url("add"), setup.add_data("\n".join(lines)))

    assert response.status_code == 400
    assert "Line 4: A criterion has at most" in response.content.decode()
    assert "Friends\nWork\nHealth" in response.content.decode()
    assert _criteria(setup) == []


# --- Correcting ---------------------------------------------------------------------------------


def test_inline_edit_form_and_fixing_a_typo_with_htmx(setup, facilitator_client):
    criterion = make_criterion(tenant=setup.tenant, group=setup.group, text="Helth")
    url = setup.url("edit", criterion=criterion.pk)

    form = facilitator_client.get(url, **HTMX)
    response = facilitator_client.post(
        url, {"text": "Health", "question": setup.q1.pk, "component": ""}, **HTMX
    )

    assert form.status_code == 200
    assert f'<li id="criterion-{criterion.pk}" class="entry-row is-editing">' in (
        form.content.decode()
    )
    assert "<html" not in form.content.decode()
    assert response.status_code == 200
    assert f'<li id="criterion-{criterion.pk}"' in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.text == "Health"


def test_plain_edit_page_saves_and_returns_to_the_row(setup, facilitator_client):
    criterion = make_criterion(tenant=setup.tenant, group=setup.group, text="Helth")
    url = setup.url("edit", criterion=criterion.pk)

    page = facilitator_client.get(url)
    response = facilitator_client.post(
        url, {"text": "Health", "question": setup.q2.pk, "component": "F01"}
    )

    assert page.status_code == 200
    assert "<html" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#criterion-{criterion.pk}")
    criterion.refresh_from_db()
    assert (criterion.text, criterion.question, criterion.component.code) == (
        "Health",
        setup.q2,
        "F01",
    )


def test_moving_a_criterion_to_another_question_moves_its_row(setup, facilitator_client):
    criterion = make_criterion(tenant=setup.tenant, group=setup.group, text="Helping neighbours")

    response = facilitator_client.post(
        setup.url("edit", criterion=criterion.pk),
        {"text": "Helping neighbours", "question": setup.q3.pk},
        **HTMX,
    )

    html = response.content.decode()
    assert f'hx-swap-oob="beforeend:#list-q{setup.q3.pk}"' in html
    assert f'id="count-q{setup.q1.pk}" hx-swap-oob="innerHTML">0 criteria<' in html
    assert f'id="count-q{setup.q3.pk}" hx-swap-oob="innerHTML">1 criterion<' in html


def test_edit_refuses_an_empty_text_and_keeps_the_criterion(setup, facilitator_client):
    criterion = make_criterion(tenant=setup.tenant, group=setup.group, text="Health")
    url = setup.url("edit", criterion=criterion.pk)

    for headers in (HTMX, {}):
        response = facilitator_client.post(url, {"text": "  ", "question": setup.q1.pk}, **headers)
        assert response.status_code == 400
        assert "Write the criterion before saving it." in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.text == "Health"


def test_cancel_of_an_inline_edit_gives_the_row_back(setup, facilitator_client):
    criterion = make_criterion(tenant=setup.tenant, group=setup.group, text="Health")

    response = facilitator_client.get(setup.url("row", criterion=criterion.pk), **HTMX)
    plain = facilitator_client.get(setup.url("row", criterion=criterion.pk))

    assert f'<li id="criterion-{criterion.pk}"' in response.content.decode()
    assert plain.status_code == 302


# --- Removing and undoing -----------------------------------------------------------------------


def test_remove_then_undo_puts_the_criterion_back_classified(setup, facilitator_client):
    criterion = make_criterion(
        tenant=setup.tenant, group=setup.group, question="Q2", text="Loneliness", component="D01"
    )

    removed = facilitator_client.post(setup.url("remove", criterion=criterion.pk), **HTMX)

    html = removed.content.decode()
    assert removed.status_code == 200
    assert "Removed: “Loneliness”." in html
    assert f'id="count-q{setup.q2.pk}" hx-swap-oob="innerHTML">0 criteria<' in html
    assert _criteria(setup) == []
    values = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    assert values["text"] == "Loneliness"
    assert values["component"] == "D01"

    back = facilitator_client.post(setup.url("restore"), values, **HTMX)

    assert back.status_code == 200
    assert "Back: “Loneliness”." in back.content.decode()
    [restored] = _criteria(setup)
    assert (restored.text, restored.question, restored.component.code, restored.status) == (
        "Loneliness",
        setup.q2,
        "D01",
        Criterion.Status.CLASSIFIED,
    )
    assert restored.session_date == criterion.session_date


def test_plain_remove_redirects_and_offers_undo_on_the_page(setup, facilitator_client):
    criterion = make_criterion(tenant=setup.tenant, group=setup.group, text="Loneliness")

    response = facilitator_client.post(setup.url("remove", criterion=criterion.pk))

    assert response.status_code == 302
    assert response["Location"].endswith(f"#q{setup.q1.pk}")
    html = facilitator_client.get(response["Location"]).content.decode()
    assert "Removed: “Loneliness”." in html
    assert f'action="{setup.url("restore")}' in html
    # Shown once: a reload does not offer it again.
    assert setup.url("restore") not in facilitator_client.get(setup.url("entry")).content.decode()


def test_restore_checks_its_values_like_any_input(setup, facilitator_client):
    foreign = Question.objects.create(
        tenant=make_coordination_group(), code="Q9", texts={"en": "?"}
    )
    data = {
        "question": foreign.pk,
        "text": "Sneaky",
        "language": "en",
        "session_date": "2026-03-14",
    }

    for headers in (HTMX, {}):
        response = facilitator_client.post(setup.url("restore"), data, **headers)
        assert response.status_code == 400
    assert _criteria(setup) == []


def test_undo_removes_what_was_just_added_and_only_from_this_group(setup, facilitator_client):
    facilitator_client.post(setup.url("add"), setup.add_data("One\nTwo"), **HTMX)
    with cross_tenant():
        other_group = make_homogeneous_group(tenant=setup.tenant)
    elsewhere = make_criterion(tenant=setup.tenant, group=other_group)
    ids = [c.pk for c in _criteria(setup)] + [elsewhere.pk]

    response = facilitator_client.post(setup.url("undo"), {"criterion": ids}, **HTMX)

    html = response.content.decode()
    assert "Undone: 2 criteria are removed." in html
    assert f'id="criterion-{ids[0]}" hx-swap-oob="delete"' in html
    assert _criteria(setup) == []
    with cross_tenant():
        assert Criterion.objects.filter(pk=elsewhere.pk).exists()


def test_plain_undo_redirects_with_a_message(setup, facilitator_client):
    criterion = make_criterion(tenant=setup.tenant, group=setup.group, question="Q3")

    response = facilitator_client.post(setup.url("undo"), {"criterion": [criterion.pk, "x"]})

    assert response.status_code == 302
    assert response["Location"].endswith(f"#q{setup.q3.pk}")
    assert _criteria(setup) == []


# --- Who may -------------------------------------------------------------------------------------


def _every_url(setup: Setup, criterion: Criterion) -> list[str]:
    return [
        setup.url("entry"),
        setup.url("add"),
        setup.url("undo"),
        setup.url("restore"),
        setup.url("row", criterion=criterion.pk),
        setup.url("edit", criterion=criterion.pk),
        setup.url("remove", criterion=criterion.pk),
    ]


def _refused_everywhere(client, setup: Setup, criterion: Criterion, *, get: int = 404) -> list[str]:
    """Every address refused: GET answers get (or 405), POST 404."""
    problems = []
    for url in _every_url(setup, criterion):
        for method in ("get", "post"):
            data = setup.add_data("Intruder") if method == "post" else {}
            status = getattr(client, method)(url, data).status_code
            if status != 404 if method == "post" else status not in (get, 405):
                problems.append(f"{method.upper()} {url}: {status}")
    return problems


def test_a_facilitator_of_another_coordination_group_gets_404_everywhere(setup, client_for):
    outsider = make_user()
    make_coordination_group(facilitator=outsider)
    criterion = make_criterion(tenant=setup.tenant, group=setup.group, text="Ours")

    problems = _refused_everywhere(client_for(outsider), setup, criterion)

    assert not problems, "\n".join(problems)
    assert [c.text for c in _criteria(setup)] == ["Ours"]


def test_a_plain_member_gets_404_everywhere(setup, client_for):
    member = make_user()
    membership_set(group=setup.tenant, user=member, role=Membership.Role.MEMBER)
    criterion = make_criterion(tenant=setup.tenant, group=setup.group, text="Ours")

    problems = _refused_everywhere(client_for(member), setup, criterion)

    assert not problems, "\n".join(problems)
    assert [c.text for c in _criteria(setup)] == ["Ours"]


def test_anonymous_visitors_get_404_everywhere(setup, client):
    criterion = make_criterion(tenant=setup.tenant, group=setup.group, text="Ours")

    # A GET is offered the login page instead (wikispiral.tenancy.login_offer).
    problems = _refused_everywhere(client, setup, criterion, get=302)

    assert not problems, "\n".join(problems)


def test_an_editor_may_enter_criteria(setup, client_for):
    editor = make_user()
    membership_set(group=setup.tenant, user=editor, role=Membership.Role.EDITOR)

    response = client_for(editor).post(setup.url("add"), setup.add_data("Trust"), **HTMX)

    assert response.status_code == 200
    assert _criteria(setup)[0].entered_by == editor


def test_a_criterion_of_another_homogeneous_group_is_not_found_through_this_one(
    setup, facilitator_client
):
    with cross_tenant():
        other_group = make_homogeneous_group(tenant=setup.tenant)
    theirs = make_criterion(tenant=setup.tenant, group=other_group, text="Theirs")

    for name in ("edit", "remove", "row"):
        method = facilitator_client.post if name == "remove" else facilitator_client.get
        assert method(setup.url(name, criterion=theirs.pk)).status_code == 404
    with cross_tenant():
        assert Criterion.objects.filter(pk=theirs.pk).exists()
