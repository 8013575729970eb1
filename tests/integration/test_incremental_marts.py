"""The incremental care models equal a full rebuild after every month of a generated year.

A generated municipality (the irregular shape: two municipalities, 325 answers two to four
months late, December lines credited in January, clients whose later 301 moves them to another
district) is ingested month by month, by each message's Dagtekening, with the real ingest.
After each month one database gets the normal, incremental ``dbt run`` on top of its previous
builds; a copy of it (``CREATE DATABASE ... TEMPLATE``: the same raw rows, batch ids and load
times) gets ``dbt run --full-refresh``. Every incremental model and both care marts must then
hold the same rows in both, as multisets (bookkeeping columns left out).
"""

from __future__ import annotations

import re
import shutil
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from sdw.generate import generate
from sdw.ingest.inbox import ingest_inbox

pytestmark = pytest.mark.integration

KEY = b"test-key-" + b"x" * 32
CARE = "+care_usage_quarterly +care_usage_by_district_quarterly"
# After the first build (which makes the staging views): the tables of CARE only.
CARE_TABLES = (
    "int_assignments_mapped_to_districts int_population_pivoted_to_regions "
    "int_declaration_lines_assessed int_care_usage_measured_by_quarter "
    "int_care_usage_measured_by_district_quarter care_usage_quarterly "
    "care_usage_by_district_quarterly"
)
# relation -> columns left out of the comparison (when a row was computed, not what it says)
COMPARED = {
    "intermediate.int_declaration_lines_assessed": {"assessed_at"},
    "intermediate.int_care_usage_measured_by_quarter": {"lines_assessed_through"},
    "intermediate.int_care_usage_measured_by_district_quarter": {"lines_assessed_through"},
    "marts_candidate.care_usage_quarterly": set(),
    "marts_candidate.care_usage_by_district_quarterly": set(),
}
_MESSAGE = re.compile(r"^(?:GM\d{4}_)?(wmo|jeugdwet)_\d{3}_.*\.xml$")
_DAGTEKENING = re.compile(rb"Dagtekening>(\d{4}-\d{2})-\d{2}<")


def _months(gen: Path) -> list[list[Path]]:
    """The generated files in the order they arrive: every message in the month of its
    Dagtekening (a 323 the month after its service month, a late 325 months later); the CBS
    files, and the messages dated before the first 323, with the first month."""
    by_month: dict[str, list[Path]] = {}
    first: list[Path] = []
    for p in sorted(gen.iterdir()):
        if p.name.startswith("."):
            continue
        if _MESSAGE.match(p.name):
            with p.open("rb") as fh:
                found = _DAGTEKENING.search(fh.read(4096))
            assert found, p.name
            by_month.setdefault(found.group(1).decode(), []).append(p)
        else:
            first.append(p)
    # the first month also brings what is dated before the first declaration (the 301s and
    # stops of clients already in care when the window opens)
    first_323 = min(m for m, files in by_month.items() if any("_323_" in p.name for p in files))
    for m in sorted(by_month):
        if m < first_323:
            first += by_month.pop(m)
    months = [by_month[m] for m in sorted(by_month)]
    months[0] = first + months[0]
    return months


def _ingest(files: list[Path], inbox: Path, url: str) -> None:
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir(parents=True)
    for f in files:
        (inbox / f.name).symlink_to(f)
    batch = f"incr-{uuid.uuid4().hex[:8]}"
    for dag_id in ("ingest_istandaarden", "ingest_cbs"):
        ingest_inbox(inbox, url, KEY, f"{batch}-{dag_id}", dag_id=dag_id)


def _dbt(url: str, work: Path, *args: str) -> None:
    from dbt.cli.main import dbtRunner

    from sdw.config import dbt_project_dir
    from sdw.warehouse.connection import dbt_env

    project = dbt_project_dir()
    argv = [*args, "--project-dir", str(project), "--profiles-dir", str(project),
            "--target-path", str(work / "target"), "--log-path", str(work / "logs")]  # fmt: skip
    with pytest.MonkeyPatch.context() as env:
        for key, value in dbt_env(url).items():
            env.setenv(key, value)
        result = dbtRunner().invoke(argv)
    failed = [
        f"{r.node.unique_id}: {r.status} {r.message}"
        for r in (result.result or [])
        if str(r.status) not in ("success", "pass")
    ]
    assert result.success, f"dbt {' '.join(args)} failed: {result.exception} {failed}"


def _rows(url: str) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    with psycopg.connect(url) as conn:
        for rel, skip in COMPARED.items():
            schema, table = rel.split(".")
            cols = [
                c
                for (c,) in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
                    "AND table_name = %s ORDER BY ordinal_position",
                    (schema, table),
                )
                if c not in skip
            ]
            assert cols, rel
            out[rel] = Counter(conn.execute(f"SELECT {', '.join(cols)} FROM {rel}").fetchall())
    return out


def _copy(admin_url: str, url: str) -> str:
    """A copy of the database ``url`` (raw rows and dbt's incremental state alike)."""
    name = url.rsplit("/", 1)[1]
    copy = f"{name}_full"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        # dbt's own pooled sessions on the source may still be closing
        for _ in range(50):
            (others,) = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)
            ).fetchone()
            if not others:
                break
            time.sleep(0.1)
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + copy


def _drop(admin_url: str, url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def test_incremental_care_models_equal_a_full_rebuild_every_month(
    warehouse_db: str, pg_admin_url: str, tmp_path: Path
) -> None:
    gen = tmp_path / "generated"
    generate(gen, clients=40, months=12, seed=7, shape="irregular")
    months = _months(gen)
    assert len(months) >= 13  # 12 service months, answers and 323s of the last one after it
    _dbt(warehouse_db, tmp_path / "dbt", "seed")
    seen: Counter = Counter()
    for i, files in enumerate(months):
        _ingest(files, tmp_path / "inbox", warehouse_db)
        _dbt(warehouse_db, tmp_path / "dbt", "run", "--select", CARE_TABLES if i else CARE)
        full = _copy(pg_admin_url, warehouse_db)
        try:
            _dbt(full, tmp_path / "dbt-full", "run", "--full-refresh", "--select", CARE_TABLES)
            incremental, rebuilt = _rows(warehouse_db), _rows(full)
        finally:
            _drop(pg_admin_url, full)
        for rel in COMPARED:
            only_incr = incremental[rel] - rebuilt[rel]
            only_full = rebuilt[rel] - incremental[rel]
            assert not only_incr and not only_full, (
                f"month {i + 1}: {rel} differs from a full rebuild: "
                f"{sum(only_incr.values())} rows only incremental, "
                f"{sum(only_full.values())} only in the rebuild; e.g. "
                f"{next(iter(only_incr), None)} / {next(iter(only_full), None)}"
            )
        seen.update({rel: sum(c.values()) for rel, c in incremental.items()})
    with psycopg.connect(warehouse_db) as conn:
        (late,) = conn.execute(
            """SELECT count(*) FROM raw.istandaarden_325_prestatie a
               JOIN raw.istandaarden_323_prestatie l
                 ON l.aanbieder_agb = a.aanbieder_agb AND l.referentienummer = a.referentienummer
                AND l.wet = a.wet
               WHERE a._batch_id <> l._batch_id"""
        ).fetchone()
    # what the months had to carry over: answers that came after their lines
    assert late >= 1
    assert all(seen[rel] > 0 for rel in COMPARED)
