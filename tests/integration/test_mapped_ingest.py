"""One delivery loaded in parts (ingest_istandaarden's mapped tasks: plan_parts ->
ingest_part per part -> finish_batch) ends as one ingest_inbox leaves it: the same counts and
the same raw and quarantine rows. A part that runs again after its worker was lost (its files
committed already) counts them as the first attempt did, and writes nothing twice."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from sdw.generate import generate
from sdw.ingest.inbox import finish_batch, ingest_inbox, ingest_part, plan_parts, split_parts
from sdw.warehouse.bootstrap import ensure_schema

pytestmark = pytest.mark.integration
KEY = b"test-key-" + b"x" * 32
COUNTS = (
    "files_seen",
    "files_loaded",
    "files_with_rejections",
    "files_quarantined",
    "files_duplicate",
    "files_deferred",
    "lines_in",
    "lines_loaded",
    "lines_quarantined",
)


def _rows(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in (
                "raw.istandaarden_323_prestatie",
                "raw.cbs_adres_gebied",
                "quarantine.rejected_record",
                "audit.file_ledger",
            )
        }


def test_split_parts_keeps_order_and_balances_bytes(tmp_path: Path) -> None:
    files = []
    for i, size in enumerate((10, 10, 10, 10, 40, 10, 10)):
        p = tmp_path / f"f{i}"
        p.write_bytes(b"x" * size)
        files.append((str(p), f"h{i}", "k"))
    parts = split_parts(files, 3)
    assert [[h for _p, h, _k in part] for part in parts] == [
        ["h0", "h1", "h2", "h3"],  # 40 of 100 bytes: the first third is passed
        ["h4"],
        ["h5", "h6"],
    ]
    assert split_parts(files[:2], 5) == [[files[0]], [files[1]]]  # never an empty part
    assert split_parts([], 4) == [[]]  # but always one part to map over


def test_parts_load_as_one_delivery(make_database: Callable[[str], str], tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    generate(inbox, clients=12, months=3, seed=5)
    shutil.copy(  # the same bytes twice in one delivery: a duplicate, whichever part
        next(inbox.glob("wmo_323_*.xml")), inbox / "zz_resent_323.xml"
    )
    whole, split = make_database("sdw_test_whole"), make_database("sdw_test_parts")
    for url in (whole, split):
        ensure_schema(url)
    once = ingest_inbox(inbox, whole, KEY, "whole").to_dict()

    planned, parts = plan_parts(inbox, split, KEY, "parts", parts=3)
    assert len(parts) == 3 and all(parts)
    assert planned.count("loaded") == 1  # the CBS address file, before any part
    assert planned.count("duplicate") == 1
    first = ingest_part(parts[0], split, KEY, "parts").to_dict()
    retried = ingest_part(parts[0], split, KEY, "parts").to_dict()  # the worker was lost
    assert {k: retried[k] for k in COUNTS} == {k: first[k] for k in COUNTS}
    rest = [ingest_part(p, split, KEY, "parts").to_dict() for p in parts[1:]]
    merged = finish_batch(split, "parts", [planned.to_dict(), retried, *rest])

    assert {k: merged[k] for k in COUNTS} == {k: once[k] for k in COUNTS}
    assert merged["files_duplicate"] == 1 and merged["files_loaded"] >= 10
    assert _rows(split) == _rows(whole)
    with psycopg.connect(split) as conn:
        batch = conn.execute(
            "SELECT files_seen, files_loaded, files_skipped, finished_at IS NOT NULL "
            "FROM audit.ingest_batch WHERE batch_id = 'parts'"
        ).fetchone()
    assert batch == (once["files_seen"], once["files_loaded"], 1, True)
