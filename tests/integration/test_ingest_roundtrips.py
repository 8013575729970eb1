"""Round trips per group of files, counted: the ingest asks the warehouse once per group of
files (ledger duplicate check, OP283 look-up, 301 addresses, ledger rows), not once per file:
a delivery of many small files is otherwise mostly waiting on PostgreSQL. Counts of
statements, never timers, so the batching cannot silently regress; and the verdicts stay
those of a file-by-file ingest."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from sdw.ingest.inbox import ingest_inbox
from sdw.ingest.report import BatchReport
from tests.integration.test_ingest import _variant

pytestmark = pytest.mark.integration
KEY = b"test-key-" + b"x" * 32


def _kind(query: object) -> str:
    text = " ".join(str(query).split())
    verb = text.split(" ", 1)[0].upper()
    for table in ("raw.istandaarden_323_prestatie", "audit.file_ledger", "raw.cbs_adres_gebied"):
        if table in text:
            return f"{verb} {table}"
    return verb


@contextmanager
def counted() -> Iterator[Counter[str]]:
    """Statements sent from this process (execute and COPY), by verb and table."""
    counts: Counter[str] = Counter()
    execute, copy = psycopg.Cursor.execute, psycopg.Cursor.copy

    def _execute(self, query, params=None, **kw):  # type: ignore[no-untyped-def]
        counts[_kind(query)] += 1
        return execute(self, query, params, **kw)

    def _copy(self, statement, params=None, **kw):  # type: ignore[no-untyped-def]
        counts[_kind(statement)] += 1
        return copy(self, statement, params, **kw)

    psycopg.Cursor.execute = _execute  # type: ignore[method-assign]
    psycopg.Cursor.copy = _copy  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]
        psycopg.Cursor.copy = copy  # type: ignore[method-assign]


def _declarations(reference_dir: Path, inbox: Path, first: int, n: int) -> None:
    """``n`` copies of WMO323.xml (4 lines, 2 clients with valid BSNs), each with its own
    ReferentieNummers F<i>001..F<i>004 and DeclaratieNummer."""
    inbox.mkdir(parents=True, exist_ok=True)
    for i in range(first, first + n):
        _variant(
            reference_dir,
            "WMO323.xml",
            inbox / f"decl_{i:03d}.xml",
            ("<iwmo:ReferentieNummer>RN", f"<iwmo:ReferentieNummer>F{i:03d}", 0),
            ("<wmo323:DeclaratieNummer>DN001<", f"<wmo323:DeclaratieNummer>D{i:03d}<", 1),
        )


def _ingest(inbox: Path, url: str, keep_files: bool = True) -> tuple[BatchReport, Counter[str]]:
    with counted() as counts:
        # one worker: every statement is sent from this process, where it is counted
        report = ingest_inbox(
            inbox, url, KEY, f"t-{uuid.uuid4().hex[:8]}", workers=1, keep_files=keep_files
        )
    return report, counts


# What one group of declarations costs, whatever its number of files: the ledger's duplicate
# check, the OP283 look-up, the ledger rows, and one COPY per table written (the lines; and
# bericht, declaratie, delivery).
ONE_GROUP = {
    "SELECT audit.file_ledger": 1,
    "SELECT raw.istandaarden_323_prestatie": 1,
    "INSERT audit.file_ledger": 1,
    "COPY raw.istandaarden_323_prestatie": 1,
    "COPY": 3,
}


def _per_group(counts: Counter[str]) -> dict[str, int]:
    return {k: counts[k] for k in ONE_GROUP}


def test_a_group_asks_once_whatever_its_number_of_files(
    reference_dir: Path, warehouse_db: str, tmp_path: Path
) -> None:
    _declarations(reference_dir, tmp_path / "few", 0, 5)
    _declarations(reference_dir, tmp_path / "many", 100, 50)  # one group: 50 <= 64 files

    few, few_counts = _ingest(tmp_path / "few", warehouse_db)
    many, many_counts = _ingest(tmp_path / "many", warehouse_db)

    assert (len(few.files), few.lines_loaded) == (5, 20)
    assert (len(many.files), many.lines_loaded) == (50, 200)
    assert _per_group(few_counts) == ONE_GROUP
    assert _per_group(many_counts) == ONE_GROUP
    # nothing else grows with the files either: 10x the files, the same statements
    assert +few_counts == +many_counts

    # 70 files: two groups (64 + 6), two of each; the report counts them without holding them
    _declarations(reference_dir, tmp_path / "two", 200, 70)
    two, two_counts = _ingest(tmp_path / "two", warehouse_db, keep_files=False)
    assert two.files == []
    summary = two.to_dict()
    assert (summary["files_seen"], summary["files_loaded"], summary["lines_loaded"]) == (
        70,
        70,
        280,
    )
    assert _per_group(two_counts) == {k: 2 * v for k, v in ONE_GROUP.items()}


def test_op283_verdicts_from_one_look_up_per_group(
    reference_dir: Path, warehouse_db: str, tmp_path: Path
) -> None:
    # first delivery: declarations 0..9 (40 lines, all loaded)
    _declarations(reference_dir, tmp_path / "first", 0, 10)
    first, _ = _ingest(tmp_path / "first", warehouse_db)
    assert (first.lines_in, first.lines_loaded) == (40, 40)

    # second delivery, one group: 0..4 sent again (other bytes: an extra comment), so their
    # 20 lines are loaded already; 10..12 new; and 13 twice under two names with other
    # bytes, so the second (resent_13.xml, after decl_013.xml) repeats the first's 4 lines
    second = tmp_path / "second"
    _declarations(reference_dir, second, 0, 5)
    _declarations(reference_dir, second, 10, 4)
    for p in sorted(second.glob("decl_00*.xml")):
        p.write_text(p.read_text(encoding="utf-8") + "<!-- resent -->\n", encoding="utf-8")
    (second / "resent_13.xml").write_text(
        (second / "decl_013.xml").read_text(encoding="utf-8") + "<!-- again -->\n",
        encoding="utf-8",
    )
    report, counts = _ingest(second, warehouse_db)
    assert counts["SELECT raw.istandaarden_323_prestatie"] == 1

    files = {f.source_file: f for f in report.files}
    for i in range(5):
        f = files[f"decl_{i:03d}.xml"]
        assert (f.status, f.lines_in, f.lines_loaded, f.lines_quarantined) == (
            "loaded_with_rejections",
            4,
            0,
            4,
        )
    for i in range(10, 14):
        assert (files[f"decl_{i:03d}.xml"].status, files[f"decl_{i:03d}.xml"].lines_loaded) == (
            "loaded",
            4,
        )
    again = files["resent_13.xml"]
    assert (again.lines_in, again.lines_loaded, again.lines_quarantined) == (4, 0, 4)
    assert (report.lines_in, report.lines_loaded, report.lines_quarantined) == (40, 16, 24)

    with psycopg.connect(warehouse_db) as conn:
        rows = conn.execute(
            """SELECT _source_file, reason_code, count(*) FROM quarantine.rejected_record
               WHERE _batch_id = %s GROUP BY 1, 2 ORDER BY 1""",
            (report.batch_id,),
        ).fetchall()
        assert rows == [
            *[(f"decl_{i:03d}.xml", "DUPLICATE_LINE", 4) for i in range(5)],
            ("resent_13.xml", "DUPLICATE_LINE", 4),
        ]
        # every ReferentieNummer once in the warehouse: 10 + 4 declarations of 4 lines
        assert conn.execute(
            "SELECT count(*), count(DISTINCT referentienummer) FROM raw.istandaarden_323_prestatie"
        ).fetchone() == (56, 56)


def test_301_addresses_from_one_look_up_per_group(
    reference_dir: Path, warehouse_db: str, tmp_path: Path
) -> None:
    # WMO301's client lives at 9999XX 100; 30 copies at 100, 101 and 102 in turn (10 each),
    # each with its own message id. 102 is not in the address file.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "adressen.csv").write_text(
        "PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n"
        "9999XX;100;3840105;38401;384\n"
        "9999XX;101;3840206;38402;384\n",
        encoding="utf-8",
    )
    for i in range(30):
        _variant(
            reference_dir,
            "WMO301.xml",
            inbox / f"toewijzing_{i:02d}.xml",
            ("<iwmo:Huisnummer>100<", f"<iwmo:Huisnummer>{100 + i % 3}<", 1),
            ("<iwmo:Identificatie>123456789012<", f"<iwmo:Identificatie>1234567890{i:02d}<", 1),
        )

    report, counts = _ingest(inbox, warehouse_db)

    assert (report.files_seen, report.count("loaded")) == (31, 31)
    # is there an address file (asked once, then known), and the 30 addresses in one query
    assert counts["SELECT raw.cbs_adres_gebied"] == 2
    with psycopg.connect(warehouse_db) as conn:
        assert conn.execute(
            """SELECT adres_status, buurtcode, wijkcode, adres_gemeentecode, count(*)
               FROM raw.istandaarden_301_client GROUP BY 1, 2, 3, 4 ORDER BY 1, 2"""
        ).fetchall() == [
            ("matched", 3840105, 38401, 384, 10),
            ("matched", 3840206, 38402, 384, 10),
            ("not_found", None, None, None, 10),
        ]
