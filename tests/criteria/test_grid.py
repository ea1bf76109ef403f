"""The public grid page: families, components, provisional labels, senses, versions."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from criteria.grid.services import GridRow, grid_mapping_default, grid_version_import
from criteria.models import Component, GridVersion
from criteria.seed import grid_seed_rows
from tests.factories import make_coordination_group, make_criterion, make_user

pytestmark = pytest.mark.django_db

GRID = reverse("grid:grid")


def _seed_rows() -> list[GridRow]:
    return [
        GridRow(
            row=number,
            family=row["family"],
            family_names={"en": row["family_en"], "fr": row["family_fr"]},
            code=row["code"],
            names={"en": row["label_en"], "fr": row["label_fr"]},
            descriptions={"en": row["description_en"]},
            status=row["status"],
        )
        for number, row in enumerate(grid_seed_rows(), start=2)
    ]


def _second_version(**changes: str) -> GridVersion:
    """Import the seed grid again as version 2, with labels changed as code=label."""
    rows = [
        GridRow(**{**row.as_dict(), "names": {**row.names, "en": changes[row.code]}})
        if row.code in changes
        else row
        for row in _seed_rows()
    ]
    codes = list(Component.objects.filter(version__is_current=True).values_list("code", flat=True))
    return grid_version_import(
        actor=make_user(secretariat=True),
        rows=rows,
        mapping=grid_mapping_default(rows=rows, current_codes=codes),
        name="Official labels",
    )


def _provisional_marks(html: str) -> int:
    return len(re.findall(r'class="provisional-mark" title=', html))


def test_grid_page_lists_the_nine_families_and_sixty_components(client):
    response = client.get(GRID)

    html = response.content.decode()
    assert response.status_code == 200
    assert len(re.findall(r'<section class="grid-family" id="family-[A-I]"', html)) == 9
    assert len(re.findall(r'<tr id="component-[A-I]\d\d"', html)) == 60
    assert "<code>A01</code>" in html
    assert "Food / drink" in html
    assert "Getting food and drink, following a chosen diet" in html


def test_grid_page_marks_provisional_labels_and_explains_the_mark(client):
    expected = sum(
        c.label_is_provisional("en") for c in Component.objects.filter(version__is_current=True)
    )

    html = client.get(GRID).content.decode()

    assert expected == 49
    assert _provisional_marks(html) == expected
    assert 'id="provisional-legend"' in html
    assert "the official wording will come from the network's secretariat" in html
    a01_row = re.search(r'<tr id="component-A01".*?</tr>', html, re.S).group(0)
    assert "provisional-mark" not in a01_row


def test_grid_page_shows_french_labels_to_a_french_reader(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    html = client.get(GRID).content.decode()

    assert '<html lang="fr"' in html
    assert "Alimentation" in html
    assert "Accès aux moyens de vie" in html
    # A10 has an official French label only: no mark in French.
    a10_row = re.search(r'<tr id="component-A10".*?</tr>', html, re.S).group(0)
    assert "provisional-mark" not in a10_row
    assert _provisional_marks(html) == 48
    # Descriptions are in French too, our translation: marked provisional (issue 16).
    assert "<td>Se nourrir et boire, suivre le régime alimentaire de son choix<span" in html
    assert "Getting food and drink" not in html


def test_grid_page_explains_senses_full_codes_and_the_determination_key(client):
    html = client.get(GRID).content.decode()

    assert "A01-11/P15/k" in html
    for code in "ORPQS":
        assert f"<dt><code>{code}</code>" in html
    assert "Possibility" in html
    assert 'id="determination-key-title"' in html
    assert "<code>A01-11/P</code>" in html


def test_grid_page_is_light_and_printable(client):
    html = client.get(GRID).content.decode()

    # No script of its own (base.html's htmx only), its print stylesheet linked.
    assert html.count("<script") == 1
    assert "css/criteria-grid.css" in html
    assert "<h1>" in html
    assert html.count("<caption") == 9


def test_anonymous_grid_page_may_be_cached_by_anyone_briefly(client):
    response = client.get(GRID)

    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=600"} <= cache_control
    vary = {part.strip() for part in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary
    assert not response.cookies


def test_logged_in_grid_page_is_private(client_for):
    response = client_for(make_user()).get(GRID)

    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_old_version_page_says_it_is_no_longer_in_use(client):
    _second_version(A08="Official label of A08")

    old = client.get(reverse("grid:version", kwargs={"version": 1})).content.decode()
    new = client.get(GRID).content.decode()
    new_by_number = client.get(reverse("grid:version", kwargs={"version": 2}))

    assert "which is no longer in use" in old
    assert f'href="{GRID}"' in old
    assert "Official label of A08" not in old
    assert "Official label of A08" in new
    assert "Version 2 (Official labels)" in new
    assert "which is no longer in use" not in new
    assert new_by_number.status_code == 200
    assert "which is no longer in use" not in new_by_number.content.decode()


def test_unknown_version_is_404(client):
    assert client.get(reverse("grid:version", kwargs={"version": 99})).status_code == 404


def test_grid_page_post_is_refused(client):
    assert client.post(GRID).status_code == 405


def test_grid_page_query_count_is_pinned(client, client_for, django_assert_max_num_queries):
    _second_version()
    with django_assert_max_num_queries(4):
        assert client.get(GRID).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(reverse("grid:version", kwargs={"version": 1})).status_code == 200
    logged_in = client_for(make_user())
    logged_in.get(GRID)
    with django_assert_max_num_queries(6):
        assert logged_in.get(GRID).status_code == 200


def test_admin_shows_the_grid_and_criteria_without_editing_them(admin_client):
    criterion = make_criterion(tenant=make_coordination_group(), component="A01", text="Bread")
    component = Component.objects.get(version__is_current=True, code="A01")

    for name in ("gridversion", "family", "component", "sensecategory", "question", "criterion"):
        assert admin_client.get(reverse(f"admin:criteria_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:criteria_criterion_add")).status_code == 403
    change = admin_client.get(reverse("admin:criteria_criterion_change", args=[criterion.pk]))
    posted = admin_client.post(
        reverse("admin:criteria_criterion_change", args=[criterion.pk]), {"text": "Changed"}
    )
    component_post = admin_client.post(
        reverse("admin:criteria_component_change", args=[component.pk]), {"code": "Z99"}
    )

    assert change.status_code == 200
    assert 'name="text"' not in change.content.decode()
    assert posted.status_code == 403
    assert component_post.status_code == 403
    component.refresh_from_db()
    assert component.code == "A01"
