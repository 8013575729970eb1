"""File names are data from outside (``sdw.ingest.guard``, ``sdw.ingest.sealed``): a name that
is not UTF-8 and a name holding a BSN load like any other file, through the mapped tasks' XCom
(JSON) too, and no clear BSN or undecodable name reaches the warehouse."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from sdw.generate import generate
from sdw.ingest.inbox import finish_batch, ingest_inbox, ingest_part, plan_parts
from sdw.warehouse.bootstrap import ensure_schema

pytestmark = pytest.mark.integration
KEY = b"test-key-" + b"n" * 32
BSN = "123456782"  # passes the elfproef: 9+16+21+24+25+24+21+16-2 = 154 = 14*11


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    generate(inbox, clients=6, months=2, seed=7)
    first_307 = next(inbox.glob("wmo_307_*.xml"))
    first_325 = next(inbox.glob("*_325_*.xml"))
    os.rename(bytes(first_307), os.fsencode(inbox) + b"/wmo_307_\xff\xfe_not_utf8.xml")
    first_325.rename(inbox / f"wmo_325_client_{BSN}.xml")
    return inbox


def _text_values(url: str) -> list[str]:
    """Every text value of every table in raw, audit and quarantine."""
    out: list[str] = []
    with psycopg.connect(url) as conn:
        columns = conn.execute(
            """SELECT table_schema, table_name, column_name FROM information_schema.columns
               WHERE table_schema IN ('raw', 'audit', 'quarantine')
                 AND data_type IN ('text', 'character varying')"""
        ).fetchall()
        for schema, table, column in columns:
            out += [
                r[0]
                for r in conn.execute(
                    f'SELECT "{column}" FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL'
                )
            ]
    return out


def test_hostile_names_load_through_parts_and_leave_no_trace(
    make_database: Callable[[str], str], tmp_path: Path
) -> None:
    inbox = _inbox(tmp_path)
    url = make_database("sdw_test_names")
    ensure_schema(url)
    planned, parts = plan_parts(inbox, url, KEY, "names", parts=2)
    parts = json.loads(json.dumps(parts))  # what XCom does to them
    assert BSN not in json.dumps(parts)
    reports = [ingest_part(p, url, KEY, "names").to_dict() for p in parts]
    merged = finish_batch(url, "names", [planned.to_dict(), *reports])
    assert BSN not in json.dumps(merged)
    assert merged["files_quarantined"] == 0

    values = _text_values(url)
    assert not [v for v in values if BSN in v]
    with psycopg.connect(url) as conn:
        status = dict(conn.execute("SELECT source_file, status FROM audit.file_ledger"))
    assert status["wmo_307_\\xff\\xfe_not_utf8.xml"] == "loaded"
    assert [s for n, s in status.items() if n.startswith("wmo_325_client_[bsn:")] == ["loaded"]


def test_the_same_hostile_inbox_twice_gives_the_same_warehouse(
    make_database: Callable[[str], str], tmp_path: Path
) -> None:
    inbox = _inbox(tmp_path)
    url = make_database("sdw_test_names_twice")
    ensure_schema(url)
    first = ingest_inbox(inbox, url, KEY, "first").to_dict()
    shutil.copytree(inbox, tmp_path / "again")
    second = ingest_inbox(tmp_path / "again", url, KEY, "second").to_dict()
    assert second["files_duplicate"] == first["files_seen"]
    assert second["files_loaded"] == 0
