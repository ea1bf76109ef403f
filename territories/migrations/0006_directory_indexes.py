"""Indexes for the directory of coordination groups and its feed.

Visible groups by name (a page of the directory, and its count) and by last change (the groups
feed), on every database; and the full-text search's GIN index, on PostgreSQL only.

For the search, an expression index rather than a stored search vector: nothing has to keep a
column up to date on every write path. Built by Django from the same SearchVector expression
the directory's search uses (territories.directory.selectors.group_search_vector), so the
planner matches the two; the expression is repeated here because a migration must not change
when application code does.

A RunPython rather than a GinIndex in CoordinationGroup.Meta: the index type does not exist on
SQLite, which development and part of the test suite use (as wiki 0002 explains).
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

INDEX_NAME = "territories_cg_search_gin"
SEARCH_FIELDS = (
    "name",
    "network_id",
    "actor_type",
    "platform_description",
    "territory_description",
    "process_summary",
    "stakeholders",
)


def _index() -> GinIndex:
    return GinIndex(SearchVector(*SEARCH_FIELDS, config="simple"), name=INDEX_NAME)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("territories", "CoordinationGroup"), _index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [("territories", "0005_group_profiles")]

    operations = [
        migrations.AddIndex(
            model_name="coordinationgroup",
            index=models.Index(
                condition=models.Q(("is_hidden", False)),
                fields=["name", "id"],
                name="territories_cg_visible_name",
            ),
        ),
        migrations.AddIndex(
            model_name="coordinationgroup",
            index=models.Index(
                condition=models.Q(("is_hidden", False)),
                fields=["-modified_at"],
                name="territories_cg_changed",
            ),
        ),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
