"""One CBS number in long format, and the rules every CBS format shares.

CBS writes the same statistic in several shapes (StatLine CSV, KWB xlsx/CSV, OData v3/v4);
the warehouse keeps one long raw shape (region x period x measure -> value) so staging has a
single place to turn them into columns. A value CBS keeps secret or does not have (``.``,
empty, ``x``) is ``None``, never 0: a secret cell is not a zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Region codes as CBS writes them once trimmed: GM + 4, WK + 6, BU + 8 digits (NL00 = country).
REGION_CODE = re.compile(r"^(GM\d{4}|WK\d{6}|BU\d{8}|NL\d{2})$")
_MISSING = {"", ".", "x", "-", "?"}
_SUFFIX = re.compile(r"_\d+$")
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
    """(number, text as in the file). Numbers stored as text, padding and a Dutch decimal comma
    are accepted; ``.`` and friends mean secret or missing and give None."""
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        raise ValueError(f"not a number: {raw!r}")
    if isinstance(raw, int | float):
        text = repr(raw) if isinstance(raw, float) else str(raw)
        return Decimal(text), text
    text = str(raw).strip()
    if text.lower() in _MISSING:
        return None, text
    candidate = text.replace(" ", "")
    if "," in candidate and "." not in candidate:
        candidate = candidate.replace(",", ".")
    try:
        value = Decimal(candidate)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a number: {text!r}")
    return value, text


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
    m = re.fullmatch(r"(\d{4}) ([a-z]+)", text.lower())
    if m and m[2] in _MONTHS:
        return f"{m[1]}-{_MONTHS[m[2]]:02d}"
    m = re.fullmatch(r"(\d{4})(?:JJ00)?", text)
    if m:
        return m[1]
    m = re.fullmatch(r"(\d{4})\s*(?:KW0?|Q|\s*\d?e? ?kwartaal ?)([1-4])", text, re.IGNORECASE)
    if m:
        return f"{m[1]}Q{m[2]}"
    m = re.fullmatch(r"(\d{4})\s*(?:MM|-)(\d{2})", text)
    if m and 1 <= int(m[2]) <= 12:
        return f"{m[1]}-{m[2]}"
    m = re.fullmatch(r"(\d{4}) (\d)e kwartaal", text)
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
