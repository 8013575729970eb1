# ruff: noqa: RUF001
# (other scripts' digits, full-width and invisible characters are the point here)
"""Mutants of valid source files: the inputs nobody here wrote, made on purpose.

One set of operators for every source, chosen by what a file is rather than whose it is: a
cell operator works on any table (CSV, workbook, JSON record, OData record) through its
column's role, a byte operator on any file, a workbook operator on any xlsx, a name operator
on any file name. Each operator says what it touched: the rows (so the oracle can demand that
every other row still loads), the cells holding a value the contract does not name (so the
oracle can demand that it is not taken as data), or the file as a whole (no promise about
rows).

Everything is driven by one ``random.Random``: under Hypothesis ``st.randoms()``, which
Hypothesis controls and shrinks; the campaign command seeds one per mutant.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from tests.mutation.sources.doc import (
    ABSENT,
    AMOUNT,
    CODE,
    COUNT,
    DATE,
    HOUSENUMBER,
    MEASURE,
    PERIOD,
    STRICT,
    YEAR,
    Column,
    Doc,
    RawJson,
    line_numbers,
    render,
)
from tests.mutation.sources.workbook import RawCell, SheetOptions

# A well-known test BSN (passes the elfproef); planted where no BSN belongs.
PLANTED_BSN = "123456782"

# (value, strict): strict means the value is in no notation the contract names, so it must
# not be taken as data in a STRICT column; AMOUNT_ONLY: only where it stands for euros
# (0.001 is a fine CBS number, not an amount exact to the cent).
AMOUNT_ONLY = "amount-only"
Hostile = tuple[object, bool | str]
# A row of another width than the header: the line must be refused, whatever it holds.
WIDTH = Column("<a row of another width than the header>", "width")

TEXT_HOSTILE: list[Hostile] = [
    (v, False)
    for v in (
        "", " ", "x" * 5000, "\x00", "a\x01b", "\x1b[31mrood\x1b[0m", "\x7f", "a\u2028b",
        "a\rb", "a\nb", "a\x85b", "<script>alert(1)</script>",
        "'; DROP TABLE raw.budget_line; --", "$(rm -rf /)", "`id`", "=cmd|' /C calc'!A0",
        '"', "\ufeff", "\u202egnp.exe", "\U0001f642", "\\N", "\\.", "%s%n{0}", "\ufffd",
    )
]  # fmt: skip
BSN_PLANTS = (
    PLANTED_BSN,
    f"client {PLANTED_BSN}",
    f"\u0301{PLANTED_BSN}",
    f"x\u200b{PLANTED_BSN}",
    "1234\u200b56782",
    "12345678\u03012",
    f"{PLANTED_BSN}\u0301",
    f"١٢٣{PLANTED_BSN}",
    "１２３４５６７８２",
    "١٢٣٤٥٦٧٨٢",
    f"bsn:{PLANTED_BSN};",
)
_NOT_A_NOTATION = [
    "1e12", "1E300", "1e309", "inf", "-inf", "Infinity", "NaN", "nan", "12 3,45", "١٢٣",
    "١٢٣,٤٥", "１２３", "１２３,４５", "#DIV/0!", "#N/A", "#VALUE!", "#REF!", "1,234.56",
    "0x1F", "1_000", "+5", "5-", "\u2212 5", "12.5", "1.23.4", "€ 1.234,567", "١٬٢٣٤",
]  # fmt: skip
AMOUNT_HOSTILE: list[Hostile] = [
    *((v, False) for v in ("1" + "0" * 26, "9" * 40, "999.999.999.999.999,99",
                           "1.000.000.000.000,00", "12345678901234,5",
                           "99.999.999.999.999,99", "-0", "-0,00", "(0)")),
    *((v, True) for v in _NOT_A_NOTATION),
]  # fmt: skip
YEAR_HOSTILE: list[Hostile] = [
    ("", False),
    *((v, True) for v in ("٢٠٢٣", "２０２３", "20 23", "2e3", "MMXXIII", "2023.5", "99999",
                          "0", "-2023", "+2023", "2023\u200b")),
]  # fmt: skip
DATE_HOSTILE: list[Hostile] = [
    ("", False),
    *((v, True) for v in ("٣١-١٢-٢٠٢٣", "３１-１２-２０２３", "31-12-２０２３", "2023-02-30",
                          "31-13-2023", "0000-01-01", "9999-12-31", "31-12-20231",
                          "2023-12-31T25:61", "2023/12/31", "٢٠٢٣-٠١", "２０２３-０１",
                          "2023-13", "31-12-2023\u200b")),
]  # fmt: skip
CODE_HOSTILE: list[Hostile] = [
    ("", False),
    *((v, True) for v in ("GM٠٣٦٣", "GM０３６３", "٠٣٦٣", "ＧＭ0363", "GM0363\u200b",
                          "GM\u00a00363", "WK٠٩٩٩٠١", "٦.٧٢", "６.７２", "1011ＡＢ",
                          "١٠١١AB", "GM99999", "BU０３６３０１０１", "GM0363\u0301")),
]  # fmt: skip
# A house number: whatever follows the number is a toevoeging the contract ignores ("12a",
# "12 3"), but the number itself is ASCII digits.
HOUSENUMBER_HOSTILE: list[Hostile] = [
    ("12 3", False),
    ("1e3", False),
    *((v, True) for v in ("١٢٣", "１２３", "٥a", "-1", "​5")),
]
COUNT_HOSTILE: list[Hostile] = [
    ("9" * 27, False),
    ("0", False),
    *((v, True) for v in ("١٢٣", "１２３", "1e3", "12 3", "-1", "+5", "٥", "5\u200b")),
]
MEASURE_HOSTILE: list[Hostile] = [
    *((v, False) for v in ("9" * 40, "-0", "1,5")),
    *((v, True) for v in ("١٢٣", "１２３", "1e3", "1E300", "12 3", "1_000", "inf", "NaN",
                          "Infinity", "0x10", "٫٥", "1.000,5", "5\u200b")),
]  # fmt: skip
PERIOD_HOSTILE: list[Hostile] = [
    (v, True) for v in ("٢٠٢١", "２０２１JJ00", "2021JJ00\u200b", "20211", "", "٢٠٢١JJ00")
]
BY_ROLE: dict[str, list[Hostile]] = {
    AMOUNT: AMOUNT_HOSTILE,
    YEAR: YEAR_HOSTILE,
    DATE: DATE_HOSTILE,
    CODE: CODE_HOSTILE,
    COUNT: COUNT_HOSTILE,
    MEASURE: MEASURE_HOSTILE,
    PERIOD: PERIOD_HOSTILE,
    HOUSENUMBER: HOUSENUMBER_HOSTILE,
}
# Workbook cells: a number cell is a notation the workbook contracts name, but not every
# float is a number, and a cell's XML can claim anything.
XLSX_HOSTILE: list[Hostile] = [
    (float("inf"), True), (float("-inf"), True), (float("nan"), True), (1e300, False),
    (1e12, False), (12345678901234.5, False), (-0.0, False), (0.001, AMOUNT_ONLY), (True, True),
    (RawCell('t="e"', "<v>#DIV/0!</v>"), True), (RawCell('t="e"', "<v>#N/A</v>"), True),
    (RawCell('t="n"', "<v>abc</v>"), True), (RawCell('t="n"', "<v>inf</v>"), True),
    (RawCell('t="n"', "<v>NaN</v>"), True), (RawCell('t="n"', "<v>1E300</v>"), False),
    (RawCell('t="n"', "<v>1e309</v>"), True), (RawCell("", "<v>1 2</v>"), True),
    (RawCell('t="s"', "<v>9999</v>"), True), (RawCell('t="b"', "<v>2</v>"), True),
    (RawCell('s="1"', "<v>1e10</v>"), True), (RawCell('s="1"', "<v>-1</v>"), True),
    (RawCell('t="inlineStr"', "<is><r><t>12</t></r><r><t>3</t></r></is>"), False),  # "123"
    (RawCell('t="d"', "<v>2023-13-45</v>"), True),
]  # fmt: skip
JSON_HOSTILE: list[Hostile] = [
    (RawJson("NaN"), True), (RawJson("Infinity"), True), (RawJson("-Infinity"), True),
    (RawJson("1e400"), False), (RawJson("1" + "0" * 30), False), (RawJson("-0"), False),
    (RawJson("0.001"), AMOUNT_ONLY), (RawJson("1E-400"), AMOUNT_ONLY), (True, True),
    ([], True), ({}, True),
    (Decimal("1000000000000"), False), (None, False), (RawJson("[" * 50 + "]" * 50), True),
    (RawJson('{"€": [1, {"x": null}]}'), True),
]  # fmt: skip


@dataclass
class Mutant:
    data: bytes
    name: str
    rows: int  # data rows of the valid file
    touched: set[int] | None  # original rows a mutation touched; None: the whole file
    strict: list[tuple[int, Column]]  # (line, column) whose value must not be taken
    ops: list[str] = field(default_factory=list)


@dataclass
class _State:
    doc: Doc
    touched: set[int] | None = field(default_factory=set)
    # row index -> the original row it is (None: a row a mutation added)
    origin: list[int | None] = field(default_factory=list)
    strict: dict[tuple[int, int], Column] = field(default_factory=dict)  # (row, col) -> col
    # once a header cell is changed, which column a cell belongs to is the header's to say:
    # no later mutation may promise that its cell is refused
    header_changed: bool = False

    def touch(self, row: int) -> None:
        if self.touched is not None and self.origin[row] is not None:
            self.touched.add(self.origin[row])  # type: ignore[arg-type]

    def whole_file(self) -> None:
        self.touched = None

    def insert_row(self, at: int, row: object, origin: int | None) -> None:
        self.doc.rows.insert(at, row)
        self.origin.insert(at, origin)
        self.strict = {(r + (r >= at), c): col for (r, c), col in self.strict.items()}


def _data_rows(state: _State) -> list[int]:
    """Rows with data (not a blank line a mutation added)."""
    return [
        i
        for i, r in enumerate(state.doc.rows)
        if (isinstance(r, dict) and r)
        or (isinstance(r, list) and any(str(c).strip() for c in r if c is not None))
    ]


# --- cells ----------------------------------------------------------------------------------


def _hostile_for(doc: Doc, column: Column, rng: random.Random) -> Hostile:
    pools: list[list[Hostile]] = [TEXT_HOSTILE]
    if column.role in BY_ROLE:
        pools += [BY_ROLE[column.role]] * 3
    if doc.fmt == "xlsx":
        pools += [XLSX_HOSTILE] * 2
    if doc.fmt in ("json", "odata"):
        pools += [JSON_HOSTILE] * 2
    pools.append([(p, p != PLANTED_BSN or column.role not in (AMOUNT, MEASURE, COUNT))
                  for p in BSN_PLANTS])  # fmt: skip
    return rng.choice(rng.choice(pools))


def _set_cell(state: _State, i: int, j: int, value: object, strict: bool | str) -> None:
    row = state.doc.rows[i]
    column = state.doc.columns[j]
    if isinstance(row, dict):
        row[column.name] = value
    else:
        while len(row) <= j:
            row.append("")
        row[j] = value
        if len(row) == len(state.doc.columns):
            state.strict.pop((i, -1), None)  # padded back to the header's width
    state.touch(i)
    if strict == AMOUNT_ONLY:
        strict = column.role == AMOUNT
    if strict and column.role in STRICT and not state.header_changed:
        state.strict[(i, j)] = column
    else:
        state.strict.pop((i, j), None)


def hostile_cell(state: _State, rng: random.Random) -> str:
    rows = _data_rows(state)
    if not rows or not state.doc.columns:
        return "hostile_cell(no rows)"
    i = rng.choice(rows)
    strict_cols = [j for j, c in enumerate(state.doc.columns) if c.role in STRICT]
    j = rng.choice(strict_cols if strict_cols and rng.random() < 0.6 else
                   range(len(state.doc.columns)))  # fmt: skip
    value, strict = _hostile_for(state.doc, state.doc.columns[j], rng)
    _set_cell(state, i, j, value, strict)
    return f"hostile_cell({state.doc.columns[j].name}={value!r:.40})"


def digit_in_cell(state: _State, rng: random.Random) -> str:
    """One digit of a code, date or number changed, added or removed (the typo)."""
    rows = _data_rows(state)
    cells = [(i, j) for i in rows for j, c in enumerate(state.doc.columns)
             if isinstance(_get(state.doc.rows[i], c, j), str)
             and any(ch.isdigit() for ch in _get(state.doc.rows[i], c, j))]  # fmt: skip
    if not cells:
        return "digit_in_cell(none)"
    i, j = rng.choice(cells)
    text = str(_get(state.doc.rows[i], state.doc.columns[j], j))
    at = rng.choice([k for k, ch in enumerate(text) if ch.isdigit()])
    how = rng.randrange(4)
    if how == 0:
        text = text[:at] + str(rng.randrange(10)) + text[at + 1 :]
    elif how == 1:
        text = text[:at] + str(rng.randrange(10)) + text[at:]
    elif how == 2:
        text = text[:at] + text[at + 1 :]
    else:  # the same digit from another script: not a notation any contract names
        text = (
            text[:at]
            + chr(rng.choice([0x660, 0xFF10, 0x6F0, 0x966]) + int(text[at]))
            + (text[at + 1 :])
        )
    _set_cell(state, i, j, text, how == 3)
    return f"digit_in_cell({state.doc.columns[j].name}, {how})"


def _get(row: object, column: Column, j: int) -> object:
    if isinstance(row, dict):
        return row.get(column.name)
    assert isinstance(row, list)
    return row[j] if j < len(row) else None


# --- rows -----------------------------------------------------------------------------------


def extra_cell(state: _State, rng: random.Random) -> str:
    rows = [i for i in _data_rows(state) if isinstance(state.doc.rows[i], list)]
    if not rows or state.doc.fmt != "csv":
        return extra_key(state, rng)
    i = rng.choice(rows)
    state.doc.rows[i].insert(rng.randrange(len(state.doc.rows[i]) + 1),
                             rng.choice(["", "extra", PLANTED_BSN]))  # fmt: skip
    _another_width(state, i)
    return "extra_cell"


def _another_width(state: _State, i: int) -> None:
    """Row ``i`` no longer splits into the header's columns: its cells no longer say which
    column they are in, and the row must be refused."""
    state.touch(i)
    state.strict = {k: c for k, c in state.strict.items() if k[0] != i}
    if len(state.doc.rows[i]) != len(state.doc.header_cells()):
        state.strict[(i, -1)] = WIDTH


def missing_cell(state: _State, rng: random.Random) -> str:
    rows = [i for i in _data_rows(state) if isinstance(state.doc.rows[i], list)]
    if not rows or state.doc.fmt != "csv":
        return delete_key(state, rng)
    i = rng.choice(rows)
    del state.doc.rows[i][rng.randrange(len(state.doc.rows[i]))]
    _another_width(state, i)
    return "missing_cell"


def extra_key(state: _State, rng: random.Random) -> str:
    rows = [i for i in _data_rows(state) if isinstance(state.doc.rows[i], dict)]
    if not rows:
        return "extra_key(none)"
    i = rng.choice(rows)
    state.doc.rows[i][rng.choice(["Opmerking", "", "Naam ", "bsn"])] = rng.choice(
        [PLANTED_BSN, None, 1, "x"]
    )
    state.touch(i)
    return "extra_key"


def delete_key(state: _State, rng: random.Random) -> str:
    rows = [i for i in _data_rows(state) if isinstance(state.doc.rows[i], dict)]
    if not rows:
        return "delete_key(none)"
    i = rng.choice(rows)
    j = rng.randrange(len(state.doc.columns))
    _set_cell(state, i, j, ABSENT, False)
    return f"delete_key({state.doc.columns[j].name})"


def not_an_object(state: _State, rng: random.Random) -> str:
    rows = [i for i in _data_rows(state) if isinstance(state.doc.rows[i], dict)]
    if not rows:
        return "not_an_object(none)"
    i = rng.choice(rows)
    state.doc.rows[i] = RawJson(rng.choice(["1", "null", "[]", '"tekst"', "[1, 2]", "true"]))
    state.touch(i)
    state.strict = {k: c for k, c in state.strict.items() if k[0] != i}
    return "not_an_object"


def duplicate_row(state: _State, rng: random.Random) -> str:
    rows = _data_rows(state)
    if not rows:
        return "duplicate_row(none)"
    i = rng.choice(rows)
    copy = state.doc.rows[i]
    copy = dict(copy) if isinstance(copy, dict) else list(copy)
    at = rng.choice([i, i + 1])
    state.touch(i)  # which of the two loads is the contract's choice
    state.insert_row(at, copy, None)
    return "duplicate_row"


def header_as_row(state: _State, rng: random.Random) -> str:
    if state.doc.fmt not in ("csv", "xlsx"):
        return "header_as_row(n/a)"
    state.insert_row(rng.randrange(len(state.doc.rows) + 1), list(state.doc.header_cells()), None)
    return "header_as_row"


def blank_row(state: _State, rng: random.Random) -> str:
    if state.doc.fmt not in ("csv", "xlsx"):
        return "blank_row(n/a)"
    state.insert_row(rng.randrange(len(state.doc.rows) + 1),
                     rng.choice([[], [""] * len(state.doc.columns), [" "]]), None)  # fmt: skip
    return "blank_row"


# --- the file's columns and shape (no promise about rows) ----------------------------------


def drop_column(state: _State, rng: random.Random) -> str:
    if state.doc.fmt not in ("csv", "xlsx") or len(state.doc.columns) < 2:
        return "drop_column(n/a)"
    j = rng.randrange(len(state.doc.columns))
    header = state.doc.header_cells()
    name = header[j]
    state.doc.header = header[:j] + header[j + 1 :]
    state.doc.columns = state.doc.columns[:j] + state.doc.columns[j + 1 :]
    for r in state.doc.rows:
        if isinstance(r, list) and len(r) > j:
            del r[j]
    state.strict = {(r, c - (c > j)): col for (r, c), col in state.strict.items()
                    if c != j and col is not WIDTH}  # fmt: skip
    state.whole_file()
    return f"drop_column({name})"


def header_cell(state: _State, rng: random.Random) -> str:
    """A header cell renamed, doubled, or given a BSN, control character or other script."""
    if state.doc.fmt not in ("csv", "xlsx"):
        return "header_cell(n/a)"
    header = state.doc.header_cells()
    j = rng.randrange(len(header))
    how = rng.randrange(5)
    if how == 0:
        header[j] = rng.choice(header)  # a duplicated column name
    elif how == 1:
        header[j] = f"{header[j]} {PLANTED_BSN}"
    elif how == 2:
        header[j] = rng.choice(["", "\x00", "Ｇｅｍｅｅｎｔｅｃｏｄｅ", "x" * 3000])
    elif how == 3:
        header.append(rng.choice(["Opmerking", header[j], PLANTED_BSN]))
        for r in state.doc.rows:
            if isinstance(r, list) and r:
                r.append(rng.choice(["", "x", PLANTED_BSN]))
    else:
        header[j] = header[j].upper() + " "
    state.doc.header = header
    state.whole_file()
    state.strict.clear()  # which column a planted value now sits in is the header's to say
    state.header_changed = True
    return f"header_cell({how})"


def csv_shape(state: _State, rng: random.Random) -> str:
    """Separator, encoding, BOM, quoting and line ends changed for the whole file."""
    doc = state.doc
    if doc.fmt != "csv":
        doc.bom = not doc.bom
        doc.encoding = rng.choice(["utf-8", "utf-16", "latin-1"])
        state.whole_file()
        return f"json_shape({doc.encoding}, bom={doc.bom})"
    how = rng.randrange(5)
    if how == 0:
        doc.sep = rng.choice([";", ",", "\t", "|"])
    elif how == 1:
        doc.encoding = rng.choice(["utf-16", "utf-16-le", "latin-1", "cp1252", "utf-8"])
    elif how == 2:
        doc.bom = not doc.bom
    elif how == 3:
        doc.quote_all = not doc.quote_all
    else:
        doc.crlf = not doc.crlf
    state.whole_file()
    return f"csv_shape({how})"


# --- workbook internals -------------------------------------------------------------------


def workbook_internals(state: _State, rng: random.Random) -> str:
    doc = state.doc
    if doc.fmt != "xlsx":
        return hostile_cell(state, rng)
    how = rng.randrange(6)
    s = doc.sheet
    if how == 0:  # a sheet padded with blank XML: no row of it changes
        doc.sheet = SheetOptions(s.strings, s.title, s.dimension, 100_000, s.blank_cells)
    elif how == 1:  # every row with empty cells right of the data
        doc.sheet = SheetOptions(s.strings, s.title, s.dimension, s.padding, 200)
    elif how == 2:  # a dimension that claims more rows and columns than there are
        doc.sheet = SheetOptions(s.strings, s.title, "A1:AZ5000", s.padding, s.blank_cells)
    elif how == 3:
        doc.sheet = SheetOptions(rng.choice(["shared", "inline", "str"]), s.title, s.dimension,
                                 s.padding, s.blank_cells)  # fmt: skip
    elif how == 4:  # a workbook that refers to a shared-strings part it lacks
        doc.sheet = SheetOptions(s.strings, s.title, s.dimension, s.padding, s.blank_cells, True)
        state.whole_file()
    else:
        title = rng.choice([f"kwb-2023 {PLANTED_BSN}", "x" * 31, "Blad1", "'", ""])
        doc.sheet = SheetOptions(s.strings, title, s.dimension, s.padding, s.blank_cells)
        state.whole_file()
    return f"workbook_internals({how})"


ROW_OPERATORS: list[Callable[[_State, random.Random], str]] = [
    hostile_cell,
    hostile_cell,
    hostile_cell,
    hostile_cell,
    digit_in_cell,
    extra_cell,
    missing_cell,
    not_an_object,
    duplicate_row,
    header_as_row,
    blank_row,
    workbook_internals,
]
FILE_OPERATORS: list[Callable[[_State, random.Random], str]] = [
    drop_column,
    header_cell,
    csv_shape,
]

# --- bytes (no promise about rows) --------------------------------------------------------


def cut(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def invalid_bytes(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return (
        data[:at]
        + rng.choice([b"\xff\xfe", b"\xe9", b"\xc3", b"\xed\xa0\x80", b"\x81"])
        + (data[at:])
    )


def nul_byte(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + b"\x00" + data[at:]


def unbalanced_quote(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + b'"' + data[at:]


def line_ends(data: bytes, rng: random.Random) -> bytes:
    new = rng.choice([b"\r", b"\r\r\n", b"\n\n", b"\x85", b"\xe2\x80\xa8"])
    return data.replace(b"\r\n", b"\n").replace(b"\n", new)


def boms(data: bytes, rng: random.Random) -> bytes:
    return rng.choice([b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff",
                       b"  \n"]) + data  # fmt: skip


def emptied(data: bytes, rng: random.Random) -> bytes:
    return rng.choice([b"", b"\n", b"\xef\xbb\xbf", data.split(b"\n", 1)[0]])


def flip_byte(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    at = rng.randrange(len(data))
    return data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]


BYTE_OPERATORS: list[Callable[[bytes, random.Random], bytes]] = [
    cut,
    invalid_bytes,
    nul_byte,
    unbalanced_quote,
    line_ends,
    boms,
    emptied,
    flip_byte,
]

# --- file names (the content is unchanged: every promise about rows stands) ---------------

_NAME_PARTS = (
    os.fsdecode(b"\xff\xfe"),  # bytes that are not UTF-8 (a surrogate escape in Python)
    f"_{PLANTED_BSN}",
    f"_client\u0301{PLANTED_BSN}",
    f"_١٢٣{PLANTED_BSN}",
    "\n",
    "\r\n",
    " ",
    "'; DROP TABLE audit.file_ledger; --",
    "$(id)",
    "\u202e",
    "\x1b",
    "\t",
    "é",
    "e\u0301",
)


def file_name(name: str, rng: random.Random) -> tuple[str, str]:
    """The same file under another name: a part put before, inside or after its stem, the
    suffix (how a kind recognises its files) kept."""
    stem, dot, suffix = name.rpartition(".")
    how = rng.randrange(5)
    if how == 0:
        part = rng.choice(_NAME_PARTS)
        stem = stem + part
    elif how == 1:
        stem = rng.choice(["-", "--", "-rf "]) + stem
    elif how == 2:  # very long (Linux allows 255 bytes)
        stem = stem + "_" + "x" * (240 - len(os.fsencode(stem + dot + suffix)))
    elif how == 3:
        stem = rng.choice(_NAME_PARTS) + stem
    else:
        at = max(len(stem) // 2, 8)  # kwb-2023: a KWB file's year is in its name
        stem = stem[:at] + rng.choice(_NAME_PARTS) + stem[at:]
    out = f"{stem}{dot}{suffix}"
    while len(os.fsencode(out)) > 250:
        stem = stem[:-1]
        out = f"{stem}{dot}{suffix}"
    return out, f"file_name({how})"


def mutate(doc: Doc, rng: random.Random) -> Mutant:
    """One to three mutations of a valid file: mostly of cells and rows (they reach the rules),
    some of the whole file, its bytes or its name."""
    state = _State(doc.copy(), set(), list(range(len(doc.rows))))
    ops: list[str] = []
    byte_ops: list[Callable[[bytes, random.Random], bytes]] = []
    rename = False
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        r = rng.random()
        if r < 0.62:
            ops.append(rng.choice(ROW_OPERATORS)(state, rng))
        elif r < 0.75:
            ops.append(rng.choice(FILE_OPERATORS)(state, rng))
        elif r < 0.88:
            byte_ops.append(rng.choice(BYTE_OPERATORS))
        else:
            rename = True
    lines = line_numbers(state.doc)
    data = render(state.doc)
    for op in byte_ops:
        data = op(data, rng)
        ops.append(op.__name__)
        state.whole_file()
        state.strict.clear()  # a byte may have changed the planted value itself
    name = state.doc.name
    if rename:
        name, op_name = file_name(name, rng)
        ops.append(op_name)
    strict = [(lines[i], col) for (i, _j), col in state.strict.items() if i < len(lines)]
    return Mutant(data, name, len(doc.rows), state.touched, strict, ops)


def unmutated(doc: Doc) -> Mutant:
    """The valid file itself: every row must load."""
    return Mutant(render(doc), doc.name, len(doc.rows), set(), [], [])
