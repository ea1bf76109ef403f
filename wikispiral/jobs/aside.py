"""Writing a job's progress where a page can read it while the job's transaction still holds
its own writes: one UPDATE on a connection of its own."""

import logging

from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.models import Model

logger = logging.getLogger(__name__)


def row_update_aside(
    model: type[Model],
    pk: int,
    values: dict[str, str | int],
    *,
    only_if: dict[str, str | int] | None = None,
) -> None:
    """UPDATE model's row pk (and only_if's columns still equal to theirs) with values, on a
    connection of its own, committed at once. PostgreSQL only: SQLite would wait on its own
    writer's lock, so elsewhere nothing is written (the page then shows the end only). A
    failure is logged, never raised: progress is not worth stopping the job for."""
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(model._meta.db_table)
    sets = ", ".join(f"{connection.ops.quote_name(column)} = %s" for column in values)
    conditions = "".join(f" AND {connection.ops.quote_name(c)} = %s" for c in only_if or {})
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {sets} WHERE id = %s{conditions}",  # noqa: S608 (our names)
                [*values.values(), pk, *(only_if or {}).values()],
            )
    except OperationalError:
        logger.warning("progress of %s %s not recorded", model.__name__, pk)
    finally:
        side.close()
