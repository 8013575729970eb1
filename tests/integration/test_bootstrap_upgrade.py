"""An existing warehouse built before a model became incremental: its plain table lacks the
bookkeeping column, so the bootstrap drops it and dbt builds it in full once (a plain
`dbt build` would otherwise fail on it). A table that has the column is left alone."""

from __future__ import annotations

import psycopg
import pytest

from sdw.warehouse.bootstrap import ensure_schema

pytestmark = pytest.mark.integration

TABLE = "intermediate.int_declaration_lines_assessed"


def _exists(url: str) -> bool:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (TABLE,)).fetchone()[0]


def test_a_pre_incremental_table_is_dropped_and_a_current_one_kept(fresh_db: str) -> None:
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA intermediate")
        conn.execute(f"CREATE TABLE {TABLE} (law text, reference_number text)")
    ensure_schema(fresh_db)
    assert not _exists(fresh_db)

    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {TABLE} (law text, assessed_at timestamptz)")
    ensure_schema(fresh_db)
    assert _exists(fresh_db)
