"""The entry page stays light (issue 16: every main page under 40 KB of HTML before compression,
for a phone on a weak network) with a group of the demo's size: forty-two criteria over the three
questions, most of them classified, typed in another language than the facilitator's pages.

What keeps it light: one list of components for every component field of the page, rows that
link relative to the page's address and share one Remove form, each row's text written once."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from criteria.entry.views import SHOWN
from criteria.models import Question
from criteria.selectors import component_choices, grid_current
from tests.factories import (
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_user,
    realistic_criterion_text,
)
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

LIMIT = 40 * 1024
CRITERIA = 42
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def group_of_the_demos_size():
    facilitator = make_user(username="ines")
    tenant = make_coordination_group(name="Mulhouse – Centre-ville", facilitator=facilitator)
    with cross_tenant():
        group = make_homogeneous_group(
            tenant=tenant,
            name="Young people of Mulhouse",
            language="fr",
            meeting_dates=["2026-03-14"],
        )
    codes = [c.code for _f, cs in component_choices(version=grid_current()) for c in cs]
    criteria = [
        make_criterion(
            tenant=tenant,
            group=group,
            question=("Q1", "Q2", "Q3")[number % 3],
            text=realistic_criterion_text(number),
            # Three in four classified, over the whole grid (its longest labels too).
            component=codes[(number * 7) % len(codes)] if number % 4 else None,
            language="fr",
            session_date=datetime.date(2026, 3, 14),
        )
        for number in range(CRITERIA)
    ]
    url = reverse("entry:entry", kwargs={"cg": tenant.slug, "hg": group.slug})
    return facilitator, tenant, group, criteria, url


def _weight(html: bytes) -> str:
    return f"{len(html) / 1024:.1f} KB"


def test_the_entry_page_of_a_group_of_the_demos_size_weighs_less_than_40_kb(
    client_for, group_of_the_demos_size
):
    facilitator, _tenant, _group, criteria, url = group_of_the_demos_size

    response = client_for(facilitator).get(url)

    assert response.status_code == 200
    html = response.content.decode()
    # Fourteen per question, of which each column shows its latest twelve.
    assert html.count('class="entry-row') == 3 * SHOWN
    assert len(response.content) < LIMIT, f"the entry page weighs {_weight(response.content)}"
    # One list of components, shared by the three add forms; no per-field select.
    assert html.count("<datalist") == 1
    assert html.count('list="entry-components"') == 3
    assert '<select name="component"' not in html
    # Rows share one Remove form (one CSRF token) and link relative to the page's address.
    assert html.count('form="entry-remove"') == 3 * SHOWN
    assert re.search(r'<form id="entry-remove" method="post" hidden><input type="hidden"', html)
    first = criteria[-1]
    assert f'href="{first.pk}/edit/"' in html
    assert f'formaction="{first.pk}/remove/"' in html


def test_with_a_session_date_of_its_own_the_page_stays_under_40_kb(
    client_for, group_of_the_demos_size
):
    """Another session date than the group's last meeting goes into every row's Edit link (so
    that a correction without JavaScript comes back to the same settings)."""
    facilitator, _tenant, _group, criteria, url = group_of_the_demos_size

    response = client_for(facilitator).get(url, {"session_date": "2026-02-07"})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{criteria[-1].pk}/edit/?session_date=2026-02-07"' in html
    # Remove buttons post the page's one form, which carries the date once.
    assert f'formaction="{criteria[-1].pk}/remove/"' in html
    assert '<input type="hidden" value="2026-02-07" name="session_date">' in html
    assert len(response.content) < LIMIT, f"the entry page weighs {_weight(response.content)}"


def test_each_action_is_named_with_the_criterions_text_written_once(
    client_for, group_of_the_demos_size
):
    facilitator, _tenant, _group, criteria, url = group_of_the_demos_size
    criterion = criteria[-1]  # among the latest, classified
    pk = criterion.pk

    html = client_for(facilitator).get(url).content.decode()

    row = re.search(rf'<li id="criterion-{pk}".*?</li>', html).group(0)
    assert row.count(criterion.text) == 1
    assert f'<span id="t{pk}" lang="fr">{criterion.text}</span>' in row
    assert f'id="e{pk}" aria-labelledby="e{pk} t{pk}">Edit</a>' in row
    assert f'id="r{pk}" aria-labelledby="r{pk} t{pk}">Remove</button>' in row
    # The component: its code shown, and for screen readers what it is and its name.
    label = escape(criterion.component.label("en"))
    assert (
        f'<span class="entry-code"><span class="visually-hidden">Component: </span>'
        f'{criterion.component.code}<span class="visually-hidden"> {label}</span></span>'
    ) in row


def test_an_inline_correction_uses_the_pages_list_and_its_own_page_a_select(
    client_for, group_of_the_demos_size
):
    facilitator, tenant, group, criteria, _url = group_of_the_demos_size
    criterion = criteria[1]
    edit_url = reverse(
        "entry:edit", kwargs={"cg": tenant.slug, "hg": group.slug, "criterion": criterion.pk}
    )
    client = client_for(facilitator)

    inline = client.get(edit_url, **HTMX).content.decode()
    page = client.get(edit_url).content.decode()

    assert "<datalist" not in inline and '<select name="component"' not in inline
    assert (
        f'<input type="text" name="component" id="edit-component-{criterion.pk}" '
        f'list="entry-components" value="{criterion.component.code}"'
    ) in inline
    assert f'hx-post="{criterion.pk}/edit/"' in inline
    # Without JavaScript, the correction's own page: a select with every description.
    assert f'<select name="component" id="edit-component-{criterion.pk}"' in page
    assert "data-description=" in page
    assert f'action="{edit_url}"' in page


def test_the_page_shown_again_after_a_refused_plain_add_links_its_rows_in_full(
    client_for, group_of_the_demos_size
):
    """There the address is .../criteria/add/: a relative "12/edit/" would lead elsewhere."""
    facilitator, tenant, group, criteria, url = group_of_the_demos_size
    question = Question.objects.shared().get(code="Q1")

    response = client_for(facilitator).post(
        reverse("entry:add", kwargs={"cg": tenant.slug, "hg": group.slug}),
        {
            "question": question.pk,
            "text": "Clean air",
            "session_date": "2026-03-14",
            "language": "fr",
            "component": "Z99",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert f'href="{url}{criteria[-1].pk}/edit/"' in html
    assert f'formaction="{url}{criteria[-1].pk}/remove/"' in html


def test_a_plain_remove_keeps_the_pages_settings_from_its_shared_form(
    client_for, group_of_the_demos_size
):
    facilitator, tenant, group, criteria, url = group_of_the_demos_size
    remove_url = reverse(
        "entry:remove", kwargs={"cg": tenant.slug, "hg": group.slug, "criterion": criteria[0].pk}
    )

    response = client_for(facilitator).post(
        remove_url, {"session_date": "2026-02-07", "language": "pt"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(f"{url}?")
    assert "session_date=2026-02-07" in response["Location"]
    assert "language=pt" in response["Location"]


# --- A group of any size: each column shows its latest criteria, the earlier ones on demand ---

BIG = 120  # forty per question


@pytest.fixture
def big_group():
    facilitator = make_user(username="ines")
    tenant = make_coordination_group(name="Mulhouse – Centre-ville", facilitator=facilitator)
    with cross_tenant():
        group = make_homogeneous_group(
            tenant=tenant, name="Elders of Mulhouse", language="fr", meeting_dates=["2026-03-14"]
        )
    codes = [c.code for _f, cs in component_choices(version=grid_current()) for c in cs]
    by_question: dict[str, list] = {"Q1": [], "Q2": [], "Q3": []}
    for number in range(BIG):
        code = ("Q1", "Q2", "Q3")[number % 3]
        by_question[code].append(
            make_criterion(
                tenant=tenant,
                group=group,
                question=code,
                text=realistic_criterion_text(number),
                component=codes[(number * 7) % len(codes)] if number % 4 else None,
                language="fr",
                session_date=datetime.date(2026, 3, 14),
            )
        )
    q1 = Question.objects.shared().get(code="Q1")
    url = reverse("entry:entry", kwargs={"cg": tenant.slug, "hg": group.slug})
    return facilitator, tenant, group, by_question, q1, url


def _row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li id="criterion-(\d+)" class="entry-row', html)]


def _column(html: str, question: Question) -> str:
    return re.search(
        rf'<section class="entry-column" id="q{question.pk}".*?</section>', html, re.S
    )[0]


def test_a_group_of_120_criteria_weighs_less_than_40_kb(client_for, big_group):
    facilitator, _tenant, _group, by_question, q1, url = big_group

    response = client_for(facilitator).get(url)

    assert response.status_code == 200
    assert len(response.content) < LIMIT, f"the entry page weighs {_weight(response.content)}"
    html = response.content.decode()
    # Each column: its latest twelve, oldest first, numbered from 29; the count says forty.
    latest = [c.pk for code in ("Q1", "Q2", "Q3") for c in by_question[code][-SHOWN:]]
    assert sorted(_row_ids(html)) == sorted(latest)
    column = _column(html, q1)
    assert _row_ids(column) == [c.pk for c in by_question["Q1"][-SHOWN:]]
    assert (
        f'<ol class="entry-list" id="list-q{q1.pk}" aria-labelledby="q{q1.pk}-title" start="29">'
        in column
    )
    assert html.count(">40 criteria</p>") == 3


def test_the_control_says_how_many_earlier_criteria_it_shows(client_for, big_group):
    facilitator, _tenant, _group, by_question, q1, url = big_group
    first_shown = by_question["Q1"][-SHOWN]

    column = _column(client_for(facilitator).get(url).content.decode(), q1)

    link = re.search(r'<p class="entry-more" id="more-q\d+"><a (.*?)>(.*?)</a></p>', column)
    assert link[2] == "Show the 28 earlier criteria"
    assert f'href="?all=q{q1.pk}#list-q{q1.pk}"' in link[1]
    assert f'hx-get="?all=q{q1.pk}&amp;before={first_shown.pk}"' in link[1]
    # The control comes before the list it completes.
    assert column.index('class="entry-more"') < column.index('<ol class="entry-list"')


def test_the_control_counts_in_the_singular_and_goes_with_twelve_criteria(
    client_for, group_of_the_demos_size
):
    """Fourteen per question: two earlier ones; thirteen: one (the singular); twelve: none."""
    facilitator, tenant, group, criteria, url = group_of_the_demos_size
    with cross_tenant():
        criteria[0].delete()  # Q1 now has thirteen criteria: one earlier

    html = client_for(facilitator).get(url).content.decode()

    assert html.count("Show the 2 earlier criteria") == 2
    assert "Show the 1 earlier criterion<" in html
    client = client_for(facilitator)
    q1 = Question.objects.shared().get(code="Q1")
    with cross_tenant():
        criteria[3].delete()  # twelve: nothing earlier
    assert f'id="more-q{q1.pk}"' not in _column(client.get(url).content.decode(), q1)


def test_all_shows_every_criterion_of_that_column_and_keeps_the_settings(client_for, big_group):
    facilitator, _tenant, _group, by_question, q1, url = big_group
    q2 = Question.objects.shared().get(code="Q2")

    response = client_for(facilitator).get(url, {"session_date": "2026-02-07", "all": f"q{q1.pk}"})

    assert response.status_code == 200
    html = response.content.decode()
    column = _column(html, q1)
    assert _row_ids(column) == [c.pk for c in by_question["Q1"]]
    assert 'class="entry-more"' not in column and " start=" not in column
    assert ">40 criteria</p>" in column
    # The other columns stay short; their control keeps the date and this column open.
    other = _column(html, q2)
    assert _row_ids(other) == [c.pk for c in by_question["Q2"][-SHOWN:]]
    assert (
        f'href="?session_date=2026-02-07&amp;all=q{q1.pk}&amp;all=q{q2.pk}#list-q{q2.pk}"' in other
    )
    # A row's correction, the add forms and the shared Remove form come back to the same page.
    oldest = by_question["Q1"][0]
    assert f'href="{oldest.pk}/edit/?session_date=2026-02-07&amp;all=q{q1.pk}"' in column
    assert html.count(f'<input type="hidden" name="all" value="q{q1.pk}">') == 3 + 1


def test_a_plain_add_in_an_opened_column_comes_back_to_it(client_for, big_group):
    facilitator, tenant, group, _by_question, q1, url = big_group

    response = client_for(facilitator).post(
        reverse("entry:add", kwargs={"cg": tenant.slug, "hg": group.slug}),
        {
            "question": q1.pk,
            "text": "Clean air",
            "session_date": "2026-03-14",
            "language": "fr",
            "all": f"q{q1.pk}",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"{url}?all=q{q1.pk}#q{q1.pk}"


def test_with_htmx_the_control_answers_exactly_the_earlier_rows(client_for, big_group):
    facilitator, _tenant, _group, by_question, q1, url = big_group
    first_shown = by_question["Q1"][-SHOWN]

    response = client_for(facilitator).get(
        url, {"all": f"q{q1.pk}", "before": first_shown.pk}, **HTMX
    )

    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    html = response.content.decode()
    assert "<html" not in html
    assert _row_ids(html) == [c.pk for c in by_question["Q1"][: 40 - SHOWN]]
    # The first takes the focus, the control goes, rows link relative to the page.
    oldest = by_question["Q1"][0]
    assert (
        f'href="{oldest.pk}/edit/" id="e{oldest.pk}" '
        f'aria-labelledby="e{oldest.pk} t{oldest.pk}" data-entry-focus>' in html
    )
    assert html.count("data-entry-focus") == 1
    assert f'<p id="more-q{q1.pk}" hx-swap-oob="delete"></p>' in html


def test_the_earlier_rows_stay_right_after_the_first_shown_row_is_removed(client_for, big_group):
    facilitator, tenant, group, by_question, q1, url = big_group
    first_shown = by_question["Q1"][-SHOWN]
    client = client_for(facilitator)
    client.post(
        reverse(
            "entry:remove",
            kwargs={"cg": tenant.slug, "hg": group.slug, "criterion": first_shown.pk},
        ),
        **HTMX,
    )

    html = client.get(url, {"all": f"q{q1.pk}", "before": first_shown.pk}, **HTMX).content.decode()

    assert _row_ids(html) == [c.pk for c in by_question["Q1"][: 40 - SHOWN]]


def test_the_earlier_rows_of_another_groups_question_are_not_shown(client_for, big_group):
    """The rows come from this group only: another group's criteria never leak in."""
    facilitator, tenant, _group, by_question, q1, _url = big_group
    with cross_tenant():
        other = make_homogeneous_group(tenant=tenant, name="Children", language="fr")
    other_url = reverse("entry:entry", kwargs={"cg": tenant.slug, "hg": other.slug})

    html = (
        client_for(facilitator)
        .get(other_url, {"all": f"q{q1.pk}", "before": by_question["Q1"][-1].pk}, **HTMX)
        .content.decode()
    )

    assert _row_ids(html) == []
