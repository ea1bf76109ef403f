"""syntheses 0010 (current reports) goes back as well as forward, with reports in progress."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from syntheses.models import Report, Scope
from tests.factories import make_coordination_group


@pytest.mark.django_db(transaction=True)
def test_going_back_with_a_current_and_a_requested_report_in_progress():
    """Both may be in progress at once since 0010; the older constraint allows only one, so
    going back fails the current one first instead of failing the migration."""
    group = make_coordination_group()
    common = {"scope": Scope.COUNTRY, "scope_id": group.country_id, "language": "en", "filters": {}}
    requested = Report.objects.create(**common, status=Report.Status.QUEUED)
    current = Report.objects.create(**common, status=Report.Status.RUNNING, current=True)
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("syntheses", "0009_project_scope")])
        old = executor.loader.project_state([("syntheses", "0009_project_scope")]).apps
        reports = old.get_model("syntheses", "Report")
        assert reports.objects.get(pk=requested.pk).status == "queued"
        assert reports.objects.get(pk=current.pk).status == "failed"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert Report.objects.get(pk=current.pk).current is False  # the column came back empty
