"""The record and file rules of an iWmo/iJw message, and their reason codes.

Record rules (a failing record is quarantined, the rest of the file loads):
- BSN_ELFPROEF: the client's BSN fails the eleven test (all that client's records).
- CATEGORY_NOT_IN_LAW: a 323/325 ProductCategorie that the law's code list does not have.
- PERIOD_INVALID: ProductPeriode Einddatum before Begindatum.
- PERIOD_SPANS_MONTHS: a ProductPeriode that is not inside one calendar month.
- DUPLICATE_LINE: a 323 ReferentieNummer this provider already declared under this law (OP283).
- VALUE_OUT_OF_RANGE: a value the schema accepts that the warehouse cannot keep as written (a
  date in year 12025 or -2025, an integer beyond bigint).
- VALUE_MISSING: a field the raw table requires is empty.
File rules (the whole file is quarantined): ENCODING, DTD, NOT_XML, NOT_ISTANDAARDEN, SCHEMA,
VALUE_OUT_OF_RANGE / VALUE_MISSING in the message's header, BSN_IN_NUMBER when an amount or
other number equals a client BSN of the message (text is pseudonymised; a number cannot be),
and for a 323 TOTAL_MISMATCH when the header total differs from the signed sum of all its
lines. What no rule names is the core's INGEST_ERROR (``sdw.ingest.contract``).

The debit/credit sign is here too, once, for the ingest total check and (as SQL) the suites.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sdw.istandaarden.reader import Record
from sdw.istandaarden.tables import PRESTATIE_323, PRESTATIE_325
from sdw.istandaarden.values import Unreadable, first_unreadable
from sdw.pseudonym import passes_elfproef
from sdw.seeds import product_categories

BSN_ELFPROEF = "BSN_ELFPROEF"
CATEGORY_NOT_IN_LAW = "CATEGORY_NOT_IN_LAW"
PERIOD_INVALID = "PERIOD_INVALID"
PERIOD_SPANS_MONTHS = "PERIOD_SPANS_MONTHS"
DUPLICATE_LINE = "DUPLICATE_LINE"
VALUE_OUT_OF_RANGE = "VALUE_OUT_OF_RANGE"
VALUE_MISSING = "VALUE_MISSING"
ENCODING = "ENCODING"
DTD = "DTD"
NOT_XML = "NOT_XML"
NOT_ISTANDAARDEN = "NOT_ISTANDAARDEN"
SCHEMA = "SCHEMA"
TOTAL_MISMATCH = "TOTAL_MISMATCH"
BSN_IN_NUMBER = "BSN_IN_NUMBER"


@dataclass
class Rejection:
    code: str
    reason: str


def signed(amount: object, debit_credit: object) -> int | None:
    """An unsigned iStandaarden amount with its DebetCredit indicator (COD043) as a signed
    amount: D counts positive, C (a correction of an earlier debit) negative. Any other
    indicator gives None, never a silently positive amount — as the dbt macro ``signed``."""
    if type(amount) is not int or debit_credit not in ("D", "C"):
        return None  # unreadable: the schema error or a value rule follows
    return amount if debit_credit == "D" else -amount


def signed_sql(amount_column: str, debit_credit_column: str) -> str:
    """``signed`` as a SQL expression, for the suites that sum raw amounts."""
    return (
        f"(CASE {debit_credit_column} WHEN 'D' THEN {amount_column} "
        f"WHEN 'C' THEN -{amount_column} END)"
    )


def bsn_rejection(bsn: object) -> Rejection | None:
    if bsn is not None and not passes_elfproef(str(bsn)):
        return Rejection(
            BSN_ELFPROEF,
            "The client's BSN fails the elfproef; ask the sender for a corrected message.",
        )
    return None


def value_rejection(field_name: str, value: Unreadable) -> Rejection:
    return Rejection(
        VALUE_OUT_OF_RANGE,
        f"{field_name} {value.text.strip()!r} passes the schema but cannot be kept as written "
        f"({value.why}); ask the sender for a corrected message.",
    )


def missing_rejection(columns: list[str]) -> Rejection:
    return Rejection(
        VALUE_MISSING,
        f"{', '.join(columns)} empty; the warehouse needs "
        f"{'it' if len(columns) == 1 else 'them'} to keep this record.",
    )


def duplicate_reason(ref: str) -> str:
    return (
        f"ReferentieNummer {ref} was already declared by this provider under this law "
        "(OP283: unique per provider and law); a correction is a credit plus a new line."
    )


def duplicate_rejection(ref: str) -> Rejection:
    return Rejection(DUPLICATE_LINE, duplicate_reason(ref))


def prestatie_rejection(
    cat: str, begin: str | None, end: str | None, law: str, categories: frozenset[str]
) -> Rejection | None:
    """The rules of a 323/325 line; ``begin``/``end`` as ISO text (YYYY-MM-DD), which orders
    and slices like the dates it spells."""
    if cat not in categories:
        return Rejection(
            CATEGORY_NOT_IN_LAW,
            f"ProductCategorie {cat} is not a {law} category (seed product_categories.csv).",
        )
    if not begin or not end:
        return None
    if end < begin:
        return Rejection(PERIOD_INVALID, f"ProductPeriode ends ({end}) before it begins ({begin}).")
    if begin[:7] != end[:7]:
        return Rejection(
            PERIOD_SPANS_MONTHS,
            f"ProductPeriode {begin}..{end} is not inside one calendar month.",
        )
    return None


def line_rejection(
    rec: Record, law: str, required: Mapping[str, frozenset[str]]
) -> Rejection | None:
    """The first record rule this record breaks. A value the schema is about to reject is
    Unreadable too; the schema error that voids the whole file then follows."""
    row = rec.row
    rejection = bsn_rejection(row.get("_bsn"))
    if rejection is not None:
        return rejection
    bad = first_unreadable(row)
    if bad is not None:
        return value_rejection(*bad)
    missing = [c for c in required.get(rec.table, ()) if c in row and row[c] is None]
    if missing:
        return missing_rejection(sorted(missing))
    if rec.table in (PRESTATIE_323, PRESTATIE_325):
        begin, end = row["productperiode_begindatum"], row["productperiode_einddatum"]
        return prestatie_rejection(
            str(row["productcategorie"]),
            begin.isoformat() if begin else None,  # type: ignore[attr-defined]
            end.isoformat() if end else None,  # type: ignore[attr-defined]
            law,
            product_categories().get(law, frozenset()),
        )
    return None
