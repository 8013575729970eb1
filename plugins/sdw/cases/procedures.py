"""The case-export CSV contract: one row per Wmo/Jeugdwet melding, as a municipal case system
exports it (column names after the Gemeentelijk Gegevensmodel, docs/procedure-times.md)::

    gemeentecode;identificatie;wet;datumMelding;datumOnderzoekAfgerond;datumStartAanvraag;
    datumBeschikking;datumAfhandeling;resultaat;postcode;huisnummer;wijkcode

- the file: UTF-8 (optional BOM) or Windows-1252 as Excel writes it, read by the ingest core's
  one rule (``sdw.ingest.text``): a byte the encoding does not allow costs its line (refused as
  not text), never the file; ``;`` or ``,`` as separator
  (whichever splits the header into the contract's columns); a header line naming every column
  above, in any order, case-insensitive (``datum_melding`` is ``datumMelding``). Other columns
  are allowed and ignored: nothing of them is ever stored, not even in quarantine.
- ``gemeentecode``: ``GM`` + 4 digits (``0999`` is accepted and prefixed).
- ``identificatie``: the melding's case number, unique within the municipality. Stored only as
  a keyed pseudonym (a case number may embed a BSN), see ``sdw.cases.parse``.
- ``wet``: ``wmo`` or ``jeugdwet``; also ``Wmo``, ``WMO 2015``, ``iWmo``, ``Jeugdwet``, ``jeugd``,
  ``jw``, ``iJw`` (case and spaces ignored).
- dates: ``dd-mm-jjjj`` (also ``d-m-jjjj`` and ``/``) or ``jjjj-mm-dd``; a trailing time of
  day (``00:00`` to ``23:59:59``, after a space or ``T``) is ignored, anything else after the
  date (``25:61``) refuses the row; empty means "not (yet) happened". ``datumMelding`` is required.
  Present dates must be in order: melding <= onderzoek afgerond <= start aanvraag <= beschikking,
  and ``datumAfhandeling`` (the day a case was closed without a beschikking) after all of them.
- ``resultaat``: ``toegekend`` (or ``toegewezen``) and ``afgewezen`` need a ``datumBeschikking``
  (and so a ``datumStartAanvraag``); ``ingetrokken`` needs a ``datumAfhandeling`` and has no
  beschikking; ``lopend`` (or empty, ``in behandeling``) has neither.
- address: ``postcode`` (PC6) + ``huisnummer`` of the client's BRP address (a huisletter or
  toevoeging after the number is ignored, as for the 301), reduced to the CBS buurt/wijk at
  ingest and never stored; or ``wijkcode`` (``WK`` + 6 digits or the CBS integer, inside the
  municipality) when the case system only knows the wijk. Both given: the address wins.
  Neither: the case counts under district ``UNKNOWN``.

Digits are ASCII 0-9 throughout (``[0-9]``, never ``\\d``): a code, date or number written in
Arabic-Indic or full-width digits is refused, not read as the number it might mean.

A row breaking a rule is rejected with a reason code (``sdw.cases.rules``); the other rows
load.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path

from sdw.cases.rules import (
    ADDRESS_INVALID,
    DATE_INVALID,
    DATES_OUT_OF_ORDER,
    DUPLICATE,
    LAW_UNKNOWN,
    OUTCOME_INVALID,
    ROW_MALFORMED,
)
from sdw.ingest import text
from sdw.ingest.contract import BadRow, Rejected  # a row breaking the contract
from sdw.ingest.text import invisible
from sdw.money import foreign_digits

HEADER = (
    "gemeentecode",
    "identificatie",
    "wet",
    "datumMelding",
    "datumOnderzoekAfgerond",
    "datumStartAanvraag",
    "datumBeschikking",
    "datumAfhandeling",
    "resultaat",
    "postcode",
    "huisnummer",
    "wijkcode",
)
# The procedure's dates in the order they must have (datumAfhandeling comes after all).
DATE_ORDER = ("datumMelding", "datumOnderzoekAfgerond", "datumStartAanvraag", "datumBeschikking")

# Spellings seen in case systems, keyed without case, spaces, dots, dashes and underscores.
LAWS = {
    "wmo": "wmo",
    "wmo2015": "wmo",
    "iwmo": "wmo",
    "wetmaatschappelijkeondersteuning": "wmo",
    "jeugdwet": "jeugdwet",
    "jeugd": "jeugdwet",
    "jeugdhulp": "jeugdwet",
    "jw": "jeugdwet",
    "ijw": "jeugdwet",
}
OUTCOMES = {
    "toegekend": "toegekend",
    "toegewezen": "toegekend",
    "afgewezen": "afgewezen",
    "ingetrokken": "ingetrokken",
    "lopend": "lopend",
    "inbehandeling": "lopend",
    "": "lopend",
}
DECIDED = ("toegekend", "afgewezen")

_NL_DATE = re.compile(r"^([0-9]{1,2})[-/]([0-9]{1,2})[-/]([0-9]{4})$")
_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
# A time of day only: hours 0-23, minutes and seconds 0-59 (``25:61`` is no time, and a date
# followed by it is no date).
_TRAILING_TIME = re.compile(r"[ T](?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?$")
_PC6 = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
_HUISNUMMER = re.compile(r"^([0-9]{1,5})(?:[^0-9].*)?$")
_WIJKCODE = re.compile(r"^(?:WK([0-9]{6})|([0-9]{3,6}))$")
_YEARS = (1990, 2100)  # outside: a typo, not a Wmo/Jeugdwet case


@dataclass(frozen=True)
class CaseRow:
    gemeentecode: str  # GM + 4 digits
    identificatie: str
    wet: str  # 'wmo' | 'jeugdwet'
    datum_melding: date
    datum_onderzoek_afgerond: date | None
    datum_start_aanvraag: date | None
    datum_beschikking: date | None
    datum_afhandeling: date | None
    resultaat: str  # 'toegekend' | 'afgewezen' | 'ingetrokken' | 'lopend'
    postcode: str | None  # PC6, normalised; never stored
    huisnummer: int | None  # never stored
    wijkcode: int | None  # CBS integer (99901 = WK099901), when the file gave a wijkcode


@dataclass
class CaseFile:
    delimiter: str
    rows: list[tuple[int, CaseRow]] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)

    @property
    def lines_in(self) -> int:
        return len(self.rows) + len(self.bad)


def _key(cell: str) -> str:
    return re.sub(r"[\s._\-]", "", cell.strip().strip('"')).lower()


_COLUMN_KEYS = {_key(h): h for h in HEADER}


def decode(data: bytes) -> str:
    """The ingest core's rule (``sdw.ingest.text``): a mark means UTF-8, else UTF-8 when valid,
    else Windows-1252 (Dutch Excel saves "CSV (puntkomma)" that way). A byte the encoding does
    not allow stays a lone surrogate, so ``read_case_text`` refuses its line only; decoding the
    whole file as Windows-1252 for one bad byte turned the mark into ``ï»¿`` and lost the
    header, and with it every row."""
    return text.decode(data)


def header_columns(line: str) -> tuple[str, dict[str, int]] | None:
    """(separator, contract column -> index) when the line is the contract's header."""
    line = line.lstrip("\ufeff")
    for sep in (";", ","):
        cols = next(csv.reader([line], delimiter=sep), [])
        index: dict[str, int] = {}
        for i, col in enumerate(cols):
            name = _COLUMN_KEYS.get(_key(col))
            if name is not None and name not in index:
                index[name] = i
        if len(index) == len(HEADER):
            return sep, index
    return None


def contract_columns(line: str) -> set[str]:
    """The contract's columns a header line names, split on whichever separator finds more;
    for telling a case export that lacks a column from a file of another kind."""
    line = line.lstrip("\ufeff")
    found: set[str] = set()
    for sep in (";", ","):
        cols = next(csv.reader([line], delimiter=sep), [])
        names = {n for col in cols if (n := _COLUMN_KEYS.get(_key(col))) is not None}
        found = max(found, names, key=len)
    return found


def sniff(path: Path) -> bool:
    """A case export is recognised by its header, whatever the file is called."""
    if path.suffix.lower() not in (".csv", ".txt"):
        return False
    try:
        with path.open("rb") as fh:
            first = fh.readline(65536)
    except OSError:
        return False
    return header_columns(decode(first).strip("\r\n")) is not None


def parse_date(cell: str, column: str) -> date | None:
    """``dd-mm-jjjj`` / ``d-m-jjjj`` / ``dd/mm/jjjj`` or ``jjjj-mm-dd``; '' is None."""
    value = _TRAILING_TIME.sub("", cell.strip())
    if not value:
        return None
    if m := _NL_DATE.match(value):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _ISO_DATE.match(value):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        raise Rejected(
            DATE_INVALID, f"{column} {cell.strip()!r} is not a date dd-mm-jjjj or jjjj-mm-dd"
        )
    try:
        result = date(year, month, day)
    except ValueError:
        raise Rejected(DATE_INVALID, f"{column} {cell.strip()!r} is not a calendar date") from None
    if not _YEARS[0] <= year <= _YEARS[1]:
        raise Rejected(DATE_INVALID, f"{column} {cell.strip()!r}: year {year} is not plausible")
    return result


def _gemeentecode(cell: str) -> str:
    gm = cell.strip().upper()
    if re.fullmatch(r"[0-9]{4}", gm):
        gm = "GM" + gm
    if not re.fullmatch(r"GM[0-9]{4}", gm):
        raise Rejected(ROW_MALFORMED, f"gemeentecode {cell.strip()!r} is not GM + 4 digits")
    return gm


def _check_order(dates: dict[str, date | None], raw: dict[str, str]) -> None:
    present = [(c, dates[c]) for c in DATE_ORDER if dates[c] is not None]
    # Neighbouring present dates in order means all in order; the reason names the pair.
    for (earlier, d1), (later, d2) in pairwise(present):
        if d2 < d1:  # type: ignore[operator]
            why = (
                "a decision cannot precede its request"
                if (earlier, later) == ("datumStartAanvraag", "datumBeschikking")
                else "the procedure's steps must be in order"
            )
            raise Rejected(
                DATES_OUT_OF_ORDER,
                f"{later} {raw[later].strip()} is before {earlier} {raw[earlier].strip()}: {why}",
            )
    if dates["datumBeschikking"] is not None and dates["datumStartAanvraag"] is None:
        raise Rejected(
            DATES_OUT_OF_ORDER,
            "datumBeschikking without datumStartAanvraag: a beschikking answers an aanvraag",
        )
    closed = dates["datumAfhandeling"]
    last = max((d for _c, d in present), default=None)
    if closed is not None and last is not None and closed < last:
        raise Rejected(
            DATES_OUT_OF_ORDER,
            f"datumAfhandeling {raw['datumAfhandeling'].strip()} is before the case's last "
            f"step ({last:%d-%m-%Y})",
        )


def _check_outcome(outcome: str, dates: dict[str, date | None]) -> None:
    decided = dates["datumBeschikking"] is not None
    closed = dates["datumAfhandeling"] is not None
    if outcome in DECIDED and not decided:
        raise Rejected(OUTCOME_INVALID, f"resultaat {outcome} needs a datumBeschikking")
    if outcome == "ingetrokken" and (decided or not closed):
        raise Rejected(
            OUTCOME_INVALID,
            "resultaat ingetrokken needs a datumAfhandeling and no datumBeschikking",
        )
    if outcome == "lopend" and (decided or closed):
        raise Rejected(
            OUTCOME_INVALID,
            "resultaat lopend (or empty) but the case has a datumBeschikking or datumAfhandeling",
        )


def _address(values: dict[str, str], gm: str) -> tuple[str | None, int | None, int | None]:
    postcode = values["postcode"].replace(" ", "").upper()
    huisnummer = values["huisnummer"].strip()
    wijk = values["wijkcode"].strip().upper()
    if postcode or huisnummer:
        if not _PC6.match(postcode):
            raise Rejected(ADDRESS_INVALID, "postcode is not a PC6 like 1234AB")
        if foreign_digits(huisnummer):  # 12٣ is not 12 with a toevoeging; not named: personal
            raise Rejected(ADDRESS_INVALID, "huisnummer holds digits other than 0-9")
        if invisible(huisnummer):  # 1234<U+200B>56782 is not 1234 with a toevoeging
            raise Rejected(ADDRESS_INVALID, "huisnummer holds characters that do not show")
        m = _HUISNUMMER.match(huisnummer)
        if not m:
            raise Rejected(ADDRESS_INVALID, "huisnummer is missing or does not start with a number")
        return postcode, int(m[1]), None
    if wijk:
        m = _WIJKCODE.match(wijk)
        if not m:
            raise Rejected(ADDRESS_INVALID, f"wijkcode {wijk!r} is not WK + 6 digits")
        code = int(m[1] or m[2])
        if code // 100 != int(gm[2:]):
            raise Rejected(ADDRESS_INVALID, f"wijkcode {wijk!r} is not a wijk of {gm}")
        return None, None, code
    return None, None, None


def parse_row(values: dict[str, str]) -> CaseRow:
    """One row of the contract (values by column name); raises ``Rejected``."""
    gm = _gemeentecode(values["gemeentecode"])
    identificatie = values["identificatie"].strip()
    if not identificatie or len(identificatie) > 100:
        raise Rejected(ROW_MALFORMED, "identificatie is empty or longer than 100 characters")
    law = LAWS.get(_key(values["wet"]))
    if law is None:
        raise Rejected(LAW_UNKNOWN, f"wet {values['wet'].strip()!r} is neither Wmo nor Jeugdwet")
    dates = {c: parse_date(values[c], c) for c in (*DATE_ORDER, "datumAfhandeling")}
    if dates["datumMelding"] is None:
        raise Rejected(ROW_MALFORMED, "datumMelding is empty: every case starts with a melding")
    _check_order(dates, values)
    outcome = OUTCOMES.get(_key(values["resultaat"]))
    if outcome is None:
        raise Rejected(
            OUTCOME_INVALID,
            f"resultaat {values['resultaat'].strip()!r} is not toegekend, afgewezen, "
            "ingetrokken or lopend",
        )
    _check_outcome(outcome, dates)
    postcode, huisnummer, wijkcode = _address(values, gm)
    return CaseRow(
        gm,
        identificatie,
        law,
        dates["datumMelding"],  # type: ignore[arg-type]
        dates["datumOnderzoekAfgerond"],
        dates["datumStartAanvraag"],
        dates["datumBeschikking"],
        dates["datumAfhandeling"],
        outcome,
        postcode,
        huisnummer,
        wijkcode,
    )


def read_case_text(content: str) -> CaseFile:
    """Every data row of an export, parsed or rejected, with its line number (the header is
    line 1; a quoted field spanning lines counts from the line the row starts on). A row
    holding a byte its encoding did not allow (``decode``) is refused, nothing of it kept."""
    content = content.lstrip("\ufeff")
    first = content.split("\n", 1)[0].strip("\r")
    found = header_columns(first)
    if found is None:
        raise ValueError("not a case export: the header lacks the contract's columns")
    sep, index = found
    marked = text.undecodable(content)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=sep)
    width = len(next(reader))
    result = CaseFile(sep)
    seen: dict[tuple[str, str], int] = {}
    previous = reader.line_num
    for cells in reader:
        lineno, previous = previous + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != width:
            result.bad.append(
                BadRow(
                    lineno,
                    ROW_MALFORMED,
                    f"{len(cells)} fields where the header has {width}",
                    None,
                )
            )
            continue
        if marked and any(text.undecodable(c) for c in cells):
            result.bad.append(BadRow(lineno, ROW_MALFORMED, text.NOT_TEXT, None))
            continue
        values = {name: cells[i] for name, i in index.items()}
        try:
            row = parse_row(values)
        except Rejected as exc:
            result.bad.append(BadRow(lineno, exc.code, exc.reason, values))
            continue
        key = (row.gemeentecode, row.identificatie)
        if key in seen:
            result.bad.append(
                BadRow(
                    lineno,
                    DUPLICATE,
                    f"the same identificatie as line {seen[key]}: one row per melding",
                    values,
                )
            )
            continue
        seen[key] = lineno
        result.rows.append((lineno, row))
    return result


def read_case_file(path: Path) -> CaseFile:
    return read_case_text(decode(path.read_bytes()))
