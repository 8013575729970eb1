# ruff: noqa: RUF002
# (other scripts' digits, full-width and invisible characters are the point here)
"""What must hold for every source file, however broken: the checks the source mutation tests
and the campaign command apply to each mutant (issue 22: every source as hard as the
messages).

- Nothing escapes: classifying the file and reading it through the ingest core's guarded
  path (``read``) returns.
- Every file ends loaded, loaded with rejections, quarantined or quarantined as an unknown
  kind, with a specific reason: INGEST_ERROR (the project did not understand what went wrong)
  and WAREHOUSE_REJECTED count as failures.
- Rows reconcile: lines in = loaded + quarantined (FileReport), the line table holds the loaded
  lines, quarantine one record per quarantined line (or one file record for a file refused
  whole); euros reconcile per amount column (file = loaded + quarantined, to the cent).
- No whole-file loss for one bad row: a mutation that touched k rows leaves at least
  rows - k loaded, with the file still claimed by its kind while any row is untouched.
- A value in a notation the contract does not name (``١٢٣``, ``１２３``, ``12 3,45``, ``1e12``,
  ``#N/A``) is not taken as data: its row is refused, or a CBS measure keeps a NULL value.
- What the warehouse cannot hold is not loaded: an amount no mart's numeric(14,2) holds, text
  with NUL or that is not UTF-8, an integer beyond an integer column.
- No clear BSN: in no text value of any table row, reason, fragment or the report's file name
  is there a run of exactly nine ASCII digits passing the elfproef (the planted BSN is one),
  nor such a run once combining marks and format characters are removed and other scripts'
  digits mapped to ASCII (``1234\u200b56782``, ``١٢٣٤٥٦٧٨٢``); ``١٢٣123456782`` holds an ASCII
  run of nine. Masks (``[bsn:…]``, ``[melding:…]``) and 64-hex pseudonyms are the project's
  own. A longer run of ASCII digits is an identifier, as in the message oracle.

The elfproef is written here again on purpose: the oracle does not trust the code it checks.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from sdw.ingest.classify import UNKNOWN, by_name, classify, unknown_file_reason
from sdw.ingest.contract import (
    UNKNOWN_FILE_TYPE,
    IngestContext,
    ParsedFile,
    masked,
    quarantine_whole_file,
    resolved,
)
from sdw.pseudonym import Pseudonymiser
from tests.mutation.sources.contracts import Contract
from tests.mutation.sources.doc import MEASURE
from tests.mutation.sources.mutate import Mutant

OUTCOMES = ("loaded", "loaded_with_rejections", "quarantined")
UNSPECIFIC = ("INGEST_ERROR", "WAREHOUSE_REJECTED")
EURO_TABLE = "file_euro_total"
# The marts hold euros as numeric(14,2): a single amount from 10^12 on breaks every build.
MART_LIMIT = Decimal(10) ** 12
INT4_LIMIT = 2**31
_NINE = re.compile(r"(?<![0-9])[0-9]{9}(?![0-9])")
_MASK = re.compile(r"\[(?:bsn|melding):[^\]\s]{1,64}\]")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_LINE_COLUMN = "line_number"
_RAISED = re.compile(r"Unexpected (\w+)")  # the guard's INGEST_ERROR reason names the exception


def elfproef(s: str) -> bool:
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return s != "000000000" and sum(int(d) * w for d, w in zip(s, weights, strict=True)) % 11 == 0


def normalised(text: str) -> str:
    """Without combining marks and format characters, other scripts' digits as ASCII."""
    kept = (c for c in text if unicodedata.category(c) not in ("Mn", "Me", "Cf"))
    return "".join(
        str(unicodedata.decimal(c)) if not c.isascii() and unicodedata.decimal(c, None) is not None
        else c
        for c in kept
    )  # fmt: skip


def clear_bsn(text: str) -> bool:
    """True when ``text`` shows a BSN to whoever reads it (see module doc)."""
    if _HEX64.match(text):
        return False
    bare = _MASK.sub(" ", text)
    return any(elfproef(n) for t in (bare, normalised(bare)) for n in _NINE.findall(t))


def context() -> IngestContext:
    """No database: the address look-up answers 'not found', an address file is loaded."""
    return IngestContext(
        Pseudonymiser(b"mutation-key-0123456789abcdef012"),
        lambda _pc, _nr: ("not_found", None, None, None),
        lambda: True,
        lambda _wet, _agb, _numbers: set(),
    )


def classify_safely(path: Path) -> str:
    """The kind, as the inbox decides it: a sniffer tripping over content makes the file an
    unknown one (``sdw.ingest.inbox._classify``)."""
    try:
        return classify(path)
    except OSError as exc:
        if exc.errno is not None:
            raise
    except Exception:
        pass
    return UNKNOWN


@cache
def _guard():  # type: ignore[no-untyped-def]
    """The core's guarded read (``sdw.ingest.guard.read_file``) once it exists."""
    if importlib.util.find_spec("sdw.ingest.guard") is None:
        return None
    return getattr(importlib.import_module("sdw.ingest.guard"), "read_file", None)


def read(path: Path, file_hash: str, kind: str, ctx: IngestContext) -> ParsedFile:
    """What the worker runs for one file. Until ``sdw.ingest.guard`` exists: the kind's parse
    (an unknown file quarantined), look-ups answered, reasons and fragments masked — without
    the worker's catch-all, so an exception reaches the oracle as itself."""
    guarded = _guard()
    if guarded is not None:
        return guarded(path, file_hash, kind, ctx)
    kinds = by_name()
    if kind in kinds:
        parsed = kinds[kind].parse(path, file_hash, ctx)
    else:
        parsed = quarantine_whole_file(
            path, file_hash, UNKNOWN_FILE_TYPE, unknown_file_reason(), ctx, kind=UNKNOWN
        )
    return masked(resolved(parsed, ctx), ctx.pseudonymiser)


@dataclass
class Verdict:
    outcome: str  # a status, or 'escaped'
    kind: str = ""
    reason_code: str | None = None
    problems: list[str] = field(default_factory=list)  # "<class>: <detail>"

    def add(self, problem_class: str, detail: str = "") -> None:
        self.problems.append(f"{problem_class}: {detail}"[:400] if detail else problem_class)


def _texts(parsed: ParsedFile) -> list[tuple[str, str]]:
    """(where, text) of every text a person or the warehouse will see."""
    r = parsed.report
    out = [("report.source_file", r.source_file), ("report.reason", r.reason or "")]
    for q in parsed.quarantine:
        out += [("quarantine reason", q.reason), ("quarantine fragment", q.original_fragment)]
    for table, (columns, rows) in parsed.tables.items():
        for row in rows:
            for column, value in zip(columns, row, strict=True):
                if isinstance(value, str):
                    out.append((f"{table}.{column}", value))
    return out


def _text_checks(parsed: ParsedFile, verdict: Verdict) -> None:
    for where, text in _texts(parsed):
        if clear_bsn(text):
            verdict.add(f"clear BSN in {where}", repr(text[:120]))
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            verdict.add(f"text that is not UTF-8 in {where}", repr(text[:80]))
        if "\x00" in text and "." in where and not where.startswith("quarantine"):
            verdict.add(f"NUL in {where} (PostgreSQL text cannot hold it)")


def _count_checks(parsed: ParsedFile, contract: Contract, kind: str, verdict: Verdict) -> None:
    """The reconcile rules, without the database (``sdw.ingest.reconcile.mismatches``)."""
    r = parsed.report
    whole = [q for q in parsed.quarantine if q.scope == "file"]
    records = [q for q in parsed.quarantine if q.scope == "record"]
    if r.status == "quarantined" or whole:
        if len(whole) != 1 or records or r.lines_loaded:
            verdict.add("refused whole but not one file record and nothing loaded")
        return
    if len(records) != r.lines_quarantined:
        verdict.add("quarantine records != lines quarantined",
                    f"{len(records)} != {r.lines_quarantined}")  # fmt: skip
    if kind != contract.kind:
        return
    columns, rows = parsed.tables.get(contract.table, ([], []))
    if contract.observations:
        at = list(columns).index(_LINE_COLUMN) if rows else 0
        lines = len({row[at] for row in rows})
    else:
        lines = len(rows)
    if lines != r.lines_loaded:
        verdict.add("raw lines != lines loaded", f"{lines} != {r.lines_loaded}")


def _value_checks(parsed: ParsedFile, contract: Contract, verdict: Verdict) -> None:
    amounts = set(contract.amounts.values())
    for table, (columns, rows) in parsed.tables.items():
        for row in rows:
            for column, value in zip(columns, row, strict=True):
                if isinstance(value, Decimal):
                    if not value.is_finite():
                        verdict.add(f"non-finite number in {table}.{column}", str(value))
                    elif table != EURO_TABLE and column in amounts and abs(value) >= MART_LIMIT:
                        verdict.add("amount no mart can hold (numeric(14,2))", str(value))
                elif (isinstance(value, int) and not isinstance(value, bool)
                      and column in contract.int4 and abs(value) >= INT4_LIMIT):  # fmt: skip
                    verdict.add(f"integer beyond {table}.{column} (integer)", str(value))


def _euro_checks(parsed: ParsedFile, contract: Contract, verdict: Verdict) -> None:
    if not contract.amounts or parsed.report.status == "quarantined":
        return
    if EURO_TABLE not in parsed.tables:
        verdict.add("no file euro totals")
        return
    columns, rows = parsed.tables.get(contract.table, ([], []))
    _cols, totals = parsed.tables[EURO_TABLE]
    for amount_column, file_eur, quarantined_eur, _cells in totals:
        at = list(columns).index(amount_column) if rows else 0
        loaded = sum((row[at] for row in rows if row[at] is not None), Decimal("0.00"))
        if file_eur != loaded + quarantined_eur:
            detail = f"{amount_column}: file {file_eur} != {loaded} + {quarantined_eur}"
            verdict.add("euros do not reconcile", detail)


def _strict_checks(
    parsed: ParsedFile, contract: Contract, mutant: Mutant, verdict: Verdict
) -> None:
    if parsed.report.status == "quarantined" or not mutant.strict:
        return
    refused = {q.line_number for q in parsed.quarantine}
    columns, rows = parsed.tables.get(contract.table, ([], []))
    for line, column in mutant.strict:
        if line in refused:
            continue
        if contract.observations and column.role == MEASURE and rows:
            at, key, value = (list(columns).index(c) for c in (_LINE_COLUMN, "source_key", "value"))
            taken = [r[value] for r in rows
                     if r[at] == line and (column.key is None or r[key] == column.key)
                     and r[value] is not None]  # fmt: skip
            if taken:
                verdict.add(f"a {column.role} the contract does not name was taken",
                            f"{column.name} line {line} -> {taken[0]}")  # fmt: skip
        elif column.role == "width":
            verdict.add("a row of another width than the header was loaded", f"line {line}")
        elif not (contract.observations and column.role == MEASURE):
            verdict.add(f"a {column.role} the contract does not name was taken",
                        f"{column.name} line {line}")  # fmt: skip


def check(path: Path, contract: Contract, mutant: Mutant, file_hash: str = "h") -> Verdict:
    """Classify and read one file and say what is wrong with the outcome, if anything."""
    ctx = context()
    try:
        kind = classify_safely(path)
        parsed = read(path, file_hash, kind, ctx)
    except Exception as exc:
        verdict = Verdict("escaped")
        verdict.add(f"escaped {type(exc).__name__}", str(exc)[:200])
        if mutant.touched is not None:
            verdict.add("rows lost", f"0 of {mutant.rows} loaded (touched {len(mutant.touched)})")
        return verdict
    r = parsed.report
    verdict = Verdict(r.status, kind, r.reason_code)
    if r.status not in OUTCOMES:
        verdict.add(f"status {r.status}")
    codes = {r.reason_code} | {q.reason_code for q in parsed.quarantine}
    for code in sorted(c for c in codes if c in UNSPECIFIC):
        raised = _RAISED.search(r.reason or "")
        cause = f" ({raised[1]})" if raised else ""
        verdict.add(f"unspecific reason {code}{cause}", r.reason or "")
    if mutant.touched is not None:
        floor = mutant.rows - len(mutant.touched)
        # every row touched: nothing may be left that shows the file's kind (a register whose
        # only record became ``null``), so an unknown file is a fair verdict then
        if (kind != contract.kind and floor > 0) or r.lines_loaded < floor:
            verdict.add("rows lost", f"{r.lines_loaded} of {mutant.rows} loaded, touched "
                        f"{len(mutant.touched)}, kind {kind}, {r.reason_code}")  # fmt: skip
    _count_checks(parsed, contract, kind, verdict)
    _text_checks(parsed, verdict)
    _value_checks(parsed, contract, verdict)
    if kind == contract.kind:
        _euro_checks(parsed, contract, verdict)
        _strict_checks(parsed, contract, mutant, verdict)
    return verdict


def problem_class(problem: str) -> str:
    return problem.split(":", 1)[0]
