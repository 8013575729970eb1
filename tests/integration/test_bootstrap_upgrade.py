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


def test_euro_totals_made_before_are_widened_to_hold_a_whole_file(fresh_db: str) -> None:
    """A file's euro total is up to 10^11 per cell times its cells: numeric(18,2) overflowed at
    100,000 cells at the bound (99,999,999,999.99 * 100,000 = 9,999,999,999,999,000.00)."""
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA raw")
        conn.execute(
            "CREATE TABLE raw.file_euro_total (amount_column text NOT NULL, "
            "file_eur numeric(18, 2) NOT NULL, quarantined_eur numeric(18, 2) NOT NULL, "
            "cells integer NOT NULL, _batch_id text NOT NULL, _source_file text NOT NULL, "
            "_file_hash text NOT NULL, _loaded_at timestamptz NOT NULL DEFAULT now())"
        )
        conn.execute("INSERT INTO raw.file_euro_total VALUES ('x', 1.50, 0, 1, 'b', 'f', 'h')")
    ensure_schema(fresh_db)
    ensure_schema(fresh_db)  # and again: nothing left to do
    with psycopg.connect(fresh_db) as conn:
        precision = conn.execute(
            "SELECT column_name, numeric_precision FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name = 'file_euro_total' "
            "AND column_name LIKE '%eur' ORDER BY 1"
        ).fetchall()
        conn.execute(
            "INSERT INTO raw.file_euro_total VALUES ('x', 9999999999999999000.00, 0, 1, 'b', "
            "'f', 'h')"
        )
        kept = conn.execute("SELECT min(file_eur) FROM raw.file_euro_total").fetchone()[0]
    assert precision == [("file_eur", 32), ("quarantined_eur", 32)]
    assert str(kept) == "1.50"
