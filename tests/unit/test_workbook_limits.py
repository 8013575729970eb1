"""Workbooks open within limits (``sdw.ingest.workbook``), for every source that reads one.

Every workbook is built here from literals with ``zipfile`` (content types, workbook, its
relationships, one sheet, optionally shared strings and styles). Hostile ones: a sheet padded
far over the uncompressed limit (small, with the limit lowered; and once at real size, 1.1 GB,
refused from the zip directory alone), a compression ratio, too many rows, cells, cells in a
row, a column or row number beyond Excel's, too many members, a header read that has to stop
early (a sheet or shared-string table whose tail is broken: recognition still succeeds), an
XXE and a billion laughs in each XML part, a file that is no zip, a damaged member. And cells
no amount can be (inf, NaN, 1e309, 1E+300, #DIV/0!): the file's good rows load and the bad
row is quarantined, parsed through the budget and KWB kinds as the ingest worker calls them.
Expected counts and sizes are worked out by hand or measured from the bytes written here.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sdw.budgets import kinds as budget_kinds
from sdw.cbs import kinds as cbs_kinds
from sdw.ingest import workbook
from sdw.ingest.classify import classify
from sdw.ingest.contract import FileKind, ParsedFile
from tests.mutation.oracle import context

D = Decimal
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    f'<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# cell style 1 shows a number as a date (built-in format 14, d-m-yyyy)
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/>'
    '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>'
)
BUDGET_HEADER = (
    "Gemeentecode", "Begrotingsjaar", "Peildatum", "Rapportageversie", "Begrotingspost",
    "Omschrijving", "Taakveld", "Programma", "Project", "Kostenplaats", "Primitieve begroting",
    "Begrotingswijzigingen", "Overheveling", "Realisatie", "Verplichtingen", "Prognose",
)  # fmt: skip
KWB_HEADER = ("gwb_code_10", "regio", "gm_naam", "recs", "a_inw", "a_00_14", "a_15_24",
              "a_25_44", "a_45_64", "a_65_oo")  # fmt: skip
LAUGHS = (  # lol9 stands for 10**9 times "lol"
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(2, 10))
    + "]>"
)
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def num(ref: str, value: str, style: int | None = None) -> str:
    s = "" if style is None else f' s="{style}"'
    return f'<c r="{ref}"{s}><v>{value}</v></c>'


def row(r: int, *cells: str) -> str:
    return f'<row r="{r}">{"".join(cells)}</row>'


def sheet(*rows: str, before: str = "", prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">{before}'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )


def header_row(names: tuple[str, ...]) -> str:
    return row(1, *(inline(f"{chr(65 + i)}1", n) for i, n in enumerate(names)))


def budget_row(r: int, line: str, realisatie: str | None = None) -> str:
    """A budget line of GM0363 for 2023: € 600.000 budgeted, € 3.520,50 spent (Realisatie is
    column N) unless ``realisatie`` gives that cell."""
    return row(
        r,
        inline(f"A{r}", "GM0363"),
        num(f"B{r}", "2023"),
        inline(f"C{r}", "31-12-2023"),
        inline(f"E{r}", line),
        inline(f"G{r}", "6.1"),
        num(f"K{r}", "600000"),
        realisatie if realisatie is not None else num(f"N{r}", "3520.5"),
    )


SHEET = "xl/worksheets/sheet1.xml"


def parts(
    sheet_xml: str | bytes,
    *,
    strings: str | None = None,
    styles: str | None = None,
    name: str = "Begroting",
    workbook_prolog: str = "",
    rels_prolog: str = "",
) -> dict[str, bytes]:
    """A minimal xlsx, member by member."""
    members: dict[str, bytes] = {
        "[Content_Types].xml": CONTENT_TYPES.encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?>{workbook_prolog}<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?>{rels_prolog}{RELS}'.encode(),
        SHEET: sheet_xml.encode() if isinstance(sheet_xml, str) else sheet_xml,
    }
    if strings is not None:
        members["xl/sharedStrings.xml"] = strings.encode()
    if styles is not None:
        members["xl/styles.xml"] = styles.encode()
    return members


def write(
    path: Path, sheet_xml: str | bytes, *, method: int = zipfile.ZIP_DEFLATED, **kw: str
) -> int:
    """Write the workbook (``parts``); its total uncompressed size in bytes."""
    members = parts(sheet_xml, **kw)
    with zipfile.ZipFile(path, "w", method) as z:
        for member, data in members.items():
            z.writestr(member, data)
    return sum(len(data) for data in members.values())


def kind(kinds: tuple[FileKind, ...], name: str) -> FileKind:
    return next(k for k in kinds if k.name == name)


XLSX = kind(budget_kinds.KINDS, "budget_xlsx")
KWB = kind(cbs_kinds.KINDS, "cbs_kwb")


def parse(path: Path, file_kind: FileKind = XLSX) -> ParsedFile:
    return file_kind.parse(path, "0" * 64, context())


def refused(parsed: ParsedFile, code: str) -> str:
    """The reason of a file refused whole with ``code``: one file record, nothing loaded."""
    r = parsed.report
    assert (r.status, r.reason_code, r.lines_in, r.lines_loaded, r.lines_quarantined) == (
        "quarantined", code, 1, 0, 1,
    )  # fmt: skip
    assert parsed.tables == {}
    [q] = parsed.quarantine
    assert (q.scope, q.reason_code, q.reason) == ("file", code, r.reason)
    assert q.original_fragment.startswith("[") and "bytes of a workbook refused whole" in (
        q.original_fragment
    )
    assert r.reason is not None
    return r.reason


def euros(parsed: ParsedFile) -> dict[str, tuple[Decimal, Decimal, int]]:
    _columns, rows = parsed.tables["file_euro_total"]
    return {c: (f, q, n) for c, f, q, n in rows}


# ------------------------------------------------------------------- cells as rules need them


def test_cells_as_the_row_rules_take_them(tmp_path: Path) -> None:
    strings = (
        f'<sst xmlns="{MAIN}"><si><t>unused</t></si>'
        "<si><r><t>Ge</t></r><r><t>meente</t></r><rPh><t>ゲ</t></rPh></si></sst>"
    )
    path = tmp_path / "cells.xlsx"
    write(
        path,
        sheet(
            row(
                1,
                inline("A1", "naam"),
                '<c r="B1" t="s"><v>1</v></c>',
                '<c r="C1" t="b"><v>1</v></c>',
                '<c r="D1" t="str"><f>A1&amp;"x"</f><v>naamx</v></c>',
                '<c r="E1" t="e"><v>#N/A</v></c>',
                num("F1", "007"),
                num("G1", "2.50"),
                num("H1", "12345678901234567890"),
                '<c r="I1" t="d"><v>2023-12-31T00:00:00</v></c>',
                num("J1", "45291", style=1),
                '<c r="K1" s="1"/>',
            ),
            '<row r="3"><c><v>1</v></c><c><v>2</v></c><c t="inlineStr"><is><t>drie</t></is>'
            '</c><c r="F3"><v>-0.5</v></c></row>',
        ),
        strings=strings,
        styles=STYLES,
        name="Blad één",
    )
    with workbook.first_sheet(path) as first:
        assert first.name == "Blad één"
        rows = list(first.rows())
    assert rows == [
        (1, ("naam", "Gemeente", True, "naamx", "#N/A", 7, 2.5, "12345678901234567890",
             datetime(2023, 12, 31), datetime(2023, 12, 31), None)),
        (3, (1, 2, "drie", None, None, -0.5)),
    ]  # fmt: skip
    # the header is read without the styles: J1 is its serial there
    head = workbook.header(path)
    assert head.sheet == "Blad één" and head.cells[:2] == ("naam", "Gemeente")
    assert head.cells[9] == 45291


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("1", 1),
        ("-12", -12),
        ("3520.5", 3520.5),
        ("1E+3", 1000.0),
        ("inf", "inf"),
        ("-inf", "-inf"),
        ("NaN", "NaN"),
        ("1e309", "1e309"),
        ("1E+300", "1E+300"),
        ("9007199254740992", "9007199254740992"),  # 2**53: no longer exact to the unit
        ("9007199254740991", 9007199254740991.0),
        (" 12 ", 12),
        ("0x10", "0x10"),
        ("1e-400", "1e-400"),  # a float's 0.0, not the number written
        ("0.0e-400", 0.0),
        ("-0", 0),
        ("١٢٣", "١٢٣"),  # Arabic-Indic digits: no number of the contract
        ("\uff11\uff12\uff13", "\uff11\uff12\uff13"),  # full-width digits
        ("1_000", "1_000"),
    ],
)
def test_a_number_cell_is_a_safe_number_or_its_text(written: str, value: object) -> None:
    got = workbook.number(written)
    assert got == value and type(got) is type(value)


@settings(max_examples=100, deadline=None)
@given(
    st.one_of(
        st.text(max_size=30),
        st.from_regex(r"-?[0-9]{0,25}(\.[0-9]{0,5})?(E[+-]?[0-9]{1,4})?", fullmatch=True),
    )
)
def test_any_number_cell_text_reads_without_an_exception(written: str) -> None:
    got = workbook.number(written)
    if isinstance(got, str):
        assert got == written.strip()
    else:
        assert isinstance(got, int | float) and abs(got) < 2**53


def test_a_date_styled_peildatum_loads_as_its_date(tmp_path: Path) -> None:
    path = tmp_path / "begroting.xlsx"
    date_row = budget_row(2, "TF").replace(inline("C2", "31-12-2023"), num("C2", "45291", 1))
    write(path, sheet(header_row(BUDGET_HEADER), date_row), styles=STYLES)
    parsed = parse(path)
    [loaded] = parsed.tables["budget_line"][1]
    columns = parsed.tables["budget_line"][0]
    got = dict(zip(columns, loaded, strict=True))
    assert got["peildatum"] == date(2023, 12, 31)
    assert (got["realisatie"], got["primitieve_begroting"]) == (D("3520.50"), D("600000.00"))


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('<c r="N3"><v>inf</v></c>', "'inf'"),
        ('<c r="N3"><v>NaN</v></c>', "'NaN'"),
        ('<c r="N3"><v>1e309</v></c>', "'1e309'"),
        ('<c r="N3"><v>1E+300</v></c>', "'1E+300'"),
        ('<c r="N3" t="e"><v>#DIV/0!</v></c>', "'#DIV/0!'"),
    ],
)
def test_a_cell_no_amount_can_be_quarantines_its_row_only(
    tmp_path: Path, cell: str, shown: str
) -> None:
    path = tmp_path / "begroting_GM0363_2023_Q4.xlsx"
    write(path, sheet(header_row(BUDGET_HEADER), budget_row(2, "GOOD"), budget_row(3, "BAD", cell)))
    assert classify(path) == "budget_xlsx"
    parsed = parse(path)
    r = parsed.report
    assert (r.status, r.lines_in, r.lines_loaded, r.lines_quarantined) == (
        "loaded_with_rejections", 2, 1, 1,
    )  # fmt: skip
    [q] = parsed.quarantine
    assert q.reason_code == "BUDGET_AMOUNT_INVALID" and q.line_number == 3
    assert q.reason.startswith(f"Row 3: Realisatie {shown} ")
    # the good row's euros load; the bad row's € 600.000 budget is quarantined with it
    assert euros(parsed)["realisatie"] == (D("3520.50"), D("0.00"), 1)
    assert euros(parsed)["primitieve_begroting"] == (D("1200000.00"), D("600000.00"), 2)


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40))
def test_whatever_a_number_cell_holds_the_file_loads_or_quarantines_the_row(
    tmp_path_factory: pytest.TempPathFactory, written: str
) -> None:
    path = tmp_path_factory.mktemp("any") / "begroting.xlsx"
    bad = f'<c r="N3"><v>{escape(written)}</v></c>'
    write(path, sheet(header_row(BUDGET_HEADER), budget_row(2, "GOOD"), budget_row(3, "X", bad)))
    r = parse(path).report
    assert r.status in ("loaded", "loaded_with_rejections")
    assert (r.lines_in, r.lines_loaded + r.lines_quarantined) == (2, 2) and r.lines_loaded >= 1


def test_kwb_cells_no_number_can_be_keep_their_text(tmp_path: Path) -> None:
    path = tmp_path / "kwb-2023.xlsx"
    cells = ("1000", "inf", "1e309", "#DIV/0!", "NaN", "100")
    data = row(
        2,
        inline("A2", "GM0344"),
        inline("B2", "Utrecht"),
        inline("C2", "Utrecht"),
        inline("D2", "Gemeente"),
        *(
            f'<c r="{chr(69 + i)}2" t="e"><v>{v}</v></c>'
            if v.startswith("#")
            else num(f"{chr(69 + i)}2", v)
            for i, v in enumerate(cells)
        ),
    )
    write(path, sheet(header_row(KWB_HEADER), data), name="kwb-2023")
    assert classify(path) == "cbs_kwb"
    parsed = parse(path, KWB)
    assert (parsed.report.status, parsed.report.lines_in, parsed.report.lines_loaded) == (
        "loaded", 1, 1,
    )  # fmt: skip
    [(columns, rows)] = [t for name, t in parsed.tables.items() if name != "file_euro_total"]
    got = {r[columns.index("source_key")]: r for r in rows}
    value, raw = columns.index("value"), columns.index("value_raw")
    assert [(got[k][value], got[k][raw]) for k in KWB_HEADER[4:]] == [
        (D("1000"), "1000"), (None, "inf"), (None, "1e309"), (None, "#DIV/0!"), (None, "NaN"),
        (D("100"), "100"),
    ]  # fmt: skip


# ------------------------------------------------- a damaged cell costs its row, not the file

ONE_STRING = f'<sst xmlns="{MAIN}"><si><t>Omschrijving</t></si></sst>'
UNKNOWN = "what it should hold is unknown, so the row is not loaded"


@pytest.mark.parametrize(
    ("cell", "strings", "said"),
    [
        (
            '<c r="N3" t="s"><v>9999</v></c>',
            ONE_STRING,
            "Realisatie: cell N3 refers to shared string 9999; the file has 1",
        ),
        (
            '<c r="N3" t="s"><v>x1</v></c>',
            ONE_STRING,
            "Realisatie: cell N3 refers to shared string 'x1', which is no string number",
        ),
        (
            '<c r="N3" t="s"><v>0</v></c>',
            None,
            "Realisatie: cell N3 refers to a shared string; the file has none",
        ),
        (
            '<c r="N3" t="b"><v>2</v></c>',
            None,
            "Realisatie: cell N3 is a boolean cell holding '2', where one is 0 or 1",
        ),
        (
            '<c r="N3"><v>1 2</v></c>',
            None,
            "Realisatie: cell N3 is a number cell holding '1 2', which is no number",
        ),
        (
            '<c r="N3" t="d"><v>2023-13-45</v></c>',
            None,
            "Realisatie: cell N3 is a date cell holding '2023-13-45', which is no date",
        ),
        (
            '<c r="N3" t="q"><v>5</v></c>',
            None,
            "Realisatie: cell N3 has the type 'q', which no xlsx cell has",
        ),
        # no reference: the cell after K3 is L3, Begrotingswijzigingen
        (
            '<c t="b"><v>2</v></c>',
            None,
            "Begrotingswijzigingen: cell L3 is a boolean cell holding '2', where one is 0 or 1",
        ),
    ],
    ids=["string-9999", "string-x1", "no-strings", "bool-2", "number-1-2", "date", "type-q",
         "no-ref"],
)  # fmt: skip
def test_a_damaged_cell_quarantines_its_row_only(
    tmp_path: Path, cell: str, strings: str | None, said: str
) -> None:
    """Before: a shared string out of range refused the whole workbook (WORKBOOK_INVALID); a
    boolean 2 or a cell of type q holding 5 loaded as € 2 or € 5."""
    path = tmp_path / "begroting_GM0363_2023_Q4.xlsx"
    write(
        path,
        sheet(header_row(BUDGET_HEADER), budget_row(2, "GOOD"), budget_row(3, "BAD", cell)),
        **({"strings": strings} if strings is not None else {}),
    )
    assert classify(path) == "budget_xlsx"
    parsed = parse(path)
    r = parsed.report
    assert (r.status, r.lines_in, r.lines_loaded, r.lines_quarantined) == (
        "loaded_with_rejections", 2, 1, 1,
    )  # fmt: skip
    [q] = parsed.quarantine
    assert (q.reason_code, q.line_number) == ("WORKBOOK_CELL_INVALID", 3)
    assert q.reason == f"Row 3: {said}; {UNKNOWN}"
    # a damaged cell states no euros: the file's Realisatie is the good row's
    assert euros(parsed)["realisatie"] == (D("3520.50"), D("0.00"), 1)


def test_a_number_cell_with_a_space_is_no_gemeentecode(tmp_path: Path) -> None:
    """Before: ``<v>1 2</v>`` in Gemeentecode loaded as GM0012."""
    path = tmp_path / "begroting.xlsx"
    bad = budget_row(3, "BAD").replace(inline("A3", "GM0363"), num("A3", "1 2"))
    write(path, sheet(header_row(BUDGET_HEADER), budget_row(2, "GOOD"), bad))
    parsed = parse(path)
    columns, rows = parsed.tables["budget_line"]
    assert [r[columns.index("municipality_code")] for r in rows] == ["GM0363"]
    [q] = parsed.quarantine
    assert q.reason == (
        "Row 3: Gemeentecode: cell A3 is a number cell holding '1 2', which is no number; "
        f"{UNKNOWN}"
    )


def test_a_boolean_is_never_an_amount(tmp_path: Path) -> None:
    """``t="b"`` 1 is handed over as True, which the amount parser refuses by name."""
    path = tmp_path / "begroting.xlsx"
    bad = budget_row(3, "BAD", '<c r="N3" t="b"><v>1</v></c>')
    write(path, sheet(header_row(BUDGET_HEADER), budget_row(2, "GOOD"), bad))
    [q] = parse(path).quarantine
    assert q.reason_code == "BUDGET_AMOUNT_INVALID"
    assert q.reason == "Row 3: Realisatie True is not an amount; the row is not loaded"


def test_damaged_cells_as_the_sheet_hands_them_over(tmp_path: Path) -> None:
    path = tmp_path / "cells.xlsx"
    write(
        path,
        sheet(
            row(1, inline("A1", "naam")),
            row(
                2,
                '<c r="A2" t="s"><v>7</v></c>',
                '<c r="B2" t="b"><v>0</v></c>',
                '<c r="C2" t="b"><v> 1 </v></c>',
                '<c r="D2" t="b"><v>true</v></c>',
                num("E2", "\u0661\u0662"),
                num("F2", "inf"),
                num("G2", "1e309"),
            ),
        ),
        strings=ONE_STRING,
    )
    with workbook.first_sheet(path) as first:
        [_head, (n, cells)] = list(first.rows())
    assert (n, cells) == (2, ("7", False, True, "true", "\u0661\u0662", "inf", "1e309"))
    bad = [c for c in cells if isinstance(c, workbook.BadCell)]
    assert [c.reason for c in bad] == [
        "cell A2 refers to shared string 7; the file has 1",
        "cell D2 is a boolean cell holding 'true', where one is 0 or 1",
        "cell E2 is a number cell holding '\u0661\u0662', which is no number",
    ]
    # a number no rule can take is its text, not a damaged cell: a KWB keeps it as text
    assert type(cells[5]) is str and type(cells[6]) is str


def test_a_damaged_cell_in_row_1_still_refuses_the_file(tmp_path: Path) -> None:
    """Row 1 says what every column is: a shared string it lacks is the whole file's."""
    path = tmp_path / "begroting.xlsx"
    head = row(1, inline("A1", "Gemeentecode"), '<c r="B1" t="s"><v>9999</v></c>')
    write(path, sheet(head), strings=ONE_STRING)
    with pytest.raises(workbook.WorkbookInvalid) as caught:
        workbook.header(path)
    assert "row 1 refers to shared string 9999; the file has 1" in caught.value.reason


def test_a_kwb_row_with_a_damaged_cell_is_refused(tmp_path: Path) -> None:
    """Before: a boolean 2 loaded as a_inw 2, a shared string 9999 refused the whole file.
    A boolean 1 is no measure either: its text is kept, with no value."""
    path = tmp_path / "kwb-2023.xlsx"

    def region(r: int, code: str, a_inw: str) -> str:
        return row(r, inline(f"A{r}", code), inline(f"B{r}", "Wijk"), a_inw, num(f"F{r}", "5"))

    write(
        path,
        sheet(
            header_row(KWB_HEADER),
            region(2, "WK034401", '<c r="E2" t="b"><v>2</v></c>'),
            region(3, "WK034402", '<c r="E3" t="s"><v>9999</v></c>'),
            region(4, "WK034403", '<c r="E4" t="b"><v>1</v></c>'),
        ),
        strings=ONE_STRING,
        name="kwb-2023",
    )
    parsed = parse(path, KWB)
    r = parsed.report
    assert (r.status, r.lines_in, r.lines_loaded, r.lines_quarantined) == (
        "loaded_with_rejections", 3, 1, 2,
    )  # fmt: skip
    assert [(q.reason_code, q.line_number, q.reason) for q in parsed.quarantine] == [
        ("CBS_KWB_ROW", 2, "Line 2: a_inw: cell E2 is a boolean cell holding '2', where one "
         "is 0 or 1; what it holds is unknown"),
        ("CBS_KWB_ROW", 3, "Line 3: a_inw: cell E3 refers to shared string 9999; the file has "
         "1; what it holds is unknown"),
    ]  # fmt: skip
    columns, rows = parsed.tables["cbs_observation"]
    got = {(x[columns.index("region_code")], x[columns.index("source_key")]): x for x in rows}
    value, raw = columns.index("value"), columns.index("value_raw")
    assert (got["WK034403", "a_inw"][value], got["WK034403", "a_inw"][raw]) == (None, "True")
    assert got["WK034403", "a_00_14"][value] == D("5")


def test_a_member_placed_outside_the_file_is_invalid(tmp_path: Path) -> None:
    """A directory whose offsets point before the file's start (here: the end record says
    the directory starts 100 bytes later than it does) made zipfile seek to -100, an OSError
    EINVAL that escaped classification as if the disk had failed."""
    path = tmp_path / "begroting.xlsx"
    write(path, sheet(header_row(BUDGET_HEADER)))
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    (directory,) = struct.unpack("<I", data[end + 16 : end + 20])
    data[end + 16 : end + 20] = struct.pack("<I", directory + 100)
    path.write_bytes(data)
    with pytest.raises(workbook.WorkbookInvalid) as caught:
        workbook.header(path)
    assert caught.value.detail == (
        f"its zip directory places member '[Content_Types].xml' at byte -100 of a file of "
        f"{len(data):,} bytes"
    )
    assert classify(path) == "unknown"
    assert "places member" in refused(parse(path), "WORKBOOK_INVALID")


# ------------------------------------------------------------------------------- the limits


def test_a_padded_sheet_is_refused_from_the_zip_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook, "MAX_UNCOMPRESSED", 100_000)
    path = tmp_path / "begroting.xlsx"
    padded = sheet(header_row(BUDGET_HEADER), " " * 200_000, budget_row(2, "TF"))
    total = write(path, padded)
    assert classify(path) == "budget_xlsx"  # recognised from row 1: the padding is never read
    reason = refused(parse(path), "WORKBOOK_LIMIT")
    assert reason.startswith(
        f"Workbook limit uncompressed_bytes: the workbook inflates to {total:,} bytes, where "
        "the limit is 100,000 (sdw.ingest.workbook.MAX_UNCOMPRESSED)"
    )


def test_a_member_that_inflates_too_far_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook, "RATIO_FLOOR", 10_000)
    path = tmp_path / "begroting.xlsx"
    write(path, sheet(header_row(BUDGET_HEADER), " " * 200_000, budget_row(2, "TF")))
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    ratio = info.file_size // info.compress_size
    assert ratio > 100
    reason = refused(parse(path), "WORKBOOK_LIMIT")
    assert (
        f"compression_ratio: member 'xl/worksheets/sheet1.xml' inflates to {ratio:,} times its "
        "compressed size, where the limit is 100 (sdw.ingest.workbook.MAX_RATIO)"
    ) in reason


def test_too_many_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook, "MAX_ROWS", 3)
    path = tmp_path / "begroting.xlsx"
    lines = [budget_row(r, f"L{r}") for r in range(2, 6)]
    write(path, sheet(header_row(BUDGET_HEADER), *lines))
    assert classify(path) == "budget_xlsx"
    reason = refused(parse(path), "WORKBOOK_LIMIT")
    assert reason.startswith(
        "Workbook limit rows: the first sheet has at least 4 rows, where the limit is 3 "
    )


def test_too_many_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook, "MAX_CELLS", 20)
    path = tmp_path / "begroting.xlsx"
    write(path, sheet(header_row(BUDGET_HEADER), budget_row(2, "A"), budget_row(3, "B")))
    assert classify(path) == "budget_xlsx"  # 16 header cells: row 1 is within the limit
    reason = refused(parse(path), "WORKBOOK_LIMIT")
    # 16 in row 1, 7 per budget line: the 21st cell is row 2's fifth
    assert "cells: the first sheet has at least 21 cells, where the limit is 20" in reason


def test_too_many_cells_in_a_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook, "MAX_COLUMNS", 8)
    path = tmp_path / "begroting.xlsx"
    write(path, sheet(header_row(BUDGET_HEADER), budget_row(2, "A")))
    with pytest.raises(workbook.WorkbookRefused) as caught:
        workbook.header(path)
    assert (caught.value.limit, caught.value.measured) == ("cells_per_row", 9)
    assert classify(path) == "unknown"  # no kind can read its row 1 within the limit
    reason = refused(parse(path), "WORKBOOK_LIMIT")
    assert "cells_per_row: row 1 has at least 9 cells, where the limit is 8" in reason


@pytest.mark.parametrize(
    ("cell", "said"),
    [
        (num("XFE2", "1"), "column: cell 'XFE2' lies in column 16,385, where the limit is 16,384"),
        (
            num("ZZZZZZZZ2", "1"),
            "column: cell 'ZZZZZZZZ2' lies in column at least 16,385, where the limit is 16,384",
        ),
    ],
)
def test_a_cell_beyond_excels_last_column(tmp_path: Path, cell: str, said: str) -> None:
    path = tmp_path / "begroting.xlsx"
    write(path, sheet(header_row(BUDGET_HEADER), row(2, cell)))
    assert said in refused(parse(path), "WORKBOOK_LIMIT")


def test_a_row_beyond_excels_last_row(tmp_path: Path) -> None:
    path = tmp_path / "begroting.xlsx"
    write(path, sheet(header_row(BUDGET_HEADER), row(1_048_577, num("A1048577", "1"))))
    reason = refused(parse(path), "WORKBOOK_LIMIT")
    assert "numbers a row 1,048,577, where the limit is 1,048,576" in reason


def test_too_many_members_is_refused_before_the_directory_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook, "MAX_MEMBERS", 4)
    path = tmp_path / "begroting.xlsx"
    write(path, sheet(header_row(BUDGET_HEADER)), strings=f'<sst xmlns="{MAIN}"/>')
    with pytest.raises(workbook.WorkbookRefused):
        workbook.header(path)
    reason = refused(parse(path), "WORKBOOK_LIMIT")
    assert "members: the zip has 5 members, where the limit is 4" in reason


def test_a_cell_over_excels_characters_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "begroting.xlsx"
    write(path, sheet(header_row(BUDGET_HEADER), row(2, inline("F2", "x" * 40_000))))
    reason = refused(parse(path), "WORKBOOK_LIMIT")
    assert "cell_chars: cell 'F2' holds at least" in reason and "limit is 32,767" in reason


# ------------------------------------------------------------------ recognising reads a prefix


def test_recognition_stops_at_the_end_of_row_1(tmp_path: Path) -> None:
    path = tmp_path / "begroting.xlsx"
    broken_tail = (
        sheet(header_row(BUDGET_HEADER)).replace(
            "</sheetData>", '<row r="2"><c r="A2" t="inlineStr"><is><t>GM0363</is></c>'
        )
        + "<<<" * 1000
    )
    write(path, broken_tail)
    assert classify(path) == "budget_xlsx"
    reason = refused(parse(path), "WORKBOOK_INVALID")
    assert "part 'xl/worksheets/sheet1.xml' is not well-formed XML" in reason


def test_recognition_reads_shared_strings_only_up_to_row_1s(tmp_path: Path) -> None:
    path = tmp_path / "kwb-2023.xlsx"
    # row 1 uses strings 2..11 (two others come first); after them the table is broken
    table = "".join(f"<si><t>{t}</t></si>" for t in ("Utrecht", "Gemeente", *KWB_HEADER))
    strings = f'<sst xmlns="{MAIN}">{table}<si><t>GM0344</t></si><si><t>&broken'
    head = row(1, *(f'<c r="{chr(65 + i)}1" t="s"><v>{i + 2}</v></c>' for i in range(10)))
    write(path, sheet(head), strings=strings, name="kwb-2023")
    assert workbook.header(path).cells == KWB_HEADER
    assert classify(path) == "cbs_kwb"
    reason = refused(parse(path, KWB), "WORKBOOK_INVALID")
    assert "part 'xl/sharedStrings.xml' is not well-formed XML" in reason


def test_a_header_that_does_not_end_within_its_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook, "HEADER_SHEET_BYTES", 70_000)
    path = tmp_path / "begroting.xlsx"
    write(path, sheet(header_row(BUDGET_HEADER), before=" " * 200_000))
    with pytest.raises(workbook.WorkbookRefused) as caught:
        workbook.header(path)
    assert (caught.value.limit, caught.value.allowed) == ("header_bytes", 70_000)
    assert classify(path) == "unknown"


def test_the_header_is_remembered_per_file_version(tmp_path: Path) -> None:
    path = tmp_path / "begroting.xlsx"
    write(path, sheet(header_row(BUDGET_HEADER)))
    first = workbook.header(path)
    assert workbook.header(path) is first  # the kinds' sniffers read the file once
    write(path, sheet(header_row(KWB_HEADER)))
    assert workbook.header(path).cells == KWB_HEADER


# ------------------------------------------------------------------ entities and broken files


@pytest.mark.parametrize("dtd", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
@pytest.mark.parametrize("part", ["sheet1", "sharedStrings", "workbook", "rels"])
def test_a_dtd_in_any_part_is_refused_unexpanded(tmp_path: Path, dtd: str, part: str) -> None:
    path = tmp_path / "begroting.xlsx"
    entity = "&xxe;" if dtd == XXE else "&lol9;"
    # row 1 is the budget header from shared strings 0-15, then a cell using the entity
    cells = [f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(len(BUDGET_HEADER))]
    head = row(1, *cells, inline("Q1", entity) if part == "sheet1" else "")
    table = "".join(f"<si><t>{t}</t></si>" for t in BUDGET_HEADER)
    if part == "sharedStrings":
        table = f"<si><t>{entity}</t></si>" + table[len("<si><t>Gemeentecode</t></si>") :]
    write(
        path,
        sheet(head, prolog=dtd if part == "sheet1" else ""),
        strings=(dtd if part == "sharedStrings" else "") + f'<sst xmlns="{MAIN}">{table}</sst>',
        workbook_prolog=dtd if part == "workbook" else "",
        rels_prolog=dtd if part == "rels" else "",
    )
    with pytest.raises(workbook.WorkbookInvalid) as caught:
        workbook.header(path)
    assert "declares a DTD (<!DOCTYPE>), which no xlsx has" in caught.value.reason
    assert classify(path) == "unknown"
    reason = refused(parse(path), "WORKBOOK_INVALID")
    assert "declares a DTD" in reason and "root:" not in reason and "lollol" not in reason


def test_a_file_that_is_no_zip(tmp_path: Path) -> None:
    path = tmp_path / "begroting.xlsx"
    path.write_text(";".join(BUDGET_HEADER) + "\n", encoding="utf-8")
    assert classify(path) == "unknown"
    reason = refused(parse(path), "WORKBOOK_INVALID")
    assert reason.startswith("Not a readable xlsx workbook: it is not a zip archive")


def test_a_damaged_member_past_row_1(tmp_path: Path) -> None:
    path = tmp_path / "begroting.xlsx"
    # 600 lines: the sheet is well over the 64 KiB recognition reads before it stops
    lines = [budget_row(r, f"L{r}") for r in range(2, 602)]
    write(path, sheet(header_row(BUDGET_HEADER), *lines), method=zipfile.ZIP_STORED)
    data = path.read_bytes()
    at = data.rindex(b"L601")  # stored: the sheet's bytes are in the file as written
    path.write_bytes(data[:at] + b"X601" + data[at + 4 :])
    assert classify(path) == "budget_xlsx"  # row 1 is intact
    reason = refused(parse(path), "WORKBOOK_INVALID")
    assert "member 'xl/worksheets/sheet1.xml' is damaged" in reason and "CRC" in reason


# ------------------------------------------------------------------------------ real size


def write_padded(path: Path, head: bytes, blanks: bytes, times: int, tail: bytes) -> None:
    """A workbook whose sheet is ``head``, ``times`` x ``blanks`` and ``tail``, written as a
    zip by hand: the blanks are deflated once (a full flush makes the block stand alone) and
    the block written ``times`` over, so the 1.1 GB of XML is never held, nor deflated more
    than once (zipfile would take seconds to deflate it all)."""
    members = parts(b"")
    del members[SHEET]
    entries: list[tuple[bytes, int, int, int, int]] = []  # name, crc, sizes, offset
    with path.open("wb") as out:
        for name, data in members.items():
            packed = zlib.compress(data, 9, wbits=-15)
            entries.append((name.encode(), zlib.crc32(data), len(packed), len(data), out.tell()))
            out.write(LOCAL.pack(0x04034B50, 20, 0, 8, 0, 33, *entries[-1][1:4], len(name), 0))
            out.write(name.encode() + packed)
        deflate = zlib.compressobj(1, zlib.DEFLATED, -15)
        first = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
        block = deflate.compress(blanks) + deflate.flush(zlib.Z_FULL_FLUSH)
        last = deflate.compress(tail) + deflate.flush()
        crc = zlib.crc32(head)
        for _ in range(times):
            crc = zlib.crc32(blanks, crc)
        crc = zlib.crc32(tail, crc)
        size = len(head) + times * len(blanks) + len(tail)
        packed_size = len(first) + times * len(block) + len(last)
        entries.append((SHEET.encode(), crc, packed_size, size, out.tell()))
        out.write(LOCAL.pack(0x04034B50, 20, 0, 8, 0, 33, crc, packed_size, size, len(SHEET), 0))
        out.write(SHEET.encode() + first)
        for _ in range(times):
            out.write(block)
        out.write(last)
        directory = out.tell()
        for name_b, crc, packed_size, size, offset in entries:
            fields = (crc, packed_size, size, len(name_b), 0, 0, 0, 0, 0, offset)
            out.write(CENTRAL.pack(0x02014B50, 20, 20, 0, 8, 0, 33, *fields) + name_b)
        end = out.tell()
        count = len(entries)
        out.write(END.pack(0x06054B50, 0, 0, count, count, end - directory, directory, 0))


# zip records (APPNOTE 4.3.7, 4.3.12, 4.3.16): version 2.0, deflate, 1980-01-01 00:00
LOCAL = struct.Struct("<IHHHHHIIIHH")
CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
END = struct.Struct("<IHHHHIIH")


def test_a_real_size_bomb_is_refused_without_inflating_it(tmp_path: Path) -> None:
    """The reproducer's shape at its size: 1.1 GB of blanks inside sheetData after a budget
    header (about 5 MB on disk), recognised from row 1 and refused from the zip directory:
    the blanks are never inflated."""
    path = tmp_path / "begroting_GM0363_2023_Q4.xlsx"
    head, tail = sheet(header_row(BUDGET_HEADER)).encode().split(b"</sheetData>")
    write_padded(path, head, b" " * 2**20, 1100, b"</sheetData>" + tail)
    infos = zipfile.ZipFile(path).infolist()  # a zip as zipfile reads it
    assert [i.filename for i in infos][-1] == SHEET
    total = sum(i.file_size for i in infos)
    assert total > 1100 * 2**20
    assert classify(path) == "budget_xlsx"
    reason = refused(parse(path), "WORKBOOK_LIMIT")
    assert reason.startswith(
        f"Workbook limit uncompressed_bytes: the workbook inflates to {total:,} bytes, where "
        "the limit is 268,435,456 (sdw.ingest.workbook.MAX_UNCOMPRESSED)"
    )


def test_the_hand_written_zip_is_a_valid_one(tmp_path: Path) -> None:
    """``write_padded`` at a small size: zipfile inflates it to exactly what was written."""
    path = tmp_path / "small.xlsx"
    write_padded(path, b"<a>", b" " * 1000, 50, b"</a>")
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        assert z.read(SHEET) == b"<a>" + b" " * 50_000 + b"</a>"
        assert z.read("xl/workbook.xml").startswith(b'<?xml version="1.0"?><workbook')


def test_a_kwb_over_a_limit_is_refused_as_a_kwb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook, "MAX_ROWS", 2)
    path = tmp_path / "kwb-2023.xlsx"
    regions = [
        row(r, inline(f"A{r}", f"WK03440{r}"), inline(f"B{r}", f"Wijk {r}"), num(f"E{r}", "5"))
        for r in range(2, 5)
    ]
    write(path, sheet(header_row(KWB_HEADER), *regions), name="kwb-2023")
    assert classify(path) == "cbs_kwb"
    parsed = parse(path, KWB)
    assert parsed.report.file_kind == "cbs_kwb"
    reason = refused(parsed, "WORKBOOK_LIMIT")
    assert "rows: the first sheet has at least 3 rows, where the limit is 2" in reason
