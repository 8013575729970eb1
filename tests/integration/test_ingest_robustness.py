"""A delivery nobody here wrote, through the real ingest and a real PostgreSQL: a generated
municipality with every reproducer of ``../shared/repro/reliability`` dropped in (replacing a
same-named file, as its README says) and a few hundred mutants of its own messages beside them.

What must hold: the three ingest DAGs' loads return (no file stops them), every file ends
loaded, loaded with rejections, quarantined or duplicate, each file's raw rows equal its
ledger's lines_loaded and its quarantine explains the rest, no clear BSN is in any text column
of raw, quarantine or audit nor in the log, and a second delivery of the same files changes
nothing.
"""

from __future__ import annotations

import logging
import random
import re
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest

from sdw.generate import generate
from sdw.ingest.inbox import ingest_inbox
from tests.mutation.mutate import PLANTED_BSN, bsns_in, mutate

pytestmark = pytest.mark.integration
KEY = b"test-key-" + b"x" * 32
REPRO = Path(__file__).resolve().parents[2].parent / "shared" / "repro" / "reliability"
DAGS = ("ingest_istandaarden", "ingest_cbs", "ingest_cases")
OUTCOMES = {"loaded", "loaded_with_rejections", "quarantined", "duplicate", "deferred"}
LINE_TABLES = {
    "301": "istandaarden_301_product",
    "305": "istandaarden_305_product",
    "307": "istandaarden_307_product",
    "315": "istandaarden_315_product",
    "317": "istandaarden_317_product",
    "319": "istandaarden_319_antwoord",
    "323": "istandaarden_323_prestatie",
    "325": "istandaarden_325_prestatie",
}
_NINE = re.compile(r"(?<!\d)\d{9}(?!\d)")


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    generate(inbox, clients=40, months=4, seed=7)
    if REPRO.is_dir():
        for p in REPRO.iterdir():
            if p.suffix in (".xml", ".csv"):
                shutil.copy(p, inbox / p.name)  # a temp inbox, never the project
    messages = sorted(inbox.rglob("*.xml"))
    rng = random.Random(20261130)
    mutants = inbox / "mutants"
    mutants.mkdir()
    for i in range(300):
        seed = rng.choice(messages)
        data, _ops = mutate(seed.read_bytes(), rng)
        (mutants / f"m{i:03d}_{seed.name}").write_bytes(data)
    return inbox


def _elfproef(s: str) -> bool:
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return s != "000000000" and sum(int(d) * w for d, w in zip(s, weights, strict=True)) % 11 == 0


def _clear_bsns(inbox: Path) -> set[str]:
    """Every client BSN (passing the elfproef) of every message in the inbox, and the test BSNs
    the reproducers and mutants plant in other fields (123456782, 111222333: both pass). A
    mistyped one is a BSN only within its own message: the mutation oracle checks that."""
    found = {PLANTED_BSN, "111222333"}
    for p in inbox.rglob("*.xml"):
        found |= {b for b in bsns_in(p.read_bytes()) if _elfproef(b)}
    return found


def _text_columns(conn: psycopg.Connection) -> list[tuple[str, str, str]]:
    return conn.execute(
        """SELECT table_schema, table_name, column_name FROM information_schema.columns
           WHERE table_schema IN ('raw', 'quarantine', 'audit')
             AND data_type IN ('text', 'character varying', 'json', 'jsonb')
             AND column_name NOT IN ('_source_file', 'source_file')"""
    ).fetchall()


def _snapshot(conn: psycopg.Connection) -> dict[str, int]:
    tables = conn.execute(
        "SELECT schemaname || '.' || relname FROM pg_stat_user_tables "
        "WHERE schemaname IN ('raw', 'quarantine')"
    ).fetchall()
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for (t,) in tables}


def test_a_delivery_nobody_here_wrote(
    warehouse_db: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = _inbox(tmp_path)
    bsns = _clear_bsns(inbox)
    caplog.set_level(logging.INFO)

    reports = [
        ingest_inbox(
            inbox, warehouse_db, KEY, f"t-{uuid.uuid4().hex[:8]}", dag_id=d, keep_files=True
        )
        for d in DAGS
    ]
    files = [f for r in reports for f in r.files]
    assert {f.status for f in files} <= OUTCOMES
    assert len({f.source_file for f in files}) == len(files)  # each file once, by one DAG
    assert sum(1 for f in files if f.source_file.startswith("m")) >= 300
    # the mutants reach every outcome: the test is not only of files that break early
    mutant_outcomes = {f.status for f in files if re.match(r"m\d{3}_", f.source_file)}
    assert {"loaded", "quarantined"} <= mutant_outcomes
    assert not [f for f in files if f.reason_code == "INGEST_ERROR"]

    with psycopg.connect(warehouse_db) as conn:
        ledger = conn.execute(
            """SELECT file_hash, source_file, bericht_type, status, lines_in, lines_loaded,
                      lines_quarantined FROM audit.file_ledger WHERE file_kind = 'istandaarden'"""
        ).fetchall()
        assert len(ledger) > 300
        for file_hash, name, btype, status, lines_in, loaded, quarantined in ledger:
            assert lines_in == loaded + quarantined, name
            table = LINE_TABLES.get(btype or "")
            if status != "quarantined" and table:
                (n,) = conn.execute(
                    f"SELECT count(*) FROM raw.{table} WHERE _file_hash = %s", (file_hash,)
                ).fetchone()
                assert n == loaded, name
            if quarantined:
                (nq,) = conn.execute(
                    "SELECT count(*) FROM quarantine.rejected_record WHERE _file_hash = %s",
                    (file_hash,),
                ).fetchone()
                assert nq >= 1, name

        leaks = []
        for schema, table, column in _text_columns(conn):
            for (value,) in conn.execute(
                f'SELECT DISTINCT "{column}"::text FROM {schema}."{table}" '
                f'WHERE "{column}"::text ~ %s',
                (r"\d{9}",),
            ):
                if set(_NINE.findall(value)) & bsns:
                    leaks.append(f"{schema}.{table}.{column}")  # never the value itself
        assert leaks == []
        before = _snapshot(conn)

    log_text = "\n".join(r.getMessage() for r in caplog.records)
    assert not set(_NINE.findall(log_text)) & bsns

    # the same files again: recognised by their hash, nothing written twice
    again = [
        ingest_inbox(
            inbox, warehouse_db, KEY, f"t-{uuid.uuid4().hex[:8]}", dag_id=d, keep_files=True
        )
        for d in DAGS
    ]
    assert {f.status for r in again for f in r.files} <= {"duplicate", "deferred"}
    with psycopg.connect(warehouse_db) as conn:
        assert _snapshot(conn) == before


def test_a_warehouse_that_is_gone_is_named(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "x.xml").write_text("<x/>")
    gone = "postgresql://postgres@127.0.0.1:1/none?connect_timeout=2"
    from sdw.ingest.worker import WarehouseUnavailable

    with pytest.raises(WarehouseUnavailable, match="warehouse database failed"):
        ingest_inbox(inbox, gone, KEY, "t-gone")
