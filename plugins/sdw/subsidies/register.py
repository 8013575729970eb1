"""A subsidy register read row by row through its layout (``sdw.subsidies.layouts``) by the
core's layout reader (``sdw.ingest.layout_rows``: CSV header, line numbers, malformed lines,
the register's own euro totals); this module holds what is the register's own:

- the row rules (``parse_record``): a plausible year, amounts never below zero, a recipient;
- JSON: an array of objects, every number read as an exact decimal. A record's line number is
  its position in the array (1 = the first object): JSON has no lines a person would count.
  The layout is judged from the keys of the first ``LAYOUT_SAMPLE`` objects together, not of
  the first alone (``json_layout``): a register is not lost whole because a record lacks a
  key. A record without the key of a field its layout requires is refused as a row
  (FIELD_MISSING).
- Amounts and years are read by ``sdw.money`` (ASCII digits only, within ``sdw.money.BOUND``):
  a cell that is not one quarantines its row with a reason naming it, never the file.
- Text fields are kept as the register publishes them (trimmed; empty is absent). The register
  is a public document whose publisher already decided how a private person appears (Amsterdam:
  ``(Particulier)``); nothing is added or looked up. A BSN-like number in any text is masked
  by the parser (``sdw.subsidies.parse``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from sdw.ingest import layout_rows
from sdw.ingest.contract import Rejected
from sdw.ingest.layout_rows import LayoutFile, RowRules, layout_of
from sdw.ingest.layouts import Layout, column_key
from sdw.money import Unreadable, parse_amount, parse_year
from sdw.subsidies import rules
from sdw.subsidies.layouts import installed

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
# Objects whose keys together decide a JSON register's layout: enough that a record or two
# lacking a key (Amsterdam leaves Jaar out of none, but a hand-edited export may) do not
# decide it, and bounded so that recognising a large register stays cheap.
LAYOUT_SAMPLE = 100
# Keys a layout must know of a register none of whose records has every required key.
LAYOUT_KEYS_KNOWN = 2
Register = LayoutFile  # a register as read: its rows, bad rows and euro totals


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
    raises ``Rejected``. A field its layout requires must be there (a JSON record may lack
    its key; a CSV row always has every column of its header)."""
    missing = [layout.columns[f] for f in layout.required if f not in values]
    if missing:
        raise Rejected(
            rules.FIELD_MISSING,
            f"the record has no {', '.join(missing)}, which its layout ({layout.name}) requires",
        )
    row: dict[str, object] = {f: _text(values.get(f)) for f in TEXT_FIELDS}
    row["subsidiejaar"] = _year(values, "subsidiejaar", required=True)
    row["jaar_toekenning"] = _year(values, "jaar_toekenning", required=False)
    for name in rules.AMOUNT_COLUMNS:
        row[name] = _amount(values, name, layout.number_format)
    if row["ontvanger"] is None:
        raise Rejected(rules.RECIPIENT_MISSING, "ontvanger (aanvrager) is empty")
    return row


def _euros(value: object, layout: Layout) -> Decimal | None:
    return parse_amount(value, layout.number_format)


ROWS = RowRules(
    what="a subsidy register",
    malformed=rules.ROW_MALFORMED,
    amount_columns=rules.AMOUNT_COLUMNS,
    amount=_euros,
    parse_record=parse_record,
)


def read_csv_text(text: str, layouts: tuple[Layout, ...] | None = None) -> Register:
    return layout_rows.read_csv_text(text, layouts or installed(), ROWS)


def load_json(text: str) -> object:
    """Every JSON number as an exact ``Decimal``: a float would not be exact to the cent, and
    Python refuses to read an integer of more than 4,300 digits (a ValueError for the whole
    file), where ``parse_amount`` refuses the one cell by name. JSON's ``NaN`` and
    ``Infinity`` too, so the refusal names them as written."""
    return json.loads(text, parse_float=Decimal, parse_int=Decimal, parse_constant=Decimal)


def json_layout(data: object, layouts: tuple[Layout, ...]) -> Layout | None:
    """The layout of a JSON register, judged from the keys of its first ``LAYOUT_SAMPLE``
    objects together (elements that are not objects are left out here; the reader refuses
    them as rows): the layout whose columns they include every required one of; else the
    layout that knows most of them, when that is more than half of them and at least
    ``LAYOUT_KEYS_KNOWN``. JSON has no header: a register whose records lack a required key
    (one record of one, or every record) is still recognisably that register by the rest of
    its keys, and each such record is refused as a row naming the key, instead of the whole
    file going unrecognised. One key in common (``Naam``) is a coincidence, not a register."""
    if not isinstance(data, list):
        return None
    keys: dict[str, None] = {}
    for item in data[:LAYOUT_SAMPLE]:
        if isinstance(item, dict):
            keys.update(dict.fromkeys(item))
    exact = layout_of(keys, "json", layouts)
    if exact is not None or not keys:
        return exact
    present = {column_key(k) for k in keys}
    recognised = [
        lay
        for lay in layouts
        if lay.format == "json"
        and lay.found(present) >= LAYOUT_KEYS_KNOWN
        and 2 * lay.found(present) > len(present)
    ]
    return max(recognised, key=lambda lay: lay.found(present), default=None)


def read_json_data(data: object, layouts: tuple[Layout, ...] | None = None) -> Register:
    layout = json_layout(data, layouts or installed())
    if layout is None:
        raise ValueError("not a subsidy register: no layout matches its objects")
    keys = layout.keys()
    register = Register(ROWS, layout)
    for lineno, item in enumerate(data, start=1):  # type: ignore[arg-type]
        if not isinstance(item, dict):
            register.refuse(lineno, "the array's element is not an object")
            continue
        values = {keys[k]: v for name, v in item.items() if (k := column_key(name)) in keys}
        register.take(lineno, values)
    return register


def read_register(path: Path, layouts: tuple[Layout, ...] | None = None) -> Register:
    text = layout_rows.decode(path.read_bytes())
    if path.suffix.lower() == ".json":
        return read_json_data(load_json(text), layouts)
    return read_csv_text(text, layouts)


def sniff_csv(path: Path) -> bool:
    return layout_rows.sniff_csv(path, installed())


def sniff_json(path: Path) -> bool:
    """A JSON array of objects with a layout's columns. The whole file is read: a register is
    small (Amsterdam's year: 0.8 MB), and a JSON prefix cannot be parsed."""
    if path.suffix.lower() != ".json":
        return False
    try:
        data = load_json(layout_rows.decode(path.read_bytes()))
    except (OSError, ValueError, RecursionError):
        return False
    return json_layout(data, installed()) is not None
