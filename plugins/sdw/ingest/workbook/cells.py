"""What a cell's XML stands for, as a value every row rule can take.

Cells (``Cell``) are handed over as the row rules expect them (the values openpyxl gave before,
where those are safe): text as ``str``; a number as ``int`` (an integer of at most 15 digits)
or ``float``; a number cell in a date format as ``datetime``/``time``/``timedelta``; a boolean
(``t="b"``, 0 or 1) as ``bool``, which no amount, year or measure parser takes; an empty cell
as ``None``.

Two kinds of cell no rule could take as the value its type claims:

- **a number no rule can take** — not finite (``inf``, ``NaN``, ``1e309``), not exact to the
  unit as a float (magnitude 2**53 or more, ``1E+300``), a date serial outside the calendar —
  and an error cell (``#DIV/0!``): handed over as **the text as written**, which every amount
  parser refuses naming it, and which a KWB keeps as a measure's text with no value;
- **a damaged cell**, whose XML is not what its type says: a shared string the file does not
  have, a boolean other than 0 or 1, a number cell whose text is no number in the XML Schema
  sense (ASCII digits, no space inside: ``1 2``, ``abc``, ``١٢٣``), a date cell holding no
  date, a cell type no xlsx has. Handed over as a ``BadCell``: the text as written, with a
  reason naming the cell. It is a ``str``, so a rule that knows nothing of it sees text; the
  row readers refuse its row by that reason (``CELL_INVALID``), whatever the column, because
  the value the sender meant is unknown (``1 2`` must not become Gemeentecode GM0012, a
  boolean 2 not € 2). The file's other rows load. A damage in the sheet's XML itself (not
  well-formed, a DTD) is the whole file's (``WorkbookInvalid``).

Digits are ASCII ``[0-9]`` only, never ``\\d``: a cell of Arabic-Indic or full-width digits is
not a number.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sdw.ingest.workbook.archive import Layout, Package
from sdw.money import shown

# The reason code of a row refused for a damaged cell (``BadCell``), for every source that
# reads a workbook.
CELL_INVALID = "WORKBOOK_CELL_INVALID"

Cell = str | int | float | bool | datetime | time | timedelta | None
Row = tuple[int, tuple[Cell, ...]]  # (sheet row number, its cells from column A)

FLOAT_EXACT = 2**53  # from here on a float is not even exact to the unit
CELL_REF = re.compile(r"[A-Za-z]{1,3}[0-9]{1,7}")
INTEGER = re.compile(r"[+-]?[0-9]{1,15}")
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
INDEX = re.compile(r"[0-9]{1,10}")
# Not finite, but a number's name (XML Schema's INF and NaN, as programs also write them): a
# number no rule can take, handed over as its text, not a damaged cell.
NOT_FINITE = frozenset({"inf", "infinity", "nan"})
WINDOWS_EPOCH = datetime(1899, 12, 30)
MAC_EPOCH = datetime(1904, 1, 1)


class BadCell(str):
    """A damaged cell (module doc): ``str`` is its text as written, ``reason`` names the cell
    and what is wrong with it, for the row reader's refusal."""

    reason: str

    def __new__(cls, written: str, reason: str) -> BadCell:
        cell = super().__new__(cls, written)
        cell.reason = reason
        return cell


def column_letters(column: int) -> str:
    """1 -> A, 27 -> AA: a cell's name where its XML gives none."""
    out = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def odd_number(text: str, where: str) -> str:
    """``number``'s text for a cell: a number no rule can take stays the text as written; text
    that is no number at all is a damaged cell."""
    bare = text.lstrip("+-").lower()
    if NUMBER.fullmatch(text) is not None or bare in NOT_FINITE:
        return text
    return BadCell(text, f"{where} is a number cell holding {shown(text)}, which is no number")


def boolean(text: str, where: str) -> bool | BadCell:
    """``t="b"``: 0 or 1 (ECMA-376 part 1, 18.18.11); anything else is a damaged cell."""
    s = text.strip()
    if s in ("0", "1"):
        return s == "1"
    return BadCell(text, f"{where} is a boolean cell holding {shown(text)}, where one is 0 or 1")


def iso_date(text: str, where: str) -> datetime | BadCell:
    """``t="d"``: an ISO 8601 date and time; anything else is a damaged cell."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return BadCell(text, f"{where} is a date cell holding {shown(text)}, which is no date")


@dataclass(frozen=True)
class Formats:
    """Which cell styles (``s``) show a number as a date or a duration; the calendar."""

    dates: frozenset[int] = frozenset()
    durations: frozenset[int] = frozenset()
    date1904: bool = False


# Number formats that show a number as a date or time, as openpyxl tells them (so a cell reads
# as it did through openpyxl): the built-in ids whose code is one (ECMA-376 part 1, 18.8.30),
# and a custom code whose first section, without literals and locale tags, has a date or time
# letter; a duration when it has an elapsed-time part ([h], [mm], [ss]).
BUILTIN_DATES = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
BUILTIN_DURATIONS = frozenset({46})
_LITERALS = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_LETTER = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_ELAPSED = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)


def formats(pkg: Package, layout: Layout) -> Formats:
    """Which cell styles show a number as a date or a duration (see ``BUILTIN_DATES``)."""
    if layout.styles is None:
        return Formats(date1904=layout.date1904)
    found = pkg.elements(layout.styles.filename, {("numFmts", "numFmt"), ("cellXfs", "xf")})
    custom = {a.get("numFmtId", ""): a.get("formatCode", "") for tag, a in found if tag == "numFmt"}
    dates, durations = set(), set()
    for index, a in enumerate(a for tag, a in found if tag == "xf"):
        key = a.get("numFmtId", "0")
        code = custom.get(key)
        if code is None:
            builtin = int(key) if key.isascii() and key.isdigit() and len(key) < 6 else 0
            date, duration = builtin in BUILTIN_DATES, builtin in BUILTIN_DURATIONS
        else:
            first = code.split(";")[0]
            date = _DATE_LETTER.search(_LITERALS.sub("", first)) is not None
            duration = _ELAPSED.search(first) is not None
        if date:
            dates.add(index)
        if duration:
            durations.add(index)
    return Formats(frozenset(dates), frozenset(durations), layout.date1904)


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
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1
    return epoch + timedelta(days=day) + diff


def number(text: str, style: int = 0, formats: Formats | None = None) -> Cell:
    """A number cell's ``<v>`` as a value a row rule can take (module doc): an ``int`` or a
    finite ``float`` below 2**53 (and not one that only underflowed to 0), a date in a date
    style; else the text as written (the sheet reader tells a damaged cell from it:
    ``odd_number``)."""
    s = text
    if len(s) < 16 and s.isascii() and s.isdigit():  # most cells: a whole number as written
        value: float = int(s)
    elif INTEGER.fullmatch(s := text.strip()):
        value = int(s)
    elif NUMBER.fullmatch(s):
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
                MAC_EPOCH if formats.date1904 else WINDOWS_EPOCH,
                style in formats.durations,
            )
        except (OverflowError, ValueError):
            return s  # a date serial outside the calendar
    return value
