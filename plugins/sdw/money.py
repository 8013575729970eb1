"""Dutch money and numbers as registers and financial systems write them, read exactly
(``Decimal``, to the cent). One parser for every finance source (subsidy registers, budget
files), so ``€ 1.234,56`` means the same wherever it is loaded.

- ``€ 1.234,56``, ``1.234,56``, ``EUR 1234,5``, ``1.234``, ``1.234,-``: the dot groups
  thousands, the comma starts the cents. A dot not followed by exactly three digits is not
  Dutch (``12.5`` is refused, never guessed).
- ``-``, an en or em dash, ``€ -`` and empty: no amount (absent, ``None``), as registers mark "not
  applicable"; never 0.
- a negative: ``-1.234,56``, ``€ -1.234,56``, ``-€ 1.234,56`` or in accountants' brackets
  ``(1.234,56)``; whether a column may be negative is the caller's rule.
- a JSON number (Amsterdam's ``Verleend``) is already a number: exact when read with
  ``parse_float=Decimal``; more than two decimals is refused.
- ``plain`` (a layout's ``number_format``): machine numbers, ``1234.56``, no grouping.

Digits are the ASCII digits 0-9 and nothing else. Python's ``\\d``, ``int()`` and ``Decimal()``
also take Arabic-Indic (``١٢٣``) and full-width (U+FF10-FF19) digits; no contract names those, so
a cell holding them is refused, never read as the number it might mean. A space is no
thousands separator either (neither docs/budgets.md nor docs/subsidies.md names one):
``12 3,45`` is refused, not read as 123,45.

Every amount lies strictly within ``BOUND`` (see there). Anything else (``abc``, a spreadsheet
error cell such as ``#DIV/0!``, infinity, NaN, ``1E+300``, a 40-digit number) raises
``Unreadable`` naming the value as written; the parser never raises anything else, so one bad
cell quarantines its row and the rest of the file loads.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

CENT = Decimal("0.01")
# |amount| < BOUND: at most € 99.999.999.999,99 either way. More than any Dutch municipality
# states for anything (Amsterdam's whole yearly budget is about € 7 billion), so no real
# amount is refused; and small enough that raw and every mart built on it can hold whatever
# the parser lets through: raw's numeric(16,2) (< 10^14), a budget line's current budget
# (3 parts, < 3 x 10^11) and available (5 parts, < 5 x 10^11) in the budget mart's
# numeric(14,2) (< 10^12), its burn rate (100 x spent / at least 0.01, < 10^15) in
# numeric(18,2), and the subsidy marts' sums in numeric(32,2), which hold bigint-many
# (count(*) < 2^63 < 10^19) rows at the bound (docs/budget-realisation.md,
# docs/subsidies.md). dbt's staging models leave out a raw row beyond it (loaded by an older
# version), and the raw suites report it.
BOUND = Decimal("100000000000")
_LARGEST = "€ 99.999.999.999,99"
_ABSENT = {"", "-", "\u2013", "\u2014"}  # hyphen, en dash, em dash
_CURRENCY = re.compile(r"^(?:€|eur\b|euro\b)\s*|\s*(?:€|eur|euro)$", re.IGNORECASE)
_NL = re.compile(r"^([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,([0-9]{1,2}|-{1,2}))?$")
_PLAIN = re.compile(r"^([0-9]+)(?:\.([0-9]{1,2}))?$")
_SPACED = re.compile(r"[0-9.,]\s+[0-9]")
_YEAR = re.compile(r"([0-9]{4})(?:\.0+)?")
# What a spreadsheet shows (and openpyxl returns as text) for a formula that failed.
SPREADSHEET_ERRORS = frozenset(
    {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA"}
)
SHOWN = 60  # characters of a value a reason quotes: a reason names the value, not a whole cell


class Unreadable(ValueError):
    """A value that is not an amount: the reason names the value as written."""


def shown(value: object) -> str:
    """The value as a reason quotes it: ``repr`` of its text, cut to ``SHOWN`` characters so a
    megabyte cell does not become a megabyte reason."""
    text = value.strip() if isinstance(value, str) else str(value)
    if len(text) > SHOWN:
        return repr(text[:SHOWN]) + f"... ({len(text)} characters)"
    return repr(text)


def foreign_digits(text: str) -> bool:
    """True when ``text`` holds a character Python counts as a digit (``str.isdigit``: also
    Arabic-Indic, full-width, superscript) that is not one of ASCII 0-9."""
    return any(c.isdigit() and not ("0" <= c <= "9") for c in text)


def _within(number: Decimal, written: str) -> Decimal:
    """``number`` (finite) to the cent, when it lies within ``BOUND`` and is exact to it. The
    bound is checked first and without arithmetic (``copy_abs`` is exact): a Decimal of a
    million digits would overflow the context in any sum or product."""
    if number.copy_abs() >= BOUND:
        raise Unreadable(
            f"{written} is beyond the largest amount a source may state ({_LARGEST}; "
            "more than any municipality's whole budget)"
        )
    if number != number.quantize(CENT):
        raise Unreadable(f"{written} is not an amount exact to the cent")
    return number.quantize(CENT)


def _number(value: int | float | Decimal) -> Decimal:
    """A number cell (JSON, spreadsheet) as an amount."""
    if isinstance(value, int) and value.bit_length() > 200:  # str() refuses > 4300 digits
        raise Unreadable(
            f"an integer of {value.bit_length()} bits is beyond the largest amount a source "
            f"may state ({_LARGEST})"
        )
    written = shown(repr(value) if isinstance(value, float) else value)
    if isinstance(value, float):  # a spreadsheet's number, or JSON read without Decimal
        if not math.isfinite(value):
            raise Unreadable(f"{written} is not an amount (not a finite number)")
        number = Decimal(repr(value))
    else:
        number = Decimal(value)
        if not number.is_finite():
            raise Unreadable(f"{written} is not an amount (not a finite number)")
    return _within(number, written)


def parse_amount(value: object, number_format: str = "nl") -> Decimal | None:
    """The amount in euros, ``None`` when the register states none; raises ``Unreadable``
    (and nothing else) for any other value."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise Unreadable(f"{value!r} is not an amount")
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if not isinstance(value, str):
        raise Unreadable(f"{shown(value)} is not an amount")
    written = shown(value)
    text = value.replace("\u00a0", " ").replace("\u202f", " ").strip()
    if text.upper() in SPREADSHEET_ERRORS:
        raise Unreadable(f"{written} is a spreadsheet error (a formula that failed), not an amount")
    if foreign_digits(text):
        raise Unreadable(f"{written} holds digits other than 0-9: not an amount")
    if text.startswith("-") and _CURRENCY.match(text[1:].strip()):  # -€ 1.234,56
        text = "-" + _CURRENCY.sub("", text[1:].strip()).strip()
    text = _CURRENCY.sub("", text).strip()
    if text in _ABSENT:
        return None
    bracketed = len(text) > 2 and text.startswith("(") and text.endswith(")")
    if bracketed:
        text = _CURRENCY.sub("", text[1:-1].strip()).strip()
    sign = -1 if bracketed or text.startswith("-") else 1
    if bracketed and text.startswith("-"):
        raise Unreadable(f"{written} is negative twice")
    digits = text[1:].strip() if sign < 0 and not bracketed else text
    if number_format == "plain":
        m = _PLAIN.match(digits)
        whole, cents = (m[1], m[2]) if m else (None, None)
    else:
        m = _NL.match(digits)
        whole = m[1].replace(".", "") if m else None
        cents = m[2] if m and m[2] and not m[2].startswith("-") else None
    if whole is None:
        raise Unreadable(
            f"{written} is not an amount in euros like € 1.234,56"
            + (" (this layout writes 1234.56)" if number_format == "plain" else "")
            + ("; a space does not group thousands" if _SPACED.search(digits) else "")
        )
    # ASCII digits only (the patterns), so Decimal() reads exactly what was matched
    number = Decimal(f"{whole}.{(cents or '0').ljust(2, '0')}")
    return _within(number.copy_negate() if sign < 0 else number, written)


def parse_year(value: object) -> int | None:
    """A year as a register writes it (``2016``, ``"2016"``, ``2016.0`` from a spreadsheet);
    ``None`` when empty; raises ``Unreadable``."""
    if value is None or (isinstance(value, str) and value.strip() in _ABSENT):
        return None
    if isinstance(value, bool):
        raise Unreadable(f"{value!r} is not a year")
    text = str(value).strip()
    m = _YEAR.fullmatch(text)
    if not m:
        raise Unreadable(f"{shown(text)} is not a year")
    return int(m[1])
