"""A delivered table before it is bytes: its columns (each with the role the contract gives
it), its rows, and every choice of shape the contract leaves to the sender (separator, BOM,
line ends, quoting, encoding; string storage of a workbook; JSON spacing). Mutators change a
``Doc`` where they know what they change (one cell, one row) and the bytes where they do not
(``render`` first); the oracle is told which rows a mutation touched, so it can hold the
reader to "every other row still loads".
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from tests.mutation.sources.workbook import SheetOptions, xlsx_bytes

# Column roles. A value in a notation the contract does not name must not be taken as data
# in a STRICT column (the row is refused, or for a CBS measure the value stays NULL).
TEXT = "text"  # free text: kept as written (masked)
KEY = "key"  # text identifying the row within the file (a budget line, a case number)
AMOUNT = "amount"  # euros
YEAR = "year"
DATE = "date"
CODE = "code"  # gemeentecode, wijkcode, taakveld, region code, postcode
COUNT = "count"  # a whole number (persons, huisnummer, buurtcode)
MEASURE = "measure"  # a CBS measure: text that is not a number keeps a NULL value
PERIOD = "period"  # a CBS period
HOUSENUMBER = "housenumber"  # a number, then any toevoeging ("12a")
OTHER = "other"  # a value with a closed list (wet, resultaat, regeling, recs)
STRICT = frozenset({AMOUNT, YEAR, DATE, CODE, COUNT, MEASURE, PERIOD, HOUSENUMBER})


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()  # a JSON object without this key


@dataclass(frozen=True)
class RawJson:
    """JSON text written exactly as given (``NaN``, ``1e400``, an element that is no object)."""

    text: str


@dataclass(frozen=True)
class Column:
    name: str  # the header as the file writes it
    role: str
    # CBS: the observation's source_key for this column's values (None: not a measure)
    key: str | None = None


@dataclass
class Doc:
    fmt: str  # 'csv' | 'xlsx' | 'json' | 'odata'
    columns: list[Column]
    # csv/xlsx: lists of cells by column position (a row of another length is a malformed
    # line); json/odata: dicts by column name, or RawJson
    rows: list[Any]
    name: str  # the file name (str; non-UTF-8 bytes as surrogate escapes)
    header: list[str] | None = None  # the header as written, when it differs from the columns
    sep: str = ";"
    bom: bool = False
    crlf: bool = False
    encoding: str = "utf-8"
    quote_all: bool = False
    sheet: SheetOptions = field(default_factory=SheetOptions)
    # odata: the bundle around the records (records go under ``records_key``); json: unused
    bundle: dict[str, Any] = field(default_factory=dict)
    records_key: str = ""
    indent: bool = False
    ascii_json: bool = True
    # how the reader numbers lines: 'csv' (physical lines where a row starts, csv module),
    # 'splitlines' (str.splitlines), 'lf' (bytes split on \\n), 'records' (one per record,
    # the header 1), 'sheet' (sheet rows)
    counting: str = "csv"

    def copy(self) -> Doc:
        rows = [dict(r) if isinstance(r, dict) else list(r) if isinstance(r, list) else r
                for r in self.rows]  # fmt: skip
        return replace(self, columns=list(self.columns), rows=rows,
                       header=None if self.header is None else list(self.header),
                       bundle=json.loads(json.dumps(self.bundle, default=str)))  # fmt: skip

    def header_cells(self) -> list[str]:
        return self.header if self.header is not None else [c.name for c in self.columns]

    def index(self, role: str | None = None) -> list[int]:
        """Positions of the columns (of ``role``)."""
        return [i for i, c in enumerate(self.columns) if role is None or c.role == role]


# ------------------------------------------------------------------------------------ csv


def quote(cell: object, sep: str, always: bool) -> str:
    text = "" if cell is None else str(cell)
    if always or any(ch in text for ch in (sep, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_lines(doc: Doc) -> list[str]:
    """The header line and each row's text, without line ends."""
    header = doc.sep.join(quote(h, doc.sep, doc.quote_all) for h in doc.header_cells())
    rows = [doc.sep.join(quote(c, doc.sep, doc.quote_all) for c in r) for r in doc.rows]
    return [header, *rows]


def _encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:  # a mutant's character the sender's code page lacks
        return text.encode("utf-8", errors="surrogateescape")


def csv_bytes(doc: Doc) -> bytes:
    end = "\r\n" if doc.crlf else "\n"
    text = end.join(csv_lines(doc)) + end
    data = _encode(text, doc.encoding)
    return (b"\xef\xbb\xbf" if doc.bom and doc.encoding == "utf-8" else b"") + data


def _lines_in(text: str, counting: str) -> int:
    if counting == "splitlines":
        return max(1, len(text.splitlines()))
    if counting == "csv":
        return max(1, len(io.StringIO(text, newline="").readlines()))
    if counting == "lf":
        return text.count("\n") + 1
    return 1


def line_numbers(doc: Doc) -> list[int]:
    """The line number the reader gives each row (``counting``)."""
    if doc.fmt == "xlsx" or doc.counting in ("sheet", "records"):
        first = 1 if doc.fmt in ("json", "odata") else 2
        return [first + i for i in range(len(doc.rows))]
    out, at = [], 2
    for text in csv_lines(doc)[1:]:
        out.append(at)
        at += _lines_in(text, doc.counting)
    return out


# ----------------------------------------------------------------------------------- json


def json_value(value: object, ascii_only: bool) -> str:
    if isinstance(value, RawJson):
        return value.text
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    return json.dumps(value, ensure_ascii=ascii_only, default=str)


def json_record(row: object, ascii_only: bool) -> str:
    if isinstance(row, RawJson):
        return row.text
    assert isinstance(row, dict)
    return (
        "{"
        + ", ".join(
            f"{json.dumps(k, ensure_ascii=ascii_only)}: {json_value(v, ascii_only)}"
            for k, v in row.items()
            if v is not ABSENT
        )
        + "}"
    )


def json_array(doc: Doc) -> str:
    sep = ",\n  " if doc.indent else ","
    records = sep.join(json_record(r, doc.ascii_json) for r in doc.rows)
    return f"[\n  {records}\n]" if doc.indent else f"[{records}]"


def odata_text(doc: Doc) -> str:
    head = ", ".join(
        f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=doc.ascii_json)}"
        for k, v in doc.bundle.items()
    )
    return (
        "{"
        + head
        + (", " if head else "")
        + json.dumps(doc.records_key)
        + ": "
        + (json_array(doc) + "}")
    )


def render(doc: Doc) -> bytes:
    if doc.fmt == "csv":
        return csv_bytes(doc)
    if doc.fmt == "xlsx":
        return xlsx_bytes([doc.header_cells(), *doc.rows], doc.sheet)
    text = json_array(doc) if doc.fmt == "json" else odata_text(doc)
    return (b"\xef\xbb\xbf" if doc.bom else b"") + _encode(text, doc.encoding)
