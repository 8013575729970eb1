"""CBS "Kerncijfers wijken en buurten" (KWB) downloads: the xlsx and the CSV.

One row per region (``gwb_code_10``: GM0344, WK034401, BU03440111; ``recs`` says Gemeente,
Wijk or Buurt), one column per variable with CBS's short names (``a_inw``, ``a_00_14`` ...
``a_65_oo``, ``a_soz_wb``, ``a_wmo_t`` ...). Quirks: many numbers are stored as text, ``.``
means missing or secret, counts are rounded to multiples of 5, and the year is only in the
file or sheet name (``kwb-2023``). Every variable is kept (long format); a cell that is not a
number keeps its text in value_raw with a null value. The xlsx is read by
``sdw.ingest.workbook`` (recognised from row 1 alone, streamed within its limits); a number
cell no rule could take (``inf``, ``1E+300``, ``#DIV/0!``) comes as its text, so it is kept
as such. A damaged cell (``workbook.BadCell``: a shared string the file lacks, a boolean other
than 0 or 1, a number cell holding ``1 2``) refuses its row, naming the cell: what it stood
for is unknown, which is not the same as a measure CBS left out.

A year (a ``jaar`` column, or ``kwb-2023`` in the sheet or file name) is four ASCII digits
within ``YEARS``: ``٢٠٢٤`` or ``20211`` refuses the row, never reads as a year.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from pathlib import Path

from sdw.cbs.observations import Observation, parse_value, region_code
from sdw.ingest import text as text_rule
from sdw.ingest import workbook
from sdw.ingest.csv_contract import (
    HeaderCheck,
    check_columns,
    contract_fragment,
    unsplit_line,
)
from sdw.ingest.layout_rows import decode
from sdw.money import shown

CODE_COLUMNS = ("gwb_code_10", "gwb_code")
DIMENSIONS = frozenset(
    {"gwb_code_10", "gwb_code_8", "gwb_code", "regio", "gm_naam", "recs", "jaar"}
)
LABEL = "CBS Kerncijfers wijken en buurten (KWB) file"
CODE_REQUIRED = "gwb_code_10 (or gwb_code)"
# What marts.population_by_district reads: a_inw is the denominator of every per-1,000
# inhabitants rate, the age bands make the 15+ population. Other variables are kept when
# present and may be absent (the KWB's set changes from year to year).
REQUIRED_MEASURES = ("a_inw", "a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo")
REQUIRED = (CODE_REQUIRED, *REQUIRED_MEASURES)
SIGNATURE = (CODE_REQUIRED, "regio", "gm_naam", "recs", *REQUIRED_MEASURES)
# ASCII digits only; a fifth digit makes it no year (kwb-20231 is not 2023)
_YEAR = re.compile(r"kwb[-_ ]?([0-9]{4})(?![0-9])", re.IGNORECASE)
_FOUR_DIGITS = re.compile(r"[0-9]{4}")
# Plausible KWB years: CBS's series starts in the 1990s; outside is a typo, not a KWB year.
YEARS = (1990, 2100)


def _is_header(cells: Sequence[object]) -> bool:
    names = {str(c).strip().lower() for c in cells if c is not None}
    return bool(names & set(CODE_COLUMNS)) and "regio" in names


def year_from_name(*names: str) -> int | None:
    """The year of the first name saying ``kwb-<year>`` with a plausible year (``YEARS``)."""
    for name in names:
        m = _YEAR.search(name)
        if m and YEARS[0] <= int(m[1]) <= YEARS[1]:
            return int(m[1])
    return None


def year_cell(value: object) -> int:
    """A ``jaar`` cell: four ASCII digits (as text, or a number cell's whole number) within
    ``YEARS``; raises ValueError naming the value. ``int()`` alone would take ``٢٠٢٤``
    (Arabic-Indic digits), `` 2024`` and ``+2024``, and a fifth digit (``20211``)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet's 2024.0
    text = "" if value is None or isinstance(value, bool) else str(value).strip()
    if isinstance(value, bool) or _FOUR_DIGITS.fullmatch(text) is None:
        raise ValueError(f"jaar {shown(value)} is not a year of four digits 0-9")
    year = int(text)
    if not YEARS[0] <= year <= YEARS[1]:
        raise ValueError(f"jaar {year} is not a plausible KWB year ({YEARS[0]}-{YEARS[1]})")
    return year


def damaged(row: Sequence[object], header: Sequence[str]) -> str | None:
    """The reason to refuse a row for its first damaged workbook cell, if it has one."""
    for i, cell in enumerate(row[: len(header)]):
        if isinstance(cell, workbook.BadCell):
            return f"{header[i] or f'column {i + 1}'}: {cell.reason}; what it holds is unknown"
    return None


def header_names(path: Path) -> list[str] | None:
    """The first row of an xlsx sheet or CSV, as cells; None when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        try:
            first = workbook.header(path).cells  # a bounded prefix, remembered per file
        except workbook.WorkbookError:
            return None  # no workbook that opens within the limits: not this kind
        return ["" if c is None else str(c) for c in first]
    if suffix in (".csv", ".txt"):
        try:
            with path.open("rb") as fh:
                line = fh.readline(65536).decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
        sep = ";" if ";" in line else ","
        return next(csv.reader([line], delimiter=sep), [])
    return None


def sniff(path: Path) -> bool:
    cells = header_names(path)
    return cells is not None and _is_header(cells)


def header_check(path: Path) -> HeaderCheck | None:
    """The KWB contract: a region code column and every measure a mart reads
    (``REQUIRED_MEASURES``); a file without them would load and publish empty or NULL
    figures."""
    cells = header_names(path)
    if cells is None:
        return None
    names = {str(c).strip().lower() for c in cells}
    if names & set(CODE_COLUMNS):
        names.add(CODE_REQUIRED)
    if _is_header(cells):  # the sniff's own test: a KWB, whatever else it lacks
        missing = tuple(c for c in REQUIRED if c not in names)
        return HeaderCheck(LABEL, len(SIGNATURE), len(SIGNATURE), missing)
    return check_columns(LABEL, names, SIGNATURE, REQUIRED)


Table = tuple[list[str], Iterable[tuple[int, Sequence[object]]], str]


@contextmanager
def _table(path: Path) -> Iterator[Table]:
    """(header, numbered data rows, sheet or file name holding the year). A workbook's rows are
    streamed while the context is open (raising ``workbook.WorkbookError`` at a limit)."""
    if path.suffix.lower() == ".xlsx":
        with workbook.first_sheet(path) as sheet:
            rows = sheet.rows()
            first = next(rows, None)
            head: Sequence[object] = ()
            if first is not None and first[0] == 1:
                head = first[1]
            elif first is not None:  # no row 1: an empty header, the row is data
                rows = chain([first], rows)
            header = [str(c).strip().lower() if c is not None else "" for c in head]
            yield header, rows, sheet.name
        return
    # UTF-8, or Windows-1252 as Excel saves a CSV: bytes that are neither never fail the file
    text = decode(path.read_bytes())
    lines = text.splitlines()
    sep = ";" if ";" in lines[0] else ","
    # newline="": a bare CR inside a line is data, not an end of line the csv module refuses
    reader = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    header = [c.strip().lower() for c in reader[0]]
    yield header, list(enumerate(reader[1:], start=2)), path.name


def read_kwb(path: Path) -> tuple[int, list[Observation], list[tuple[int, str, str]], int]:
    """(year, observations, bad rows as (line, reason, text), data rows)."""
    with _table(path) as (header, rows, sheet):
        return _observations(path, header, rows, sheet)


def _observations(
    path: Path, header: list[str], rows: Iterable[tuple[int, Sequence[object]]], sheet: str
) -> tuple[int, list[Observation], list[tuple[int, str, str]], int]:
    year = year_from_name(sheet, path.name)
    # A CSV line of another width than the header is refused (a sheet's row may end early:
    # empty cells at its end are not written, and cells right of the header are ignored).
    csv_file = path.suffix.lower() != ".xlsx"
    if "jaar" in header:
        year = None  # per row below
    code_col = next(header.index(c) for c in CODE_COLUMNS if c in header)
    name_col = header.index("regio") if "regio" in header else None
    measures = [(i, h) for i, h in enumerate(header) if h and h not in DIMENSIONS]
    obs: list[Observation] = []
    bad: list[tuple[int, str, str]] = []
    n = 0
    for lineno, row in rows:
        if not any(c not in (None, "") for c in row):
            continue
        n += 1
        if csv_file and len(row) != len(header):  # which cell is which is unknown: not kept
            reason = f"{len(row)} fields where the header has {len(header)}"
            bad.append((lineno, reason, unsplit_line(len(row), len(header))))
            continue
        if csv_file and any(text_rule.undecodable(str(c)) for c in row):  # nothing kept
            bad.append((lineno, text_rule.NOT_TEXT, unsplit_line(len(row), len(header))))
            continue
        cells = list(row) + [None] * (len(header) - len(row))
        try:
            reason = damaged(row, header)
            if reason is not None:
                raise ValueError(reason)
            code = region_code(cells[code_col])
            row_year = year
            if "jaar" in header:
                row_year = year_cell(cells[header.index("jaar")])
            if row_year is None:
                raise ValueError("no year: neither a jaar column nor kwb-<year> in the name")
            name = str(cells[name_col]).strip() if name_col is not None else None
            for i, var in measures:
                try:
                    value, raw = parse_value(cells[i])
                except ValueError:
                    value, raw = None, str(cells[i]).strip()
                obs.append(Observation(code, name, str(row_year), var, var, value, raw, lineno))
        except ValueError as exc:
            fields = ["" if c is None else str(c) for c in row]
            bad.append((lineno, str(exc), contract_fragment(fields, len(header))))
    return year or 0, obs, bad, n
