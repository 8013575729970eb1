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

Anything else raises ``Unreadable``; the caller quarantines the row with the reason.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")
_ABSENT = {"", "-", "\u2013", "\u2014"}  # hyphen, en dash, em dash
_CURRENCY = re.compile(r"^(?:€|eur\b|euro\b)\s*|\s*(?:€|eur|euro)$", re.IGNORECASE)
_NL = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}|-{1,2}))?$")
_PLAIN = re.compile(r"^(\d+)(?:\.(\d{1,2}))?$")


class Unreadable(ValueError):
    """A value that is not an amount: the reason names the value as written."""


def _exact(number: Decimal, shown: str) -> Decimal:
    if not number.is_finite() or number != number.quantize(CENT):
        raise Unreadable(f"{shown} is not an amount exact to the cent")
    return number.quantize(CENT)


def parse_amount(value: object, number_format: str = "nl") -> Decimal | None:
    """The amount in euros, ``None`` when the register states none; raises ``Unreadable``."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise Unreadable(f"{value!r} is not an amount")
    if isinstance(value, int | Decimal):
        return _exact(Decimal(value), repr(str(value)))
    if isinstance(value, float):  # only when JSON was read without parse_float=Decimal
        return _exact(Decimal(repr(value)), repr(value))
    if not isinstance(value, str):
        raise Unreadable(f"{value!r} is not an amount")
    text = value.replace("\u00a0", " ").replace("\u202f", " ").strip()
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
        raise Unreadable(f"{value.strip()!r} is negative twice")
    digits = text.lstrip("-").strip().replace(" ", "") if sign < 0 else text.replace(" ", "")
    if number_format == "plain":
        m = _PLAIN.match(digits)
        whole, cents = (m[1], m[2]) if m else (None, None)
    else:
        m = _NL.match(digits)
        whole = m[1].replace(".", "") if m else None
        cents = m[2] if m and m[2] and not m[2].startswith("-") else None
    if whole is None:
        raise Unreadable(
            f"{value.strip()!r} is not an amount in euros like € 1.234,56"
            + (" (this layout writes 1234.56)" if number_format == "plain" else "")
        )
    try:
        number = Decimal(f"{whole}.{(cents or '0').ljust(2, '0')}")
    except InvalidOperation:  # pragma: no cover - the patterns admit digits only
        raise Unreadable(f"{value.strip()!r} is not an amount") from None
    return sign * number.quantize(CENT)


def parse_year(value: object) -> int | None:
    """A year as a register writes it (``2016``, ``"2016"``, ``2016.0`` from a spreadsheet);
    ``None`` when empty; raises ``Unreadable``."""
    if value is None or (isinstance(value, str) and value.strip() in _ABSENT):
        return None
    if isinstance(value, bool):
        raise Unreadable(f"{value!r} is not a year")
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})(?:\.0+)?", text)
    if not m:
        raise Unreadable(f"{text!r} is not a year")
    return int(m[1])
