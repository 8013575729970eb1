"""StatLine CSV exports ("Download > CSV"), exactly as CBS writes them.

Quirks handled (all seen in the real SES-WOA export): UTF-8 BOM, ``;`` separator, every value
quoted and space-padded (``"  -0.100"``), region codes right-padded to 10 characters
(``"GM0363    "``), ``.`` for secret or missing, and labels with a ``/`` hierarchy plus unit
(``SES-WOA/Totaalscore/Gemiddelde score (Getal)``) as headers. Dimension columns are found by
meaning; every other column is a measure, named by ``measure_meaning``.

CBS writes these exports in UTF-8 (the reference export has the mark), so the file is read as
UTF-8 whatever its first bytes (``sdw.ingest.text``, no Windows-1252 fallback): a line holding
a byte that is not UTF-8 is refused with its reason and the rest loads. The header decides what
every cell below it means, so a header that is not text, or that names no measure (no column
with a unit: not a statistics table), refuses the file whole with a code of its own
(``sdw.cbs.rules``); a data line that would load without a single number cannot happen.
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
from sdw.cbs.rules import CBS_STATLINE_HEADER_NOT_TEXT, CBS_STATLINE_NO_MEASURES, FileRefused
from sdw.ingest import text
from sdw.ingest.csv_contract import HEADER_LIMIT, contract_fragment


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
    labels = " ".join(low)
    if "ses-woa" in labels or "totaalscore" in labels:
        dataset = "ses_woa"
    elif "uitkering" in labels:
        dataset = "uitkeringen"
    else:
        dataset = "statline"
    return StatlineHeader(period, code, name, measures, dataset, tuple(dimensions))


def first_line(content: str) -> str:
    """The header line as the reader splits the file (``str.splitlines``), for the sniffer and
    the reader alike: the two must agree on where the header ends."""
    lines = content.splitlines()
    return lines[0] if lines else ""


def sniff(path: Path) -> StatlineHeader | None:
    if path.suffix.lower() not in (".csv", ".txt"):
        return None
    try:
        with path.open("rb") as fh:
            first = first_line(text.decode(fh.readline(65536), fallback=None))
    except OSError:
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


def _header(first: str, data_lines: int) -> tuple[StatlineHeader, list[str]]:
    """The header of a StatLine table with at least one measure; else ``FileRefused``."""
    shown = f"header: {first[:HEADER_LIMIT]}"
    if text.undecodable(first):
        raise FileRefused(
            CBS_STATLINE_HEADER_NOT_TEXT,
            "The header holds bytes that are not UTF-8, as CBS writes StatLine exports: which "
            "measure a column holds cannot be read, so nothing of the file was loaded. Download "
            "the table again, or save it as UTF-8.",
            shown,
            data_lines,
            len(first) > HEADER_LIMIT,
        )
    cols = _read_header(first)
    header = parse_header(cols) if cols else None
    if header is None or cols is None:
        raise ValueError("not a StatLine CSV export (no Perioden/Regiocode columns)")
    if not header.measures:
        raise FileRefused(
            CBS_STATLINE_NO_MEASURES,
            "The header names no measure (no column ends in a unit such as (aantal), (%) or "
            "(Getal)), so this is not a StatLine statistics table and nothing was loaded. "
            "Download the table with its topics selected.",
            shown,
            data_lines,
            len(first) > HEADER_LIMIT,
        )
    return header, cols


def read_statline_csv(path: Path) -> tuple[StatlineHeader, list[Observation], list[BadLine], int]:
    """(header, observations, bad lines, data lines). A bad line (wrong field count, bytes
    that are not UTF-8, malformed code, period or number) is reported with its fields (with
    none when their number is not the header's: see ``sdw.ingest.csv_contract``); the other
    lines load. Raises ``FileRefused`` for a header that is not text or names no measure."""
    content = text.decode(path.read_bytes(), fallback=None)
    lines = content.splitlines()
    data_lines = sum(1 for line in lines[1:] if line.strip())
    header, cols = _header(lines[0] if lines else "", data_lines)
    marked = text.undecodable(content)
    obs: list[Observation] = []
    bad: list[BadLine] = []
    n = 0
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        n += 1
        try:
            if marked and text.undecodable(line):
                raise ValueError(text.NOT_TEXT)
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
