"""A budget file read row by row through its layout (``sdw.budgets.layouts``) by the core's
layout reader (``sdw.ingest.layout_rows``: CSV header, line numbers, malformed lines, the
file's euro totals); this module holds what is the budget's own:

- the row rules (``parse_record``) and the rule over a file's rows: a budget line once per
  municipality, year and report version (``BUDGET_DUPLICATE_LINE``, the first row loads);
- xlsx: the first sheet, read by ``sdw.ingest.workbook`` (within its limits; cached values of
  formulas; a cell no rule could take comes as its text: ``inf``, ``#DIV/0!``); the header
  is row 1, a row's line number is its sheet row; empty rows are skipped and cells right of
  the header are ignored. Cells may be numbers, dates or text: a number cell is a binary
  float, taken to the cent when it lies within 0.000001 of one (the noise of a spreadsheet's
  arithmetic), else refused as not exact; like every amount, within ``sdw.money.BOUND``. A
  boolean cell is no amount, year or code. A damaged cell (``workbook.BadCell``: a shared
  string the file lacks, a boolean other than 0 or 1, a number cell holding ``1 2``) refuses
  its row as ``WORKBOOK_CELL_INVALID``, whichever column it is in: what the sender meant is
  unknown, so no rule may read it as a value (``1 2`` is not Gemeentecode GM0012); it has no
  euros in the file's totals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from sdw.budgets import rules
from sdw.budgets.layouts import installed
from sdw.ingest import layout_rows, workbook
from sdw.ingest.contract import Rejected
from sdw.ingest.layout_rows import LayoutFile, RowRules, field_index, layout_of
from sdw.ingest.layouts import Layout
from sdw.money import BOUND, Unreadable, parse_amount, parse_year

TEXT_FIELDS = ("budget_line_name", "programma", "project", "kostenplaats")
TEXT_LIMIT = 2000  # characters of a text field kept
FLOAT_NOISE = 1e-6
BudgetFile = LayoutFile  # a budget file as read: its rows, bad rows and euro totals


def _money(value: object) -> object:
    """A spreadsheet's float as the cents it stands for, when it is one (see module doc). A
    float that is not finite or lies beyond ``sdw.money.BOUND`` (``inf``, ``nan``, ``1E+300``)
    is handed on as it is, for ``parse_amount`` to refuse by name: rounding it here would
    raise OverflowError or ValueError instead of quarantining its row."""
    if (
        isinstance(value, float)
        and math.isfinite(value)
        and abs(value) < BOUND
        and abs(value * 100 - round(value * 100)) < FLOAT_NOISE * 100
    ):
        return Decimal(round(value * 100)) / 100
    return value


def _amount(value: object, layout: Layout) -> Decimal | None:
    if isinstance(value, workbook.BadCell):  # whatever its text, it states no euros
        raise Unreadable(value.reason)
    return parse_amount(_money(value), layout.number_format)


def _damaged_cells(values: dict[str, object], layout: Layout) -> None:
    """Refuse the row for its first damaged workbook cell (module doc), naming the column."""
    for f, value in values.items():
        if isinstance(value, workbook.BadCell):
            column = layout.columns.get(f, f)
            raise Rejected(
                workbook.CELL_INVALID,
                f"{column}: {value.reason}; what it should hold is unknown, so the row is not "
                "loaded",
            )


def _text(value: object) -> str | None:
    return rules.cell_text(value)[:TEXT_LIMIT] or None


def parse_record(values: dict[str, object], layout: Layout) -> dict[str, object]:
    """One row (contract field -> cell) as the raw table's fields; raises ``Rejected``.
    Reasons name columns as the layout spells them."""
    _damaged_cells(values, layout)
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


def _written(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else rules.cell_text(value)


def duplicate_lines(layout: Layout) -> Callable[[dict[str, object]], None]:
    """The file's rule that a budget line appears once per municipality, year and report
    version: a fresh check per file; the first row loads, a later one is refused."""
    seen: set[tuple[object, ...]] = set()

    def check(row: dict[str, object]) -> None:
        key = (row["municipality_code"], row["begrotingsjaar"], row["report_version"],
               row["budget_line"])  # fmt: skip
        if key in seen:
            raise Rejected(
                rules.DUPLICATE_LINE,
                f"{layout.columns['budget_line']} {row['budget_line']!r} appears again for "
                f"{row['municipality_code']} {row['begrotingsjaar']} version "
                f"{row['report_version']}; the first row is loaded",
            )
        seen.add(key)

    return check


ROWS = RowRules(
    what="a budget file",
    malformed=rules.ROW_MALFORMED,
    amount_columns=rules.AMOUNT_COLUMNS,
    amount=_amount,
    parse_record=parse_record,
    written=_written,
    file_check=duplicate_lines,
)


def read_csv_text(text: str, layouts: tuple[Layout, ...] | None = None) -> BudgetFile:
    return layout_rows.read_csv_text(text, layouts or installed(), ROWS)


# ----------------------------------------------------------------------------------- xlsx


def _filled(values: tuple[object, ...]) -> bool:
    return any(v is not None and str(v).strip() for v in values)


def xlsx_rows(path: Path) -> Iterator[tuple[int, tuple[object, ...]]]:
    """(sheet row, cell values) of the first sheet: row 1 first (empty when the sheet has
    none), then the rows that hold something. Raises ``workbook.WorkbookError`` (over a limit,
    or no readable xlsx), which the kind turns into the file's quarantine."""
    with workbook.first_sheet(path) as sheet:
        rows = sheet.rows()
        first = next(rows, None)
        if first is not None and first[0] == 1:
            yield first
        else:
            yield 1, ()
            if first is not None and _filled(first[1]):
                yield first
        for n, values in rows:
            if _filled(values):
                yield n, values


def xlsx_header(path: Path) -> list[str] | None:
    """The first sheet's row 1 as text, from a bounded prefix of the file (``workbook.header``,
    remembered for the other sniffers); None when it is no workbook that opens within the
    limits: not this kind (classification tries the others)."""
    try:
        cells = workbook.header(path).cells
    except workbook.WorkbookError:
        return None
    return [rules.cell_text(v) for v in cells]


def read_xlsx(path: Path, layouts: tuple[Layout, ...] | None = None) -> BudgetFile:
    rows = xlsx_rows(path)
    _n, header_values = next(rows)
    header = [rules.cell_text(v) for v in header_values]
    layout = layout_of(header, "xlsx", layouts or installed())
    if layout is None:
        raise ValueError("not a budget file: the first sheet's row 1 matches no layout")
    fields = field_index(layout, header)
    budget = BudgetFile(ROWS, layout, header)
    for n, values in rows:
        budget.take(n, {f: values[i] if i < len(values) else None for f, i in fields.items()})
    return budget


def read_budget_file(path: Path, layouts: tuple[Layout, ...] | None = None) -> BudgetFile:
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path, layouts)
    return read_csv_text(layout_rows.decode(path.read_bytes()), layouts)


def sniff_csv(path: Path) -> bool:
    return layout_rows.sniff_csv(path, installed())


def sniff_xlsx(path: Path) -> bool:
    if path.suffix.lower() != ".xlsx":
        return False
    header = xlsx_header(path)
    return header is not None and layout_of(header, "xlsx", installed()) is not None
