"""What must hold for every message file, however broken: the checks the mutation tests and the
``run`` command apply to each mutant.

- Nothing escapes: ``parse_message_file`` returns for every input, with either reader.
- Every file ends loaded, loaded with rejections or quarantined, with a specific reason
  (INGEST_ERROR means the project did not understand what went wrong: counted as a failure),
  and its lines reconcile (FileReport checks that on construction).
- The bulk and the streaming 323 readers give the same rows, quarantine and counts.
- No clear BSN: no text value written to raw equals a BSN of the message (or the planted test
  BSN) or a nine-digit number passing the elfproef, or holds a BSN of the message inside a
  longer value; no reason or fragment holds a nine-digit number passing the elfproef, or a
  BSN of the message. (A nine-digit run inside a longer value that is no BSN of the message,
  such as ``R000000012``, is an identifier and is kept.)

The BSNs are found here from the bytes, independently of the code under test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sdw.ingest.contract import IngestContext, ParsedFile
from sdw.istandaarden.parse import parse_message_file
from sdw.pseudonym import Pseudonymiser
from tests.mutation.mutate import PLANTED_BSN, bsns_in

OUTCOMES = ("loaded", "loaded_with_rejections", "quarantined")
_NINE = re.compile(r"(?<!\d)\d{9}(?!\d)")


def _elfproef(s: str) -> bool:
    # written again here, on purpose: the oracle does not trust the code it checks
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return s != "000000000" and sum(int(d) * w for d, w in zip(s, weights, strict=True)) % 11 == 0


def context() -> IngestContext:
    return IngestContext(
        Pseudonymiser(b"mutation-key-0123456789abcdef012"),
        lambda _pc, _nr: ("not_found", None, None, None),
        lambda: True,
        lambda _wet, _agb, _numbers: set(),
    )


def comparable(parsed: ParsedFile) -> dict[str, object]:
    """A reader's result as PostgreSQL would receive it (values as COPY text)."""

    def text(v: object) -> str | None:
        if v is None:
            return None
        return v.isoformat() if isinstance(v, date) else str(v)

    r = parsed.report
    return {
        "report": (r.status, r.reason_code, r.lines_in, r.lines_loaded, r.lines_quarantined),
        "tables": {
            t: (list(cols), [[text(v) for v in row] for row in rows])
            for t, (cols, rows) in sorted(parsed.tables.items())
            if rows  # an empty table writes nothing, like an absent one
        },
        "quarantine": [
            (q.reason_code, q.reason, q.record_path, q.line_number, q.original_fragment)
            for q in parsed.quarantine
        ],
    }


@dataclass
class Verdict:
    outcome: str  # a status, or 'escaped'
    reason_code: str | None = None
    problems: list[str] = field(default_factory=list)


def _leaks(parsed: ParsedFile, bsns: set[str], own: set[str]) -> list[str]:
    found = []
    for table, (columns, rows) in parsed.tables.items():
        for row in rows:
            for column, v in zip(columns, row, strict=True):
                if type(v) is not str or column == "bsn_pseudoniem":
                    continue
                s = v.strip()
                runs = set(_NINE.findall(v))
                if s in bsns or (len(s) == 9 and s.isdigit() and _elfproef(s)) or runs & own:
                    found.append(f"clear BSN in {table}.{column}")
    texts = [parsed.report.reason or ""]
    texts += [t for q in parsed.quarantine for t in (q.reason, q.original_fragment)]
    for t in texts:
        if any(n in bsns or _elfproef(n) for n in _NINE.findall(t)):
            found.append("clear BSN in a reason or fragment")
    return found


def check(path: Path, *, streaming_too: bool = True) -> Verdict:
    """Run both readers over one file and say what is wrong with the outcome, if anything."""
    data = path.read_bytes()
    own = bsns_in(data)
    bsns = own | ({PLANTED_BSN} if PLANTED_BSN.encode() in data else set())
    try:
        bulk = parse_message_file(path, "h", context())
    except Exception as exc:
        return Verdict("escaped", None, [f"escaped {type(exc).__name__}: {exc}"[:300]])
    verdict = Verdict(bulk.report.status, bulk.report.reason_code)
    if bulk.report.status not in OUTCOMES:
        verdict.problems.append(f"status {bulk.report.status}")
    if bulk.report.reason_code == "INGEST_ERROR" or any(
        q.reason_code == "INGEST_ERROR" for q in bulk.quarantine
    ):
        verdict.problems.append("unspecific reason INGEST_ERROR")
    verdict.problems += _leaks(bulk, bsns, own)
    if streaming_too and bulk.report.bericht_type == "323":
        try:
            streamed = parse_message_file(path, "h", context(), bulk=False)
        except Exception as exc:
            verdict.problems.append(f"streaming reader: escaped {type(exc).__name__}")
            return verdict
        if comparable(bulk) != comparable(streamed):
            verdict.problems.append("the bulk and streaming readers disagree")
    return verdict
