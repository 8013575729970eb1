"""A file whose rows a layout (``sdw.ingest.layouts``) maps onto a source's fields, read row by
row: one reader for every such source (subsidy registers, budget exports), so that the rules
of reading are the same for each and written once.

- CSV: UTF-8 (optional BOM) or Windows-1252 as Excel writes it; ``;`` or ``,`` as separator,
  whichever splits the header into an installed layout's columns. The header is line 1; a
  row's line number is the line it starts on (a quoted cell may span lines). Empty lines are
  skipped; a line of another width than the header is refused with the source's own
  malformed-row code and not kept: which cell is which is unknown.
- Of two columns with the same key the first is read.
- Every row's readable amount cells are added to the file's own euro totals
  (``sdw.ingest.euros``) before the row is decided, so that reconcile can prove
  file = loaded + quarantined per amount column; a cell that does not read has no euros.

What differs per source is handed over as ``RowRules``: the amount columns, how a cell reads
as euros, the source's ``parse_record(values, layout)`` that returns the raw table's fields or
raises ``Rejected(code, reason)``, its malformed-row code, how a refused row's cells are kept,
and any rule over the rows of one file (``file_check``: a budget line twice). Other formats
(a workbook, a JSON array) are the source's; they hand their numbered rows to ``take``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sdw.ingest import text
from sdw.ingest.contract import BadRow, Rejected
from sdw.ingest.csv_contract import HeaderCheck, check_columns
from sdw.ingest.euros import EuroTotals
from sdw.ingest.layouts import Layout, choose, column_key
from sdw.money import Unreadable

__all__ = ["BadRow", "LayoutFile", "Rejected", "RowRules"]

Values = dict[str, object]  # contract field -> the cell as written
Record = dict[str, object]  # the raw table's fields of one loaded row


def as_written(value: object) -> str:
    """A cell of a refused row as quarantine keeps it: the cell's own text, empty for none."""
    return "" if value is None else str(value)


@dataclass(frozen=True)
class RowRules:
    """What a source decides about its rows; reading them is this module's."""

    what: str  # the file as an error names it: "a budget file"
    malformed: str  # the reason code of a line of another width than the header
    amount_columns: tuple[str, ...]  # contract fields that are euros, in table order
    # the euros of a cell; raises sdw.money.Unreadable for a cell that is no amount
    amount: Callable[[object, Layout], Decimal | None]
    # one row's values as the raw table's fields; raises Rejected
    parse_record: Callable[[Values, Layout], Record]
    written: Callable[[object], str] = as_written
    # a rule over the rows of one file: a fresh check per file, given each parsed row, that
    # raises Rejected (the row is then quarantined, its euros counted as such)
    file_check: Callable[[Layout], Callable[[Record], None]] | None = None


@dataclass
class LayoutFile:
    """One file read through its layout: the loaded rows with their line numbers, the bad
    rows, and the file's own euro totals."""

    rules: RowRules
    layout: Layout
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, Record]] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    euros: EuroTotals = field(init=False)
    _check: Callable[[Record], None] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.euros = EuroTotals(self.rules.amount_columns)
        factory = self.rules.file_check
        self._check = factory(self.layout) if factory is not None else None

    @property
    def lines_in(self) -> int:
        return len(self.rows) + len(self.bad)

    def _readable(self, value: object) -> Decimal | None:
        try:
            return self.rules.amount(value, self.layout)
        except Unreadable:
            return None

    def take(self, lineno: int, values: Values) -> None:
        """Decide one row: loaded, or quarantined with its reason; its euros counted either
        way."""
        cells = {c: self._readable(values.get(c)) for c in self.rules.amount_columns}
        try:
            row = self.rules.parse_record(values, self.layout)
            if self._check is not None:
                self._check(row)
        except Rejected as exc:
            written = {f: self.rules.written(v) for f, v in values.items()}
            self.bad.append(BadRow(lineno, exc.code, exc.reason, written))
            self.euros.add(cells, quarantined=True)
            return
        self.rows.append((lineno, row))
        self.euros.add(cells, quarantined=False)

    def refuse(self, lineno: int, reason: str) -> None:
        """A row that does not split into the file's fields: quarantined, nothing of it kept."""
        self.bad.append(BadRow(lineno, self.rules.malformed, reason, None))

    def loaded(self, columns: Sequence[str]) -> list[list[object]]:
        """The loaded rows as the raw table's ``columns``, each with its layout and line."""
        return [
            [{**r, "layout": self.layout.name, "line_number": n}[c] for c in columns]
            for n, r in self.rows
        ]


def decode(data: bytes) -> str:
    """The file's text (``sdw.ingest.text``: UTF-8, with or without a mark, or Windows-1252)."""
    return text.decode(data)


def field_index(layout: Layout, header: Sequence[object]) -> dict[str, int]:
    """Contract field -> the header's position of its column (the first of equal keys)."""
    index: dict[str, int] = {}
    for i, c in enumerate(header):
        index.setdefault(column_key(c if c is not None else ""), i)
    return {f: index[k] for k, f in layout.keys().items() if k in index}


def layout_of(names: Iterable[object], fmt: str, layouts: tuple[Layout, ...]) -> Layout | None:
    """The layout of a table in format ``fmt`` whose column names are ``names``."""
    return choose({column_key(c if c is not None else "") for c in names}, fmt, layouts)


def csv_header(line: str, layouts: tuple[Layout, ...]) -> tuple[str, Layout, list[str]] | None:
    """(separator, layout, header cells) when the line is the header of a known CSV layout."""
    line = line.lstrip("\ufeff")
    for sep in (";", ","):
        cells = next(csv.reader([line], delimiter=sep), [])
        layout = layout_of(cells, "csv", layouts)
        if layout is not None:
            return sep, layout, cells
    return None


def header_verdict(
    cells: Iterable[object], fmt: str, layouts: tuple[Layout, ...], label: str
) -> HeaderCheck | None:
    """How a header compares with the nearest of the ``fmt`` layouts (``csv_contract``'s rule
    of "recognisably this file"), its columns named as the layout spells them and the
    contract labelled ``"<label> (<layout>)"``: a file lacking a required column is then
    refused whole as MISSING_COLUMN."""
    present = {column_key(c if c is not None else "") for c in cells}
    best: HeaderCheck | None = None
    for layout in layouts:
        if layout.format != fmt:
            continue
        names = list(layout.columns.values())
        have = [c for c in names if column_key(c) in present]
        required = [layout.columns[f] for f in layout.required]
        verdict = check_columns(f"{label} ({layout.name})", have, names, required)
        if verdict is not None and (best is None or verdict.share > best.share):
            best = verdict
    return best


def read_csv_text(content: str, layouts: tuple[Layout, ...], rules: RowRules) -> LayoutFile:
    """Every data line of a CSV in one of ``layouts``, loaded or refused (see module doc); a
    line with bytes that are not text is refused (``sdw.ingest.text``)."""
    content = content.lstrip("\ufeff")
    found = csv_header(content.split("\n", 1)[0].strip("\r"), layouts)
    if found is None:
        raise ValueError(f"not {rules.what}: the header matches no layout")
    sep, layout, header = found
    fields = field_index(layout, header)
    marked = text.undecodable(content)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=sep)
    next(reader)
    result = LayoutFile(rules, layout, header)
    previous = reader.line_num
    for cells in reader:
        lineno, previous = previous + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            result.refuse(lineno, f"{len(cells)} fields where the header has {len(header)}")
            continue
        if marked and any(text.undecodable(c) for c in cells):
            result.refuse(lineno, text.NOT_TEXT)
            continue
        result.take(lineno, {f: cells[i] for f, i in fields.items()})
    return result


def sniff_csv(path: Path, layouts: tuple[Layout, ...]) -> bool:
    """A CSV (or .txt) whose first line is the header of one of ``layouts``."""
    if path.suffix.lower() not in (".csv", ".txt"):
        return False
    try:
        with path.open("rb") as fh:
            first = decode(fh.readline(65536)).strip("\r\n")
    except OSError:
        return False
    return csv_header(first, layouts) is not None


def fields_fragment(bad: BadRow, unsplit: str) -> str:
    """What quarantine keeps of a refused row: its contract fields as written, or the
    ``unsplit`` note for a line that did not split into them."""
    if bad.fields is None:
        return unsplit
    return "; ".join(f"{k}={v}" for k, v in bad.fields.items())
