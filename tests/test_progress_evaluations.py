"""Evaluation sessions: the tally typed after a meeting, the results per indicator (distribution
and median, in words and numbers, chart and table), publishing, tenancy, and the change
between two sessions."""

import datetime
import random
import re
from html import unescape

import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from criteria.models import Component
from projects.evaluations import rollup, selectors, services
from projects.evaluations.figures import Change, Distribution, change_between, median_of
from projects.models import (
    EvaluationPending,
    EvaluationSession,
    Indicator,
    IndicatorLevel,
    Placement,
)
from syntheses.models import Scope
from territories.models import Membership
from territories.services import membership_set
from tests.factories import make_coordination_group, make_homogeneous_group, make_user
from wikispiral.audit.models import AuditEntry
from wikispiral.errors import DomainError
from wikispiral.tenancy import cross_tenant, tenant_scope

NAMES = ("Very bad", "Bad", "Average", "Good", "Ideal")
HELD_ON = datetime.date(2026, 3, 14)


def make_indicator(tenant, *, title="Fresh food for all", names=NAMES, fr_names=None):
    """An indicator with its scale, written directly (the indicators' services are elsewhere)."""
    with tenant_scope(tenant):
        component = Component.objects.get(version__is_current=True, code="A01")
        indicator = Indicator.objects.create(
            tenant=tenant,
            component=component,
            language="en",
            texts={"en": {"title": title}},
            status=Indicator.Status.PUBLISHED,
        )
        indicator.lineage = indicator.pk
        indicator.save(update_fields=["lineage"])
        for position, name in enumerate(names, start=1):
            texts = {"en": {"name": name}}
            if fr_names:
                texts["fr"] = {"name": fr_names[position - 1]}
            IndicatorLevel.objects.create(
                tenant=tenant, indicator=indicator, position=position, texts=texts
            )
    return indicator


class World:
    def __init__(self):
        self.facilitator = make_user()
        self.tenant = make_coordination_group(facilitator=self.facilitator)
        with cross_tenant():
            self.hg = make_homogeneous_group(tenant=self.tenant, name="Young people")
        self.indicator = make_indicator(self.tenant)
        self.other = make_indicator(self.tenant, title="Safe streets at night")

    def session(self, *, participants=10, indicators=None, title="Before the garden", **extra):
        with tenant_scope(self.tenant):
            return services.session_create(
                tenant=self.tenant,
                actor=self.facilitator,
                title=title,
                held_on=extra.pop("held_on", HELD_ON),
                group=extra.pop("group", self.hg),
                participants=participants,
                indicators=indicators or [self.indicator, self.other],
                notes=extra.pop("notes", ""),
            )

    def tally(self, session, counts, indicator=None):
        return services.placements_set(
            tenant=self.tenant,
            actor=self.facilitator,
            session=session,
            indicator=indicator or self.indicator,
            counts=counts,
        )

    def publish(self, session):
        return services.session_publish(tenant=self.tenant, actor=self.facilitator, session=session)

    def url(self, name, session=None, **query):
        kwargs = {"cg": self.tenant.slug}
        if session is not None:
            kwargs["session"] = session.pk
        url = reverse(f"evaluations:{name}", kwargs=kwargs)
        if query:
            url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
        return url


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def marks(monkeypatch):
    """Observe the calls to the roll-up (its work is tested by its own helper's tests)."""
    calls = []
    real = rollup.evaluations_mark

    def observed(*, tenant, group_ids):
        calls.append((tenant.pk, list(group_ids)))
        return real(tenant=tenant, group_ids=group_ids)

    monkeypatch.setattr(rollup, "evaluations_mark", observed)
    return calls


def _rows(world, session, indicator=None):
    with tenant_scope(world.tenant):
        return list(
            Placement.objects.filter(session=session, indicator=indicator or world.indicator)
            .order_by("participant")
            .values_list("participant", "level", "placed_on")
        )


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def _words(response) -> str:
    """What the page says, tags left out."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# --- The tally ----------------------------------------------------------------------------------


def test_tally_records_one_anonymous_row_per_participant(world):
    session = world.session()
    assert world.tally(session, {1: 2, 3: 1, 5: 0}) == 3
    assert _rows(world, session) == [(1, 1, HELD_ON), (2, 1, HELD_ON), (3, 3, HELD_ON)]
    # A second tally replaces the first one.
    assert world.tally(session, {4: 2}) == 2
    assert _rows(world, session) == [(1, 4, HELD_ON), (2, 4, HELD_ON)]
    assert AuditEntry.objects.filter(action="projects.evaluation.placements_set").count() == 2


def test_tally_page_saves_every_indicator(world, client_for):
    session = world.session(participants=5)
    client = client_for(world.facilitator)
    page = client.get(world.url("placements", session))
    assert page.status_code == 200
    assert f'name="i{world.indicator.pk}-l3"' in page.content.decode()
    data = {f"i{world.indicator.pk}-l2": "2", f"i{world.indicator.pk}-l3": "3"}
    data[f"i{world.other.pk}-l5"] = "1"
    response = client.post(world.url("placements", session), data)
    assert response.status_code == 302
    assert [level for _n, level, _d in _rows(world, session)] == [2, 2, 3, 3, 3]
    assert [level for _n, level, _d in _rows(world, session, world.other)] == [5]


def test_one_participant_at_a_time(world, client_for):
    session = world.session(participants=2)
    client = client_for(world.facilitator)
    for level in (4, 2):
        response = client.post(
            world.url("placement_add", session), {"indicator": world.indicator.pk, "level": level}
        )
        assert response.status_code == 302
    assert [(n, level) for n, level, _d in _rows(world, session)] == [(1, 4), (2, 2)]
    third = client.post(
        world.url("placement_add", session), {"indicator": world.indicator.pk, "level": 3}
    )
    assert third.status_code == 400
    assert "already placed" in _text(third)
    assert len(_rows(world, session)) == 2


# --- The median ---------------------------------------------------------------------------------


def test_median_equals_pandas_median_of_the_placements(world):
    rng = random.Random(20260314)
    for _trial in range(40):
        participants = rng.randint(1, 40)
        session = world.session(participants=participants, indicators=[world.indicator])
        counts, left = {}, participants
        for position in rng.sample(range(1, 6), rng.randint(1, 5)):
            counts[position] = rng.randint(0, left)
            left -= counts[position]
        if not sum(counts.values()):
            counts[rng.randint(1, 5)] = 1
        world.tally(session, counts)
        # Independently: the levels as stored, one row per participant.
        levels = [level for _n, level, _d in _rows(world, session)]
        with tenant_scope(world.tenant):
            (result,) = selectors.session_results(session)
        assert result.median == pd.Series(levels).median()
        assert result.distribution.total == len(levels)
        assert sum(result.shares) == pytest.approx(100, abs=0.5)


def test_an_even_count_median_falls_between_two_levels(world, client_for):
    session = world.session(participants=4)
    world.tally(session, {2: 2, 3: 2})
    with tenant_scope(world.tenant):
        result = selectors.session_results(session)[0]
    assert result.median == 2.5
    assert result.median_words == "between Bad and Average"
    page = client_for(world.facilitator).get(world.url("detail", session))
    assert page.status_code == 200
    assert "Median: between Bad and Average (level 2.5)" in _words(page)
    text = _text(page)
    assert "<svg" in text and "<caption" in text and 'scope="row"' in text


def test_median_words_use_the_readers_language(world):
    indicator = make_indicator(
        world.tenant, fr_names=("Très mauvais", "Mauvais", "Moyen", "Bon", "Idéal")
    )
    session = world.session(indicators=[indicator])
    world.tally(session, {3: 3}, indicator=indicator)
    with tenant_scope(world.tenant), translation.override("fr"):
        assert selectors.session_results(session)[0].median_words == "Moyen"
    with tenant_scope(world.tenant), translation.override("en"):
        assert selectors.session_results(session)[0].median_words == "Average"


def test_median_of_small_cases():
    assert median_of([0, 0, 0]) is None
    assert median_of([1, 0, 0]) == 1
    assert median_of([0, 1, 1]) == 2.5
    assert median_of([3, 0, 1]) == 1


# --- Bad input: a clear message, nothing saved --------------------------------------------------


def test_a_level_outside_the_scale_is_refused(world, client_for):
    session = world.session()
    world.tally(session, {3: 1})
    client = client_for(world.facilitator)
    one = client.post(
        world.url("placement_add", session), {"indicator": world.indicator.pk, "level": 6}
    )
    assert one.status_code == 400
    assert "outside the scale" in _text(one)
    data = {f"i{world.indicator.pk}-l1": "2", f"i{world.indicator.pk}-l9": "1"}
    tally = client.post(world.url("placements", session), data)
    assert tally.status_code == 400
    assert "Level 9 is outside the scale of “Fresh food for all”" in _text(tally)
    assert _rows(world, session) == [(1, 3, HELD_ON)]
    with tenant_scope(world.tenant), pytest.raises(DomainError, match="outside the scale"):
        world.tally(session, {0: 1})


def test_a_negative_count_is_refused(world, client_for):
    session = world.session()
    response = client_for(world.facilitator).post(
        world.url("placements", session), {f"i{world.indicator.pk}-l2": "-1"}
    )
    assert response.status_code == 400
    assert "cannot be negative" in _text(response)
    with pytest.raises(DomainError, match="negative"):
        world.tally(session, {2: -1})
    assert _rows(world, session) == []


def test_more_placements_than_participants_are_refused(world, client_for):
    session = world.session(participants=3)
    world.tally(session, {1: 1})
    data = {f"i{world.indicator.pk}-l1": "2", f"i{world.indicator.pk}-l4": "2"}
    data[f"i{world.other.pk}-l2"] = "1"
    response = client_for(world.facilitator).post(world.url("placements", session), data)
    assert response.status_code == 400
    assert "4 placements, but the session had 3 participants" in _text(response)
    # Nothing saved: neither indicator changed.
    assert _rows(world, session) == [(1, 1, HELD_ON)]
    assert _rows(world, session, world.other) == []


def test_a_session_with_no_participants_is_refused(world, client_for):
    data = {
        "title": "Empty",
        "held_on": "2026-03-14",
        "group": world.hg.pk,
        "participants": "0",
        "indicators": [world.indicator.pk],
    }
    response = client_for(world.facilitator).post(world.url("new"), data)
    assert response.status_code == 400
    assert "A session needs at least one participant" in _text(response)
    with pytest.raises(DomainError, match="at least one participant"):
        world.session(participants=0)
    with tenant_scope(world.tenant):
        assert not EvaluationSession.objects.exists()


def test_a_session_needs_an_indicator_of_its_own_group(world):
    elsewhere = make_indicator(make_coordination_group())
    with pytest.raises(DomainError, match="not one of this coordination group"):
        world.session(indicators=[elsewhere])
    with pytest.raises(DomainError, match="at least one indicator"):
        services.session_create(
            tenant=world.tenant,
            actor=world.facilitator,
            title="x",
            held_on=HELD_ON,
            group=None,
            participants=3,
            indicators=[],
        )


def test_fewer_participants_than_placed_is_refused(world):
    session = world.session(participants=5)
    world.tally(session, {2: 4})
    with pytest.raises(DomainError, match="cannot have fewer"):
        services.session_update(
            tenant=world.tenant,
            actor=world.facilitator,
            session=session,
            title=session.title,
            held_on=HELD_ON,
            group=world.hg,
            participants=3,
            indicators=[world.indicator, world.other],
        )
    with tenant_scope(world.tenant):
        session.refresh_from_db()
    assert session.participants == 5


def test_a_new_session_from_the_form(world, client_for):
    data = {
        "title": "Whole platform, spring",
        "held_on": "2026-03-14",
        "group": "",
        "participants": "30",
        "indicators": [world.indicator.pk, world.other.pk],
        "notes": "Held in the town hall.",
    }
    response = client_for(world.facilitator).post(world.url("new"), data)
    assert response.status_code == 302
    with tenant_scope(world.tenant):
        session = EvaluationSession.objects.get()
        assert session.group is None and session.participants == 30
        assert set(session.indicators.values_list("pk", flat=True)) == {
            world.indicator.pk,
            world.other.pk,
        }
    assert response["Location"] == world.url("placements", session)


def test_editing_a_published_session_moves_its_placements(world, client_for, marks):
    session = world.session()
    world.tally(session, {3: 2})
    world.publish(session)
    data = {
        "title": "Before the garden, corrected",
        "held_on": "2026-03-10",
        "group": "",
        "participants": "10",
        "indicators": [world.indicator.pk, world.other.pk],
    }
    response = client_for(world.facilitator).post(world.url("edit", session), data)
    assert response.status_code == 302
    assert {placed_on for _n, _l, placed_on in _rows(world, session)} == {
        datetime.date(2026, 3, 10)
    }
    # From the group to the whole platform: both are added up again.
    assert marks[-1] == (world.tenant.pk, [world.hg.pk, None])
    # An indicator with placements cannot leave the session.
    data["indicators"] = [world.other.pk]
    refused = client_for(world.facilitator).post(world.url("edit", session), data)
    assert refused.status_code == 400
    assert "set its tally to zero before removing it" in _text(refused)


def test_publishing_without_placements_is_refused(world, client_for):
    session = world.session()
    response = client_for(world.facilitator).post(world.url("publish", session))
    assert response.status_code == 400
    assert "Enter the placements before publishing" in _text(response)
    with tenant_scope(world.tenant):
        session.refresh_from_db()
    assert session.status == EvaluationSession.Status.DRAFT


# --- Who sees what ------------------------------------------------------------------------------


def test_drafts_are_hidden_from_outsiders_and_anonymous_visitors(world, client_for):
    session = world.session()
    world.tally(session, {3: 2})
    outsider = make_user()
    make_coordination_group(facilitator=outsider)
    for name in ("detail", "placements", "edit"):
        assert client_for(outsider).get(world.url(name, session)).status_code == 404
    anonymous = world.url("detail", session)
    response = Client().get(anonymous)
    assert response.status_code == 302 and "/login" in response["Location"]
    listed = _text(client_for(outsider).get(world.url("list")))
    assert "Before the garden" not in listed
    # The group's members see the draft; only facilitators enter placements.
    editor = make_user()
    membership_set(group=world.tenant, user=editor, role=Membership.Role.EDITOR)
    assert client_for(editor).get(world.url("detail", session)).status_code == 200
    assert client_for(editor).get(world.url("placements", session)).status_code == 404
    assert client_for(editor).post(world.url("publish", session)).status_code == 404
    assert "Before the garden" in _text(client_for(editor).get(world.url("list")))


def test_a_published_session_is_public_unless_the_group_is_hidden(world, client_for):
    session = world.session()
    world.tally(session, {3: 2})
    world.publish(session)
    outsider = make_user()
    assert Client().get(world.url("detail", session)).status_code == 200
    assert client_for(outsider).get(world.url("detail", session)).status_code == 200
    assert "Before the garden" in _text(Client().get(world.url("list")))
    # Reading is not writing.
    assert client_for(outsider).post(world.url("unpublish", session)).status_code == 404
    world.tenant.is_hidden = True
    world.tenant.save(update_fields=["is_hidden"])
    assert client_for(outsider).get(world.url("detail", session)).status_code == 404
    assert client_for(world.facilitator).get(world.url("detail", session)).status_code == 200


def test_another_groups_session_is_not_found(world, client_for):
    session = world.session()
    world.tally(session, {3: 2})
    world.publish(session)
    theirs = make_user()
    other = make_coordination_group(facilitator=theirs)
    url = reverse("evaluations:detail", kwargs={"cg": other.slug, "session": session.pk})
    assert client_for(theirs).get(url).status_code == 404


def test_the_list_reads_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries):
    for number in range(6):
        session = world.session(title=f"Session {number}")
        world.tally(session, {2: 1})
    client = client_for(world.facilitator)
    client.get(world.url("list"))
    with django_assert_max_num_queries(12):
        response = client.get(world.url("list"))
    assert response.status_code == 200
    assert "Session 5" in _text(response)


# --- Publishing and the roll-up -----------------------------------------------------------------


def test_the_rollup_is_told_whenever_published_placements_change(world, client_for, marks):
    session = world.session()
    world.tally(session, {2: 1})
    assert marks == []  # a draft adds nothing up
    client = client_for(world.facilitator)
    assert client.post(world.url("publish", session)).status_code == 302
    with tenant_scope(world.tenant):
        session.refresh_from_db()
    assert session.status == EvaluationSession.Status.PUBLISHED
    assert marks == [(world.tenant.pk, [world.hg.pk])]
    # The roll-up recorded the group's scope as out of date, in the same transaction.
    assert EvaluationPending.objects.filter(
        scope=Scope.HOMOGENEOUS_GROUP, scope_id=world.hg.pk
    ).exists()
    world.tally(session, {2: 1, 4: 1})
    services.placement_add(
        tenant=world.tenant,
        actor=world.facilitator,
        session=session,
        indicator=world.indicator,
        level=5,
    )
    assert len(marks) == 3
    assert client.post(world.url("unpublish", session)).status_code == 302
    assert len(marks) == 4
    world.publish(session)
    services.session_delete(tenant=world.tenant, actor=world.facilitator, session=session)
    assert len(marks) == 6
    assert AuditEntry.objects.filter(action="projects.evaluation.published").count() == 2
    assert AuditEntry.objects.filter(action="projects.evaluation.deleted").count() == 1


def test_a_platform_session_marks_the_whole_platform(world, marks):
    session = world.session(group=None)
    world.tally(session, {1: 1})
    world.publish(session)
    assert marks == [(world.tenant.pk, [None])]


# --- Comparing ----------------------------------------------------------------------------------


def test_the_compare_page_shows_the_change_per_indicator(world, client_for):
    before = world.session(title="Before the garden", participants=4)
    world.tally(before, {2: 3, 3: 1})
    world.tally(before, {4: 2}, indicator=world.other)
    world.publish(before)
    after = world.session(
        title="After the garden", participants=4, held_on=datetime.date(2026, 3, 15)
    )
    world.tally(after, {3: 3, 4: 1})
    world.tally(after, {3: 2}, indicator=world.other)
    world.publish(after)
    with tenant_scope(world.tenant):
        changes = change_between(before, after)
    assert [change.moved for change in changes] == [1.0, -1.0]
    response = client_for(make_user()).get(world.url("compare", before=before.pk, after=after.pk))
    assert response.status_code == 200
    text = _text(response)
    assert "The median moved up by 1 level" in text
    assert "The median moved down by 1 level" in text
    words = _words(response)
    assert "Median before Bad (2) Median after Average (3)" in words
    assert "Median before Good (4) Median after Average (3)" in words
    assert text.count("<svg") == 2 and text.count("<caption") == 2
    # The same session twice, or a draft an outsider cannot see: refused, with the reason.
    same = client_for(world.facilitator).get(
        world.url("compare", before=before.pk, after=before.pk)
    )
    assert same.status_code == 400 and "two different sessions" in _text(same)
    draft = world.session(title="Draft")
    hidden = client_for(make_user()).get(world.url("compare", before=before.pk, after=draft.pk))
    assert hidden.status_code == 400


def test_change_words_for_half_a_level_and_no_placement(world):
    with tenant_scope(world.tenant):
        half = Change(world.indicator, Distribution((0, 1, 1, 0, 0)), Distribution((0, 0, 1, 0, 0)))
        assert half.shown.moved_words == "moved up by half a level"
        none = Change(world.indicator, Distribution((0,) * 5), Distribution((0, 0, 1, 0, 0)))
        assert none.shown.direction == "unknown"
        assert "cannot be measured" in none.shown.moved_words


# --- Untrusted text -----------------------------------------------------------------------------


def test_titles_and_notes_are_escaped(world, client_for):
    attack = '<script>alert("x")</script>'
    indicator = make_indicator(world.tenant, title=f"Food {attack}", names=(attack, "Ideal"))
    session = world.session(title=f"Session {attack}", notes=attack, indicators=[indicator])
    world.tally(session, {1: 1}, indicator=indicator)
    world.publish(session)
    client = client_for(world.facilitator)
    for url in (
        world.url("list"),
        world.url("detail", session),
        world.url("placements", session),
        world.url("edit", session),
    ):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "&lt;script&gt;" in body, url
