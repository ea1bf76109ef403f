"""GIN index on Page.search_vector, PostgreSQL only.

A RunPython rather than a GinIndex in Page.Meta: the index type does not exist on SQLite, which
development and part of the test suite use, and Meta indexes cannot be made vendor-specific.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS wiki_page_search_gin ON wiki_page USING gin (search_vector)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS wiki_page_search_gin")


class Migration(migrations.Migration):
    dependencies = [("wiki", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
