"""The municipality's own monthly benefit counts per wijk and regulation (a CSV contract).

Contract (UTF-8, optional BOM, ``;`` or ``,`` separator, header required, one row per
municipality x wijk x month x regulation)::

    gemeentecode;wijkcode;maand;regeling;aantal_personen
    GM0999;WK099901;2025-01;participatiewet;123

- gemeentecode: ``GM`` + 4 digits (``0999`` is accepted and prefixed);
- wijkcode: ``WK`` + 6 digits, the CBS wijk of the recipient's address; it must lie in the
  municipality (its digits 1-4 equal the gemeentecode's);
- maand: ``YYYY-MM``, the month the benefit was paid;
- regeling: ``participatiewet`` | ``ioaw`` | ``ioaz`` | ``bbz`` (case-insensitive);
- aantal_personen: persons receiving that benefit that month, integer >= 0 (unrounded; the
  marts suppress small cells) and below 1,000,000, more than any wijk's population: a longer
  number is a mistake, and may be a BSN typed into the wrong cell.
Digits are ASCII 0-9 throughout: a code, month or count in Arabic-Indic or full-width digits
(which Python's ``\\d`` and ``int()`` would take) is refused, not read.
A row breaking a rule is quarantined with its five fields (a line of another width is not
kept: it may hold personal data); the others load. The file is read as UTF-8 as its contract
says, with or without a mark (``sdw.ingest.text``, no Windows-1252 fallback: every field of
the contract is ASCII, so no valid row is lost by it): a line holding a byte that is not
UTF-8 is refused with that reason and the rest of the file loads. A header that has more than
half of these columns but not all is refused whole (MISSING_COLUMN, see
``sdw.ingest.csv_contract``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from sdw.ingest import text
from sdw.ingest.csv_contract import (
    HeaderCheck,
    check_columns,
    contract_fragment,
    first_line,
    header_cells,
)

LABEL = "municipal benefits file (gemeentecode;wijkcode;maand;regeling;aantal_personen)"
HEADER = ("gemeentecode", "wijkcode", "maand", "regeling", "aantal_personen")
REGELINGEN = ("participatiewet", "ioaw", "ioaz", "bbz")
_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class BenefitRow:
    gemeentecode: str
    wijkcode: str
    maand: str  # YYYY-MM
    regeling: str
    aantal_personen: int


def _split(line: str) -> list[str]:
    sep = ";" if ";" in line else ","
    return [c.strip() for c in next(csv.reader([line], delimiter=sep), [])]


def sniff(path: Path) -> bool:
    if path.suffix.lower() not in (".csv", ".txt"):
        return False
    try:
        with path.open("rb") as fh:
            first = text.decode(fh.readline(4096), fallback=None)
    except OSError:
        return False
    return tuple(c.lower() for c in _split(first)) == HEADER


def header_check(path: Path) -> HeaderCheck | None:
    line = first_line(path)
    return None if line is None else check_columns(LABEL, header_cells(line), HEADER, HEADER)


def parse_row(fields: list[str]) -> BenefitRow:
    if len(fields) != len(HEADER):
        raise ValueError(f"{len(fields)} fields, expected {len(HEADER)}")
    gm, wk, maand, regeling, aantal = fields
    gm = gm.upper()
    if re.fullmatch(r"[0-9]{4}", gm):
        gm = "GM" + gm
    if not re.fullmatch(r"GM[0-9]{4}", gm):
        raise ValueError(f"gemeentecode {gm!r} is not GM + 4 digits")
    wk = wk.upper()
    if not re.fullmatch(r"WK[0-9]{6}", wk):
        raise ValueError(f"wijkcode {wk!r} is not WK + 6 digits")
    if wk[2:6] != gm[2:]:
        raise ValueError(f"wijk {wk} does not lie in {gm}")
    if not _MONTH.match(maand):
        raise ValueError(f"maand {maand!r} is not YYYY-MM")
    if regeling.lower() not in REGELINGEN:
        raise ValueError(f"regeling {regeling!r} is not one of {', '.join(REGELINGEN)}")
    if not re.fullmatch(r"[0-9]+", aantal):  # ASCII: int() takes ١٢٣ too
        raise ValueError(f"aantal_personen {aantal!r} is not a whole number >= 0")
    if len(aantal.lstrip("0")) > 6:
        raise ValueError(f"aantal_personen {aantal!r} is more than any wijk's population")
    return BenefitRow(gm, wk, maand, regeling.lower(), int(aantal))


def read_benefits(path: Path) -> tuple[list[tuple[int, BenefitRow]], list[tuple[int, str, str]]]:
    """(loaded rows, bad rows (line, reason, fragment)), each with its line number."""
    content = text.decode(path.read_bytes(), fallback=None)
    marked = text.undecodable(content)
    ok: list[tuple[int, BenefitRow]] = []
    bad: list[tuple[int, str, str]] = []
    for lineno, line in enumerate(content.splitlines()[1:], start=2):
        if not line.strip():
            continue
        fields = _split(line)
        try:
            if marked and text.undecodable(line):
                raise ValueError(text.NOT_TEXT)
            ok.append((lineno, parse_row(fields)))
        except ValueError as exc:
            bad.append((lineno, str(exc), contract_fragment(fields, len(HEADER))))
    return ok, bad
