"""How a value the schema accepted becomes a warehouse value: exactly as written, or not at all.

XML Schema is more generous than the warehouse: an ``xs:date`` may carry surrounding whitespace,
a time zone, a five-digit or a negative year; an ``xs:integer`` a sign, leading zeros and
whitespace. Both readers of a message (the streaming one in ``parse.py`` and the bulk 323 reader
in ``declarations.py``) convert through these functions, so they cannot disagree, and a value
that cannot be kept as written is never silently turned into NULL: it becomes ``Unreadable``,
which the record rules turn into a quarantined line (or, in a message's header, a quarantined
file) with the value named in the reason.
"""

from __future__ import annotations

import re
from datetime import date

# The years a date column, Python and every BI tool can hold. xs:date also allows years such as
# 12025 or -2025; no iStandaarden process means them.
MIN_YEAR, MAX_YEAR = 1, 9999
# bigint, the type of every integer column in raw.
MIN_INT, MAX_INT = -(2**63), 2**63 - 1

# xs:date lexical form (after whitespace collapse): optional '-', a year of 4+ digits, month,
# day, optional time zone. The zone does not change the calendar date the message names.
_XS_DATE = re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)(?:Z|[+-]\d\d:\d\d)?", re.ASCII)


class Unreadable:
    """A schema-valid value the warehouse cannot hold as written, and why."""

    __slots__ = ("text", "why")

    def __init__(self, text: str, why: str) -> None:
        self.text, self.why = text, why

    def __repr__(self) -> str:
        return f"Unreadable({self.text!r}, {self.why!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unreadable) and (self.text, self.why) == (other.text, other.why)

    def __hash__(self) -> int:
        return hash((self.text, self.why))


def as_date(text: str | None) -> date | Unreadable | None:
    """The calendar date an ``xs:date`` names; None when the element is absent or empty."""
    if text is None:
        return None
    s = text.strip()
    if not s:
        return None
    m = _XS_DATE.fullmatch(s)
    if m is None:
        return Unreadable(text, "not a date (YYYY-MM-DD)")
    year = int(m[1])
    if not MIN_YEAR <= year <= MAX_YEAR:
        return Unreadable(text, f"year {year} is outside {MIN_YEAR:04d}-{MAX_YEAR}")
    try:
        return date(year, int(m[2]), int(m[3]))
    except ValueError:
        return Unreadable(text, "not a calendar date")


def date_text(text: str) -> str | Unreadable | None:
    """``as_date`` for the bulk reader, which hands PostgreSQL text: the common spelling
    (``YYYY-MM-DD``) passes untouched, anything else is normalised or Unreadable."""
    year = text[:4]
    if len(text) == 10 and text[4] == "-" and year.isascii() and year.isdigit() and year != "0000":
        return text
    d = as_date(text)
    return d.isoformat() if isinstance(d, date) else d


def as_int(text: str | None) -> int | Unreadable | None:
    """The integer an ``xs:integer`` (or a restriction of it) names; None when absent or empty."""
    if text is None:
        return None
    s = text.strip()
    if not s:
        return None
    try:
        n = int(s)
    except ValueError:
        return Unreadable(text, "not a whole number")
    if not MIN_INT <= n <= MAX_INT:
        return Unreadable(text, "too large for the warehouse (bigint)")
    return n


def int_text(text: str) -> str | Unreadable | None:
    """``as_int`` for the bulk reader: plain digits without a leading zero pass untouched."""
    if text.isascii() and text.isdigit() and len(text) < 19 and (len(text) == 1 or text[0] != "0"):
        return text
    n = as_int(text)
    return str(n) if isinstance(n, int) else n


def first_unreadable(row: dict[str, object]) -> tuple[str, Unreadable] | None:
    """The first field of a row whose value could not be kept, with its value."""
    for key, value in row.items():
        if type(value) is Unreadable:
            return key, value
    return None
