"""A delivery nobody here wrote, through the real ingest and a real PostgreSQL: a generated
municipality with every class of ``tests.hostile.catalog`` added (message damage, BSNs where
none belong, CSV rows and columns, amounts, workbooks and small decompression bombs, ambiguous
versions, hostile file names) and a few hundred mutants of its own messages beside them.

What must hold: the four ingest DAGs' loads return (no file stops them), every file ends
loaded, loaded with rejections, quarantined or duplicate, each message file's raw rows equal
its ledger's lines_loaded and its quarantine explains the rest, no clear BSN (as a reader sees
it) is in any text column of raw, quarantine or audit nor in the log, and a second delivery of
the same files changes nothing.
"""

from __future__ import annotations

import logging
import random
import re
import uuid
from pathlib import Path

import psycopg
import pytest

from sdw.ingest.inbox import ingest_inbox
from tests.hostile import workbooks
from tests.hostile.catalog import CLASSES, write_all
from tests.hostile.scan import bsns_seen, is_pseudonym_column
from tests.hostile.seeds import generated
from tests.mutation.mutate import PLANTED_BSN, bsns_in, mutate

pytestmark = pytest.mark.integration
KEY = b"test-key-" + b"x" * 32
DAGS = ("ingest_istandaarden", "ingest_cbs", "ingest_cases", "ingest_finance")
# Over every workbook limit (256 MiB inflated, a ratio of 100) at a fifth of the e2e's bomb:
# the same class, written in about a second.
SMALL_BOMB = 300 * 2**20
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


def _inbox(tmp_path: Path) -> Path:
    inbox = generated(tmp_path)  # the generated municipality is the inbox
    classes = {
        **CLASSES,
        "workbook_bombs": lambda i, s: workbooks.bombs(i, s, inflated=SMALL_BOMB),
    }
    write_all(inbox, inbox, classes)
    messages = sorted(p for p in inbox.glob("*.xml") if p.name[:1] in "wj")  # generated ones
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
    the hostile classes and mutants plant in other fields (123456782, 111222333: both pass). A
    mistyped one is a BSN only within its own message: the mutation oracle checks that."""
    found = {PLANTED_BSN, "111222333"}
    for p in inbox.rglob("*.xml"):
        found |= {b for b in bsns_in(p.read_bytes()) if _elfproef(b)}
    return found


def _text_columns(conn: psycopg.Connection) -> list[tuple[str, str, str]]:
    return conn.execute(
        """SELECT table_schema, table_name, column_name FROM information_schema.columns
           WHERE table_schema IN ('raw', 'quarantine', 'audit')
             AND data_type IN ('text', 'character varying', 'json', 'jsonb')"""
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
    assert not [f for f in files if f.reason_code in ("INGEST_ERROR", "WAREHOUSE_REJECTED")]
    # every hostile class's files reached a DAG (the bombs and workbooks too)
    names = {f.source_file for f in files}
    assert {
        "begroting_bomb_2022.xlsx",
        "kwb-2024_bomb.xlsx",
        "begroting_xlsx_2022-X01.xlsx",
    } <= names

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
            if is_pseudonym_column(column):
                continue
            # a value with an ASCII digit or any non-ASCII character (other scripts' digits,
            # combining marks): the BSNs of the inbox as a reader sees them
            for (value,) in conn.execute(
                f'SELECT DISTINCT "{column}"::text FROM {schema}."{table}" '
                f"""WHERE "{column}"::text ~ '[0-9]|[^\\x01-\\x7e]'"""
            ):
                if bsns_seen(value) & bsns:
                    leaks.append(f"{schema}.{table}.{column}")  # never the value itself
        assert sorted(set(leaks)) == []
        before = _snapshot(conn)

    log_text = "\n".join(r.getMessage() for r in caplog.records)
    assert not bsns_seen(log_text) & bsns

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
