"""CBS parsers on the real reference files (StatLine SES-WOA CSV, KWB xlsx), plus the quirks
they must survive: padding, BOM, secret '.', numbers as text, shifting key suffixes."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pytest

from sdw.cbs import benefits, kwb, statline
from sdw.cbs.observations import measure_meaning, normalise_period, parse_value, region_code
from sdw.ingest.classify import classify

SES = "SES_WOA_85163NED_amsterdam_2019_statline_export.csv"
KWB = "kwb-2023_utrecht_GM0344.xlsx"


def _independent_statline(path: Path) -> tuple[list[str], list[list[str]]]:
    """The file read by hand: strip BOM, split on ';', drop the quotes and padding."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw[3:].decode("utf-8").splitlines()
    split = [[c.strip('"').strip() for c in line.split('";"')] for line in lines if line]
    return split[0], split[1:]


def test_statline_ses_woa_every_cell_preserved(reference_dir: Path) -> None:
    path = reference_dir / "cbs" / SES
    header, obs, bad, n = statline.read_statline_csv(path)
    assert header.dataset == "ses_woa" and bad == [] and n == 579
    cols, rows = _independent_statline(path)
    assert len(rows) == 579
    by_cell = {(o.region_code, o.source_key): o for o in obs}
    # 6 measure columns x 579 rows, nothing dropped
    assert len(obs) == 579 * 6 == len(by_cell)
    rng = random.Random(7)
    for row in rng.sample(rows, 60):
        for i in range(3, len(cols)):
            o = by_cell[(row[2], cols[i])]
            assert o.period == row[0] == "2019"
            assert o.region_name == row[1]
            if row[i] == ".":
                assert o.value is None  # secret stays null, never 0
            else:
                assert o.value == Decimal(row[i])


def test_statline_known_cells_by_hand(reference_dir: Path) -> None:
    _, obs, _, _ = statline.read_statline_csv(reference_dir / "cbs" / SES)
    cell = {(o.region_code, o.measure): o.value for o in obs}
    # values copied by eye from the file's first lines
    assert cell[("GM0363", "households")] == Decimal("457400")
    assert cell[("GM0363", "ses_total_score")] == Decimal("-0.100")
    assert cell[("GM0363", "ses_spread_total")] == Decimal("1.010")
    assert cell[("WK036300", "education_high_pct")] == Decimal("58.2")
    assert cell[("BU03630100", "households")] == Decimal("0")
    assert cell[("BU03630100", "ses_total_score")] is None  # '.' in the file
    codes = {o.region_code for o in obs}
    assert len([c for c in codes if c.startswith("WK")]) == 99
    assert len([c for c in codes if c.startswith("BU")]) == 479
    assert all(len(c) in (6, 8, 10) and c == c.strip() for c in codes)


def test_kwb_xlsx_cells_preserved(reference_dir: Path) -> None:
    from openpyxl import load_workbook

    path = reference_dir / "cbs" / KWB
    year, obs, bad, n = kwb.read_kwb(path)
    assert (year, n, bad) == (2023, 122, [])
    ws = load_workbook(path, read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    by_cell = {(o.region_code, o.measure): o for o in obs}
    for var in ("a_inw", "a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo", "a_soz_wb"):
        i = head.index(var)
        for row in rows[1:]:
            o = by_cell[(row[0], var)]
            assert o.period == "2023"
            cell = row[i]
            if cell == ".":
                assert o.value is None
            else:
                assert o.value == Decimal(str(cell)), (row[0], var, cell)
    # numbers stored as text: a_soz_wb of Utrecht is the text '10410' in the sheet
    assert by_cell[("GM0344", "a_soz_wb")].value == Decimal("10410")
    assert by_cell[("GM0344", "a_inw")].value == Decimal("367947")
    assert by_cell[("WK034401", "a_wmo_t")].value is None  # '.' in 2023
    assert {o.region_code[:2] for o in obs} == {"GM", "WK", "BU"}


def test_detection_by_content(reference_dir: Path, tmp_path: Path) -> None:
    assert classify(reference_dir / "cbs" / SES) == "cbs_statline"
    assert classify(reference_dir / "cbs" / KWB) == "cbs_kwb"
    renamed = tmp_path / "export.csv"
    renamed.write_bytes((reference_dir / "cbs" / SES).read_bytes())
    assert classify(renamed) == "cbs_statline"
    b = tmp_path / "uitkeringen.csv"
    b.write_text("gemeentecode;wijkcode;maand;regeling;aantal_personen\n")
    assert classify(b) == "cbs_gemeente_uitkering"
    other = tmp_path / "other.csv"
    other.write_text("a;b;c\n1;2;3\n")
    assert classify(other) == "unknown"


def test_kwb_csv_text_numbers_and_decimal_comma(tmp_path: Path) -> None:
    p = tmp_path / "kwb-2024.csv"
    p.write_text(
        "gwb_code_10;regio;recs;a_inw;a_00_14;g_hhgro\n"
        'GM0999;Demo;Gemeente;"12 345";.;2,1\n'
        "WK099901  ;Wijk 1;Wijk;1500;300;1,9\n"
        "XX;bad;Wijk;1;1;1\n",
        encoding="utf-8",
    )
    year, obs, bad, n = kwb.read_kwb(p)
    assert (year, n, len(bad)) == (2024, 3, 1)
    cell = {(o.region_code, o.measure): o.value for o in obs}
    assert cell[("GM0999", "a_inw")] == Decimal("12345")
    assert cell[("GM0999", "a_00_14")] is None
    assert cell[("WK099901", "g_hhgro")] == Decimal("1.9")


def test_kwb_csv_a_bare_cr_or_a_bad_byte_costs_its_line_only(tmp_path: Path) -> None:
    """A bare CR inside a field made the csv module refuse the whole file (INGEST_ERROR); a
    byte that is not text (here 0x81, undefined in Windows-1252 too) loaded as written."""
    p = tmp_path / "kwb-2024.csv"
    p.write_bytes(
        b"gwb_code_10;regio;recs;a_inw;a_00_14\n"
        b"GM0999;Demo\rstad;Gemeente;100;10\n"
        b"WK099901;Wijk \x81;Wijk;50;5\n"
        b"WK099902;Wijk 2;Wijk;40;4\n"
    )
    year, obs, bad, n = kwb.read_kwb(p)  # a bare CR ends a line, as old Mac exports do
    assert (year, n) == (2024, 4)
    assert [reason.split(" ")[0:2] for _line, reason, _ in bad] == [
        ["2", "fields"],
        ["4", "fields"],
        ["bytes", "that"],
    ]
    assert sorted({o.region_code for o in obs}) == ["WK099902"]


def test_value_period_and_code_rules() -> None:
    assert parse_value("  -0.100") == (Decimal("-0.100"), "-0.100")
    assert parse_value("       .") == (None, ".")
    assert parse_value(None) == (None, None)
    with pytest.raises(ValueError):
        parse_value("abc")
    assert region_code("GM0363    ") == "GM0363"
    with pytest.raises(ValueError):
        region_code("WK03630")
    assert normalise_period("2019JJ00") == "2019"
    assert normalise_period("2023KW02") == "2023Q2"
    assert normalise_period("2024MM03") == "2024-03"
    assert normalise_period("2023 maart") == "2023-03"  # StatLine's label in a CSV export
    assert normalise_period("2025 december*") == "2025-12"  # * = provisional figures


def test_meaning_not_suffix() -> None:
    # the same measure under different suffixes and labels of different editions
    assert measure_meaning("SES-WOA/Totaalscore/Gemiddelde score (Getal)") == "ses_total_score"
    assert measure_meaning("SES-WOA/Totaalscore/Gemiddelde score_29") == "ses_total_score"
    assert measure_meaning("SES-WOA/Totaalscore/Gemiddelde score_31") == "ses_total_score"
    assert measure_meaning("Particuliere huishoudens_4") == "households"
    assert measure_meaning("Spreiding/Spreiding totaal/Waarde (Getal)") == "ses_spread_total"
    assert measure_meaning("SES-WOA/Financiële welvaart/Gemiddelde score") == "ses_welvaart_score"


def test_benefit_measures_by_meaning() -> None:
    # CBS "Personen met een uitkering; soort uitkering, wijken en buurten": wide labels
    wide = "Personen per soort uitkering/Bijstandsuitkering (aantal)"
    assert measure_meaning(wide) == "benefit_bijstand_count"
    assert (
        measure_meaning(
            "Personen per soort uitkering, relatief/Werkloosheidsuitkering "
            "(% van het aantal inwoners vanaf 15 jaar)"
        )
        == "benefit_ww_pct_15_plus"
    )
    assert measure_meaning("Arbeidsongeschiktheidsuitkering_12") == "benefit_ao_count"
    assert measure_meaning("AOW-uitkering (aantal)") == "benefit_aow_count"


def test_statline_long_dimension_and_text_attributes(tmp_path: Path) -> None:
    """A long table ("Soort uitkering" as a column) and region attributes written as text:
    the dimension's value names the measure, the text columns are not numbers."""
    p = tmp_path / "long.csv"
    p.write_bytes(
        b"\xef\xbb\xbf"
        + (
            b'"Soort uitkering";"Wijken en buurten";"Perioden";'
            b'"Regioaanduiding/Gemeentenaam (naam)";"Regioaanduiding/Codering (code)";'
            b'"Personen met een uitkering (aantal)"\r\n'
            b'"Bijstandsuitkering";"Centrum";"2024 juni";"Denkstede";"WK099901  ";"  120"\r\n'
            b'"AOW-uitkering";"Centrum";"2024 juni";"Denkstede";"WK099901  ";"    ."\r\n'
        )
    )
    header, obs, bad, n = statline.read_statline_csv(p)
    assert header.dataset == "uitkeringen" and not bad and n == 2
    assert [(o.region_code, o.period, o.measure, o.value) for o in obs] == [
        ("WK099901", "2024-06", "benefit_bijstand_count", Decimal("120")),
        ("WK099901", "2024-06", "benefit_aow_count", None),
    ]


def test_benefits_contract(tmp_path: Path) -> None:
    p = tmp_path / "b.csv"
    p.write_text(
        "\ufeffgemeentecode;wijkcode;maand;regeling;aantal_personen\n"
        "GM0999;WK099901;2025-01;Participatiewet;120\n"
        "0999;WK099902;2025-02;bbz;3\n"
        "GM0999;WK036301;2025-01;ioaw;1\n"  # wijk of another municipality
        "GM0999;WK099901;2025-13;ioaz;1\n"  # month 13
        "GM0999;WK099901;2025-01;ww;1\n"  # not a regulation of this contract
        "GM0999;WK099901;2025-01;ioaw;-1\n",
        encoding="utf-8",
    )
    ok, bad = benefits.read_benefits(p)
    assert [
        (r.gemeentecode, r.wijkcode, r.maand, r.regeling, r.aantal_personen) for _, r in ok
    ] == [
        ("GM0999", "WK099901", "2025-01", "participatiewet", 120),
        ("GM0999", "WK099902", "2025-02", "bbz", 3),
    ]
    assert [b[0] for b in bad] == [4, 5, 6, 7]


# -- bytes, headers and lines as the ingest core reads them (issue 22) --------------------------

_STATLINE_HEAD = b'"Perioden";"Wijken en buurten";"Regiocode (gemeente, wijk, buurt) (code)";'


def _guarded(path: Path):  # type: ignore[no-untyped-def]
    """The file classified and read as the worker does (``sdw.ingest.guard``)."""
    from sdw.ingest.guard import read_file
    from tests.mutation.oracle import context

    return read_file(path, "h" * 64, classify(path), context())


def _observation_lines(parsed) -> set[int]:  # type: ignore[no-untyped-def]
    columns, rows = parsed.tables.get("cbs_observation", ([], []))
    return {r[columns.index("line_number")] for r in rows}


def test_statline_a_byte_that_is_not_utf8_costs_its_line_not_the_file(tmp_path: Path) -> None:
    """No mark, and 0xe9 (Windows-1252's é) in line 2: CBS writes UTF-8, so that line is
    refused as not text and line 3 loads (it ended the file as INGEST_ERROR before)."""
    p = tmp_path / "statline.csv"
    p.write_bytes(
        _STATLINE_HEAD + b'"Particuliere huishoudens (aantal)"\r\n'
        b'"2021";"Caf\xe9buurt";"BU03630000";"  700"\r\n'
        b'"2021";"Centrum";"WK036300  ";"  2900"\r\n'
    )
    parsed = _guarded(p)
    r = parsed.report
    assert (r.file_kind, r.status, r.lines_in, r.lines_loaded) == (
        "cbs_statline", "loaded_with_rejections", 2, 1
    )  # fmt: skip
    (q,) = parsed.quarantine
    assert (q.reason_code, q.line_number) == ("CBS_STATLINE_ROW", 2)
    assert q.reason == "Line 2: bytes that are not text in the file's encoding " \
        "(UTF-8, or Windows-1252 without a mark)"  # fmt: skip
    assert q.original_fragment == "2021;Caf\\udce9buurt;BU03630000;  700"  # an escape: storable
    assert _observation_lines(parsed) == {3}


def test_statline_with_no_measure_column_is_refused_whole(tmp_path: Path) -> None:
    """Every column is a dimension or text: the line used to count as loaded while raw got no
    row for it. No measure means no statistics table: refused whole, by its own code."""
    p = tmp_path / "statline.csv"
    p.write_bytes(
        b"Perioden;Wijken en buurten;Regiocode (gemeente, wijk, buurt) (code)\n"
        b'"2021";"A";"GM0363"\n'
    )
    parsed = _guarded(p)
    r = parsed.report
    assert (r.file_kind, r.status, r.reason_code) == (
        "cbs_statline", "quarantined", "CBS_STATLINE_NO_MEASURES"
    )  # fmt: skip
    assert (r.lines_in, r.lines_loaded, r.lines_quarantined) == (1, 0, 1)
    (q,) = parsed.quarantine
    assert q.scope == "file" and q.original_fragment.startswith("header: Perioden;")
    assert parsed.tables == {}


def test_statline_header_that_is_not_utf8_is_refused_whole(tmp_path: Path) -> None:
    """The header names what every cell means; "Financi\\xeble" cannot be read as UTF-8."""
    p = tmp_path / "statline.csv"
    p.write_bytes(
        _STATLINE_HEAD + b'"SES-WOA/Financi\xeble welvaart/Gemiddelde score (Getal)"\n'
        b'"2021";"Centrum";"WK036300";"0.05"\n'
        b'"2021";"Noord";"WK036301";"0.10"\n'
    )
    parsed = _guarded(p)
    r = parsed.report
    assert (r.status, r.reason_code, r.lines_in, r.lines_loaded) == (
        "quarantined", "CBS_STATLINE_HEADER_NOT_TEXT", 2, 0
    )  # fmt: skip


def test_benefits_a_byte_that_is_not_utf8_costs_its_line_not_the_file(tmp_path: Path) -> None:
    """A mark, then 0xff inside line 3's regeling: that line is refused, lines 2 and 4 load."""
    p = tmp_path / "uitkeringen.csv"
    p.write_bytes(
        b"\xef\xbb\xbfgemeentecode;wijkcode;maand;regeling;aantal_personen\n"
        b"GM0999;WK099901;2025-01;bbz;3\n"
        b"GM0999;WK099901;2025-01;ioa\xffw;4\n"
        b"GM0999;WK099902;2025-01;ioaz;5\n"
    )
    parsed = _guarded(p)
    r = parsed.report
    assert (r.file_kind, r.lines_in, r.lines_loaded) == ("cbs_gemeente_uitkering", 3, 2)
    (q,) = parsed.quarantine
    assert (q.reason_code, q.line_number) == ("BENEFIT_ROW", 3)
    assert q.reason.startswith("Line 3: bytes that are not text")
    _cols, rows = parsed.tables["cbs_municipal_benefit"]
    assert [(row[3], row[4]) for row in rows] == [("bbz", 3), ("ioaz", 5)]
