"""Ingest against a real PostgreSQL, on the official example messages and on variants of them
with one thing wrong each: what must load loads, what must not goes to quarantine with its
reason, the ledger reconciles, re-delivery changes nothing, and no clear BSN is written."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest

from sdw.ingest.inbox import ingest_inbox

pytestmark = pytest.mark.integration
KEY = b"test-key-" + b"x" * 32


def examples(reference_dir: Path) -> list[Path]:
    return sorted((reference_dir / "istandaarden").glob("i*-3.2/berichten/*.xml"))


def ingest(inbox: Path, url: str) -> dict[str, object]:
    report = ingest_inbox(inbox, url, KEY, f"test-{uuid.uuid4().hex[:8]}")
    return {f.source_file: f for f in report.files}


def q(url: str, sql: str, *args: object) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, args or None).fetchall()


def test_reference_examples(reference_dir: Path, warehouse_db: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for p in examples(reference_dir):
        shutil.copy(p, inbox / p.name)  # into a temp inbox, never into the project
    files = ingest(inbox, warehouse_db)

    assert len(files) == 21
    bad = {n: f for n, f in files.items() if f.status == "quarantined"}
    assert set(bad) == {"JW315.xml", "JW318.xml"}
    assert {f.reason_code for f in bad.values()} == {"SCHEMA"}
    assert "2027-06-31" in bad["JW315.xml"].reason and "line 44" in bad["JW315.xml"].reason
    assert "RetourCode" in bad["JW318.xml"].reason
    # never half-loaded: nothing of either file reached raw
    for name in bad:
        assert q(
            warehouse_db,
            "SELECT count(*) FROM raw.istandaarden_bericht WHERE _source_file = %s",
            name,
        ) == [(0,)]

    # lines counted by hand from the example files
    assert files["WMO323.xml"].lines_loaded == 4  # 2 clients x 2 Prestaties
    assert files["JW323.xml"].lines_loaded == 5
    assert files["JW325.xml"].lines_loaded == 3
    assert files["WMO305.xml"].lines_loaded == 2
    assert q(
        warehouse_db,
        "SELECT sum(CASE debet_credit WHEN 'D' THEN ingediend_bedrag "
        "ELSE -ingediend_bedrag END) FROM raw.istandaarden_323_prestatie "
        "WHERE wet = 'wmo'",
    ) == [(58000,)]  # 5000 + 24000 + 5000 + 24000
    # the ledger reconciles for every file
    for name, in_, loaded, quarantined in q(
        warehouse_db,
        "SELECT source_file, lines_in, lines_loaded, lines_quarantined FROM audit.file_ledger",
    ):
        assert in_ == loaded + quarantined, name
    # the law comes from the namespace, the municipality from the right side of the message
    assert q(
        warehouse_db,
        "SELECT DISTINCT wet, gemeentecode, aanbieder_agb FROM "
        "raw.istandaarden_323_prestatie ORDER BY 1",
    ) == [("jeugdwet", "0384", "65656055"), ("wmo", "0384", "65656055")]

    # re-delivery of the same bytes under other names is a no-op
    before = q(warehouse_db, "SELECT count(*) FROM raw.istandaarden_bericht")
    again = tmp_path / "again"
    again.mkdir()
    for p in examples(reference_dir):
        shutil.copy(p, again / f"copy_of_{p.name}")
    files2 = ingest(again, warehouse_db)
    assert {f.status for f in files2.values()} == {"duplicate"}
    assert q(warehouse_db, "SELECT count(*) FROM raw.istandaarden_bericht") == before


def test_no_clear_bsn_is_written(reference_dir: Path, warehouse_db: str, tmp_path: Path) -> None:
    bsns: set[str] = set()
    for p in examples(reference_dir):
        bsns |= set(re.findall(r"Bsn>\s*(\d{9})\s*<", p.read_text(encoding="utf-8")))
        shutil.copy(p, tmp_path / p.name)
    assert bsns
    ingest(tmp_path, warehouse_db)
    tables = q(
        warehouse_db,
        "SELECT table_schema || '.' || table_name FROM "
        "information_schema.tables WHERE table_schema IN ('raw','quarantine','audit')",
    )
    with psycopg.connect(warehouse_db) as conn:
        for (table,) in tables:
            dump = "\n".join(str(r[0]) for r in conn.execute(f"SELECT t::text FROM {table} t"))
            for bsn in bsns:
                assert bsn not in dump, f"clear BSN in {table}"
    # and no names or birth dates either: the example's names do not appear anywhere
    with psycopg.connect(warehouse_db) as conn:
        for (table,) in tables:
            dump = "\n".join(
                str(r[0])
                for r in conn.execute(f"SELECT t::text FROM {table} t WHERE {_not_fragment(table)}")
            )
            assert "Jansen" not in dump and "1967-08-13" not in dump, table


def _not_fragment(table: str) -> str:
    # quarantine keeps the original text of rejected records on purpose (BSN masked)
    return "true" if table != "quarantine.rejected_record" else "false"


def _variant(reference_dir: Path, name: str, out: Path, *subs: tuple[str, str, int]) -> Path:
    """A copy of a reference example with, per (old, new, nth), the nth occurrence replaced."""
    text = next(p for p in examples(reference_dir) if p.name == name).read_text(encoding="utf-8")
    for old, new, nth in subs:
        at = -1
        for _ in range(nth):
            at = text.index(old, at + 1)
        text = text[:at] + new + text[at + len(old) :]
    out.write_text(text, encoding="utf-8")
    return out


def test_line_rules_quarantine_lines_and_load_the_rest(
    reference_dir: Path, warehouse_db: str, tmp_path: Path
) -> None:
    # 123456782 passes the XSD (9 digits) but its elfproef? 9+16+21+24+25+24+21+16-2=154=14*11:
    # valid. 123456789 fails it (147 % 11 = 4): the second client's two lines are quarantined.
    _variant(
        reference_dir,
        "WMO323.xml",
        tmp_path / "bsn.xml",
        ("<wmo323:Bsn>999900018</wmo323:Bsn>", "<wmo323:Bsn>123456789</wmo323:Bsn>", 1),
    )
    # a Jeugdwet category (45) in a Wmo declaration: the standard enumerates each law's
    # categories, so this is a schema violation and the whole message is rejected
    _variant(
        reference_dir,
        "WMO323.xml",
        tmp_path / "category.xml",
        (
            "<wmo323:ProductCategorie>01</wmo323:ProductCategorie>",
            "<wmo323:ProductCategorie>45</wmo323:ProductCategorie>",
            1,
        ),
        ("<iwmo:Identificatie>765432198", "<iwmo:Identificatie>765432199", 1),
    )
    # a product period from April into May (occurrence 1 is the DeclaratiePeriode)
    _variant(
        reference_dir,
        "WMO323.xml",
        tmp_path / "period.xml",
        (
            "<iwmo:Einddatum>2023-04-30</iwmo:Einddatum>",
            "<iwmo:Einddatum>2023-05-02</iwmo:Einddatum>",
            2,
        ),
        ("<iwmo:Identificatie>765432198", "<iwmo:Identificatie>765432197", 1),
    )
    # header total 580.00 but lines sum to 580.00 - 50.00 + 60.00: whole declaration rejected
    _variant(
        reference_dir,
        "WMO323.xml",
        tmp_path / "total.xml",
        ("<iwmo:Bedrag>5000</iwmo:Bedrag>", "<iwmo:Bedrag>6000</iwmo:Bedrag>", 1),
    )
    (tmp_path / "notes.txt").write_text("not a message\n")
    (tmp_path / "broken.xml").write_text("<a")
    (tmp_path / "foreign.xml").write_text("<root xmlns='urn:x'/>")

    files = ingest(tmp_path, warehouse_db)
    f = files["bsn.xml"]
    assert (f.status, f.lines_in, f.lines_loaded, f.lines_quarantined) == (
        "loaded_with_rejections",
        4,
        2,
        2,
    )
    c = files["category.xml"]
    assert (c.status, c.reason_code, c.lines_loaded) == ("quarantined", "SCHEMA", 0)
    assert "ProductCategorie" in c.reason and "45" in c.reason
    assert (files["period.xml"].lines_loaded, files["period.xml"].lines_quarantined) == (3, 1)
    t = files["total.xml"]
    assert (t.status, t.reason_code, t.lines_in, t.lines_loaded) == (
        "quarantined",
        "TOTAL_MISMATCH",
        4,
        0,
    )
    assert files["notes.txt"].reason_code == "UNKNOWN_FILE_TYPE"
    assert files["broken.xml"].reason_code == "NOT_XML"
    assert files["foreign.xml"].reason_code == "NOT_ISTANDAARDEN"

    reasons = dict(
        q(
            warehouse_db,
            "SELECT _source_file || ':' || reason_code, count(*) "
            "FROM quarantine.rejected_record GROUP BY 1",
        )
    )
    assert reasons == {
        "bsn.xml:BSN_ELFPROEF": 2,
        "category.xml:SCHEMA": 1,
        "period.xml:PERIOD_SPANS_MONTHS": 1,
        "total.xml:TOTAL_MISMATCH": 1,
        "notes.txt:UNKNOWN_FILE_TYPE": 1,
        "broken.xml:NOT_XML": 1,
        "foreign.xml:NOT_ISTANDAARDEN": 1,
    }
    frag = q(
        warehouse_db,
        "SELECT original_fragment, record_path, line_number FROM "
        "quarantine.rejected_record WHERE reason_code = 'BSN_ELFPROEF' ORDER BY 2",
    )
    assert all("123456789" not in f[0] and "[bsn:" in f[0] for f in frag)
    assert [f[1] for f in frag] == [
        "Client[2]/Prestatie[1]",
        "Client[2]/Prestatie[2]",
    ]
    assert all(f[2] for f in frag)


def test_301_address_becomes_an_area(
    reference_dir: Path, warehouse_db: str, tmp_path: Path
) -> None:
    # The client's BRP contact (Soort 01) in WMO301 is 9999XX 100 C BAL; its relaties live at
    # 9999XX 10 and 20. Only the client's own address may decide the area.
    (tmp_path / "adressen.csv").write_text(
        "PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n"
        "9999XX;100;3840105;38401;384\n"
        "9999XX;10;3840299;38402;384\n"
        "9999XX;20;3840299;38402;384\n"
        "bad row;x;1;2;3\n",
        encoding="utf-8",
    )
    shutil.copy(
        next(p for p in examples(reference_dir) if p.name == "WMO301.xml"), tmp_path / "WMO301.xml"
    )
    files = ingest(tmp_path, warehouse_db)
    a = files["adressen.csv"]
    assert (a.file_kind, a.lines_in, a.lines_loaded, a.lines_quarantined) == ("cbs_adres", 4, 3, 1)
    assert q(
        warehouse_db,
        "SELECT adres_status, buurtcode, wijkcode, adres_gemeentecode "
        "FROM raw.istandaarden_301_client",
    ) == [("matched", 3840105, 38401, 384)]
    cols = {
        c
        for (c,) in q(
            warehouse_db,
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name LIKE 'istandaarden_301%'",
        )
    }
    assert not cols & {"postcode", "huisnummer", "straatnaam", "geboortedatum", "naam"}
