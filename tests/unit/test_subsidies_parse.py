"""Subsidy registers (sdw.subsidies) without a database: Dutch amounts read exactly, the CSV
contract in the registers' own column names, a register in another layout read through a
mapping file, and every rule that sends a row to quarantine with its reason code and line
number. Headers and mappings are written out here so that renaming one in the code fails."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from sdw.ingest.classify import by_name, classify
from sdw.ingest.contract import IngestContext
from sdw.money import Unreadable, parse_amount
from sdw.pseudonym import Pseudonymiser
from sdw.subsidies.layouts import load
from sdw.subsidies.parse import parse_register_file

KEY = b"test-key-" + b"s" * 32
HEADER = (
    "Subsidiejaar;Jaar van toekenning;Programma;Taakveld;Soort subsidie;Aanvrager/Ontvanger;"
    "Omschrijving;Regelmaat;Aangevraagd bedrag;Verleend bedrag;Vastgesteld bedrag"
)


def ctx() -> IngestContext:
    def no_lookup(_pc: str, _nr: int) -> tuple[str, None, None, None]:
        return "not_found", None, None, None

    return IngestContext(Pseudonymiser(KEY), no_lookup, lambda: True, lambda *_: set())


# ------------------------------------------------------------------ Dutch amounts


@pytest.mark.parametrize(
    ("text", "euros"),
    [
        ("€ 1.234,56", Decimal("1234.56")),
        ("1.234", Decimal("1234.00")),  # the dot groups thousands
        ("€ 15.000", Decimal("15000.00")),  # Amsterdam's Aangevraagd
        ("€\u00a01.234.567,8", Decimal("1234567.80")),  # non-breaking space, one cent digit
        ("1234,5", Decimal("1234.50")),
        ("1.234,-", Decimal("1234.00")),  # ",-": whole euros
        ("EUR 0,01", Decimal("0.01")),
        ("-250,00", Decimal("-250.00")),  # read; the rule on signs is the register's
        (Decimal("10358.00"), Decimal("10358.00")),  # JSON number read with Decimal
        (0, Decimal("0.00")),
    ],
)
def test_dutch_amounts_exact(text: object, euros: Decimal) -> None:
    assert parse_amount(text) == euros


@pytest.mark.parametrize("text", ["-", "", "  ", "€ -", "\u2013", None])
def test_absent_amount_is_none_never_zero(text: object) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    "text", ["abc", "12.5", "1,234.56", "1.23,4", "€ 1.2345", "12,345", Decimal("1.005"), True]
)
def test_unreadable_amount_raises(text: object) -> None:
    with pytest.raises(Unreadable):
        parse_amount(text)


def test_plain_number_format() -> None:
    assert parse_amount("1234.56", "plain") == Decimal("1234.56")
    with pytest.raises(Unreadable):
        parse_amount("1.234,56", "plain")


# ------------------------------------------------------------------ the CSV register


def test_csv_register_rows_and_quarantine(tmp_path: Path) -> None:
    lines = [
        HEADER,
        # 2: loaded; requested 1.500, granted 1.234,56, settled 1.200
        "2024;2023;Zorg;6.1 Samenkracht;Waarderingssubsidie;Stichting Buurtwerk;Koffie-ochtend;"
        "Jaarlijks;€ 1.500;€ 1.234,56;€ 1.200",
        # 3: loaded; a rejected request: granted 0, settled absent ('-')
        "2024;;Zorg;6.1 Samenkracht;Projectsubsidie;(Particulier);Buurtfeest;Eenmalig;€ 800;0;-",
        # 4: unreadable granted amount: quarantined, never 0
        "2024;;Zorg;;;Vereniging X;;Eenmalig;€ 100;abc;",
        # 5: implausible year
        "1024;;Zorg;;;Vereniging Y;;Eenmalig;€ 100;€ 50;",
        # 6: no recipient
        "2024;;Zorg;;;;;Eenmalig;€ 100;€ 50;",
        # 7: negative grant
        "2024;;Zorg;;;Vereniging Z;;Eenmalig;€ 100;-50;",
        # 8: three fields
        "2024;x;y",
    ]
    path = tmp_path / "register.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    assert classify(path) == "subsidy_register_csv"
    kind = by_name()["subsidy_register_csv"]
    parsed = kind.parse(path, "h" * 64, ctx())
    assert parsed.report.lines_in == 7  # 2 loaded + 5 quarantined
    assert (parsed.report.lines_loaded, parsed.report.lines_quarantined) == (2, 5)
    columns, rows = parsed.tables["subsidy_grant"]
    loaded = [dict(zip(columns, r, strict=True)) for r in rows]
    assert loaded[0] == {
        "layout": "register-csv",
        "subsidiejaar": 2024,
        "jaar_toekenning": 2023,
        "programma": "Zorg",
        "taakveld": "6.1 Samenkracht",
        "thema": None,
        "regeling": None,
        "soort_subsidie": "Waarderingssubsidie",
        "organisatie": None,
        "ontvanger": "Stichting Buurtwerk",
        "omschrijving": "Koffie-ochtend",
        "regelmaat": "Jaarlijks",
        "aangevraagd_bedrag": Decimal("1500.00"),
        "verleend_bedrag": Decimal("1234.56"),
        "vastgesteld_bedrag": Decimal("1200.00"),
        "line_number": 2,
    }
    assert loaded[1]["ontvanger"] == "(Particulier)"  # as anonymous as the register has it
    assert (loaded[1]["verleend_bedrag"], loaded[1]["vastgesteld_bedrag"]) == (Decimal(0), None)
    assert [(q.line_number, q.reason_code) for q in parsed.quarantine] == [
        (4, "SUBSIDY_AMOUNT_INVALID"),
        (5, "SUBSIDY_YEAR_INVALID"),
        (6, "SUBSIDY_RECIPIENT_MISSING"),
        (7, "SUBSIDY_AMOUNT_NEGATIVE"),
        (8, "SUBSIDY_ROW_MALFORMED"),
    ]
    assert "'abc'" in parsed.quarantine[0].reason
    assert "verleend_bedrag=abc" in parsed.quarantine[0].original_fragment
    assert "not kept" in parsed.quarantine[4].original_fragment


def test_missing_required_column_refuses_the_file(tmp_path: Path) -> None:
    # Verleend bedrag missing: 10 of 11 columns, so recognisably a register
    header = HEADER.replace(";Verleend bedrag", "")
    path = tmp_path / "register.csv"
    path.write_text(header + "\n2024;;;;;Stichting A;;;€ 5;€ 5\n", encoding="utf-8")
    assert classify(path) == "subsidy_register_csv"
    kind = by_name()["subsidy_register_csv"]
    parsed = kind.parse(path, "h" * 64, ctx())
    assert parsed.report.reason_code == "MISSING_COLUMN"
    assert "verleend bedrag" in parsed.report.reason.lower()


def test_a_bsn_in_free_text_is_masked(tmp_path: Path) -> None:
    bsn = "111222333"  # passes the elfproef: 9*1+8*1+7*1+6*2+5*2+4*2+3*3+2*3-1*3 = 66 = 6*11
    path = tmp_path / "register.csv"
    path.write_text(
        HEADER + f"\n2024;;;;;(Particulier);aanvraag {bsn};;€ 5;€ 5;\n", encoding="utf-8"
    )
    parsed = parse_register_file(path, "h" * 64, ctx())
    _columns, rows = parsed.tables["subsidy_grant"]
    assert bsn not in str(rows)


# ------------------------------------------------------------------ another layout


def test_register_in_another_layout_through_a_mapping_file(tmp_path: Path) -> None:
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "example-export.json").write_text(
        json.dumps(
            {
                "description": "an English-headed export with machine numbers",
                "format": "csv",
                "number_format": "plain",
                "columns": {
                    "subsidiejaar": "Year",
                    "ontvanger": "Recipient",
                    "thema": "Policy area",
                    "aangevraagd_bedrag": "Requested",
                    "verleend_bedrag": "Granted",
                },
            }
        ),
        encoding="utf-8",
    )
    path = tmp_path / "export.csv"
    path.write_text(
        "Year,Recipient,Policy area,Requested,Granted\n"
        "2023,Stichting Sport,Sport,2500.00,2000.5\n"  # 2
        "2023,Stichting Kunst,Cultuur,1.000,900\n",  # 3: '1.000' is not a plain number
        encoding="utf-8",
    )
    parsed = parse_register_file(path, "h" * 64, ctx(), load(layouts))
    columns, rows = parsed.tables["subsidy_grant"]
    row = dict(zip(columns, rows[0], strict=True))
    assert (row["layout"], row["subsidiejaar"], row["ontvanger"], row["thema"]) == (
        "example-export",
        2023,
        "Stichting Sport",
        "Sport",
    )
    assert (row["aangevraagd_bedrag"], row["verleend_bedrag"]) == (
        Decimal("2500.00"),
        Decimal("2000.50"),
    )
    assert [(q.line_number, q.reason_code) for q in parsed.quarantine] == [
        (3, "SUBSIDY_AMOUNT_INVALID")
    ]


def test_json_register_like_amsterdam(tmp_path: Path) -> None:
    path = tmp_path / "subsidies.json"
    path.write_text(
        '[{"Naam":"Stichting A","Project":"","Regeling":"R","Organisatie":"stadsdeel Oost",'
        '"Thema":"Welzijn en Zorg","Jaar":2016,"Periodiciteit":"Periodiek",'
        '"Aangevraagd":"€ 15.000","Verleend":10358.00},'
        '{"Naam":"(Particulier)","Project":"P","Regeling":"R","Organisatie":"O","Thema":"Sport",'
        '"Jaar":2016,"Periodiciteit":"Eenmalig","Aangevraagd":"€ 7.626","Verleend":0.00},'
        '{"Naam":"Stichting C","Project":"","Regeling":"R","Organisatie":"O","Thema":"Sport",'
        '"Jaar":2016,"Periodiciteit":"Eenmalig","Aangevraagd":"€ 7,62,6","Verleend":1.00}]',
        encoding="utf-8",
    )
    assert classify(path) == "subsidy_register_json"
    kind = by_name()["subsidy_register_json"]
    parsed = kind.parse(path, "h" * 64, ctx())
    columns, rows = parsed.tables["subsidy_grant"]
    got = [dict(zip(columns, r, strict=True)) for r in rows]
    assert [(r["line_number"], r["aangevraagd_bedrag"], r["verleend_bedrag"]) for r in got] == [
        (1, Decimal("15000.00"), Decimal("10358.00")),
        (2, Decimal("7626.00"), Decimal("0.00")),
    ]
    assert got[0]["omschrijving"] is None  # "" is absent
    assert [(q.line_number, q.reason_code) for q in parsed.quarantine] == [
        (3, "SUBSIDY_AMOUNT_INVALID")
    ]


def test_json_layout_is_judged_from_many_objects_not_the_first(tmp_path: Path) -> None:
    """The first object lacks Jaar: the register was UNKNOWN_FILE_TYPE and both rows lost.
    The objects' keys together are Amsterdam's layout; the record without Jaar is refused as a
    row, naming the key, its euros counted as quarantined; the other loads."""
    path = tmp_path / "subsidies.json"
    path.write_text('[{"Naam":"A","Verleend":5},{"Jaar":2016,"Naam":"B","Verleend":5}]')
    assert classify(path) == "subsidy_register_json"
    parsed = by_name()["subsidy_register_json"].parse(path, "h" * 64, ctx())
    assert (parsed.report.lines_loaded, parsed.report.lines_quarantined) == (1, 1)
    columns, rows = parsed.tables["subsidy_grant"]
    assert [(r[columns.index("ontvanger")], r[columns.index("line_number")]) for r in rows] == [
        ("B", 2)
    ]
    (q,) = parsed.quarantine
    assert (q.line_number, q.reason_code) == (1, "SUBSIDY_FIELD_MISSING")
    assert q.reason == "Row 1: the record has no Jaar, which its layout (amsterdam-json) requires"
    totals = {r[0]: r[1:] for r in parsed.tables["file_euro_total"][1]}
    assert totals["verleend_bedrag"][:2] == [Decimal("10.00"), Decimal("5.00")]


def test_json_record_without_verleend_is_refused_not_loaded_empty(tmp_path: Path) -> None:
    """Verleend is required: a record without the key used to load with no grant at all."""
    path = tmp_path / "subsidies.json"
    path.write_text('[{"Jaar":2016,"Naam":"A","Verleend":5},{"Jaar":2016,"Naam":"B"}, 3]')
    parsed = by_name()["subsidy_register_json"].parse(path, "h" * 64, ctx())
    assert [(q.line_number, q.reason_code) for q in parsed.quarantine] == [
        (2, "SUBSIDY_FIELD_MISSING"),
        (3, "SUBSIDY_ROW_MALFORMED"),
    ]
    assert parsed.report.lines_loaded == 1


def test_json_register_whose_records_all_lack_a_required_key_is_still_a_register(
    tmp_path: Path,
) -> None:
    """No record has Jaar, so no layout has every required key; all 4 keys (Naam, Verleend,
    Aangevraagd, Project) are Amsterdam's columns, more than half and at least 2: recognisably
    its register, the record refused as a row instead of the file going UNKNOWN_FILE_TYPE."""
    path = tmp_path / "subsidies.json"
    path.write_text('[{"Naam":"B","Verleend":5,"Aangevraagd":"0,01","Project":"P"}]')
    assert classify(path) == "subsidy_register_json"
    parsed = by_name()["subsidy_register_json"].parse(path, "h" * 64, ctx())
    assert [(q.line_number, q.reason_code) for q in parsed.quarantine] == [
        (1, "SUBSIDY_FIELD_MISSING")
    ]
    assert "no Jaar" in parsed.quarantine[0].reason
    # one known key is a coincidence; 2 known of 4 keys is not more than half
    for doc in ('[{"Naam":"B"}]', '[{"Naam":"B","Verleend":5,"id":1,"x":2}]'):
        path.write_text(doc)
        assert classify(path) == "unknown", doc
