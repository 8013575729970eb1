"""End to end on a hostile inbox: a generated municipality with every class of
``tests.hostile.catalog`` added (message damage, BSNs where none belong, amounts no mart holds,
workbook cells and decompression bombs, ambiguous budget versions, file names with a BSN or not
UTF-8) and a hundred mutants of its own messages.

``sdw run`` twice in a row on the same warehouse and inbox: both publish (exit 3 where files
were refused whole, which it names: the first run, by construction; else 0), and the second
publishes the same marts. No clear BSN anywhere a person or a BI tool can look: not in the
warehouse (every schema, marts included, file names included), not in the runs' output, the
logs, the report HTML or any file name under the state folder, not in Airflow's metadata
database. A BSN is counted as a reader sees it (``tests.hostile.scan``): a run of nine ASCII
digits passing the elfproef, as written or once marks are dropped and other scripts' digits read
as ASCII, that is also in the inbox (in a file or a file name, seen the same way). A BSN only
enters through the inbox; the numbers a run mints itself (UUIDs, SHA-256 file hashes, Airflow's
correlation ids, the constants of the charting library inlined in the report) hold such runs by
the dozen and are nobody's BSN. The peak memory of the runs stays under 1.5 GB.
"""

from __future__ import annotations

import os
import random
import re
import resource
import sqlite3
from pathlib import Path

import psycopg
import pytest

from tests.e2e.test_scenario import sdw_run
from tests.hostile.catalog import write_all
from tests.hostile.scan import bsns_in_bytes, bsns_seen, is_pseudonym_column
from tests.hostile.seeds import generated
from tests.mutation.mutate import PLANTED_BSN, bsns_in, mutate

pytestmark = pytest.mark.e2e
PEAK_LIMIT_KB = 1_500 * 1024  # 1.5 GB, in ru_maxrss's unit on Linux (kilobytes)
_TIMES = ("timestamp with time zone", "timestamp without time zone", "date")
# Which publication a mart row belongs to: a new one each run, by design.
_BOOKKEEPING = {"run_id", "publication_id"}
# Describes the publication in force (its id, its validation run's counts, audit's record of
# the marts' sizes), not the data: compared through audit.publication.mart_rows below.
_ABOUT_THE_PUBLICATION = {"data_freshness"}


def _run(inbox: Path, url: str, state: Path) -> dict:
    """One `sdw run`; its failure is recorded, not raised, so the scans still look at what it
    left behind. ru_maxrss of the children: the largest resident set of any process this test
    run has waited for (on Linux it includes the RSS pytest had when it forked, so it is an
    upper bound of the run's own peak)."""
    try:
        # 3: published, with files refused whole (named in the output): what this inbox is for
        proc = sdw_run(inbox, url, state, expect=(0, 3))
        result = {"ok": True, "code": proc.returncode, "output": proc.stdout + proc.stderr}
    except AssertionError as exc:
        result = {"ok": False, "code": None, "output": str(exc)}
    result["peak_kb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return result


def _marts(url: str) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every mart's rows, without columns that say when (a load or publication time)."""
    out = {}
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
        ).fetchall()
        for (table,) in tables:
            if table in _ABOUT_THE_PUBLICATION:
                continue
            columns = [
                c
                for c, t in conn.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = 'marts' AND table_name = %s ORDER BY ordinal_position",
                    (table,),
                )
                if t not in _TIMES and not c.endswith("_at") and c not in _BOOKKEEPING
            ]
            select = ", ".join(f'"{c}"::text' for c in columns)
            rows = conn.execute(f'SELECT {select} FROM marts."{table}"').fetchall()
            out[table] = (columns, sorted(rows, key=repr))
        (mart_rows,) = conn.execute(
            "SELECT mart_rows FROM audit.publication ORDER BY published_at DESC, "
            "publication_id DESC LIMIT 1"
        ).fetchone()
    # data_freshness counts the publication it describes: 0 rows when the first publication
    # records it (the row it reads is not written yet), its marts' count later
    counted = {k: v for k, v in mart_rows.items() if k not in _ABOUT_THE_PUBLICATION}
    out["audit.publication.mart_rows"] = (["mart_rows"], sorted(counted.items()))
    return out


def _changed_columns(first: tuple, second: tuple) -> list[str]:
    """The columns whose values differ between two snapshots of one mart (names only)."""
    (columns, a), (_, b) = first, second
    if columns == ["mart_rows"]:  # the marts audit counted: name the ones that changed
        return sorted(
            f"{k}: {dict(a).get(k)} -> {dict(b).get(k)}"
            for k in dict(a).keys() | dict(b).keys()
            if dict(a).get(k) != dict(b).get(k)
        )
    if len(a) != len(b):
        return [f"rows {len(a)} -> {len(b)}"]
    return [c for i, c in enumerate(columns) if [r[i] for r in a] != [r[i] for r in b]]


@pytest.fixture(scope="module")
def hostile_run(make_database, tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("hostile")
    inbox = generated(work)  # the generated municipality is the inbox
    messages = sorted(inbox.glob("*.xml"))
    written = write_all(inbox, inbox)
    messages = [p for p in messages if p.exists()]  # hostile_names moved two of them
    rng = random.Random(7)
    for i in range(100):
        seed = rng.choice(messages)
        (inbox / f"m{i:03d}_{seed.name}").write_bytes(mutate(seed.read_bytes(), rng)[0])
    bsns: set[str] = set()  # every BSN of the inbox, as a reader sees it
    clients = {PLANTED_BSN, "111222333"}  # and those in Bsn elements, or planted on purpose
    for p in inbox.iterdir():
        data = p.read_bytes()
        bsns |= bsns_seen(os.fsdecode(p.name)) | bsns_in_bytes(data)
        clients |= bsns_in(data)
    url = make_database("sdw_e2e_hostile")
    state = tmp_path_factory.mktemp("state")
    first = _run(inbox, url, state)
    marts_first = _marts(url) if first["ok"] else {}
    second = _run(inbox, url, state)
    print(
        f"peak RSS of the runs' processes: {first['peak_kb'] / 1024:.0f} MB after the first, "
        f"{second['peak_kb'] / 1024:.0f} MB after the second"
    )
    return {
        "url": url,
        "state": state,
        "inbox": inbox,
        "bsns": bsns,
        "clients": clients,
        "written": written,
        "runs": (first, second),
        "marts": (marts_first, _marts(url) if second["ok"] else {}),
    }


def test_every_class_is_in_the_inbox(hostile_run: dict) -> None:
    empty = [name for name, files in hostile_run["written"].items() if not files]
    assert empty == []


def test_both_runs_pass_and_publish(hostile_run: dict) -> None:
    first, second = hostile_run["runs"]
    assert first["ok"], first["output"][-8000:]
    assert second["ok"], second["output"][-8000:]
    assert first["code"] == 3  # DOCTYPEs, bombs, broken bytes: refused whole, and named
    assert "begroting_bomb_2022.xlsx" in first["output"]
    with psycopg.connect(hostile_run["url"]) as conn:
        (published,) = conn.execute("SELECT count(*) FROM audit.publication").fetchone()
        failed = conn.execute(
            "SELECT DISTINCT data_asset FROM audit.validation_result WHERE NOT success"
        ).fetchall()
        (lines,) = conn.execute("SELECT count(*) FROM marts.care_usage_quarterly").fetchone()
        unbalanced = conn.execute(
            "SELECT source_file FROM audit.file_ledger "
            "WHERE lines_in <> lines_loaded + lines_quarantined"
        ).fetchall()
        errors = conn.execute(
            "SELECT reason_code, count(*) FROM audit.file_ledger "
            "WHERE reason_code IN ('INGEST_ERROR', 'WAREHOUSE_REJECTED') GROUP BY 1"
        ).fetchall()
    assert (published, failed) == (2, [])
    assert lines > 0
    assert unbalanced == []
    assert errors == []


def test_the_second_run_publishes_the_same_marts(hostile_run: dict) -> None:
    first, second = hostile_run["marts"]
    assert first, "the first run published no marts"
    changed = {
        t: _changed_columns(first.get(t, ([], [])), second.get(t, ([], [])))
        for t in first.keys() | second.keys()
        if first.get(t) != second.get(t)
    }
    assert changed == {}, changed


def test_peak_memory_stays_under_1_5_gb(hostile_run: dict) -> None:
    peaks = [run["peak_kb"] for run in hostile_run["runs"]]
    assert max(peaks) < PEAK_LIMIT_KB, f"peak RSS {max(peaks) / 1024:.0f} MB"


# A provider's ReferentieNummer (and what staging and lineage call it) keeps its digits: it is
# how a 325 finds its 323 (OP283), and a run of nine in it that is not the client's BSN is an
# identifier, not personal data (R000000061); the client's own BSN there is pseudonymised, which
# test_no_client_bsn_in_the_warehouse holds for every column.
_IDENTIFIER_COLUMN = re.compile(r"referentienummer|reference_number")


def _warehouse_leaks(hostile_run: dict, bsns: set[str], *, identifiers: bool = True) -> list[str]:
    """Every column (never a value) holding one of ``bsns`` as a reader sees it; with
    ``identifiers=False`` the provider's reference-number columns are not read."""
    leaks = []
    with psycopg.connect(hostile_run["url"]) as conn:
        columns = conn.execute(
            """SELECT table_schema, table_name, column_name FROM information_schema.columns
               WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
                 AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb',
                                   'ARRAY', 'USER-DEFINED')"""
        ).fetchall()
        for schema, table, column in columns:
            if is_pseudonym_column(column) or (
                not identifiers and _IDENTIFIER_COLUMN.search(column)
            ):
                continue
            # a value with a digit of any script or any non-ASCII character (a combining mark)
            for (value,) in conn.execute(
                f'SELECT DISTINCT "{column}"::text FROM "{schema}"."{table}" '
                f"""WHERE "{column}"::text ~ '[0-9]|[^\\x01-\\x7e]'"""
            ):
                if bsns_seen(value) & bsns:
                    leaks.append(f"{schema}.{table}.{column}")  # never the value itself
    return sorted(set(leaks))


def test_no_client_bsn_in_the_warehouse(hostile_run: dict) -> None:
    """The clients' BSNs (Bsn elements) and the test numbers planted in other fields, budget
    text, CSV rows and file names, as a reader sees them: in no column of any schema."""
    leaks = _warehouse_leaks(hostile_run, hostile_run["clients"])
    assert leaks == [], "\n".join(leaks)


def test_no_nine_digit_run_passing_the_elfproef_in_the_warehouse(hostile_run: dict) -> None:
    """Every run of nine digits passing the elfproef that the inbox holds anywhere, as a reader
    sees it: in no column of any schema, except a provider's reference number, whose digits are
    kept (see _IDENTIFIER_COLUMN)."""
    leaks = _warehouse_leaks(hostile_run, hostile_run["bsns"], identifiers=False)
    assert leaks == [], "\n".join(leaks)


def test_no_clear_bsn_in_the_output_logs_or_report(hostile_run: dict) -> None:
    state: Path = hostile_run["state"]
    bsns = hostile_run["bsns"]
    outputs = [n for n, run in enumerate(hostile_run["runs"], 1) if bsns_seen(run["output"]) & bsns]
    assert outputs == []
    report = state / "report" / "index.html"
    assert report.is_file(), "no report HTML was written"
    assert not bsns_in_bytes(report.read_bytes()) & bsns
    logs = list((state / "logs").glob("*.log"))
    assert logs, "no run log under the state folder"
    leaking = [
        str(p.relative_to(state))
        for p in state.rglob("*")
        if p.is_file() and p.suffix != ".db" and bsns_in_bytes(p.read_bytes()) & bsns
    ]
    assert leaking == []


def test_no_clear_bsn_in_a_file_name(hostile_run: dict) -> None:
    """Names of every file the runs wrote (logs, report, Airflow's task logs)."""
    state: Path = hostile_run["state"]
    bsns = hostile_run["bsns"]
    named = [p for p in state.rglob("*") if bsns_seen(os.fsdecode(p.relative_to(state))) & bsns]
    assert named == []


def test_no_clear_bsn_in_airflow_metadata(hostile_run: dict) -> None:
    (db,) = list(hostile_run["state"].rglob("airflow.db"))
    bsns = hostile_run["bsns"]
    leaks = []
    with sqlite3.connect(db) as conn:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert {"xcom", "rendered_task_instance_fields", "task_instance"} <= set(tables)
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    blob = value if isinstance(value, bytes) else str(value).encode()
                    if bsns_in_bytes(blob) & bsns:
                        leaks.append(table)
    assert sorted(set(leaks)) == []
