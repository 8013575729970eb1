"""The one place a workbook (xlsx; any zip-based input) is opened, for every source: within
limits, without expanding an entity, and with cells every row rule can take.

An xlsx is a zip of XML parts, so a file of 1 MB can stand for 1 GB of XML (deflate reaches
about 1,000 to 1 on blanks): a budget workbook padded so once took 240 s and 4.9 GB to load,
and every DAG re-read the whole sheet only to recognise it. Here:

- **Before anything is inflated**, from the zip's own directory (``open_archive``): the number
  of members, the size of the directory, the total uncompressed size and each large member's
  compression ratio. A workbook over a limit is refused in milliseconds, whatever it inflates
  to.
- **While streaming** (``first_sheet``): rows and cells per sheet, cells per row, the column
  and row a cell claims, characters per cell, shared strings. Nothing holds a sheet: the sheet
  is parsed with lxml's parser-target interface (callbacks, no tree), rows handed over per
  64 KiB of XML, so memory is one row plus the shared-string table (itself within limits)
  whatever the file. About twice as fast as openpyxl's read-only mode, which it replaces.
- **Recognising** a file (``header``) reads a bounded prefix only: the first sheet up to the
  end of row 1 (at most ``HEADER_SHEET_BYTES`` of XML; a sheet whose tail is broken or huge is
  never read), and the shared strings up to the last one row 1 uses. The answer is cached per
  (path, size, mtime) in the process, so the sniffers of several kinds read a file once.
- **No entity is ever expanded**: every part is parsed with ``resolve_entities=False``,
  ``no_network=True``, ``load_dtd=False``, ``huge_tree=False``, and a part that declares a DTD
  is refused as soon as the parser meets it (OPC, ECMA-376 part 2, forbids DTDs in a package,
  so no genuine xlsx has one).

Over a limit: ``WorkbookRefused`` (reason code ``WORKBOOK_LIMIT``, naming the limit, what was
measured and the constant that sets it). Not a readable xlsx (not a zip, a damaged member, XML
that is not well-formed, a DTD): ``WorkbookInvalid`` (``WORKBOOK_INVALID``). A kind's parser
lets them propagate; ``guarded(kind)`` turns them into the file's quarantine, whole, with that
reason. Both are raised, never swallowed: a sniffer that gets one says "not mine".

The limits are module constants (a test lowers them with ``monkeypatch.setattr``), chosen from
the largest real inputs: a KWB of every region in the country (about 17,500 rows x 121
columns = 2.1 million cells; the Utrecht extract in the reference files is 549 KB of sheet XML
for 123 rows, so the whole country is about 80 MB) and budget exports of a few thousand lines
(a few MB). Excel itself stops at 1,048,576 rows x 16,384 columns and 32,767 characters in a
cell: more is not a spreadsheet anyone saved.

Cells (``Cell``) are handed over as the row rules expect them (the values openpyxl gave before,
where those are safe): text as ``str``; a number as ``int`` (an integer of at most 15 digits)
or ``float``; a number cell in a date format as ``datetime``/``time``/``timedelta``; a boolean
as ``bool``; an empty cell as ``None``. What no rule could take without an exception is handed
over as **the text as written**, which every amount parser refuses naming it: a number that is
not finite (``inf``, ``NaN``, ``1e309``) or not exact to the unit as a float (magnitude 2**53
or more, e.g. ``1E+300``), a date serial outside the calendar, and an error cell (``#DIV/0!``).
"""

from __future__ import annotations

import math
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from functools import lru_cache
from pathlib import Path, PurePosixPath

from lxml import etree

from sdw.ingest.contract import (
    FileKind,
    IngestContext,
    ParsedFile,
    RedactedFile,
    quarantine_whole_file,
)
from sdw.pseudonym import Pseudonymiser, mask_bsns

WORKBOOK_LIMIT = "WORKBOOK_LIMIT"  # a workbook over one of the limits below: refused whole
WORKBOOK_INVALID = "WORKBOOK_INVALID"  # not a readable xlsx: refused whole

MiB = 2**20
# -- checked from the zip directory, before anything is inflated ---------------------------
# An xlsx from Excel has about 10 members plus 3 per sheet; 1,000 allows hundreds of sheets,
# and bounds the directory zipfile reads into memory.
MAX_MEMBERS = 1_000
# Real directories take under 100 bytes per member; a longer one is padding (names and extra
# fields of up to 64 KiB each).
MAX_DIRECTORY_BYTES = 4 * MiB
# Total uncompressed size: 3x the largest real input (a whole-country KWB, about 80 MB).
MAX_UNCOMPRESSED = 256 * MiB
# Sheet XML deflates 5 to 10 to 1 (the reference KWB: 7.3); blanks 1,000 to 1. Checked for
# members over RATIO_FLOOR only: a small member cannot be a bomb, whatever its ratio.
MAX_RATIO = 100
RATIO_FLOOR = 1 * MiB
# A part read whole (content types, relationships, workbook.xml, styles.xml): real ones are KB.
MAX_PART_BYTES = 16 * MiB
# -- checked while streaming the first sheet ------------------------------------------------
MAX_ROWS = 1_048_576  # rows per sheet, and the highest row number: Excel's own maximum
MAX_COLUMNS = 16_384  # cells per row, and the highest column (XFD): Excel's own maximum
# Cells per sheet: about twice a whole-country KWB (2.1 million).
MAX_CELLS = 4_000_000
MAX_CELL_CHARS = 32_767  # characters in one cell: Excel's own maximum
# Shared strings (the whole table is held while a sheet is read): a whole-country KWB has
# tens of thousands; the characters bound the table's memory whatever their number.
MAX_SHARED_STRINGS = 1_000_000
MAX_SHARED_CHARS = 64 * MiB
# -- recognising a file (``header``) -----------------------------------------------------------
# Sheet XML read at most to reach the end of row 1: what precedes sheetData (column widths,
# views) plus a full row of 16,384 cells is under 1 MB.
HEADER_SHEET_BYTES = 4 * MiB
# Shared-string XML read at most to reach the last string row 1 uses (they need not come
# first: the reference KWB's row 1 uses strings as far as number 947 of its 976).
HEADER_STRINGS_BYTES = 32 * MiB
HEADER_CACHE = 32  # files whose header is remembered (the kinds sniff one file after another)

CHUNK = 64 * 1024  # bytes of XML fed to the parser at a time
FLOAT_EXACT = 2**53  # from here on a float is not even exact to the unit

# Each limit as a reason states it ({n}: what was measured, {where}: the part or cell), and the
# constant that sets it.
LIMITS: dict[str, tuple[str, str]] = {
    "members": ("the zip has {n} members", "MAX_MEMBERS"),
    "directory_bytes": ("the zip directory takes {n} bytes", "MAX_DIRECTORY_BYTES"),
    "uncompressed_bytes": ("the workbook inflates to {n} bytes", "MAX_UNCOMPRESSED"),
    "compression_ratio": ("{where} inflates to {n} times its compressed size", "MAX_RATIO"),
    "part_bytes": ("{where} inflates to {n} bytes", "MAX_PART_BYTES"),
    "rows": ("the first sheet has {n} rows", "MAX_ROWS"),
    "row_number": ("{where} numbers a row {n}", "MAX_ROWS"),
    "cells_per_row": ("{where} has {n} cells", "MAX_COLUMNS"),
    "column": ("{where} lies in column {n}", "MAX_COLUMNS"),
    "cells": ("the first sheet has {n} cells", "MAX_CELLS"),
    "cell_chars": ("{where} holds {n} characters", "MAX_CELL_CHARS"),
    "shared_strings": ("{where} holds {n} shared strings", "MAX_SHARED_STRINGS"),
    "shared_chars": ("{where} holds {n} characters of shared strings", "MAX_SHARED_CHARS"),
    "header_bytes": (
        "row 1 does not end within the first {n} bytes of {where}",
        "HEADER_SHEET_BYTES",
    ),
    "header_strings_bytes": (
        "the strings row 1 uses do not end within the first {n} bytes of {where}",
        "HEADER_STRINGS_BYTES",
    ),
}

Cell = str | int | float | bool | datetime | time | timedelta | None
Row = tuple[int, tuple[Cell, ...]]  # (sheet row number, its cells from column A)


class WorkbookError(Exception):
    """A workbook refused whole: ``code`` is its reason code, ``reason`` says why to a person.
    Not a ValueError on purpose: no row reader's ``except ValueError`` may take a refusal of
    the whole file for one bad cell."""

    code = WORKBOOK_INVALID

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WorkbookRefused(WorkbookError):
    """Over a limit: ``limit`` (a key of ``LIMITS``), the value measured when reading stopped
    (``at_least``: reading stopped there, the file holds that much or more) and the limit."""

    code = WORKBOOK_LIMIT

    def __init__(
        self, limit: str, measured: int, allowed: int, where: str = "", *, at_least: bool = False
    ) -> None:
        template, constant = LIMITS[limit]
        self.limit, self.measured, self.allowed, self.where = limit, measured, allowed, where
        said = template.format(n=f"{'at least ' if at_least else ''}{measured:,}", where=where)
        super().__init__(
            f"Workbook limit {limit}: {said}, where the limit is {allowed:,} "
            f"(sdw.ingest.workbook.{constant}); nothing of the file was loaded. Real exports "
            "stay far below it: ask the sender for the file as their system exports it."
        )


class WorkbookInvalid(WorkbookError):
    """Not a readable xlsx: not a zip, a damaged member, XML that is not well-formed, a DTD."""

    code = WORKBOOK_INVALID

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(
            f"Not a readable xlsx workbook: {detail}; nothing of the file was loaded. Open it "
            "in Excel and save it again as an Excel Workbook (.xlsx)."
        )


class _Done(Exception):
    """Raised by a parser target that has read what it needs (the header's row 1)."""


def _name(member: str) -> str:
    """A member's name as a reason shows it: the zip's own text, shortened."""
    return repr(member if len(member) <= 80 else member[:77] + "...")


# ------------------------------------------------------------------------------ the archive


def _directory(path: Path) -> tuple[int, int]:
    """(members, directory bytes) from the zip's end record, read before zipfile reads the
    directory itself into memory. A field at its maximum (0xFFFF, 0xFFFFFFFF: ZIP64) means that
    much or more, which is over every limit here."""
    with path.open("rb") as fh:
        size = fh.seek(0, 2)
        back = min(size, 22 + 65_535)
        fh.seek(size - back)
        tail = fh.read(back)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise WorkbookInvalid("it is not a zip archive (no end of central directory record)")
    members, directory = struct.unpack("<HI", tail[at + 10 : at + 16])
    return members, directory


def _open_zip(path: Path) -> zipfile.ZipFile:
    members, directory = _directory(path)
    if members > MAX_MEMBERS:
        raise WorkbookRefused("members", members, MAX_MEMBERS, at_least=members == 0xFFFF)
    if directory > MAX_DIRECTORY_BYTES:
        raise WorkbookRefused("directory_bytes", directory, MAX_DIRECTORY_BYTES)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise WorkbookInvalid(f"its zip directory cannot be read ({exc})") from None
    if len(zf.infolist()) > MAX_MEMBERS:  # the end record undercounted
        zf.close()
        raise WorkbookRefused("members", len(zf.infolist()), MAX_MEMBERS)
    return zf


def check_sizes(zf: zipfile.ZipFile) -> None:
    """The limits the zip directory answers before anything is inflated: total uncompressed
    size, each large member's compression ratio, no encrypted member. zipfile stops a member
    at its declared size (and fails its CRC), so what the directory declares bounds what is
    read."""
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise WorkbookRefused("uncompressed_bytes", total, MAX_UNCOMPRESSED)
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            ratio = i.file_size // max(i.compress_size, 1)
            raise WorkbookRefused(
                "compression_ratio", ratio, MAX_RATIO, f"member {_name(i.filename)}"
            )
        if i.flag_bits & 0x1:
            raise WorkbookInvalid(f"member {_name(i.filename)} is encrypted")


@contextmanager
def open_archive(path: Path) -> Iterator[zipfile.ZipFile]:
    """A zip-based input, open once its directory is within every limit (``check_sizes``);
    raises ``WorkbookRefused`` or ``WorkbookInvalid`` before reading any member."""
    zf = _open_zip(path)
    try:
        check_sizes(zf)
        yield zf
    finally:
        zf.close()


# ---------------------------------------------------------------------------- XML, safely

# A sheet's relationship id, as transitional and Strict OOXML spell the attribute (elements are
# matched by local name, so both namespaces read alike).
_REL_ID = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _parser(target: object) -> etree.XMLParser:
    return etree.XMLParser(
        target=target,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )


class _Target:
    """What every parser target here shares: a DTD is refused where the parser meets it,
    before any declaration in it is read."""

    part = ""

    def doctype(self, *_declaration: object) -> None:
        raise WorkbookInvalid(
            f"part {_name(self.part)} declares a DTD (<!DOCTYPE>), which no xlsx has; its "
            "entities were not expanded"
        )

    def data(self, _text: str) -> None:
        pass

    def close(self) -> None:
        return None


def _feed(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    target: _Target,
    budget: tuple[str, int] | None = None,
) -> Iterator[None]:
    """Feed a member's XML to ``target`` a chunk at a time, yielding after each chunk (the
    caller takes what the target completed). ``budget``: (limit, bytes) read at most.
    Stops quietly when the target raises ``_Done``."""
    if info.flag_bits & 0x1:
        raise WorkbookInvalid(f"member {_name(info.filename)} is encrypted")
    parser = _parser(target)
    fed = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(CHUNK):
                fed += len(chunk)
                if budget is not None and fed > budget[1]:
                    raise WorkbookRefused(budget[0], fed, budget[1], f"part {_name(info.filename)}")
                parser.feed(chunk)
                yield
            parser.close()
    except _Done:
        return
    except etree.XMLSyntaxError as exc:
        raise WorkbookInvalid(
            f"part {_name(info.filename)} is not well-formed XML ({exc.msg})"
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise WorkbookInvalid(f"member {_name(info.filename)} is damaged ({exc})") from None
    yield


def _drain(feeding: Iterator[None]) -> None:
    for _ in feeding:
        pass


class _Elements(_Target):
    """A small part's elements of interest, as (parent, tag) local names -> their attributes
    in document order; the rest is passed over."""

    def __init__(self, part: str, wanted: frozenset[tuple[str, str]]) -> None:
        self.part, self.wanted = part, wanted
        self.stack: list[str] = [""]
        self.found: list[tuple[str, dict[str, str]]] = []

    def start(self, tag: str, attrib: Mapping[str, str]) -> None:
        local = _local(tag)
        if (self.stack[-1], local) in self.wanted:
            self.found.append((local, dict(attrib)))
        self.stack.append(local)

    def end(self, _tag: str) -> None:
        self.stack.pop()


class _Package:
    """The members of an open zip by part name (OPC part names ignore case)."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.parts = {i.filename.lower(): i for i in zf.infolist()}

    def get(self, name: str) -> zipfile.ZipInfo | None:
        return self.parts.get(name.lstrip("/").lower())

    def elements(self, name: str, wanted: set[tuple[str, str]]) -> list[tuple[str, dict]]:
        info = self.get(name)
        if info is None:
            return []
        if info.file_size > MAX_PART_BYTES:
            raise WorkbookRefused(
                "part_bytes", info.file_size, MAX_PART_BYTES, f"part {_name(name)}"
            )
        target = _Elements(info.filename, frozenset(wanted))
        _drain(_feed(self.zf, info, target))
        return target.found

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """A part's relationships: id -> (type, target part name)."""
        folder = PurePosixPath(part).parent
        rels = str(folder / "_rels" / (PurePosixPath(part).name + ".rels"))
        out: dict[str, tuple[str, str]] = {}
        for _tag, a in self.elements(rels, {("Relationships", "Relationship")}):
            if a.get("TargetMode") == "External" or "Target" not in a:
                continue
            target = a["Target"]
            path = target[1:] if target.startswith("/") else str(folder / target)
            out[a.get("Id", "")] = (a.get("Type", ""), _normalised(path))
        return out


def _normalised(path: str) -> str:
    parts: list[str] = []
    for p in path.split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p not in ("", "."):
            parts.append(p)
    return "/".join(parts)


@dataclass(frozen=True)
class _Layout:
    """Where the first sheet and what it needs are."""

    sheet_name: str
    sheet: zipfile.ZipInfo
    strings: zipfile.ZipInfo | None
    styles: zipfile.ZipInfo | None
    date1904: bool


def _layout(pkg: _Package) -> _Layout:
    workbook = next(
        (t for _i, (kind, t) in pkg.relationships("").items() if kind.endswith("/officeDocument")),
        None,
    )
    if workbook is None:  # no package relationships: the content types name it
        for _tag, a in pkg.elements("[Content_Types].xml", {("Types", "Override")}):
            if ".main+xml" in a.get("ContentType", "") and "spreadsheetml" in a["ContentType"]:
                workbook = a.get("PartName", "").lstrip("/")
                break
    workbook = workbook or "xl/workbook.xml"
    if pkg.get(workbook) is None:
        raise WorkbookInvalid("it has no workbook part (xl/workbook.xml): it is not an xlsx")
    found = pkg.elements(workbook, {("sheets", "sheet"), ("workbook", "workbookPr")})
    sheets = [a for tag, a in found if tag == "sheet"]
    if not sheets:
        raise WorkbookInvalid("its workbook lists no sheet")
    date1904 = any(
        tag == "workbookPr" and a.get("date1904", "").lower() in ("1", "true") for tag, a in found
    )
    rels = pkg.relationships(workbook)
    first = sheets[0]
    rid = next((first[k] for k in _REL_ID if k in first), None)
    if rid is None or rid not in rels or pkg.get(rels[rid][1]) is None:
        raise WorkbookInvalid(f"the first sheet {first.get('name', '')!r} has no part")
    by_type = {kind.rsplit("/", 1)[-1]: target for kind, target in rels.values()}
    strings = by_type.get("sharedStrings") or (
        "xl/sharedStrings.xml" if pkg.get("xl/sharedStrings.xml") else None
    )
    styles = by_type.get("styles")
    return _Layout(
        first.get("name", ""),
        pkg.get(rels[rid][1]),  # type: ignore[arg-type]
        pkg.get(strings) if strings else None,
        pkg.get(styles) if styles else None,
        date1904,
    )


# ----------------------------------------------------------------------------- the cells

# ASCII digits only ([0-9], never \d): a cell of Arabic-Indic or full-width digits is text.
_CELL_REF = re.compile(r"[A-Za-z]{1,3}[0-9]{1,7}")
_INTEGER = re.compile(r"[+-]?[0-9]{1,15}")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INDEX = re.compile(r"[0-9]{1,10}")
_WINDOWS_EPOCH = datetime(1899, 12, 30)
_MAC_EPOCH = datetime(1904, 1, 1)


@dataclass(frozen=True)
class _Formats:
    """Which cell styles (``s``) show a number as a date or a duration; the calendar."""

    dates: frozenset[int] = frozenset()
    durations: frozenset[int] = frozenset()
    date1904: bool = False


# Number formats that show a number as a date or time, as openpyxl tells them (so a cell reads
# as it did through openpyxl): the built-in ids whose code is one (ECMA-376 part 1, 18.8.30),
# and a custom code whose first section, without literals and locale tags, has a date or time
# letter; a duration when it has an elapsed-time part ([h], [mm], [ss]).
_BUILTIN_DATES = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
_BUILTIN_DURATIONS = frozenset({46})
_LITERALS = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_LETTER = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_ELAPSED = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)


def _formats(pkg: _Package, layout: _Layout) -> _Formats:
    """Which cell styles show a number as a date or a duration (see ``_BUILTIN_DATES``)."""
    if layout.styles is None:
        return _Formats(date1904=layout.date1904)
    found = pkg.elements(layout.styles.filename, {("numFmts", "numFmt"), ("cellXfs", "xf")})
    custom = {a.get("numFmtId", ""): a.get("formatCode", "") for tag, a in found if tag == "numFmt"}
    dates, durations = set(), set()
    for index, a in enumerate(a for tag, a in found if tag == "xf"):
        key = a.get("numFmtId", "0")
        code = custom.get(key)
        if code is None:
            builtin = int(key) if key.isascii() and key.isdigit() and len(key) < 6 else 0
            date, duration = builtin in _BUILTIN_DATES, builtin in _BUILTIN_DURATIONS
        else:
            first = code.split(";")[0]
            date = _DATE_LETTER.search(_LITERALS.sub("", first)) is not None
            duration = _ELAPSED.search(first) is not None
        if date:
            dates.add(index)
        if duration:
            durations.add(index)
    return _Formats(frozenset(dates), frozenset(durations), layout.date1904)


def _serial(value: float, epoch: datetime, duration: bool) -> Cell:
    """An Excel date serial as openpyxl's ``from_excel`` reads it: a duration, a time of day
    (below 1), or a date and time (Excel's 1900 calendar counts a 29 February 1900)."""
    if duration:
        elapsed = timedelta(days=value)
        if elapsed.microseconds:  # to the millisecond
            return timedelta(
                seconds=elapsed.total_seconds() // 1,
                microseconds=round(elapsed.microseconds, -3),
            )
        return elapsed
    day, fraction = divmod(value, 1)
    diff = timedelta(milliseconds=round(fraction * 86_400_000))
    if 0 <= value < 1 and diff.days == 0:
        minutes, seconds = divmod(diff.seconds, 60)
        return time(minutes // 60, minutes % 60, seconds, diff.microseconds)
    if 0 < value < 60 and epoch == _WINDOWS_EPOCH:
        day += 1
    return epoch + timedelta(days=day) + diff


def number(text: str, style: int = 0, formats: _Formats | None = None) -> Cell:
    """A number cell's ``<v>`` as a value a row rule can take (module doc): an ``int`` or a
    finite ``float`` below 2**53 (and not one that only underflowed to 0), a date in a date
    style; else the text as written."""
    s = text
    if len(s) < 16 and s.isascii() and s.isdigit():  # most cells: a whole number as written
        value: float = int(s)
    elif _INTEGER.fullmatch(s := text.strip()):
        value = int(s)
    elif _NUMBER.fullmatch(s):
        value = float(s)
        if not math.isfinite(value) or abs(value) >= FLOAT_EXACT:
            return s  # 1e309, 1E+300: not a number any amount can be
        if value == 0 and s.lstrip("+-").lstrip("0.")[:1] not in ("", "e", "E"):
            return s  # 1e-400: a float's 0.0, not the number written
    else:
        return s  # inf, NaN, or anything else that is no number: as written
    if formats is not None and formats.dates and style in formats.dates:
        try:
            return _serial(
                value,
                _MAC_EPOCH if formats.date1904 else _WINDOWS_EPOCH,
                style in formats.durations,
            )
        except (OverflowError, ValueError):
            return s  # a date serial outside the calendar
    return value


class _Shared(int):
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


class _SheetTarget(_Target):
    """A worksheet's rows, from parser callbacks: no tree is built, so memory holds one row
    (and the rows completed in the current chunk, ``done``) whatever the sheet. The callbacks
    run for every element of the sheet, so they are kept short: tags and column letters are
    looked up once and remembered."""

    def __init__(
        self,
        part: str,
        strings: Sequence[str] | None,
        formats: _Formats | None,
        header_only: bool = False,
    ) -> None:
        self.part, self.strings, self.formats, self.header_only = (
            part,
            strings,
            formats,
            header_only,
        )
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
            code = _ELEMENT.get(_local(tag), 0)
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
        if self.rows > MAX_ROWS:
            raise WorkbookRefused("rows", self.rows, MAX_ROWS, at_least=True)
        if n > MAX_ROWS:
            raise WorkbookRefused("row_number", n, MAX_ROWS, f"part {_name(self.part)}")
        if self.header_only and n != 1:
            self.done.append((1, ()))  # the sheet has no row 1: an empty header
            raise _Done
        self.row_number, self.row, self.row_cells, self.column = n, [], 0, 0

    def _start_cell(self, attrib: Mapping[str, str]) -> None:
        self.row_cells += 1
        self.cells += 1
        if self.row_cells > MAX_COLUMNS:
            where = f"row {self.row_number}"
            raise WorkbookRefused(
                "cells_per_row", self.row_cells, MAX_COLUMNS, where, at_least=True
            )
        if self.cells > MAX_CELLS:
            raise WorkbookRefused("cells", self.cells, MAX_CELLS, at_least=True)
        ref = attrib.get("r")
        if ref is None:
            column = self.column + 1
        else:
            letters = ref.rstrip("0123456789")
            column = self.columns.get(letters) or self._column_of(ref, letters)
        if column > MAX_COLUMNS:
            raise WorkbookRefused("column", column, MAX_COLUMNS, f"cell {ref!r}")
        self.column, self.in_cell, self.ref = column, True, ref
        self.type = attrib.get("t", "n")
        s = attrib.get("s")
        self.style = int(s) if s and s.isascii() and s.isdigit() and len(s) < 10 else 0
        self.text, self.chars, self.capture, self.inline, self.phonetic = None, 0, False, False, 0

    def _column_of(self, ref: str, letters: str) -> int:
        """The column of a reference like ``AB12`` (letters A-Z, then ASCII digits)."""
        if _CELL_REF.fullmatch(ref) is None:
            if len(letters) > 3 and letters[:4].isascii() and letters[:4].isalpha():
                raise WorkbookRefused(
                    "column", MAX_COLUMNS + 1, MAX_COLUMNS, f"cell {ref[:20]!r}", at_least=True
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
            if self.chars > MAX_CELL_CHARS:
                where = f"cell {self.ref or self.column!r}"
                raise WorkbookRefused(
                    "cell_chars", self.chars, MAX_CELL_CHARS, where, at_least=True
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
                    raise _Done
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
            return number(text, self.style, self.formats)
        if kind == "s":
            return self._shared(text)
        if kind == "b" and text.strip() in ("0", "1"):
            return text.strip() == "1"
        if kind == "d":
            try:
                return datetime.fromisoformat(text.strip())
            except ValueError:
                return text
        return text  # str (a formula's text), e (an error: #DIV/0!), or unknown: as written

    def _shared(self, text: str) -> Cell:
        where = f"cell {self.ref or self.column!r}"
        if _INDEX.fullmatch(text.strip()) is None:
            raise WorkbookInvalid(f"{where} refers to shared string {text[:20]!r}")
        index = int(text)
        if self.strings is None:
            if self.header_only:
                return _Shared(index)
            raise WorkbookInvalid(f"{where} refers to shared strings the file lacks")
        if index >= len(self.strings):
            raise WorkbookInvalid(
                f"{where} refers to shared string {index}; the file has {len(self.strings)}"
            )
        return self.strings[index]


class _StringsTarget(_Target):
    """The shared strings: each ``<si>``'s text (rich-text runs joined, phonetic guides left
    out, as Excel shows it). ``wanted``: stop after the last of these indexes."""

    def __init__(self, part: str, wanted: frozenset[int] | None = None) -> None:
        self.part, self.wanted = part, wanted
        self.last = max(wanted) if wanted else -1
        self.strings: list[str] = []
        self.found: dict[int, str] = {}
        self.index = -1
        self.total = 0
        self.text: list[str] | None = None
        self.chars = 0
        self.capture = False
        self.phonetic = 0

    def start(self, tag: str, _attrib: Mapping[str, str]) -> None:
        local = _local(tag)
        if local == "si":
            self.index += 1
            if self.index >= MAX_SHARED_STRINGS:
                raise WorkbookRefused(
                    "shared_strings",
                    self.index + 1,
                    MAX_SHARED_STRINGS,
                    f"part {_name(self.part)}",
                    at_least=True,
                )
            self.text, self.chars, self.phonetic = [], 0, 0
        elif local == "t" and self.text is not None and not self.phonetic:
            self.capture = True
        elif local == "rPh":
            self.phonetic += 1

    def data(self, text: str) -> None:
        if self.capture and self.text is not None:
            self.chars += len(text)
            self.total += len(text)
            if self.chars > MAX_CELL_CHARS:
                raise WorkbookRefused(
                    "cell_chars",
                    self.chars,
                    MAX_CELL_CHARS,
                    f"shared string {self.index}",
                    at_least=True,
                )
            if self.total > MAX_SHARED_CHARS:
                raise WorkbookRefused(
                    "shared_chars",
                    self.total,
                    MAX_SHARED_CHARS,
                    f"part {_name(self.part)}",
                    at_least=True,
                )
            self.text.append(text)

    def end(self, tag: str) -> None:
        local = _local(tag)
        if local == "t":
            self.capture = False
        elif local == "rPh" and self.phonetic:
            self.phonetic -= 1
        elif local == "si" and self.text is not None:
            text = "".join(self.text)
            self.text = None
            if self.wanted is None:
                self.strings.append(text)
            elif self.index in self.wanted:
                self.found[self.index] = text
                if self.index >= self.last:
                    raise _Done


# ------------------------------------------------------------------------------ the sheet


@dataclass(frozen=True)
class Header:
    """The first sheet's name and its row 1 (empty when the sheet has no row 1). Read without
    the styles: a number cell in a date format is its serial number here."""

    sheet: str
    cells: tuple[Cell, ...]


@dataclass
class Sheet:
    """The first sheet of an open workbook (``first_sheet``)."""

    name: str
    _pkg: _Package
    _layout: _Layout
    _strings: list[str] | None
    _formats: _Formats

    def rows(self) -> Iterator[Row]:
        """Every row the sheet holds, in file order, as (row number, cells from column A):
        rows without cells are handed over empty, missing rows are not handed over. Raises
        ``WorkbookRefused`` at the first limit reached, ``WorkbookInvalid`` where it breaks."""
        target = _SheetTarget(self._layout.sheet.filename, self._strings, self._formats)
        for _ in _feed(self._pkg.zf, self._layout.sheet, target):
            if target.done:
                yield from target.done
                target.done = []


def _all_strings(pkg: _Package, layout: _Layout) -> list[str] | None:
    if layout.strings is None:
        return None
    target = _StringsTarget(layout.strings.filename)
    _drain(_feed(pkg.zf, layout.strings, target))
    return target.strings


@contextmanager
def first_sheet(path: Path) -> Iterator[Sheet]:
    """The first sheet (as Excel orders them) of the workbook at ``path``, its limits checked
    from the zip directory before anything is read (``check_sizes``); rows are streamed by
    ``Sheet.rows``. Raises ``WorkbookRefused`` / ``WorkbookInvalid``."""
    with open_archive(path) as zf:
        pkg = _Package(zf)
        layout = _layout(pkg)
        formats = _formats(pkg, layout)
        strings = _all_strings(pkg, layout)
        yield Sheet(layout.sheet_name, pkg, layout, strings, formats)


def _read_header(path: Path) -> Header:
    zf = _open_zip(path)
    try:
        pkg = _Package(zf)
        layout = _layout(pkg)
        target = _SheetTarget(layout.sheet.filename, None, None, header_only=True)
        _drain(_feed(zf, layout.sheet, target, ("header_bytes", HEADER_SHEET_BYTES)))
        cells = target.done[0][1] if target.done else ()
        wanted = frozenset(c for c in cells if isinstance(c, _Shared))
        if wanted:
            if layout.strings is None:
                raise WorkbookInvalid("row 1 refers to shared strings the file lacks")
            strings = _StringsTarget(layout.strings.filename, wanted)
            budget = ("header_strings_bytes", HEADER_STRINGS_BYTES)
            _drain(_feed(zf, layout.strings, strings, budget))
            missing = wanted - strings.found.keys()
            if missing:
                raise WorkbookInvalid(
                    f"row 1 refers to shared string {min(missing)}; the file has "
                    f"{strings.index + 1}"
                )
            cells = tuple(strings.found[c] if isinstance(c, _Shared) else c for c in cells)
        return Header(layout.sheet_name, cells)
    finally:
        zf.close()


@lru_cache(maxsize=HEADER_CACHE)
def _cached_header(path: str, _size: int, _mtime_ns: int) -> Header | WorkbookError:
    try:
        return _read_header(Path(path))
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


# ----------------------------------------------------------------- a refused file, whole


def redaction(path: Path, pseudonymiser: Pseudonymiser, reason: str) -> RedactedFile:
    """What quarantine keeps of a refused workbook: its size, not a byte of its content."""
    return RedactedFile(
        1,
        f"[{path.stat().st_size} bytes of a workbook refused whole; its content is not kept "
        "because it may hold personal data — the file itself stays in the inbox]",
        False,
        mask_bsns(reason, pseudonymiser),
    )


def refused_file(
    path: Path, file_hash: str, kind: str, error: WorkbookError, ctx: IngestContext
) -> ParsedFile:
    """The file quarantined whole with the workbook's reason code and reason."""
    return quarantine_whole_file(
        path, file_hash, error.code, error.reason, ctx, kind=kind, redaction=redaction
    )


def guarded(kind: FileKind) -> FileKind:
    """``kind`` whose parser's workbook refusals quarantine the file whole (``refused_file``)
    instead of escaping as INGEST_ERROR."""
    parse = kind.parse

    def parse_workbook(path: Path, file_hash: str, ctx: IngestContext) -> ParsedFile:
        try:
            return parse(path, file_hash, ctx)
        except WorkbookError as exc:
            return refused_file(path, file_hash, kind.name, exc, ctx)

    return replace(kind, parse=parse_workbook)


__all__ = [
    "WORKBOOK_INVALID",
    "WORKBOOK_LIMIT",
    "Cell",
    "Header",
    "Row",
    "Sheet",
    "WorkbookError",
    "WorkbookInvalid",
    "WorkbookRefused",
    "check_sizes",
    "clear_cache",
    "first_sheet",
    "guarded",
    "header",
    "number",
    "open_archive",
    "refused_file",
]
