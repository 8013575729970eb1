"""A budget file read row by row through its layout (``sdw.budgets.layouts``): each row
becomes the contract's fields, parsed, or a rejected row with its reason.

- CSV: UTF-8 (optional BOM) or Windows-1252 as Excel writes it; ``;`` or ``,`` as separator,
  whichever splits the header into a layout's columns. The header is line 1; a row's line
  number is the line it starts on. Empty lines are skipped; a line of another width than the
  header is rejected (``BUDGET_ROW_MALFORMED``) and not kept.
- xlsx: the first sheet, read with openpyxl (read-only, cached values of formulas); the header
  is row 1, a row's line number is its sheet row; empty rows are skipped and cells right of
  the header are ignored. Cells may be numbers, dates or text: a number cell is a binary
  float, taken to the cent when it lies within 0.000001 of one (the noise of a spreadsheet's
  arithmetic), else refused as not exact.
- Every row's readable amount cells are added to the file's own euro totals
  (``sdw.ingest.euros``) before the row is decided, so that reconcile can prove
  file = loaded + quarantined per amount column.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sdw.budgets import rules
from sdw.budgets.layouts import installed
from sdw.budgets.rules import Rejected
from sdw.ingest.euros import EuroTotals
from sdw.ingest.layouts import Layout, choose, column_key
from sdw.money import Unreadable, parse_amount, parse_year

TEXT_FIELDS = ("budget_line_name", "programma", "project", "kostenplaats")
TEXT_LIMIT = 2000  # characters of a text field kept
FLOAT_NOISE = 1e-6


@dataclass
class BadRow:
    line_number: int
    code: str
    reason: str
    fields: dict[str, str] | None  # the contract's fields as written; None: not kept


@dataclass
class BudgetFile:
    layout: Layout
    header: list[str]
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    euros: EuroTotals = field(default_factory=lambda: EuroTotals(rules.AMOUNT_COLUMNS))
    seen: set[tuple[object, ...]] = field(default_factory=set)

    @property
    def lines_in(self) -> int:
        return len(self.rows) + len(self.bad)


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _money(value: object) -> object:
    """A spreadsheet's float as the cents it stands for, when it is one (see module doc)."""
    if isinstance(value, float) and abs(value * 100 - round(value * 100)) < FLOAT_NOISE * 100:
        return Decimal(round(value * 100)) / 100
    return value


def _amount(value: object, layout: Layout) -> Decimal | None:
    return parse_amount(_money(value), layout.number_format)


def _text(value: object) -> str | None:
    return rules.cell_text(value)[:TEXT_LIMIT] or None


def parse_record(values: dict[str, object], layout: Layout) -> dict[str, object]:
    """One row (contract field -> cell) as the raw table's fields; raises ``Rejected``.
    Reasons name columns as the layout spells them."""
    name = layout.columns
    row: dict[str, object] = {f: _text(values.get(f)) for f in TEXT_FIELDS}
    row["municipality_code"] = rules.municipality_code(
        values.get("municipality_code"), name["municipality_code"]
    )
    column = name["begrotingsjaar"]
    try:
        year = parse_year(values.get("begrotingsjaar"))
    except Unreadable as exc:
        raise Rejected(rules.YEAR_INVALID, f"{column} {exc}") from None
    if year is None:
        raise Rejected(rules.YEAR_INVALID, f"{column} is empty: every budget line has a year")
    if not rules.YEARS[0] <= year <= rules.YEARS[1]:
        raise Rejected(rules.YEAR_INVALID, f"{column} {year} is not a plausible budget year")
    row["begrotingsjaar"] = year
    peil = rules.peildatum(values.get("peildatum"), name["peildatum"])
    if abs(peil.year - year) > rules.PEILDATUM_SLACK:
        raise Rejected(
            rules.PEILDATUM_INVALID,
            f"{name['peildatum']} {peil.isoformat()} is not within a year of {column} {year}",
        )
    row["peildatum"] = peil
    row["report_version"] = _text(values.get("report_version")) or rules.quarter_label(peil)
    row["budget_line"] = _text(values.get("budget_line"))
    if row["budget_line"] is None:
        raise Rejected(rules.LINE_MISSING, f"{name['budget_line']} is empty")
    row["taakveld"] = rules.taakveld(values.get("taakveld"), name["taakveld"])
    for f in rules.AMOUNT_COLUMNS:
        try:
            row[f] = _amount(values.get(f), layout)
        except Unreadable as exc:
            raise Rejected(
                rules.AMOUNT_INVALID, f"{name.get(f, f)} {exc}; the row is not loaded"
            ) from None
    return row


def _written(values: dict[str, object]) -> dict[str, str]:
    return {
        f: v.isoformat() if isinstance(v, date) else rules.cell_text(v) for f, v in values.items()
    }


def _readable(value: object, layout: Layout) -> Decimal | None:
    try:
        return _amount(value, layout)
    except Unreadable:
        return None


def take(budget: BudgetFile, lineno: int, values: dict[str, object]) -> None:
    """Decide one row: loaded, or quarantined with its reason; its euros counted either way."""
    layout = budget.layout
    cells = {f: _readable(values.get(f), layout) for f in rules.AMOUNT_COLUMNS}
    try:
        row = parse_record(values, layout)
        key = (row["municipality_code"], row["begrotingsjaar"], row["report_version"],
               row["budget_line"])  # fmt: skip
        if key in budget.seen:
            raise Rejected(
                rules.DUPLICATE_LINE,
                f"{layout.columns['budget_line']} {row['budget_line']!r} appears again for "
                f"{row['municipality_code']} {row['begrotingsjaar']} version "
                f"{row['report_version']}; the first row is loaded",
            )
        budget.seen.add(key)
        budget.rows.append((lineno, row))
        budget.euros.add(cells, quarantined=False)
    except Rejected as exc:
        budget.bad.append(BadRow(lineno, exc.code, exc.reason, _written(values)))
        budget.euros.add(cells, quarantined=True)


# ------------------------------------------------------------------------------------ CSV


def csv_header(line: str, layouts: tuple[Layout, ...]) -> tuple[str, Layout, list[str]] | None:
    """(separator, layout, header cells) when the line is the header of a known CSV layout."""
    line = line.lstrip("\ufeff")
    for sep in (";", ","):
        cells = next(csv.reader([line], delimiter=sep), [])
        layout = choose({column_key(c) for c in cells}, "csv", layouts)
        if layout is not None:
            return sep, layout, cells
    return None


def _fields(layout: Layout, header: list[object]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, c in enumerate(header):
        index.setdefault(column_key(c if c is not None else ""), i)
    return {f: index[k] for k, f in layout.keys().items() if k in index}


def read_csv_text(text: str, layouts: tuple[Layout, ...] | None = None) -> BudgetFile:
    text = text.lstrip("\ufeff")
    found = csv_header(text.split("\n", 1)[0].strip("\r"), layouts or installed())
    if found is None:
        raise ValueError("not a budget file: the header matches no layout")
    sep, layout, header = found
    fields = _fields(layout, list(header))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    next(reader)
    budget = BudgetFile(layout, header)
    previous = reader.line_num
    for cells in reader:
        lineno, previous = previous + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            budget.bad.append(
                BadRow(
                    lineno,
                    rules.ROW_MALFORMED,
                    f"{len(cells)} fields where the header has {len(header)}",
                    None,
                )
            )
            continue
        take(budget, lineno, {f: cells[i] for f, i in fields.items()})
    return budget


# ----------------------------------------------------------------------------------- xlsx


def xlsx_rows(path: Path) -> Iterator[tuple[int, tuple[object, ...]]]:
    """(sheet row, cell values) of the first sheet, the header first; empty rows skipped."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = wb.worksheets[0]
        for n, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if n == 1 or any(v is not None and str(v).strip() for v in values):
                yield n, tuple(values)
    finally:
        wb.close()


def xlsx_header(path: Path) -> list[str] | None:
    """The first sheet's row 1 as text; None when the file is not a workbook."""
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        for _n, values in xlsx_rows(path):
            return [rules.cell_text(v) for v in values]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, InvalidFileException):
        return None  # not a workbook: not this kind (classification tries the others)
    return None


def read_xlsx(path: Path, layouts: tuple[Layout, ...] | None = None) -> BudgetFile:
    rows = xlsx_rows(path)
    _n, header_values = next(rows)
    header = [rules.cell_text(v) for v in header_values]
    layout = choose({column_key(c) for c in header}, "xlsx", layouts or installed())
    if layout is None:
        raise ValueError("not a budget file: the first sheet's row 1 matches no layout")
    fields = _fields(layout, list(header))
    budget = BudgetFile(layout, header)
    for n, values in rows:
        take(budget, n, {f: values[i] if i < len(values) else None for f, i in fields.items()})
    return budget


def read_budget_file(path: Path, layouts: tuple[Layout, ...] | None = None) -> BudgetFile:
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path, layouts)
    return read_csv_text(decode(path.read_bytes()), layouts)


def sniff_csv(path: Path) -> bool:
    if path.suffix.lower() not in (".csv", ".txt"):
        return False
    try:
        with path.open("rb") as fh:
            first = decode(fh.readline(65536)).strip("\r\n")
    except OSError:
        return False
    return csv_header(first, installed()) is not None


def sniff_xlsx(path: Path) -> bool:
    if path.suffix.lower() != ".xlsx":
        return False
    header = xlsx_header(path)
    return (
        header is not None
        and choose({column_key(c) for c in header}, "xlsx", installed()) is not None
    )
