"""The secretariat keeps the list of group profiles: add, rename, reorder, stop offering."""

import pytest
from django.urls import reverse

from territories.models import Profile
from tests.factories import make_user
from wikispiral.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(client_for):
    return client_for(make_user(secretariat=True))


def _form(**overrides) -> dict:
    values = {"name": "Farmers", "name_fr": "Agriculteurs", "name_pt": "", "order": 30}
    values.update(overrides)
    return values


def test_list_shows_every_profile_with_its_names_and_state(secretary):
    # The profiles the migrations offer, plus one no longer offered.
    Profile.objects.create(slug="retired", name="Retired people", order=1, is_active=False)

    response = secretary.get(reverse("secretariat:profiles"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Retired people" in html and "Pupils" in html and "Élèves" in html
    assert (
        reverse("secretariat:profile_edit", kwargs={"pk": Profile.objects.get(slug="pupils").pk})
        in html
    )


def test_adding_a_profile_derives_its_slug_from_the_english_name(secretary):
    response = secretary.post(
        reverse("secretariat:profile_new"), _form(name="  Small  farmers ", is_active="on")
    )

    profile = Profile.objects.get(slug="small-farmers")
    assert response.status_code == 302
    assert (profile.name, profile.names, profile.order, profile.is_active) == (
        "Small farmers",
        {"fr": "Agriculteurs"},
        30,
        True,
    )
    entry = AuditEntry.objects.get(action="territories.profile.created")
    assert entry.target_id == str(profile.pk)


def test_a_duplicate_name_is_refused_with_a_clear_message(secretary):
    assert Profile.objects.filter(slug="farmers").exists()  # offered from the start

    response = secretary.post(reverse("secretariat:profile_new"), _form(name="FARMERS"))

    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert Profile.objects.filter(slug="farmers").count() == 1
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [{"name": ""}, {"name": "!!!"}, {"order": "-1"}, {"order": "many"}, {"name": "x" * 151}],
    ids=["no-name", "no-letters", "negative-order", "text-order", "too-long"],
)
def test_bad_input_answers_400_and_saves_nothing(secretary, overrides):
    count = Profile.objects.count()

    response = secretary.post(reverse("secretariat:profile_new"), _form(**overrides))

    assert response.status_code == 400
    assert "Please correct the following" in response.content.decode()
    assert Profile.objects.count() == count


def test_editing_changes_names_and_order_but_never_the_slug(secretary):
    profile = Profile.objects.create(slug="fishers", name="Fishers", order=5)

    form = secretary.get(reverse("secretariat:profile_edit", kwargs={"pk": profile.pk}))
    response = secretary.post(
        reverse("secretariat:profile_edit", kwargs={"pk": profile.pk}),
        _form(
            name="Sea fishers", name_fr="Pêcheurs", name_pt="Pescadores", order=7, is_active="on"
        ),
    )

    profile.refresh_from_db()
    assert form.status_code == 200 and 'value="Fishers"' in form.content.decode()
    assert response.status_code == 302
    assert (profile.slug, profile.name, profile.order) == ("fishers", "Sea fishers", 7)
    assert profile.names == {"fr": "Pêcheurs", "pt": "Pescadores"}
    entry = AuditEntry.objects.get(action="territories.profile.updated")
    assert entry.data["changes"]["name"] == "Sea fishers"


def test_a_profile_is_deactivated_not_deleted(secretary):
    profile = Profile.objects.create(slug="fishers", name="Fishers", names={"fr": "Pêcheurs"})

    secretary.post(
        reverse("secretariat:profile_edit", kwargs={"pk": profile.pk}),
        _form(name="Fishers", name_fr="Pêcheurs", order=profile.order),  # checkbox unticked
    )

    profile.refresh_from_db()
    assert profile.is_active is False
    assert AuditEntry.objects.get().data == {"changes": {"is_active": False}}


def test_saving_without_changes_records_nothing(secretary):
    profile = Profile.objects.create(slug="fishers", name="Fishers", names={"fr": "Pêcheurs"})

    response = secretary.post(
        reverse("secretariat:profile_edit", kwargs={"pk": profile.pk}),
        _form(name="Fishers", name_fr="Pêcheurs", order=profile.order, is_active="on"),
    )

    assert response.status_code == 302
    assert not AuditEntry.objects.exists()


def test_unknown_profile_answers_404(secretary):
    assert (
        secretary.get(reverse("secretariat:profile_edit", kwargs={"pk": 99999})).status_code == 404
    )
