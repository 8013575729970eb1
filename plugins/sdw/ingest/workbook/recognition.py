"""Recognising a workbook: its first sheet's name and row 1, from a bounded prefix of the file.

Every kind's sniffer asks, and a DAG once re-read a whole sheet only to recognise it. Here the
first sheet is read up to the end of row 1 only (at most ``HEADER_SHEET_BYTES`` of XML: a sheet
whose tail is broken or huge is never read), and the shared strings up to the last one row 1
uses (at most ``HEADER_STRINGS_BYTES``); styles are not read, so a date cell is its serial
number here. The answer (or the refusal) is remembered per (path, size, mtime) in the process,
so the sniffers of several kinds read a file once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sdw.ingest.workbook import limits
from sdw.ingest.workbook.archive import Package, layout, open_zip
from sdw.ingest.workbook.cells import Cell
from sdw.ingest.workbook.errors import WorkbookError, WorkbookInvalid
from sdw.ingest.workbook.sheet import Shared, SheetTarget
from sdw.ingest.workbook.strings import StringsTarget
from sdw.ingest.workbook.xml import drain, feed


@dataclass(frozen=True)
class Header:
    """The first sheet's name and its row 1 (empty when the sheet has no row 1). Read without
    the styles: a number cell in a date format is its serial number here."""

    sheet: str
    cells: tuple[Cell, ...]


def read_header(path: Path) -> Header:
    """The header, read anew (``header`` remembers it)."""
    zf = open_zip(path)
    try:
        pkg = Package(zf)
        found = layout(pkg)
        target = SheetTarget(found.sheet.filename, None, None, header_only=True)
        drain(feed(zf, found.sheet, target, ("header_bytes", limits.HEADER_SHEET_BYTES)))
        cells = target.done[0][1] if target.done else ()
        wanted = frozenset(c for c in cells if isinstance(c, Shared))
        if wanted:
            if found.strings is None:
                raise WorkbookInvalid("row 1 refers to shared strings the file lacks")
            strings = StringsTarget(found.strings.filename, wanted)
            budget = ("header_strings_bytes", limits.HEADER_STRINGS_BYTES)
            drain(feed(zf, found.strings, strings, budget))
            missing = wanted - strings.found.keys()
            if missing:
                raise WorkbookInvalid(
                    f"row 1 refers to shared string {min(missing)}; the file has "
                    f"{strings.index + 1}"
                )
            cells = tuple(strings.found[c] if isinstance(c, Shared) else c for c in cells)
        return Header(found.sheet_name, cells)
    finally:
        zf.close()


@lru_cache(maxsize=limits.HEADER_CACHE)
def _cached_header(path: str, _size: int, _mtime_ns: int) -> Header | WorkbookError:
    try:
        return read_header(Path(path))
    except WorkbookError as exc:
        return exc


def header(path: Path) -> Header:
    """The first sheet's name and row 1, reading a bounded prefix of the file only (module
    doc); remembered per (path, size, mtime) so each kind's sniffer can ask. Raises
    ``WorkbookRefused`` / ``WorkbookInvalid`` (a file that is no xlsx)."""
    st = path.stat()
    found = _cached_header(str(path), st.st_size, st.st_mtime_ns)
    if isinstance(found, WorkbookError):
        raise found.with_traceback(None)
    return found


def clear_cache() -> None:
    _cached_header.cache_clear()
