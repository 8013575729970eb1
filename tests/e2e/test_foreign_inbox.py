"""End to end on an inbox nobody here wrote: a generated municipality with every reproducer of
``../shared/repro/reliability`` dropped in (as its README says) and a hundred mutants of its own
messages. ``sdw run`` must exit 0 with every gate passed and the marts published, and no clear
BSN may be anywhere: not in the warehouse (every schema, marts included), not in the run's
output or any log under the state folder, not in Airflow's metadata database (XCom, rendered
fields, task logs' records)."""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
from pathlib import Path

import psycopg
import pytest

from sdw.generate import generate
from tests.e2e.test_scenario import sdw_run
from tests.mutation.mutate import PLANTED_BSN, bsns_in, mutate

pytestmark = pytest.mark.e2e
REPRO = Path(__file__).resolve().parents[2].parent / "shared" / "repro" / "reliability"
_NINE = re.compile(rb"(?<!\d)\d{9}(?!\d)")


def _elfproef(s: str) -> bool:
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return s != "000000000" and sum(int(d) * w for d, w in zip(s, weights, strict=True)) % 11 == 0


@pytest.fixture(scope="module")
def foreign_run(make_database, tmp_path_factory: pytest.TempPathFactory) -> dict:
    inbox = tmp_path_factory.mktemp("inbox")
    generate(inbox, clients=40, months=4, seed=7)
    if REPRO.is_dir():
        for p in REPRO.iterdir():
            if p.suffix in (".xml", ".csv"):
                shutil.copy(p, inbox / p.name)  # a temp inbox, never the project
    rng = random.Random(7)
    messages = sorted(inbox.rglob("*.xml"))
    for i in range(100):
        seed = rng.choice(messages)
        (inbox / f"m{i:03d}_{seed.name}").write_bytes(mutate(seed.read_bytes(), rng)[0])
    bsns = {PLANTED_BSN, "111222333"}
    for p in inbox.rglob("*.xml"):
        bsns |= {b for b in bsns_in(p.read_bytes()) if _elfproef(b)}
    url = make_database("sdw_e2e_foreign")
    state = tmp_path_factory.mktemp("state")
    proc = sdw_run(inbox, url, state)  # asserts exit 0
    return {"url": url, "state": state, "output": proc.stdout + proc.stderr, "bsns": bsns}


def _found(blob: bytes, bsns: set[str]) -> bool:
    return any(n.decode() in bsns for n in _NINE.findall(blob))


def test_every_gate_passes_and_the_marts_are_published(foreign_run: dict) -> None:
    with psycopg.connect(foreign_run["url"]) as conn:
        (published,) = conn.execute("SELECT count(*) FROM audit.publication").fetchone()
        (failed,) = conn.execute(
            "SELECT count(*) FROM audit.validation_result WHERE NOT success"
        ).fetchone()
        (lines,) = conn.execute("SELECT count(*) FROM marts.care_usage_quarterly").fetchone()
        ledger = conn.execute(
            "SELECT count(*) FILTER (WHERE lines_in <> lines_loaded + lines_quarantined), "
            "count(*) FROM audit.file_ledger"
        ).fetchone()
    assert published == 1 and failed == 0 and lines > 0
    assert ledger[0] == 0 and ledger[1] > 100


def test_no_clear_bsn_in_the_warehouse(foreign_run: dict) -> None:
    bsns = foreign_run["bsns"]
    leaks = []
    with psycopg.connect(foreign_run["url"]) as conn:
        columns = conn.execute(
            """SELECT table_schema, table_name, column_name FROM information_schema.columns
               WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
                 AND data_type IN ('text', 'character varying', 'json', 'jsonb')
                 AND column_name NOT IN ('_source_file', 'source_file')"""
        ).fetchall()
        for schema, table, column in columns:
            for (value,) in conn.execute(
                f'SELECT DISTINCT "{column}"::text FROM "{schema}"."{table}" '
                f'WHERE "{column}"::text ~ %s',
                (r"\d{9}",),
            ):
                if _found(value.encode(), bsns):
                    leaks.append(f"{schema}.{table}.{column}")  # never the value itself
    assert leaks == []


def test_no_clear_bsn_in_the_output_or_any_log(foreign_run: dict) -> None:
    bsns = foreign_run["bsns"]
    assert not _found(foreign_run["output"].encode(), bsns)
    leaking = [
        str(p.relative_to(foreign_run["state"]))
        for p in foreign_run["state"].rglob("*")
        if p.is_file() and p.suffix != ".db" and _found(p.read_bytes(), bsns)
    ]
    assert leaking == []


def test_no_clear_bsn_in_airflow_metadata(foreign_run: dict) -> None:
    bsns = foreign_run["bsns"]
    (db,) = list(foreign_run["state"].rglob("airflow.db"))
    leaks = []
    with sqlite3.connect(db) as conn:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert {"xcom", "rendered_task_instance_fields", "task_instance"} <= set(tables)
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    blob = value if isinstance(value, bytes) else str(value).encode()
                    if _found(blob, bsns):
                        leaks.append(table)
    assert sorted(set(leaks)) == []
