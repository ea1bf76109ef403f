"""Query results as pandas DataFrames, for the jobs that aggregate hundreds of thousands of rows
(syntheses, project summaries)."""

import io

import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet


def queryset_frame(queryset: QuerySet, columns: list[str]) -> pd.DataFrame:
    """The rows of a values_list queryset as a DataFrame. On PostgreSQL they come as one CSV
    stream (COPY) parsed by pandas: hundreds of thousands of rows in a fraction of the time
    Python tuples take. Text columns may come back as numbers where every value looks like
    one; empty text stays empty (no NaN)."""
    if connection.vendor != "postgresql":
        return pd.DataFrame(list(queryset), columns=columns)
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter such as pk__in=[]: no row can match
        return pd.DataFrame(columns=columns)
    buffer = io.BytesIO()
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        for chunk in copy:
            buffer.write(chunk)
    buffer.seek(0)
    if not buffer.getbuffer().nbytes:
        return pd.DataFrame(columns=columns)
    return pd.read_csv(buffer, names=columns, header=None, keep_default_na=False)
