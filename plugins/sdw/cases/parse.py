"""A case export as the ingest core wants it: a ``ParsedFile`` per file, no database.

What is kept of a row (``raw.case_procedure``): the municipality, a pseudonym of the melding's
identificatie, the law, the procedure's dates, the outcome and the CBS area of the address.

- The address is reduced to the CBS buurt/wijk at ingest by the very lookup that reduces a
  301's BRP address (``IngestContext.lookup_address``: the latest CBS address file, exactly
  postcode + huisnummer); postcode and huisnummer are never written. Like a 301, a file with
  addresses waits in the inbox (``deferred``) while no CBS address file is loaded, because a
  district lost at ingest cannot be recovered later; an address the CBS file does not list
  loads with ``adres_status = 'not_found'`` and counts under district ``UNKNOWN``.
- The identificatie is a case number, not personal data by design, but some case systems
  build it from the BSN, and nothing downstream needs it readable: it is replaced by the same
  keyed HMAC as a BSN, over ``melding:<gemeentecode>:<identificatie>`` so that a case number
  equal to a BSN never yields that client's BSN pseudonym. A later delivery of the same case
  gets the same pseudonym and replaces it (staging keeps the latest).
- Quarantine keeps a rejected row's contract fields as written, except: identificatie as
  ``[melding:<pseudonym prefix>]``, postcode cut to its four digits, huisnummer as ``*``, any
  BSN-like number masked; extra columns and lines that cannot be split are not kept at all.
"""

from __future__ import annotations

from pathlib import Path

from sdw.cases.procedures import (
    HEADER,
    BadRow,
    CaseRow,
    read_case_file,
)
from sdw.cases.tables import FILE_KIND, PROCEDURE, PROCEDURE_COLUMNS
from sdw.ingest.contract import IngestContext, ParsedFile, deferred_file, rows_file
from sdw.pseudonym import Pseudonymiser, mask_bsns, mask_form


def case_pseudonym(pseudonymiser: Pseudonymiser, gemeentecode: str, identificatie: str) -> str:
    return pseudonymiser(f"melding:{gemeentecode}:{identificatie}")


def _area(row: CaseRow, ctx: IngestContext) -> tuple[str, int | None, int | None, int | None]:
    """(adres_status, buurtcode, wijkcode, gemeentecode) as CBS integers."""
    if row.postcode is not None and row.huisnummer is not None:
        return ctx.lookup_address(row.postcode, row.huisnummer)
    if row.wijkcode is not None:
        return "wijkcode", None, row.wijkcode, row.wijkcode // 100
    return "no_address", None, None, None


def redacted_fragment(bad: BadRow, pseudonymiser: Pseudonymiser) -> str:
    if bad.fields is None:
        return (
            "[the line could not be split into the contract's columns; not kept: it may hold "
            "personal data]"
        )
    gm = bad.fields["gemeentecode"].strip().upper()
    gm = f"GM{gm}" if gm.isascii() and gm.isdigit() else gm  # 0-9 only, as parse_row
    parts = []
    for name in HEADER:
        value = bad.fields[name].strip()
        if value and name == "identificatie":
            value = mask_form("melding", case_pseudonym(pseudonymiser, gm, value))
        elif value and name == "postcode":
            value = value.replace(" ", "")[:4] + "**"
        elif value and name == "huisnummer":
            value = "*"
        parts.append(f"{name}={value}")
    return mask_bsns("; ".join(parts), pseudonymiser)


def parse_case_file(path: Path, file_hash: str, ctx: IngestContext) -> ParsedFile:
    """Everything about one export, decided in memory; nothing is written here."""
    parsed = read_case_file(path)
    if any(r.postcode is not None for _n, r in parsed.rows) and not ctx.has_address_file():
        return deferred_file(path, file_hash, FILE_KIND)
    rows: list[list[object]] = []
    for lineno, r in parsed.rows:
        rows.append(
            [
                r.gemeentecode,
                case_pseudonym(ctx.pseudonymiser, r.gemeentecode, r.identificatie),
                r.wet,
                r.datum_melding,
                r.datum_onderzoek_afgerond,
                r.datum_start_aanvraag,
                r.datum_beschikking,
                r.datum_afhandeling,
                r.resultaat,
                *_area(r, ctx),
                lineno,
            ]
        )
    return rows_file(
        path,
        file_hash,
        FILE_KIND,
        (PROCEDURE, PROCEDURE_COLUMNS, rows),
        parsed.bad,
        lambda b: redacted_fragment(b, ctx.pseudonymiser),
    )
