"""One CBS number in long format, and the rules every CBS format shares.

CBS writes the same statistic in several shapes (StatLine CSV, KWB xlsx/CSV, OData v3/v4);
the warehouse keeps one long raw shape (region x period x measure -> value) so staging has a
single place to turn them into columns. A value CBS keeps secret or does not have (``.``,
empty, ``x``) is ``None``, never 0: a secret cell is not a zero.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from sdw.money import shown

# Region codes as CBS writes them once trimmed: GM + 4, WK + 6, BU + 8 digits (NL00 = country).
REGION_CODE = re.compile(r"^(GM[0-9]{4}|WK[0-9]{6}|BU[0-9]{8}|NL[0-9]{2})$")
_MISSING = {"", ".", "x", "-", "?"}
# A number as CBS writes it once trimmed: a sign, ASCII digits (a KWB download may group
# thousands with a space: "12 345", each group exactly three digits), one decimal point or comma.
_NUMBER = re.compile(r"^([+-]?)([0-9]{1,3}(?: [0-9]{3})+|[0-9]*)(?:[.,]([0-9]*))?$")
VALUE_LIMIT = Decimal(10) ** 15  # beyond any statistic of Dutch regions (NL's GDP < 10^13)
VALUE_DECIMALS = 20  # a spreadsheet's float noise has 17; CBS publishes at most a few
_SUFFIX = re.compile(r"_[0-9]+$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@dataclass(frozen=True)
class Observation:
    region_code: str
    region_name: str | None
    period: str
    measure: str  # the meaning (see measure_meaning), stable across editions
    source_key: str  # the column label or key exactly as the file has it
    value: Decimal | None
    value_raw: str | None
    line_number: int


def parse_value(raw: object) -> tuple[Decimal | None, str | None]:
    """(number, text as in the file). Numbers stored as text, padding, thousands grouped by a
    space in threes (``12 345``, as a KWB download writes them) and a Dutch decimal comma are
    accepted; ``.`` and friends mean secret or missing and give None.

    Anything else raises ValueError naming the value, so its row is refused and the rest of
    the file loads: digits other than ASCII 0-9 (Arabic-Indic ``١٢٣``, full-width U+FF10-FF19:
    ``Decimal()`` would take them), any other space inside the digits (``12 3``), an exponent,
    ``Infinity``/``NaN`` (also as a spreadsheet's or JSON's float), and a number beyond
    ``VALUE_LIMIT`` or with more than ``VALUE_DECIMALS`` decimals, which no CBS statistic has
    and PostgreSQL's numeric may not hold (1E+400 reads as a float's inf; 0.000...1 with
    20,000 zeros exceeds its scale)."""
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        raise ValueError(f"not a number: {raw!r}")
    if isinstance(raw, int | float | Decimal):
        if isinstance(raw, int) and raw.bit_length() > 64:  # str() refuses > 4300 digits
            raise ValueError(f"not a CBS number: an integer of {raw.bit_length()} bits")
        text = repr(raw) if isinstance(raw, float) else str(raw)
        if isinstance(raw, float) and not math.isfinite(raw):
            raise ValueError(f"not a number: {text!r}")
        value = Decimal(text)
        if not value.is_finite():
            raise ValueError(f"not a number: {text!r}")
        return _bounded(value, text), text
    text = str(raw).strip()
    if text.lower() in _MISSING:
        return None, text
    m = _NUMBER.match(text.replace("\u00a0", " ").replace("\u202f", " "))
    if m is None or not (m[2] or m[3]):
        raise ValueError(f"not a number: {shown(text)}")
    # ASCII digits only (see _NUMBER); the decimal comma as a point, "12" stays 12, not 12.0
    candidate = f"{m[1]}{m[2].replace(' ', '') or '0'}" + (f".{m[3]}" if m[3] else "")
    return _bounded(Decimal(candidate), text), text


def _bounded(value: Decimal, text: str) -> Decimal:
    """``value`` when it lies within ``VALUE_LIMIT`` with at most ``VALUE_DECIMALS`` decimals
    (trailing zeros not counted); decided on its digits, without arithmetic that could round
    or overflow."""
    if value.copy_abs() >= VALUE_LIMIT:
        raise ValueError(f"{shown(text)} is beyond any CBS statistic (at most 10^15)")
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite: the callers refused inf and NaN
    zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if exponent + zeros < -VALUE_DECIMALS:
        raise ValueError(f"{shown(text)} has more than {VALUE_DECIMALS} decimals")
    return value


def region_code(raw: object) -> str:
    """A CBS region code trimmed of StatLine's padding to 10 characters; raises if malformed."""
    code = str(raw or "").strip().upper()
    if not REGION_CODE.match(code):
        raise ValueError(f"not a CBS region code (GM/WK/BU): {raw!r}")
    return code


_MONTHS = {
    name: n
    for n, name in enumerate(
        (
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ),
        start=1,
    )
}


def normalise_period(raw: object) -> str:
    """``2019JJ00`` -> ``2019``; ``2023KW02`` -> ``2023Q2``; ``2024MM03`` and StatLine's label
    ``2024 maart`` -> ``2024-03``. A trailing ``*`` (CBS: provisional figures) is dropped."""
    text = str(raw or "").strip().rstrip("*").strip()
    m = re.fullmatch(r"([0-9]{4}) ([a-z]+)", text.lower())
    if m and m[2] in _MONTHS:
        return f"{m[1]}-{_MONTHS[m[2]]:02d}"
    m = re.fullmatch(r"([0-9]{4})(?:JJ00)?", text)
    if m:
        return m[1]
    m = re.fullmatch(r"([0-9]{4})\s*(?:KW0?|Q|\s*[0-9]?e? ?kwartaal ?)([1-4])", text, re.IGNORECASE)
    if m:
        return f"{m[1]}Q{m[2]}"
    m = re.fullmatch(r"([0-9]{4})\s*(?:MM|-)([0-9]{2})", text)
    if m and 1 <= int(m[2]) <= 12:
        return f"{m[1]}-{m[2]}"
    m = re.fullmatch(r"([0-9]{4}) ([0-9])e kwartaal", text)
    if m:
        return f"{m[1]}Q{m[2]}"
    raise ValueError(f"not a CBS period: {raw!r}")


def strip_suffix(key: str) -> str:
    """``GemiddeldeScore_29`` -> ``GemiddeldeScore``: the number shifts between editions."""
    return _SUFFIX.sub("", key.strip())


def words(label: str) -> str:
    """Lower-case words of a label or an OData key, for matching on meaning."""
    text = _CAMEL.sub(" ", strip_suffix(label))
    return re.sub(r"[^a-z0-9%/]+", " ", text.lower()).strip()


# SES-WOA: (meaning, words that must all occur in the label path). First match wins, so the
# specific rules go first. Labels are StatLine's hierarchical headers
# ("SES-WOA/Totaalscore/Gemiddelde score (Getal)") or the OData title path built from
# DataProperties, never the key's numeric suffix.
_SES_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("households", ("particuliere", "huishoudens")),
    ("ses_spread_total", ("spreiding", "totaal")),
    ("ses_spread_welvaart", ("spreiding", "welvaart")),
    ("ses_spread_opleidingsniveau", ("spreiding", "opleidingsniveau")),
    ("ses_spread_arbeidsverleden", ("spreiding", "arbeidsverleden")),
    ("education_low_pct", ("opleidingsniveau", "laag")),
    ("education_middle_pct", ("opleidingsniveau", "middelbaar")),
    ("education_high_pct", ("opleidingsniveau", "hoog")),
    ("ses_total_score", ("totaalscore",)),
    ("ses_welvaart_score", ("welvaart", "score")),
    ("ses_opleidingsniveau_score", ("opleidingsniveau", "score")),
    ("ses_arbeidsverleden_score", ("arbeidsverleden", "score")),
)


# Benefit recipients ("Personen per soort uitkering/Bijstandsuitkering (aantal)", the relative
# variant "(% van het aantal inwoners vanaf 15 jaar)"): (benefit type, words naming it).
_BENEFIT_TYPES: tuple[tuple[str, str], ...] = (
    ("ww", "werkloosheid"),
    ("bijstand", "bijstand"),
    ("ao", "arbeidsongeschiktheid"),
    ("aow", "aow"),
)


def benefit_meaning(label: str) -> str | None:
    """``benefit_<type>_count`` or ``benefit_<type>_pct_15_plus`` for a CBS benefit-recipient
    measure (type ``ww``, ``bijstand``, ``ao``, ``aow`` or ``totaal``), else None."""
    w = words(label)
    if "uitkering" not in w:
        return None
    kind = next((k for k, needle in _BENEFIT_TYPES if needle in w), "totaal")
    relative = "relatief" in w or "%" in w
    return f"benefit_{kind}_{'pct_15_plus' if relative else 'count'}"


def measure_meaning(label: str) -> str:
    """The stable name of a measure, judged by its label's words; an unknown label keeps its
    own words (slugged) so nothing is lost."""
    w = words(label)
    for meaning, needed in _SES_RULES:
        if all(n in w for n in needed):
            return meaning
    benefit = benefit_meaning(label)
    if benefit is not None:
        return benefit
    return re.sub(r"[^a-z0-9]+", "_", w).strip("_") or strip_suffix(label)
