"""The case-export contract (sdw.cases): recognised by its header, Dutch and ISO dates, ``;`` and
``,``, and every rule that sends a row to quarantine with its reason code and line number;
what a loaded row keeps (a pseudonym, a CBS area) and what quarantine keeps (nothing personal).
No database: the address lookup is a stand-in with the same signature as the 301's."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from sdw.cases.parse import case_pseudonym, parse_case_file
from sdw.cases.procedures import (
    Rejected,
    parse_date,
    parse_row,
    read_case_file,
    read_case_text,
    sniff,
)
from sdw.ingest.classify import classify
from sdw.ingest.contract import IngestContext
from sdw.pseudonym import Pseudonymiser

# The contract's columns as docs/procedure-times.md publishes them to case-system vendors,
# written out here so that renaming one in the code fails these tests.
SEMI = (
    "gemeentecode;identificatie;wet;datumMelding;datumOnderzoekAfgerond;datumStartAanvraag;"
    "datumBeschikking;datumAfhandeling;resultaat;postcode;huisnummer;wijkcode"
)
CONTRACT = tuple(SEMI.split(";"))
GOOD = "GM0999;Z-1;Wmo;06-01-2025;17-02-2025;17-02-2025;03-03-2025;;toegekend;9991 AA;12a;"


def row(**overrides: str) -> dict[str, str]:
    """A valid row as written, with some fields replaced."""
    values = dict(zip(CONTRACT, GOOD.split(";"), strict=True))
    values.update(overrides)
    return values


def rejected(**overrides: str) -> tuple[str, str]:
    with pytest.raises(Rejected) as exc:
        parse_row(row(**overrides))
    return exc.value.code, exc.value.reason


# ------------------------------------------------------------------ recognising the file


def test_sniff_by_header_whatever_the_name(tmp_path: Path) -> None:
    variants = {
        "semicolon_bom.csv": b"\xef\xbb\xbf" + SEMI.encode() + b"\r\n" + GOOD.encode(),
        "comma.csv": ",".join(CONTRACT).encode() + b"\n",
        # another order, other spelling of the names, an extra column
        "export.txt": b"Identificatie;GEMEENTECODE;wet;datum_melding;Datum Onderzoek Afgerond;"
        b"datumStartAanvraag;datumBeschikking;datumAfhandeling;Resultaat;postcode;huisnummer;"
        b"wijkcode;medewerker\n",
    }
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
        assert sniff(tmp_path / name), name
        assert classify(tmp_path / name) == "cases", name
    missing = SEMI.replace(";wijkcode", "")
    (tmp_path / "short.csv").write_text(missing + "\n")
    assert not sniff(tmp_path / "short.csv")
    (tmp_path / "cases.xlsx").write_bytes(SEMI.encode())
    assert not sniff(tmp_path / "cases.xlsx")
    # The benefits CSV is still the benefits CSV.
    (tmp_path / "uitkering.csv").write_text(
        "gemeentecode;wijkcode;maand;regeling;aantal_personen\n"
    )
    assert classify(tmp_path / "uitkering.csv") == "cbs_gemeente_uitkering"


# ------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03-01-2025", date(2025, 1, 3)),  # dd-mm-jjjj
        ("3-1-2025", date(2025, 1, 3)),  # as Excel writes it
        ("03/01/2025", date(2025, 1, 3)),
        ("2025-01-03", date(2025, 1, 3)),  # ISO
        ("2025-01-03 00:00:00", date(2025, 1, 3)),  # a datetime export
        ("2025-01-03T09:30", date(2025, 1, 3)),
        (" 29-02-2024 ", date(2024, 2, 29)),  # leap day
        ("", None),
        ("   ", None),
    ],
)
def test_dates_dutch_and_iso(text: str, expected: date | None) -> None:
    assert parse_date(text, "datumMelding") == expected


@pytest.mark.parametrize(
    "text",
    [
        "31-02-2025",
        "29-02-2025",
        "2025-13-01",
        "03-01-25",
        "2025/01/03",
        "jan 2025",
        "1-1-1899",
        "2023-12-31T25:61",  # no time of day: hour 25, minute 61
        "2023-12-31 24:00",
        "31-12-2023 23:60",
        "31-12-2023 23:59:60",
    ],
)
def test_impossible_or_unreadable_dates_are_rejected(text: str) -> None:
    with pytest.raises(Rejected) as exc:
        parse_date(text, "datumMelding")
    assert exc.value.code == "CASE_DATE_INVALID"
    assert "datumMelding" in exc.value.reason


def test_a_dutch_and_an_iso_row_give_the_same_case() -> None:
    dutch = parse_row(row(datumMelding="6-1-2025", datumBeschikking="03-03-2025"))
    iso = parse_row(
        row(
            datumMelding="2025-01-06",
            datumOnderzoekAfgerond="2025-02-17",
            datumStartAanvraag="2025-02-17",
            datumBeschikking="2025-03-03",
        )
    )
    assert dutch == iso
    assert (dutch.datum_melding, dutch.datum_beschikking) == (date(2025, 1, 6), date(2025, 3, 3))


# ------------------------------------------------------------------ row rules


def test_a_good_row() -> None:
    r = parse_row(row())
    assert (r.gemeentecode, r.identificatie, r.wet, r.resultaat) == (
        "GM0999",
        "Z-1",
        "wmo",
        "toegekend",
    )
    # postcode normalised, huisletter after the number ignored (as for the 301)
    assert (r.postcode, r.huisnummer, r.wijkcode) == ("9991AA", 12, None)
    assert parse_row(row(gemeentecode="0999")).gemeentecode == "GM0999"


@pytest.mark.parametrize(
    ("written", "law"),
    [
        ("Wmo", "wmo"),
        ("WMO 2015", "wmo"),
        ("iWmo", "wmo"),
        ("Wet maatschappelijke ondersteuning", "wmo"),
        ("Jeugdwet", "jeugdwet"),
        ("jw", "jeugdwet"),
        ("JW", "jeugdwet"),
        ("jeugd", "jeugdwet"),
        ("iJw", "jeugdwet"),
    ],
)
def test_law_spellings(written: str, law: str) -> None:
    assert parse_row(row(wet=written)).wet == law


@pytest.mark.parametrize("written", ["Wlz", "Participatiewet", "", "wmo2007x"])
def test_unknown_law(written: str) -> None:
    assert rejected(wet=written)[0] == "CASE_LAW_UNKNOWN"


def test_dates_out_of_order() -> None:
    code, reason = rejected(datumBeschikking="16-02-2025")  # aanvraag is 17-02
    assert code == "CASE_DATES_OUT_OF_ORDER"
    assert "a decision cannot precede its request" in reason and "16-02-2025" in reason
    assert rejected(datumOnderzoekAfgerond="05-01-2025")[0] == "CASE_DATES_OUT_OF_ORDER"
    # an aanvraag before the onderzoek was completed, and one before the melding
    assert rejected(datumStartAanvraag="16-02-2025")[0] == "CASE_DATES_OUT_OF_ORDER"
    assert (
        rejected(datumOnderzoekAfgerond="", datumStartAanvraag="05-01-2025")[0]
        == "CASE_DATES_OUT_OF_ORDER"
    )
    # a beschikking without any aanvraag
    assert rejected(datumStartAanvraag="")[0] == "CASE_DATES_OUT_OF_ORDER"
    # closing before the last step
    code, _ = rejected(datumBeschikking="", resultaat="ingetrokken", datumAfhandeling="16-02-2025")
    assert code == "CASE_DATES_OUT_OF_ORDER"
    # steps on the same day are in order; missing steps are skipped
    parse_row(row(datumOnderzoekAfgerond="", datumStartAanvraag="06-01-2025"))


def test_outcome_must_match_the_dates() -> None:
    assert rejected(resultaat="goedgekeurd")[0] == "CASE_OUTCOME_INVALID"
    assert rejected(datumBeschikking="", resultaat="toegekend")[0] == "CASE_OUTCOME_INVALID"
    assert rejected(resultaat="lopend")[0] == "CASE_OUTCOME_INVALID"  # has a beschikking
    assert rejected(datumBeschikking="", resultaat="ingetrokken")[0] == "CASE_OUTCOME_INVALID"
    assert rejected(resultaat="ingetrokken", datumAfhandeling="04-03-2025")[0] == (
        "CASE_OUTCOME_INVALID"  # a withdrawn case has no beschikking
    )
    assert parse_row(row(datumBeschikking="", resultaat="")).resultaat == "lopend"
    assert parse_row(row(datumBeschikking="", resultaat="In behandeling")).resultaat == "lopend"
    withdrawn = parse_row(
        row(datumBeschikking="", resultaat="Ingetrokken", datumAfhandeling="20-02-2025")
    )
    assert (withdrawn.resultaat, withdrawn.datum_afhandeling) == ("ingetrokken", date(2025, 2, 20))
    assert parse_row(row(resultaat="Toegewezen")).resultaat == "toegekend"


def test_address_or_wijkcode() -> None:
    assert rejected(postcode="999AA")[0] == "CASE_ADDRESS_INVALID"
    assert rejected(huisnummer="")[0] == "CASE_ADDRESS_INVALID"
    assert rejected(postcode="", huisnummer="12")[0] == "CASE_ADDRESS_INVALID"
    only_wijk = {"postcode": "", "huisnummer": ""}
    assert parse_row(row(**only_wijk, wijkcode="WK099901")).wijkcode == 99901
    assert parse_row(row(**only_wijk, wijkcode="99901")).wijkcode == 99901  # the CBS integer
    assert rejected(**only_wijk, wijkcode="WK036301")[0] == "CASE_ADDRESS_INVALID"  # not GM0999
    assert rejected(**only_wijk, wijkcode="Centrum")[0] == "CASE_ADDRESS_INVALID"
    both = parse_row(row(wijkcode="WK099905"))  # the address wins
    assert (both.postcode, both.wijkcode) == ("9991AA", None)
    neither = parse_row(row(**only_wijk))
    assert (neither.postcode, neither.huisnummer, neither.wijkcode) == (None, None, None)


def test_malformed_rows() -> None:
    assert rejected(gemeentecode="Denkstede")[0] == "CASE_ROW_MALFORMED"
    assert rejected(identificatie=" ")[0] == "CASE_ROW_MALFORMED"
    assert rejected(datumMelding="")[0] == "CASE_ROW_MALFORMED"


def test_a_file_with_every_kind_of_bad_row_keeps_line_numbers() -> None:
    text = "\n".join(
        [
            SEMI,  # 1
            GOOD,  # 2
            "",  # 3: blank, skipped
            "GM0999;Z-2;Wmo;31-02-2025;;;;;lopend;;;",  # 4
            "GM0999;Z-3;Wlz;06-01-2025;;;;;lopend;;;",  # 5
            "GM0999;Z-4;Wmo;06-01-2025;;10-01-2025;09-01-2025;;afgewezen;;;",  # 6
            "GM0999;Z-5;Wmo",  # 7
            'GM0999;"Z-6\nvervolg";Wmo;06-01-2025;;;;;lopend;;;',  # 8-9: quoted newline
            "GM0999;Z-1;Wmo;07-01-2025;;;;;lopend;;;",  # 10: Z-1 again
            "0999;Z-7;jw;2025-01-08;;;;;;;;WK099902",  # 11
        ]
    )
    parsed = read_case_text(text)
    assert [n for n, _r in parsed.rows] == [2, 8, 11]
    assert [(b.line_number, b.code) for b in parsed.bad] == [
        (4, "CASE_DATE_INVALID"),
        (5, "CASE_LAW_UNKNOWN"),
        (6, "CASE_DATES_OUT_OF_ORDER"),
        (7, "CASE_ROW_MALFORMED"),
        (10, "CASE_DUPLICATE"),
    ]
    assert parsed.lines_in == 8
    assert parsed.delimiter == ";"


def test_a_mark_and_one_bad_byte_cost_that_line_not_the_file(tmp_path: Path) -> None:
    """A UTF-8 mark, then 0xff in line 3's identificatie. The whole file used to be read as
    Windows-1252 for it: the mark became "ï»¿", the header was no contract's and the file
    ended INGEST_ERROR. Now line 3 is refused as not text, nothing of it kept; 2 and 4 load."""
    data = (
        b"\xef\xbb\xbf"
        + ";".join(CONTRACT).encode()
        + b"\r\nGM0999;Z-1;Wmo;06-01-2025;;;;;lopend;;;WK099901\r\n"
        + b"GM0999;Z-\xff2;Wmo;06-01-2025;;;;;lopend;;;WK099901\r\n"
        + b"GM0999;Z-3;Wmo;06-01-2025;;;;;lopend;;;WK099901\r\n"
    )
    (tmp_path / "export.csv").write_bytes(data)
    parsed = read_case_file(tmp_path / "export.csv")
    assert [n for n, _r in parsed.rows] == [2, 4]
    assert [(b.line_number, b.code, b.fields) for b in parsed.bad] == [
        (3, "CASE_ROW_MALFORMED", None)
    ]
    assert parsed.bad[0].reason.startswith("bytes that are not text")


def test_comma_and_windows_1252(tmp_path: Path) -> None:
    # Excel's "CSV (puntkomma)" is Windows-1252: an ignored extra column with an e-acute.
    data = (
        ",".join(CONTRACT) + ",opmerking\r\n"
    ).encode() + "GM0999,Z-1,Wmo,2025-01-06,,,,,lopend,,,WK099901,caf\u00e9\r\n".encode("cp1252")
    (tmp_path / "export.csv").write_bytes(data)
    parsed = read_case_file(tmp_path / "export.csv")
    assert parsed.delimiter == "," and not parsed.bad
    assert parsed.rows[0][1].wijkcode == 99901


# ------------------------------------------------------------------ the loader


KEY = b"unit-test-key-" + b"z" * 32


def context(has_addresses: bool = True) -> IngestContext:
    """The 301's lookup contract: (status, buurt, wijk, gemeente) for postcode + huisnummer."""
    table = {("9991AA", 12): (9990101, 99901, 999)}

    def lookup(postcode: str, huisnummer: int) -> tuple[str, int | None, int | None, int | None]:
        hit = table.get((postcode, huisnummer))
        return ("matched", *hit) if hit else ("not_found", None, None, None)

    return IngestContext(Pseudonymiser(KEY), lookup, lambda: has_addresses, lambda *_: set())


def test_loaded_rows_keep_an_area_and_a_pseudonym_never_the_address(tmp_path: Path) -> None:
    bsn_like = "111222333"  # passes the elfproef: a case number built from a BSN
    lines = [
        SEMI,
        GOOD,  # 2: matched
        GOOD.replace("Z-1", "Z-2").replace("12a", "99"),  # 3: not in the CBS file
        f"GM0999;{bsn_like};jw;2025-01-08;;;;;;;;WK099902",  # 4: wijkcode
        "GM0999;Z-4;Wmo;2025-01-08;;;;;;;;",  # 5: no address
        "GM0999;Z-5;Wmo;2025-01-09;;2025-01-12;2025-01-10;;afgewezen;9991AA;12;",  # 6
    ]
    (tmp_path / "export.csv").write_text("\n".join(lines), encoding="utf-8")
    parsed = parse_case_file(tmp_path / "export.csv", "hash", context())
    report = parsed.report
    assert (report.status, report.lines_in, report.lines_loaded, report.lines_quarantined) == (
        "loaded_with_rejections",
        5,
        4,
        1,
    )
    columns, rows = parsed.tables["case_procedure"]
    # raw.case_procedure's columns (plugins/sdw/warehouse/ddl/cases.sql): no postcode,
    # huisnummer or identificatie in clear.
    assert columns == [
        "gemeentecode",
        "melding_pseudoniem",
        "wet",
        "datum_melding",
        "datum_onderzoek_afgerond",
        "datum_start_aanvraag",
        "datum_beschikking",
        "datum_afhandeling",
        "resultaat",
        "adres_status",
        "buurtcode",
        "wijkcode",
        "adres_gemeentecode",
        "line_number",
    ]
    got = [dict(zip(columns, r, strict=True)) for r in rows]
    area = [(r["adres_status"], r["buurtcode"], r["wijkcode"], r["line_number"]) for r in got]
    assert area == [
        ("matched", 9990101, 99901, 2),
        ("not_found", None, None, 3),
        ("wijkcode", None, 99902, 4),
        ("no_address", None, None, 5),
    ]
    pseudo = Pseudonymiser(KEY)
    assert got[0]["melding_pseudoniem"] == case_pseudonym(pseudo, "GM0999", "Z-1")
    # a case number equal to a BSN never becomes that client's BSN pseudonym
    assert got[2]["melding_pseudoniem"] != pseudo(bsn_like)
    assert "9991AA" not in repr(rows) and "Z-1" not in repr(rows)

    (q,) = parsed.quarantine
    assert (q.reason_code, q.line_number, q.scope) == ("CASE_DATES_OUT_OF_ORDER", 6, "record")
    assert q.reason.startswith("Line 6: datumBeschikking 2025-01-10 is before datumStartAanvraag")
    assert "9991AA" not in q.original_fragment and "Z-5" not in q.original_fragment
    assert "postcode=9991**" in q.original_fragment and "huisnummer=*" in q.original_fragment
    assert "datumBeschikking=2025-01-10" in q.original_fragment


def test_quarantine_masks_a_bsn_and_drops_unsplittable_lines(tmp_path: Path) -> None:
    lines = [SEMI, "GM0999;111222333;Wlz;2025-01-08;;;;;;;;", "GM0999;111222333;Wmo;Jansen"]
    (tmp_path / "export.csv").write_text("\n".join(lines), encoding="utf-8")
    parsed = parse_case_file(tmp_path / "export.csv", "hash", context())
    text = " ".join(q.original_fragment for q in parsed.quarantine)
    assert "111222333" not in text and "Jansen" not in text
    assert [q.reason_code for q in parsed.quarantine] == ["CASE_LAW_UNKNOWN", "CASE_ROW_MALFORMED"]


def test_an_export_with_addresses_waits_for_the_address_file(tmp_path: Path) -> None:
    (tmp_path / "export.csv").write_text(f"{SEMI}\n{GOOD}\n", encoding="utf-8")
    parsed = parse_case_file(tmp_path / "export.csv", "hash", context(has_addresses=False))
    assert (parsed.report.status, parsed.report.reason_code) == ("deferred", "NO_ADDRESS_FILE")
    assert parsed.tables == {} and parsed.quarantine == []
    # wijkcodes only: nothing to reduce, so it loads at once
    (tmp_path / "wijk.csv").write_text(
        f"{SEMI}\nGM0999;Z-9;Wmo;2025-01-08;;;;;;;;WK099901\n", encoding="utf-8"
    )
    assert parse_case_file(tmp_path / "wijk.csv", "h2", context(False)).report.status == "loaded"


# ------------------------------------------------------------------ the generated export


def test_generated_export_has_one_bad_row_and_agrees_with_expected(tmp_path: Path) -> None:
    from sdw.generate import EXPECTED_FILE, generate

    generate(tmp_path, clients=40, months=4, seed=7)
    expected = json.loads((tmp_path / EXPECTED_FILE).read_text())["case_export"]
    parsed = read_case_file(tmp_path / expected["file"])
    assert parsed.delimiter == ";"
    assert len(parsed.rows) == expected["rows_loaded"] > 20
    assert [b.code for b in parsed.bad] == ["CASE_DATES_OUT_OF_ORDER"]
    assert {r.resultaat for _n, r in parsed.rows} >= {"toegekend", "lopend"}
    assert any(r.postcode for _n, r in parsed.rows) and any(r.wijkcode for _n, r in parsed.rows)


def test_a_huisnummer_hiding_digits_behind_an_invisible_character_is_refused() -> None:
    """``1234<U+200B>56782`` reads as 123456782: not the number 1234 with a toevoeging."""
    from sdw.ingest.text import invisible

    assert invisible("1234\u200b56782") and invisible("12\u0301") and not invisible("12a")
    code, reason = rejected(huisnummer="1234\u200b56782")
    assert code == "CASE_ADDRESS_INVALID"
    assert reason == "huisnummer holds characters that do not show"
