"""A subsidy register read row by row through its layout (``sdw.subsidies.layouts``): each
row becomes the contract's fields, parsed, or a rejected row with its reason.

- CSV: UTF-8 (optional BOM) or Windows-1252 as Excel writes it; ``;`` or ``,`` as separator,
  whichever splits the header into a layout's columns. The header is line 1; a row's line
  number is the line it starts on. Empty lines are skipped; a line of another width than the
  header is rejected and not kept.
- JSON: an array of objects, read with exact decimals. A record's line number is its position
  in the array (1 = the first object): JSON has no lines a person would count.
- Text fields are kept as the register publishes them (trimmed; empty is absent). The register
  is a public document whose publisher already decided how a private person appears (Amsterdam:
  ``(Particulier)``); nothing is added or looked up. A BSN-like number in any text is masked
  by the parser (``sdw.subsidies.parse``).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sdw.ingest.euros import EuroTotals
from sdw.money import Unreadable, parse_amount, parse_year
from sdw.subsidies import rules
from sdw.subsidies.layouts import Layout, choose, column_key, installed

TEXT_FIELDS = (
    "programma",
    "taakveld",
    "thema",
    "regeling",
    "soort_subsidie",
    "organisatie",
    "ontvanger",
    "omschrijving",
    "regelmaat",
)
TEXT_LIMIT = 2000  # characters of a text field kept; a register's cell is never longer


class Rejected(ValueError):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class BadRow:
    line_number: int
    code: str
    reason: str
    fields: dict[str, str] | None  # the contract's fields as written; None: not kept


@dataclass
class Register:
    layout: Layout
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    # the register's own euro totals over every readable amount cell (sdw.ingest.euros)
    euros: EuroTotals = field(default_factory=lambda: EuroTotals(rules.AMOUNT_COLUMNS))

    @property
    def lines_in(self) -> int:
        return len(self.rows) + len(self.bad)


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text[:TEXT_LIMIT] or None


def _year(values: dict[str, object], name: str, required: bool) -> int | None:
    try:
        year = parse_year(values.get(name))
    except Unreadable as exc:
        raise Rejected(rules.YEAR_INVALID, f"{name} {exc}") from None
    if year is None:
        if required:
            raise Rejected(rules.YEAR_INVALID, f"{name} is empty: every grant has a year")
        return None
    if not rules.YEARS[0] <= year <= rules.YEARS[1]:
        raise Rejected(rules.YEAR_INVALID, f"{name} {year} is not a plausible register year")
    return year


def _amount(values: dict[str, object], name: str, number_format: str) -> Decimal | None:
    try:
        amount = parse_amount(values.get(name), number_format)
    except Unreadable as exc:
        raise Rejected(rules.AMOUNT_INVALID, f"{name} {exc}; the row is not loaded") from None
    if amount is not None and amount < 0:
        raise Rejected(rules.AMOUNT_NEGATIVE, f"{name} {amount} is below zero")
    return amount


def parse_record(values: dict[str, object], layout: Layout) -> dict[str, object]:
    """One register row (contract field -> value as written) as the raw table's fields;
    raises ``Rejected``."""
    row: dict[str, object] = {f: _text(values.get(f)) for f in TEXT_FIELDS}
    row["subsidiejaar"] = _year(values, "subsidiejaar", required=True)
    row["jaar_toekenning"] = _year(values, "jaar_toekenning", required=False)
    for name in rules.AMOUNT_COLUMNS:
        row[name] = _amount(values, name, layout.number_format)
    if row["ontvanger"] is None:
        raise Rejected(rules.RECIPIENT_MISSING, "ontvanger (aanvrager) is empty")
    return row


def _written(values: dict[str, object]) -> dict[str, str]:
    return {f: "" if v is None else str(v) for f, v in values.items()}


def _readable(value: object, number_format: str) -> Decimal | None:
    """A cell's amount for the file's own euro totals; an unreadable cell has none."""
    try:
        return parse_amount(value, number_format)
    except Unreadable:
        return None


def _take(register: Register, lineno: int, values: dict[str, object]) -> None:
    cells = {
        c: _readable(values.get(c), register.layout.number_format) for c in rules.AMOUNT_COLUMNS
    }
    try:
        register.rows.append((lineno, parse_record(values, register.layout)))
        register.euros.add(cells, quarantined=False)
    except Rejected as exc:
        register.bad.append(BadRow(lineno, exc.code, exc.reason, _written(values)))
        register.euros.add(cells, quarantined=True)


def csv_header(line: str, layouts: tuple[Layout, ...]) -> tuple[str, Layout, list[str]] | None:
    """(separator, layout, header cells) when the line is the header of a known CSV layout."""
    line = line.lstrip("\ufeff")
    for sep in (";", ","):
        cells = next(csv.reader([line], delimiter=sep), [])
        layout = choose({column_key(c) for c in cells}, "csv", layouts)
        if layout is not None:
            return sep, layout, cells
    return None


def read_csv_text(text: str, layouts: tuple[Layout, ...] | None = None) -> Register:
    text = text.lstrip("\ufeff")
    found = csv_header(text.split("\n", 1)[0].strip("\r"), layouts or installed())
    if found is None:
        raise ValueError("not a subsidy register: the header matches no layout")
    sep, layout, header = found
    index = {column_key(c): i for i, c in enumerate(header)}
    fields = {f: index[k] for k, f in layout.keys().items() if k in index}
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    next(reader)
    register = Register(layout)
    previous = reader.line_num
    for cells in reader:
        lineno, previous = previous + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            register.bad.append(
                BadRow(
                    lineno,
                    rules.ROW_MALFORMED,
                    f"{len(cells)} fields where the header has {len(header)}",
                    None,
                )
            )
            continue
        _take(register, lineno, {f: cells[i] for f, i in fields.items()})
    return register


def load_json(text: str) -> object:
    return json.loads(text, parse_float=Decimal)


def json_layout(data: object, layouts: tuple[Layout, ...]) -> Layout | None:
    """The layout of a JSON register: an array whose first object has a layout's columns."""
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return None
    return choose({column_key(k) for k in data[0]}, "json", layouts)


def read_json_data(data: object, layouts: tuple[Layout, ...] | None = None) -> Register:
    layout = json_layout(data, layouts or installed())
    if layout is None:
        raise ValueError("not a subsidy register: no layout matches its objects")
    keys = layout.keys()
    register = Register(layout)
    for lineno, item in enumerate(data, start=1):  # type: ignore[arg-type]
        if not isinstance(item, dict):
            register.bad.append(
                BadRow(lineno, rules.ROW_MALFORMED, "the array's element is not an object", None)
            )
            continue
        values = {keys[k]: v for name, v in item.items() if (k := column_key(name)) in keys}
        _take(register, lineno, values)
    return register


def read_register(path: Path, layouts: tuple[Layout, ...] | None = None) -> Register:
    text = decode(path.read_bytes())
    if path.suffix.lower() == ".json":
        return read_json_data(load_json(text), layouts)
    return read_csv_text(text, layouts)


def sniff_csv(path: Path) -> bool:
    if path.suffix.lower() not in (".csv", ".txt"):
        return False
    try:
        with path.open("rb") as fh:
            first = decode(fh.readline(65536)).strip("\r\n")
    except OSError:
        return False
    return csv_header(first, installed()) is not None


def sniff_json(path: Path) -> bool:
    """A JSON array of objects with a layout's columns. The whole file is read: a register is
    small (Amsterdam's year: 0.8 MB), and a JSON prefix cannot be parsed."""
    if path.suffix.lower() != ".json":
        return False
    try:
        data = load_json(decode(path.read_bytes()))
    except (OSError, ValueError, RecursionError):
        return False
    return json_layout(data, installed()) is not None
