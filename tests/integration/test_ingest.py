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
    report = ingest_inbox(inbox, url, KEY, f"test-{uuid.uuid4().hex[:8]}", keep_files=True)
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
    # no CBS address file yet: the 301s wait in the inbox rather than lose their district
    deferred = {n for n, f in files.items() if f.status == "deferred"}
    assert deferred == {"WMO301.xml", "JW301.xml"}
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
    # JW323 repeats ReferentieNummer RN004 (for March and April): OP283 wants it unique per
    # provider and law, so the second line is quarantined and the first loads
    j = files["JW323.xml"]
    assert (j.lines_in, j.lines_loaded, j.lines_quarantined) == (5, 4, 1)
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
    assert {n: f.status for n, f in files2.items() if f.status != "duplicate"} == {
        "copy_of_JW301.xml": "deferred",
        "copy_of_WMO301.xml": "deferred",
    }
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


def _declaratienummer(nummer: str) -> tuple[str, str, int]:
    return ("<wmo323:DeclaratieNummer>DN001<", f"<wmo323:DeclaratieNummer>{nummer}<", 1)


def _variant(reference_dir: Path, name: str, out: Path, *subs: tuple[str, str, int]) -> Path:
    """A copy of a reference example with, per (old, new, nth), the nth occurrence replaced
    (nth 0: all of them)."""
    text = next(p for p in examples(reference_dir) if p.name == name).read_text(encoding="utf-8")
    for old, new, nth in subs:
        if nth == 0:  # every occurrence
            text = text.replace(old, new)
            continue
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
        _declaratienummer("DNBSN"),
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
        _declaratienummer("DNCAT"),
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
        _declaratienummer("DNPERIOD"),
        ("<iwmo:ReferentieNummer>RN", "<iwmo:ReferentieNummer>RP", 0),
    )
    # header total 580.00 but lines sum to 580.00 - 50.00 + 60.00: whole declaration rejected
    _variant(
        reference_dir,
        "WMO323.xml",
        tmp_path / "total.xml",
        ("<iwmo:Bedrag>5000</iwmo:Bedrag>", "<iwmo:Bedrag>6000</iwmo:Bedrag>", 1),
        _declaratienummer("DNTOTAL"),
    )
    # bsn.xml's declaration sent again under a new message id: its two loaded lines are
    # duplicates; the two lines bsn.xml had quarantined (bad BSN) are still quarantined
    _variant(
        reference_dir,
        "WMO323.xml",
        tmp_path / "resent.xml",
        ("<wmo323:Bsn>999900018</wmo323:Bsn>", "<wmo323:Bsn>123456789</wmo323:Bsn>", 1),
        ("<iwmo:Identificatie>765432198", "<iwmo:Identificatie>765432196", 1),
        _declaratienummer("DNBSN"),
    )
    (tmp_path / "report.xlsx").write_bytes(b"PK\x03\x04\x00\x00binary\x00Jansen")
    (tmp_path / "binary.xml").write_bytes(b"\x00\x01\x02 not xml")
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
    assert files["report.xlsx"].reason_code == "UNKNOWN_FILE_TYPE"
    assert files["binary.xml"].reason_code == "NOT_XML"
    r = files["resent.xml"]
    assert (r.lines_in, r.lines_loaded, r.lines_quarantined) == (4, 0, 4)

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
        "resent.xml:DUPLICATE_LINE": 2,
        "resent.xml:BSN_ELFPROEF": 2,
        "report.xlsx:UNKNOWN_FILE_TYPE": 1,
        "binary.xml:NOT_XML": 1,
    }
    # content of files that are not readable XML is not kept: it may hold anything
    (unknown,) = q(
        warehouse_db,
        "SELECT original_fragment FROM quarantine.rejected_record "
        "WHERE _source_file = 'report.xlsx'",
    )[0]
    assert "Jansen" not in unknown and "bytes" in unknown
    frag = q(
        warehouse_db,
        "SELECT original_fragment, record_path, line_number FROM "
        "quarantine.rejected_record WHERE reason_code = 'BSN_ELFPROEF' "
        "AND _source_file = 'bsn.xml' ORDER BY 2",
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
    with (tmp_path / "adressen.csv").open("ab") as fh:
        fh.write(b"9999X\xff;1;3840105;38401;384\n")  # not UTF-8: this line alone is rejected
    shutil.copy(
        next(p for p in examples(reference_dir) if p.name == "WMO301.xml"), tmp_path / "WMO301.xml"
    )
    files = ingest(tmp_path, warehouse_db)
    a = files["adressen.csv"]
    assert (a.file_kind, a.lines_in, a.lines_loaded, a.lines_quarantined) == ("cbs_adres", 5, 3, 2)
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


def test_rejected_301_keeps_no_personal_data(
    reference_dir: Path, warehouse_db: str, tmp_path: Path
) -> None:
    # an impossible birth date makes the whole 301 fail the schema
    _variant(
        reference_dir,
        "WMO301.xml",
        tmp_path / "wmo301_bad.xml",
        ("<iwmo:Datum>1967-08-13</iwmo:Datum>", "<iwmo:Datum>1967-02-30</iwmo:Datum>", 1),
    )
    (tmp_path / "adressen.csv").write_text(
        "PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n9999XX;100;3840105;38401;384\n"
    )
    f = ingest(tmp_path, warehouse_db)["wmo301_bad.xml"]
    assert (f.status, f.reason_code) == ("quarantined", "SCHEMA")
    assert "1967-02-30" not in f.reason and "(value withheld)" in f.reason
    ((fragment, reason),) = q(
        warehouse_db,
        "SELECT original_fragment, reason FROM "
        "quarantine.rejected_record WHERE reason_code = 'SCHEMA'",
    )
    # names, birth dates, addresses, phone numbers and e-mail of client and relatives are gone;
    # what the sender needs to correct the message stays
    for personal in (
        "Wit",
        "Jansen",
        "Tim",
        "Mentor",
        "1967",
        "9999XX",
        "Straatweg",
        "0101234567",
        "a@b.com",
        "999900006",
    ):
        assert personal not in fragment and personal not in reason, personal
    assert "<wmo301:ToewijzingNummer>101</wmo301:ToewijzingNummer>" in fragment
    assert "[bsn:" in fragment


def test_301_waits_for_the_address_file(
    reference_dir: Path, warehouse_db: str, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    wmo301 = next(p for p in examples(reference_dir) if p.name == "WMO301.xml")
    shutil.copy(wmo301, first / "WMO301.xml")
    assert ingest(first, warehouse_db)["WMO301.xml"].status == "deferred"
    assert q(warehouse_db, "SELECT count(*) FROM raw.istandaarden_301_client") == [(0,)]
    # next delivery brings the address file; the waiting 301 is still in the inbox
    shutil.copy(wmo301, second / "WMO301.xml")
    (second / "adressen.csv").write_text(
        "PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n9999XX;100;3840105;38401;384\n"
    )
    assert ingest(second, warehouse_db)["WMO301.xml"].status == "loaded"
    assert q(warehouse_db, "SELECT adres_status, wijkcode FROM raw.istandaarden_301_client") == [
        ("matched", 38401)
    ]
