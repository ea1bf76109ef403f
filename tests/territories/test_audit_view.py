"""The secretariat reads the audit log, newest first, filtered by action and text."""

import pytest
from django.urls import reverse

from territories.models import Profile
from tests.factories import make_user
from wikispiral.audit.models import AuditEntry
from wikispiral.audit.services import audit_record

pytestmark = pytest.mark.django_db

AUDIT = reverse("secretariat:audit")


@pytest.fixture
def secretary(client_for):
    return client_for(make_user(secretariat=True))


def _record(action: str, label_profile: str, actor=None) -> AuditEntry:
    profile = Profile.objects.create(
        slug=label_profile.lower().replace(" ", "-"), name=label_profile
    )
    return audit_record(actor=actor, action=action, target=profile)


def test_entries_are_listed_newest_first(secretary):
    _record("territories.profile.created", "First thing")
    _record("territories.profile.updated", "Second thing")

    html = secretary.get(AUDIT).content.decode()

    assert html.index("Second thing") < html.index("First thing")


def test_filter_by_action_prefix_offers_the_prefixes_in_use(secretary):
    _record("territories.profile.created", "A profile")
    _record("wiki.page.created", "A page")

    page = secretary.get(AUDIT).content.decode()
    filtered = secretary.get(AUDIT, {"action": "territories.profile"}).content.decode()
    by_app = secretary.get(AUDIT, {"action": "wiki"}).content.decode()

    assert 'value="territories.profile"' in page and 'value="wiki.page"' in page
    assert "A profile" in filtered and "A page" not in filtered
    assert "A page" in by_app and "A profile" not in by_app


def test_filter_by_text_matches_object_action_and_person(secretary):
    alice = make_user(username="alice", display_name="Alice Martin")
    _record("territories.profile.created", "Fishers", actor=alice)
    _record("territories.profile.created", "Beekeepers")

    by_object = secretary.get(AUDIT, {"q": "fish"}).content.decode()
    by_person = secretary.get(AUDIT, {"q": "martin"}).content.decode()

    assert "Fishers" in by_object and "Beekeepers" not in by_object
    assert "Fishers" in by_person and "Beekeepers" not in by_person


def test_an_unknown_prefix_answers_400(secretary):
    response = secretary.get(AUDIT, {"action": "nothing.like.this"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_audit_query_count_does_not_grow_with_entries(secretary, django_assert_max_num_queries):
    actor = make_user()
    for number in range(60):
        _record(f"territories.thing{number % 5}.done", f"Entry {number:02}", actor=actor)

    with django_assert_max_num_queries(5):
        response = secretary.get(AUDIT, {"action": "territories"})

    assert response.status_code == 200
    assert "Entry 59" in response.content.decode()
    assert "Entry 59" not in secretary.get(AUDIT, {"page": 2}).content.decode()
    assert "Entry 00" in secretary.get(AUDIT, {"page": 2}).content.decode()
