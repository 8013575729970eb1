"""A worksheet's rows and cells, streamed: ``first_sheet`` opens the workbook within its
limits, ``Sheet.rows`` hands over one row at a time.

Nothing holds a sheet: it is parsed with lxml's parser-target interface (callbacks, no tree),
rows handed over per 64 KiB of XML, so memory is one row plus the shared-string table (itself
within limits) whatever the file; about twice as fast as openpyxl's read-only mode, which it
replaces. While streaming, the limits on rows and cells per sheet, cells per row, the column
and row a cell claims and characters per cell are checked; over one, ``WorkbookRefused``.
What each cell's XML stands for is ``cells``'s: a damaged cell costs its row, not the file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sdw.ingest.workbook import limits
from sdw.ingest.workbook.archive import Layout, Package, layout, open_archive
from sdw.ingest.workbook.cells import (
    CELL_REF,
    INDEX,
    BadCell,
    Cell,
    Formats,
    Row,
    boolean,
    column_letters,
    formats,
    iso_date,
    number,
    odd_number,
)
from sdw.ingest.workbook.errors import Done, WorkbookInvalid, WorkbookRefused, part_name
from sdw.ingest.workbook.strings import StringsTarget
from sdw.ingest.workbook.xml import Target, drain, feed, local
from sdw.money import shown


class Shared(int):
    """A shared-string index of the header row, before the strings are read."""


# The elements a sheet reader acts on, by local name (any namespace: transitional or strict).
_ROW, _C, _V, _IS, _T, _RPH, _SHEET_DATA = range(1, 8)
_ELEMENT = {
    "row": _ROW,
    "c": _C,
    "v": _V,
    "is": _IS,
    "t": _T,
    "rPh": _RPH,
    "sheetData": _SHEET_DATA,
}
_KNOWN = 256  # distinct tags / column letters remembered per part (a hostile part has more)
_TEXT_TYPES = frozenset({"str", "e"})  # a formula's cached text, an error (#DIV/0!): as written


class SheetTarget(Target):
    """A worksheet's rows, from parser callbacks: no tree is built, so memory holds one row
    (and the rows completed in the current chunk, ``done``) whatever the sheet. The callbacks
    run for every element of the sheet, so they are kept short: tags and column letters are
    looked up once and remembered, the limits read once per sheet.

    ``header_only``: row 1 only, shared strings as their indexes (``Shared``); a shared string
    row 1 refers to and the file lacks refuses the file (``WorkbookInvalid``, see ``header``),
    because row 1 says what every column is."""

    def __init__(
        self,
        part: str,
        strings: Sequence[str] | None,
        formats: Formats | None,
        header_only: bool = False,
    ) -> None:
        self.part, self.strings, self.formats, self.header_only = (
            part,
            strings,
            formats,
            header_only,
        )
        self.max_rows, self.max_columns = limits.MAX_ROWS, limits.MAX_COLUMNS
        self.max_cells, self.max_chars = limits.MAX_CELLS, limits.MAX_CELL_CHARS
        self.tags: dict[str, int] = {}
        self.columns: dict[str, int] = {}
        self.done: list[Row] = []
        self.in_data = False
        self.rows = self.cells = 0
        self.row_number = 0
        self.row: list[Cell] | None = None
        self.row_cells = self.column = 0
        self.in_cell = False
        self.ref: str | None = None
        self.type = "n"
        self.style = 0
        self.text: list[str] | None = None
        self.chars = 0
        self.capture = False
        self.inline = False
        self.phonetic = 0

    def _element(self, tag: str) -> int:
        code = self.tags.get(tag)
        if code is None:
            code = _ELEMENT.get(local(tag), 0)
            if len(self.tags) < _KNOWN:
                self.tags[tag] = code
        return code

    def start(self, tag: str, attrib: Mapping[str, str]) -> None:
        code = self.tags.get(tag)
        if code is None:
            code = self._element(tag)
        if code == _C:
            if self.row is not None:
                self._start_cell(attrib)
        elif code == _V:
            if self.in_cell:
                self.capture, self.text = True, []
        elif code == _ROW:
            if self.in_data:
                self._start_row(attrib)
        elif code == _T:
            if self.inline and not self.phonetic:
                self.capture = True
        elif code == _IS:
            if self.in_cell:
                self.inline, self.text = True, []
        elif code == _RPH:
            if self.in_cell:
                self.phonetic += 1
        elif code == _SHEET_DATA:
            self.in_data = True

    def _start_row(self, attrib: Mapping[str, str]) -> None:
        r = attrib.get("r")
        ascii_number = r is not None and r.isascii() and r.isdigit() and len(r) < 12
        n = int(r) if ascii_number else self.row_number + 1  # type: ignore[arg-type]
        self.rows += 1
        if self.rows > self.max_rows:
            raise WorkbookRefused("rows", self.rows, self.max_rows, at_least=True)
        if n > self.max_rows:
            raise WorkbookRefused("row_number", n, self.max_rows, f"part {part_name(self.part)}")
        if self.header_only and n != 1:
            self.done.append((1, ()))  # the sheet has no row 1: an empty header
            raise Done
        self.row_number, self.row, self.row_cells, self.column = n, [], 0, 0

    def _start_cell(self, attrib: Mapping[str, str]) -> None:
        self.row_cells += 1
        self.cells += 1
        if self.row_cells > self.max_columns:
            where = f"row {self.row_number}"
            raise WorkbookRefused(
                "cells_per_row", self.row_cells, self.max_columns, where, at_least=True
            )
        if self.cells > self.max_cells:
            raise WorkbookRefused("cells", self.cells, self.max_cells, at_least=True)
        ref = attrib.get("r")
        if ref is None:
            column = self.column + 1
        else:
            letters = ref.rstrip("0123456789")
            column = self.columns.get(letters) or self._column_of(ref, letters)
        if column > self.max_columns:
            raise WorkbookRefused("column", column, self.max_columns, f"cell {ref!r}")
        self.column, self.in_cell, self.ref = column, True, ref
        self.type = attrib.get("t", "n")
        s = attrib.get("s")
        self.style = int(s) if s and s.isascii() and s.isdigit() and len(s) < 10 else 0
        self.text, self.chars, self.capture, self.inline, self.phonetic = None, 0, False, False, 0

    def _column_of(self, ref: str, letters: str) -> int:
        """The column of a reference like ``AB12`` (letters A-Z, then ASCII digits)."""
        if CELL_REF.fullmatch(ref) is None:
            if len(letters) > 3 and letters[:4].isascii() and letters[:4].isalpha():
                raise WorkbookRefused(
                    "column",
                    self.max_columns + 1,
                    self.max_columns,
                    f"cell {ref[:20]!r}",
                    at_least=True,
                )
            raise WorkbookInvalid(f"a cell of row {self.row_number} has the reference {ref[:20]!r}")
        column = 0
        for ch in letters.upper():
            column = column * 26 + ord(ch) - 64
        if len(self.columns) < _KNOWN * 64:  # every column Excel has fits
            self.columns[letters] = column
        return column

    def data(self, text: str) -> None:
        if self.capture:
            self.chars += len(text)
            if self.chars > self.max_chars:
                where = f"cell {self.ref or self.column!r}"
                raise WorkbookRefused(
                    "cell_chars", self.chars, self.max_chars, where, at_least=True
                )
            self.text.append(text)  # type: ignore[union-attr]

    def end(self, tag: str) -> None:
        code = self.tags.get(tag)
        if code is None:
            code = self._element(tag)
        if code == _C:
            if self.in_cell:
                self.in_cell = False
                self._place(self._value() if self.text is not None else None)
        elif code in (_V, _T):
            self.capture = False
        elif code == _ROW:
            if self.row is not None:
                self.done.append((self.row_number, tuple(self.row)))
                self.row = None
                if self.header_only:
                    raise Done
        elif code == _RPH:
            if self.phonetic:
                self.phonetic -= 1
        elif code == _SHEET_DATA:
            self.in_data = False

    def _place(self, value: Cell) -> None:
        row = self.row
        assert row is not None
        i = self.column - 1
        if i == len(row):
            row.append(value)
        elif i < len(row):
            row[i] = value
        else:
            row.extend([None] * (i - len(row)))
            row.append(value)

    def _where(self) -> str:
        """The cell as a reason names it: its reference, or where the XML gives none, the
        reference its place makes."""
        return f"cell {self.ref or column_letters(self.column) + str(self.row_number)}"

    def _value(self) -> Cell:
        parts = self.text
        assert parts is not None
        text = parts[0] if len(parts) == 1 else "".join(parts)
        kind = self.type
        if kind == "inlineStr":
            return text
        if not text:
            return None
        if kind == "n":
            value = number(text, self.style, self.formats)
            return odd_number(value, self._where()) if type(value) is str else value
        if kind == "s":
            return self._shared(text)
        if kind in _TEXT_TYPES:
            return text
        return self._checked(kind, text)

    def _checked(self, kind: str, text: str) -> Cell:
        """A boolean, a date, or a type no xlsx has: the value, or a damaged cell."""
        where = self._where()
        if kind == "b":
            value: bool | datetime | BadCell = boolean(text, where)
        elif kind == "d":
            value = iso_date(text, where)
        else:
            value = BadCell(text, f"{where} has the type {shown(kind)}, which no xlsx cell has")
        return value

    def _shared(self, text: str) -> Cell:
        where = self._where()
        if INDEX.fullmatch(text.strip()) is None:
            if self.header_only:
                raise WorkbookInvalid(f"{where} refers to shared string {text[:20]!r}")
            return BadCell(
                text, f"{where} refers to shared string {shown(text)}, which is no string number"
            )
        index = int(text)
        if self.strings is None:
            if self.header_only:
                return Shared(index)
            return BadCell(text, f"{where} refers to a shared string; the file has none")
        if index >= len(self.strings):
            return BadCell(
                text,
                f"{where} refers to shared string {index}; the file has {len(self.strings)}",
            )
        return self.strings[index]


@dataclass
class Sheet:
    """The first sheet of an open workbook (``first_sheet``)."""

    name: str
    _pkg: Package
    _layout: Layout
    _strings: list[str] | None
    _formats: Formats

    def rows(self) -> Iterator[Row]:
        """Every row the sheet holds, in file order, as (row number, cells from column A):
        rows without cells are handed over empty, missing rows are not handed over. Raises
        ``WorkbookRefused`` at the first limit reached, ``WorkbookInvalid`` where it breaks."""
        target = SheetTarget(self._layout.sheet.filename, self._strings, self._formats)
        for _ in feed(self._pkg.zf, self._layout.sheet, target):
            if target.done:
                yield from target.done
                target.done = []


def _all_strings(pkg: Package, where: Layout) -> list[str] | None:
    if where.strings is None:
        return None
    target = StringsTarget(where.strings.filename)
    drain(feed(pkg.zf, where.strings, target))
    return target.strings


@contextmanager
def first_sheet(path: Path) -> Iterator[Sheet]:
    """The first sheet (as Excel orders them) of the workbook at ``path``, its limits checked
    from the zip directory before anything is read (``check_sizes``); rows are streamed by
    ``Sheet.rows``. Raises ``WorkbookRefused`` / ``WorkbookInvalid``."""
    with open_archive(path) as zf:
        pkg = Package(zf)
        found = layout(pkg)
        styles = formats(pkg, found)
        strings = _all_strings(pkg, found)
        yield Sheet(found.sheet_name, pkg, found, strings, styles)
