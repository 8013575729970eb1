"""The one reconcile (sdw.ingest.reconcile) on a real warehouse: a delivery that loaded as its
ledger says passes; a lost quarantine record, a line written twice or a lost raw line fails,
whatever the source. And the sign's SQL twin, as the suites run it."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from sdw.ingest.inbox import ingest_inbox
from sdw.istandaarden.rules import signed_sql
from sdw.orchestration import tasks

KEY = b"reconcile-test-key-0123456789abcdef"


def test_sign_in_sql_agrees_with_python(warehouse_db: str) -> None:
    expr = signed_sql("a", "dc")
    with psycopg.connect(warehouse_db) as conn:
        got = conn.execute(
            f"SELECT {expr} FROM (VALUES (1250, 'D', 1), (1250, 'C', 2), (1250, 'X', 3)) "
            "AS t(a, dc, n) ORDER BY n"
        ).fetchall()
    assert [r[0] for r in got] == [1250, -1250, None]


@pytest.fixture
def loaded(warehouse_db: str, tmp_path: Path) -> str:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # 3 data lines: two good, one with month 13 -> 2 loaded + 1 quarantined.
    (inbox / "uitkeringen.csv").write_text(
        "gemeentecode;wijkcode;maand;regeling;aantal_personen\n"
        "GM0999;WK099901;2025-01;bbz;7\n"
        "GM0999;WK099902;2025-01;bbz;3\n"
        "GM0999;WK099901;2025-13;bbz;7\n",
        encoding="utf-8",
    )
    report = ingest_inbox(inbox, warehouse_db, KEY, "batch-r", dag_id="ingest_cbs", keep_files=True)
    (f,) = report.files
    assert (f.lines_in, f.lines_loaded, f.lines_quarantined) == (3, 2, 1)
    return warehouse_db


def test_a_delivery_as_its_ledger_says_reconciles(loaded: str) -> None:
    assert tasks.reconcile("batch-r", "ingest_cbs", loaded) == {"files_checked": 1}


def test_a_lost_quarantine_record_fails(loaded: str) -> None:
    with psycopg.connect(loaded) as conn:
        conn.execute("DELETE FROM quarantine.rejected_record")
    with pytest.raises(RuntimeError, match="1 lines quarantined, quarantine has 0"):
        tasks.reconcile("batch-r", "ingest_cbs", loaded)


def test_a_line_written_twice_fails(loaded: str) -> None:
    with psycopg.connect(loaded) as conn:
        conn.execute(
            "INSERT INTO raw.cbs_municipal_benefit "
            "SELECT * FROM raw.cbs_municipal_benefit LIMIT 1"
        )
    with pytest.raises(RuntimeError, match=r"2 lines loaded, raw\.cbs_municipal_benefit has 3"):
        tasks.reconcile("batch-r", "ingest_cbs", loaded)


def test_a_lost_raw_line_fails(loaded: str) -> None:
    with psycopg.connect(loaded) as conn:
        conn.execute(
            "DELETE FROM raw.cbs_municipal_benefit WHERE line_number = 2"
        )
    with pytest.raises(RuntimeError, match=r"2 lines loaded, raw\.cbs_municipal_benefit has 1"):
        tasks.reconcile("batch-r", "ingest_cbs", loaded)
