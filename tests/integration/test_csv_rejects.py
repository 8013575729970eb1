"""Rejected CSV rows through the real ingest into PostgreSQL: no clear BSN anywhere in the
warehouse, and a KWB without a_inw is in the ledger as MISSING_COLUMN, not loaded. Inputs: the
row classes of ``tests.hostile`` (generated files with one hostile row or a column cut) and
one file per class written here."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest

from sdw.ingest.inbox import ingest_inbox
from sdw.orchestration import cbs_tasks
from tests.hostile.catalog import CSV_ROW_CLASSES, write_all
from tests.hostile.seeds import generated

pytestmark = pytest.mark.integration
KEY = b"test-key-" + b"x" * 32
# both pass the elfproef (worked out in tests/unit/test_csv_contract.py)
BSNS = ("123456782", "111222333")


def test_no_clear_bsn_and_missing_column_in_the_ledger(warehouse_db: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_all(inbox, generated(tmp_path), CSV_ROW_CLASSES)
    (inbox / "adressen_eigen.csv").write_text(
        "PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n"
        "9991AB;1;9990101;99901;999\n"
        "111222333;2;9990101;99901;999\n",
        encoding="utf-8",
    )
    (inbox / "uitkeringen_eigen.csv").write_text(
        "gemeentecode;wijkcode;maand;regeling;aantal_personen\n"
        "GM0999;WK099901;2025-01;bbz;7\n"
        "GM0999;WK099901;2025-01;ioaw;111222333\n",
        encoding="utf-8",
    )
    (inbox / "kwb-2024_eigen.csv").write_text(
        "gwb_code_10;regio;recs;a_00_14\nGM0999;Denkstede;Gemeente;20\n", encoding="utf-8"
    )
    reports = {}
    for dag_id in ("ingest_istandaarden", "ingest_cbs"):
        batch = f"test-{uuid.uuid4().hex[:8]}"
        report = ingest_inbox(inbox, warehouse_db, KEY, batch, dag_id=dag_id, keep_files=True)
        if dag_id == "ingest_cbs":
            cbs_tasks.reconcile(batch, warehouse_db)
        reports.update({f.source_file: f for f in report.files})

    own = reports["kwb-2024_eigen.csv"]
    assert (own.status, own.reason_code) == ("quarantined", "MISSING_COLUMN")
    assert "a_inw" in (own.reason or "")
    assert reports["adressen_eigen.csv"].lines_quarantined == 1
    assert reports["uitkeringen_eigen.csv"].lines_quarantined == 1
    with psycopg.connect(warehouse_db) as conn:
        # 18 data lines (the municipality, 5 wijken, 12 buurten), all quarantined with the file
        assert conn.execute(
            "SELECT status, reason_code, lines_in, lines_quarantined FROM audit.file_ledger "
            "WHERE source_file = 'kwb-2024_missing_a_inw.csv'"
        ).fetchall() == [("quarantined", "MISSING_COLUMN", 18, 18)]
        assert conn.execute(
            "SELECT count(*) FROM raw.cbs_observation "
            "WHERE _source_file = 'kwb-2024_missing_a_inw.csv'"
        ).fetchone() == (0,)
        # every text column of every table of the warehouse's own schemas, as one dump
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('raw', 'quarantine', 'audit') AND table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, table in tables:
            dump = conn.execute(f'SELECT "{table}"::text FROM {schema}."{table}" AS "{table}"')
            text = "\n".join(r[0] for r in dump.fetchall())
            for bsn in BSNS:
                assert bsn not in text, f"clear BSN in {schema}.{table}"
        masked = conn.execute(
            "SELECT count(*) FROM quarantine.rejected_record WHERE original_fragment LIKE '%[bsn:%'"
        ).fetchone()[0]
    assert reports["bsn_in_row_cbs_adres_2024.csv"].lines_quarantined == 1
    assert reports["bsn_in_row_uitkeringen.csv"].lines_quarantined == 1
    assert masked == 4  # own address and benefits rows, and each hostile class's row
