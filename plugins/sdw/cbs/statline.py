"""StatLine CSV exports ("Download > CSV"), exactly as CBS writes them.

Quirks handled (all seen in the real SES-WOA export): UTF-8 BOM, ``;`` separator, every value
quoted and space-padded (``"  -0.100"``), region codes right-padded to 10 characters
(``"GM0363    "``), ``.`` for secret or missing, and labels with a ``/`` hierarchy plus unit
(``SES-WOA/Totaalscore/Gemiddelde score (Getal)``) as headers. Dimension columns are found by
meaning; every other column is a measure, named by ``measure_meaning``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sdw.cbs.observations import (
    Observation,
    measure_meaning,
    normalise_period,
    parse_value,
    region_code,
)
from sdw.ingest.csv_contract import contract_fragment


@dataclass(frozen=True)
class StatlineHeader:
    period: int
    region_code: int
    region_name: int | None
    measures: dict[int, str]  # column index -> label
    dataset: str  # 'ses_woa' | 'uitkeringen' | 'statline'
    # Dimension columns besides region and period (e.g. "Soort uitkering" in a long table):
    # their value becomes the first part of each measure's label, so meanings stay distinct.
    dimensions: tuple[int, ...] = ()


# A measure's label ends in its unit, "(aantal)", "(%)", "(Getal)"; these units mark region
# attributes that are text ("Regioaanduiding/Gemeentenaam (naam)"), not numbers.
_UNIT = re.compile(r"\(([^()]*)\)\s*$")
_TEXT_UNITS = {"naam", "omschrijving", "code"}


def _is_region_code(label: str) -> bool:
    return label.startswith("regiocode") or ("codering" in label and label.endswith("(code)"))


def _read_header(first_line: str) -> list[str] | None:
    rows = list(csv.reader(io.StringIO(first_line), delimiter=";"))
    return [c.strip() for c in rows[0]] if rows else None


def parse_header(cols: list[str]) -> StatlineHeader | None:
    """Which column is what; None when this is not a StatLine region table."""
    low = [c.lower() for c in cols]
    period = next((i for i, c in enumerate(low) if c.startswith("perioden")), None)
    code = next((i for i, c in enumerate(low) if _is_region_code(c)), None)
    if period is None or code is None:
        return None
    name = next(
        (
            i
            for i, c in enumerate(low)
            if i not in (period, code) and (c.startswith("wijken en buurten") or c == "regio's")
        ),
        None,
    )
    measures: dict[int, str] = {}
    dimensions: list[int] = []
    for i, c in enumerate(cols):
        if i in (period, code, name):
            continue
        unit = _UNIT.search(c)
        if unit is None:
            dimensions.append(i)
        elif unit[1].strip().lower() not in _TEXT_UNITS:
            measures[i] = c
    text = " ".join(low)
    if "ses-woa" in text or "totaalscore" in text:
        dataset = "ses_woa"
    elif "uitkering" in text:
        dataset = "uitkeringen"
    else:
        dataset = "statline"
    return StatlineHeader(period, code, name, measures, dataset, tuple(dimensions))


def sniff(path: Path) -> StatlineHeader | None:
    if path.suffix.lower() not in (".csv", ".txt"):
        return None
    try:
        with path.open("rb") as fh:
            first = fh.readline(65536).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    if ";" not in first:
        return None
    cols = _read_header(first)
    return parse_header(cols) if cols else None


@dataclass
class BadLine:
    line_number: int
    reason: str
    text: str


def read_statline_csv(path: Path) -> tuple[StatlineHeader, list[Observation], list[BadLine], int]:
    """(header, observations, bad lines, data lines). A bad line (wrong field count, malformed
    code, period or number) is reported with its fields (with none when their number is not
    the header's: see ``sdw.ingest.csv_contract``); the other lines load."""
    text = path.read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    cols = _read_header(lines[0]) if lines else None
    header = parse_header(cols) if cols else None
    if header is None or cols is None:
        raise ValueError("not a StatLine CSV export (no Perioden/Regiocode columns)")
    obs: list[Observation] = []
    bad: list[BadLine] = []
    n = 0
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        n += 1
        try:
            obs.extend(_line_observations(header, len(cols), line, lineno))
        except ValueError as exc:
            fields = next(csv.reader([line], delimiter=";"), [])
            bad.append(BadLine(lineno, str(exc), contract_fragment(fields, len(cols))))
    return header, obs, bad, n


def _line_observations(
    header: StatlineHeader, width: int, line: str, lineno: int
) -> Iterator[Observation]:
    fields = next(csv.reader([line], delimiter=";"))
    if len(fields) != width:
        raise ValueError(f"{len(fields)} fields, header has {width}")
    code = region_code(fields[header.region_code])
    period = normalise_period(fields[header.period])
    name = fields[header.region_name].strip() if header.region_name is not None else None
    prefix = "".join(f"{fields[i].strip()}/" for i in header.dimensions)
    out = []
    for i, label in header.measures.items():
        value, raw = parse_value(fields[i])
        full = prefix + label
        out.append(Observation(code, name, period, measure_meaning(full), full, value, raw, lineno))
    return iter(out)
