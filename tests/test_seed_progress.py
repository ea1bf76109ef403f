"""The progress demo that `make run` loads after seed_projects: indicators, two evaluations,
actions with pledges and an impact report on the demo facilitator's platform."""

from io import StringIO

import pytest
from django.core.management import call_command

from projects.models import (
    Action,
    EvaluationSession,
    ImpactReport,
    Indicator,
    IndicatorLevel,
    IndicatorRevision,
    Placement,
    Pledge,
)
from syntheses import reports
from territories.models import CoordinationGroup
from wikispiral.jobs.models import Job
from wikispiral.tenancy import cross_tenant, tenant_scope

pytestmark = pytest.mark.django_db


def _seed_progress(capture) -> str:
    """seed_progress as `make run` runs it; the jobs it starts (the impact report) run once
    its transaction commits, inline as in `make run` (tests run tasks inline, CI too)."""
    out = StringIO()
    with capture(execute=True):
        call_command("seed_progress", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The syntheses' reports generate_demo_data asks for take seconds each in WeasyPrint: a
    # stand-in PDF (their own tests draw real ones). The impact report is drawn for real.
    monkeypatch.setattr(reports, "report_pdf", lambda html: (b"%PDF-1.7\n% demo\n", 1))
    call_command("import_geography", verbosity=0)
    call_command("seed_demo", "--force", "--quiet", verbosity=0)
    call_command("seed_territories", stdout=StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("generate_demo_data", "--criteria", "200", "--force", stdout=StringIO())
    printed = _seed_progress(django_capture_on_commit_callbacks)
    with cross_tenant():
        group = CoordinationGroup.objects.get(name="Mulhouse")
    return group, printed


def test_the_facilitators_platform_gets_indicators_evaluations_actions_and_a_report(seeded):
    group, printed = seeded
    assert printed.startswith("Progress for Mulhouse: 3 indicators"), printed
    assert printed.count("\n") == 1
    with tenant_scope(group):
        indicators = list(Indicator.objects.filter(tenant=group))
        assert len(indicators) == 3
        assert {i.status for i in indicators} == {Indicator.Status.PUBLISHED}
        assert [i.shared for i in indicators].count(True) == 1
        assert len({i.component_id for i in indicators}) == 3
        shared = next(i for i in indicators if i.shared)
        assert {"fr", "pt"} <= set(shared.texts), shared.texts  # written in French, translated
        for indicator in indicators:
            levels = list(IndicatorLevel.objects.filter(indicator=indicator))
            assert len(levels) == 5
            assert all(level.texts["fr"]["description"] for level in levels)
            # Ill-being criteria describe the low levels, well-being ones the high levels.
            low = {c.question.code for level in levels[:2] for c in level.criteria.all()}
            high = {c.question.code for level in levels[3:] for c in level.criteria.all()}
            assert low <= {"Q2"} and high <= {"Q1"} and (low or high)
            assert all(c.tenant_id == group.pk for level in levels for c in level.criteria.all())

        sessions = list(EvaluationSession.objects.filter(tenant=group).order_by("held_on"))
        assert [s.status for s in sessions] == [EvaluationSession.Status.PUBLISHED] * 2
        before, after = sessions
        assert before.group is not None and after.group is None  # a homogeneous group, then all
        assert 360 <= (after.held_on - before.held_on).days <= 370
        for indicator in indicators:
            levels = {
                session: list(
                    Placement.objects.filter(session=session, indicator=indicator).values_list(
                        "level", flat=True
                    )
                )
                for session in sessions
            }
            assert 0 < len(levels[before]) <= before.participants
            assert 0 < len(levels[after]) <= after.participants
            mean = {s: sum(placed) / len(placed) for s, placed in levels.items()}
            assert mean[after] > mean[before], indicator  # things got better

        actions = {a.status: a for a in Action.objects.filter(tenant=group)}
        assert set(actions) == {Action.Status.DONE, Action.Status.UNDER_WAY}
        done = actions[Action.Status.DONE]
        assert done.starts_on and done.ends_on and before.held_on < done.ends_on < after.held_on
        for action in actions.values():
            assert action.published and action.page_id is not None
            assert (action.before_id, action.after_id) == (before.pk, after.pk)
            assert action.indicators.exists() and action.components.exists()
            assert {c.question.code for c in action.criteria.all()} == {"Q3"}
            assert 3 <= action.pledges.count() <= 4
        pledges = Pledge.objects.filter(tenant=group)
        assert set(pledges.values_list("pledger", flat=True)) == set(Pledge.Pledger.values)
        assert set(pledges.values_list("offer", flat=True)) == set(Pledge.Offer.values)
        assert pledges.filter(state=Pledge.State.KEPT).count() >= 2
        assert pledges.filter(state=Pledge.State.WITHDRAWN).count() == 1
        money = pledges.get(offer=Pledge.Offer.MONEY)
        assert money.amount > 0 and money.unit == "EUR"

        report = ImpactReport.objects.get(tenant=group)
        assert report.action_id == done.pk and report.language == "fr"
        assert report.status == ImpactReport.Status.DONE, report.message
        with report.file.open("rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
        assert report.pages >= 1


def test_seeding_progress_again_changes_nothing(seeded, django_capture_on_commit_callbacks):
    group, _printed = seeded

    def counts() -> list[int]:
        with cross_tenant():
            return [
                model.objects.count()
                for model in (
                    Indicator,
                    IndicatorRevision,
                    EvaluationSession,
                    Placement,
                    Action,
                    Pledge,
                    ImpactReport,
                    Job,
                )
            ]

    before = counts()
    printed = _seed_progress(django_capture_on_commit_callbacks)
    assert printed == "Progress: Mulhouse already has indicators, left as it is.\n"
    assert counts() == before


def test_without_the_demo_logins_it_says_what_to_run_first(django_capture_on_commit_callbacks):
    printed = _seed_progress(django_capture_on_commit_callbacks)
    assert printed == "Demo logins missing: run seed_demo first.\n"
    with cross_tenant():
        assert not Indicator.objects.exists()
