"""Reason codes of budget files and the value rules no layout can change. A rejected row is
quarantined with its reason (naming the column and the value as written); the other rows load.
An amount that cannot be read is never taken as 0. Digits are ASCII 0-9 (``[0-9]``, never
``\\d``, which also matches Arabic-Indic and full-width digits): a code, year or date written
in other digits is refused, not read as the number it might mean."""

from __future__ import annotations

import re
from datetime import date, datetime

from sdw.ingest.contract import Rejected

ROW_MALFORMED = "BUDGET_ROW_MALFORMED"  # a CSV line of another width than the header
MUNICIPALITY_INVALID = "BUDGET_MUNICIPALITY_INVALID"  # Gemeentecode empty or not GM + 4 digits
YEAR_INVALID = "BUDGET_YEAR_INVALID"  # Begrotingsjaar empty, not a year, or outside YEARS
PEILDATUM_INVALID = "BUDGET_PEILDATUM_INVALID"  # empty, not a date, or not within year +- 1
LINE_MISSING = "BUDGET_LINE_MISSING"  # Begrotingspost empty
TAAKVELD_INVALID = "BUDGET_TAAKVELD_INVALID"  # empty or not an Iv3 code like 6.72
AMOUNT_INVALID = "BUDGET_AMOUNT_INVALID"  # an amount that is not euros exact to the cent
DUPLICATE_LINE = "BUDGET_DUPLICATE_LINE"  # the same line twice for one year and version

# Outside: a typo, not a budget year.
YEARS = (2000, 2100)
# A report version is about its own budget year: a peildatum from the year before (the
# primitive budget adopted in November) to the year after (the annual accounts) is plausible.
PEILDATUM_SLACK = 1
# The raw table's euro columns, in contract order.
AMOUNT_COLUMNS = (
    "primitieve_begroting",
    "begrotingswijzigingen",
    "overheveling",
    "realisatie",
    "verplichtingen",
    "prognose",
)
# Expected non-negative; a negative value loads (a revenue line, a correction) and the raw
# suite reports it as a WARNING (expectations/raw_budgets.py).
NON_NEGATIVE = ("primitieve_begroting", "verplichtingen")
TAAKVELD_SHAPE = r"^[0-9]\.[0-9]{1,2}$"  # also PostgreSQL's regex in the raw suite

_GM = re.compile(r"^(?:GM)?([0-9]{1,4})$")
_TAAKVELD = re.compile(r"^([0-9]\.[0-9]{1,2})(?:$|[\s:\-\u2013])")
_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_NL_DATE = re.compile(r"^([0-9]{1,2})[-/]([0-9]{1,2})[-/]([0-9]{4})$")
# A time of day after the date, as a datetime export writes it: hours 0-23, minutes and seconds
# 0-59. Anything else after the date (``25:61``) is no time, and the cell no date.
_TRAILING_TIME = re.compile(r"[ T](?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?$")


def cell_text(value: object) -> str:
    """A cell as text: a spreadsheet's whole number ``363.0`` is ``363``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def municipality_code(value: object, column: str) -> str:
    """``GM0363``, ``0363``, ``363`` (text or number) -> ``GM0363``."""
    text = cell_text(value).upper().replace(" ", "")
    m = _GM.match(text)
    if not m or int(m[1]) == 0:
        raise Rejected(
            MUNICIPALITY_INVALID,
            f"{column} {text!r} is not a municipality code like GM0363"
            if text
            else f"{column} is empty",
        )
    return f"GM{int(m[1]):04d}"


def taakveld(value: object, column: str) -> str:
    """``6.72``, ``6.72 Maatwerkdienstverlening 18-`` -> ``6.72``; the Iv3 shape d.dd."""
    text = cell_text(value)
    m = _TAAKVELD.match(text)
    if not m:
        raise Rejected(
            TAAKVELD_INVALID,
            f"{column} {text!r} is not an Iv3 taakveld like 6.72" if text else f"{column} is empty",
        )
    return m[1]


def peildatum(value: object, column: str) -> date:
    """``YYYY-MM-DD`` or ``DD-MM-YYYY`` (also ``/``; a trailing time of day, 00:00 to
    23:59:59, ignored), or a spreadsheet's date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _TRAILING_TIME.sub("", cell_text(value))
    if not text:
        raise Rejected(PEILDATUM_INVALID, f"{column} is empty: every version has a peildatum")
    iso, nl = _ISO_DATE.match(text), _NL_DATE.match(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if nl:
            return date(int(nl[3]), int(nl[2]), int(nl[1]))
    except ValueError:
        pass
    raise Rejected(PEILDATUM_INVALID, f"{column} {text!r} is not a date (YYYY-MM-DD or DD-MM-YYYY)")


def quarter_label(d: date) -> str:
    """The report version of a file that names none: ``2023-Q4`` for peildatum 2023-12-31."""
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
