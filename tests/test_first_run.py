"""First run: `make run` loads the demo quietly and prints the demo logins last, right before
the server's banner; the groups the facilitator's login hint names are hers, with criteria
(some waiting in her classification queue), computed syntheses and a published report.

The demo load is run here as the Makefile's `run` recipe says (read with `make -n run`), in
this process, without the server (it would serve for ever) and without migrate (the test
database is migrated already).
"""

import logging
import shlex
import subprocess
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from criteria.models import Criterion
from projects.impact import document as impact_document
from projects.models import Action, EvaluationSession, ImpactReport, Indicator, Pledge
from syntheses import reports
from syntheses.models import Report, Scope, Snapshot
from territories.models import CoordinationGroup, Membership
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.management.commands.seed_demo import DEMO_USERS

pytestmark = pytest.mark.django_db

NOT_DEMO = ("migrate", "runserver", "compilemessages")


def run_recipe() -> list[tuple[dict[str, str], list[str]]]:
    """The manage.py commands of `make run` in order: (environment, arguments)."""
    shown = subprocess.run(
        ["make", "--no-print-directory", "-n", "run"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    commands = []
    for line in shown.splitlines():
        # The translations' shell conditional (continued lines) is no demo command.
        if "manage.py" not in line or line.rstrip().endswith("\\"):
            continue
        words = shlex.split(line)
        if "manage.py" not in words:
            continue
        position = words.index("manage.py")
        env = dict(word.split("=", 1) for word in words[:position] if "=" in word)
        arguments = words[position + 1 :]
        if arguments[0] not in NOT_DEMO:
            commands.append((env, arguments))
    return commands


@pytest.fixture
def first_run(settings, tmp_path, monkeypatch, caplog, django_capture_on_commit_callbacks):
    """What `make run` prints before the server's banner, and the level it logs at."""
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"
    # WeasyPrint takes seconds a report: a stand-in PDF (the reports' own tests draw real ones).
    monkeypatch.setattr(reports, "report_pdf", lambda html: (b"%PDF-1.7\n% demo\n", 1))
    monkeypatch.setattr(
        impact_document, "impact_report_pdf", lambda html: (b"%PDF-1.7\n% demo\n", 1)
    )
    recipe = run_recipe()
    load = [(env, arguments) for env, arguments in recipe if "--logins" not in arguments]
    levels = {env.get("LOG_LEVEL") for env, _arguments in load}
    assert levels == {"WARNING"}, f"the demo load must log warnings and errors only: {recipe}"
    caplog.set_level(logging.WARNING)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        for _env, arguments in recipe:
            call_command(*arguments, stdout=out, stderr=out)
    return recipe, out.getvalue()


def test_the_demo_logins_are_the_last_thing_printed(first_run, caplog):
    recipe, printed = first_run

    assert recipe[-1][1] == ["seed_demo", "--logins"]
    lines = printed.rstrip("\n").splitlines()
    tail = lines[-(len(DEMO_USERS) + 2) :]
    assert tail[0] == "Demo logins (local only):", printed[-2000:]
    for user, line in zip(DEMO_USERS, tail[1:-1], strict=True):
        assert line.startswith(f"  {user.username:<12} / {user.password}"), line
    assert tail[-1].startswith("Open http")
    assert printed.count("Demo logins (local only):") == 1
    # Passwords are the printed ones: no note that some may have been changed.
    assert "existing ones were kept" not in printed
    # Inline tasks ran (reports were drawn) without a log line each.
    assert not [r for r in caplog.records if "succeeded in" in r.getMessage()]


def test_the_facilitators_groups_have_criteria_syntheses_and_a_report(first_run):
    hint = next(user.role for user in DEMO_USERS if user.username == "facilitator")
    with cross_tenant():
        groups = list(
            CoordinationGroup.objects.filter(
                memberships__user__username="facilitator",
                memberships__role=Membership.Role.FACILITATOR,
            ).order_by("name")
        )
        # "facilitator of the demo coordination groups (Mulhouse, Charleroi…)"
        named = [name.strip(" …") for name in hint.split("(")[1].rstrip(")").split(",")]
        assert named and set(named) <= {group.name for group in groups}, (named, groups)
        for group in groups:
            criteria = Criterion.objects.filter(tenant=group)
            assert criteria.count() >= 20, group.name
            assert criteria.filter(status=Criterion.Status.CLASSIFIED).exists(), group.name
            assert criteria.filter(entered_by__username="facilitator").count() == criteria.count()
            snapshot = Snapshot.objects.get(scope=Scope.COORDINATION_GROUP, scope_id=group.pk)
            assert snapshot.criteria_count > 0 and snapshot.groups_count > 0, group.name
            report = Report.objects.get(scope=Scope.COORDINATION_GROUP, scope_id=group.pk)
            assert report.status == Report.Status.DONE, (group.name, report.message)
            assert report.language in group.languages
        waiting = Criterion.objects.filter(
            tenant__in=groups, status=Criterion.Status.UNCLASSIFIED
        ).count()
    assert waiting >= 10  # a classification queue to try


def test_the_network_and_the_facilitators_countries_have_a_current_report(first_run):
    """Nobody has to ask: the demo shows the current reports a worker draws after figures
    change, for the network and for each country of the facilitator's groups."""
    with cross_tenant():
        countries = set(
            CoordinationGroup.objects.filter(
                memberships__user__username="facilitator",
                memberships__role=Membership.Role.FACILITATOR,
            ).values_list("country_id", flat=True)
        )
    current = Report.objects.filter(current=True, status=Report.Status.DONE)
    assert current.filter(scope=Scope.NETWORK).count() == 1
    assert set(current.filter(scope=Scope.COUNTRY).values_list("scope_id", flat=True)) == countries


def test_a_platform_goes_from_its_synthesis_to_action(first_run):
    """The demo shows the second half of the method: indicators, two evaluations, actions with
    pledges and an impact report, all published."""
    with cross_tenant():
        indicators = Indicator.objects.filter(status=Indicator.Status.PUBLISHED)
        assert indicators.count() >= 3
        tenant = indicators.first().tenant
        sessions = EvaluationSession.objects.filter(
            tenant=tenant, status=EvaluationSession.Status.PUBLISHED
        )
        assert sessions.count() == 2
        assert all(session.placements.exists() for session in sessions)
        actions = Action.objects.filter(tenant=tenant, published=True)
        assert actions.count() >= 2
        assert Pledge.objects.filter(action__in=actions).count() >= 6
        assert actions.filter(before__isnull=False, after__isnull=False).exists()
        assert ImpactReport.objects.filter(tenant=tenant, status=ImpactReport.Status.DONE).exists()
