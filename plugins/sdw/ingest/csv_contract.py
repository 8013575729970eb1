"""What every CSV loader shares about its contract: naming a missing column, and what
quarantine may keep of a rejected row.

Data nobody here wrote can carry anything in any cell: a BSN typed into a count, a name in an
extra column. Quarantine exists so that someone can see why a row was refused, not to keep a
copy of the source, so a rejected row keeps only the contract's own fields (a line that does
not split into them keeps none). Every reason and fragment of every file, CSV or message, is
then masked once where the ingest worker receives it (``sdw.ingest.worker``): each 9-digit
number passing the elfproef becomes its masked pseudonym (``sdw.pseudonym.mask_bsns``).

A file whose header is recognisably one of the contracts but lacks a column the loader needs
is refused whole with MISSING_COLUMN naming the columns, instead of loading empty measures
(a KWB without ``a_inw`` once published an empty population mart) or falling through to
UNKNOWN_FILE_TYPE.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sdw.ingest.contract import FileKind, IngestContext, Parse, ParsedFile
from sdw.ingest.report import FileReport
from sdw.ingest.writer import QuarantineRecord

MISSING_COLUMN = "MISSING_COLUMN"
HEADER_LIMIT = 4000  # characters of a refused file's header kept in quarantine


@dataclass(frozen=True)
class HeaderCheck:
    """How a header compares with one contract: ``matched`` of its ``signature`` columns are
    there, and these ``missing`` required ones are not."""

    label: str  # the contract, as a person names it in a reason
    matched: int
    signature: int
    missing: tuple[str, ...]

    @property
    def share(self) -> float:
        return self.matched / self.signature


def check_columns(
    label: str,
    present: Iterable[str],
    signature: Sequence[str],
    required: Sequence[str],
) -> HeaderCheck | None:
    """The verdict on a header whose columns (normalised by the caller) are ``present``: None
    unless more than half of the contract's ``signature`` columns are there, which is what
    "recognisably this file" means; then the ``required`` columns it lacks, in contract
    order. Half, because two contracts share a column or two (gemeentecode, wijkcode) but
    never more than half of either."""
    have = set(present)
    matched = sum(1 for c in signature if c in have)
    if 2 * matched <= len(signature):
        return None
    return HeaderCheck(label, matched, len(signature), tuple(c for c in required if c not in have))


def first_line(path: Path, limit: int = 65536) -> str | None:
    """A text file's first line without BOM and line end; None for another suffix or bytes
    that are not UTF-8 (a header is ASCII in every contract here)."""
    if path.suffix.lower() not in (".csv", ".txt"):
        return None
    try:
        with path.open("rb") as fh:
            return fh.readline(limit).decode("utf-8-sig").strip("\r\n")
    except (OSError, UnicodeDecodeError):
        return None


def header_cells(line: str) -> list[str]:
    """The header's cells, split on ``;`` or ``,`` (whichever splits it more), stripped and
    lower-cased."""
    best: list[str] = []
    for sep in (";", ","):
        cells = next(csv.reader([line], delimiter=sep), [])
        if len(cells) > len(best):
            best = cells
    return [c.strip().strip('"').strip().lower() for c in best]


def missing_column_file(
    path: Path,
    file_hash: str,
    kind: str,
    check: HeaderCheck,
    *,
    header: str | None = None,
    data_lines: int | None = None,
) -> ParsedFile:
    """Refuse a file whose header lacks required columns, whole: loading it would publish
    empty or NULL measures as if they were data. Every data line counts as quarantined (the
    ledger must still reconcile); quarantine keeps the header only, which names the columns
    the file does have. A table that is not text (a spreadsheet) gives its ``header`` (the
    cells joined by ``;``) and ``data_lines`` itself."""
    if header is None or data_lines is None:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        lines = text.splitlines()
        header = lines[0] if lines else ""
        data_lines = sum(1 for line in lines[1:] if line.strip())
    data = max(1, data_lines)
    reason = (
        f"This looks like a {check.label} but the header lacks the required "
        f"column{'s' if len(check.missing) > 1 else ''} {', '.join(check.missing)}; nothing "
        "of it was loaded. Ask for a complete file (the loader needs every required column)."
    )
    report = FileReport(
        source_file=path.name,
        file_hash=file_hash,
        file_kind=kind,
        status="quarantined",
        reason_code=MISSING_COLUMN,
        reason=reason,
        lines_in=data,
        lines_loaded=0,
        lines_quarantined=data,
    )
    record = QuarantineRecord(
        scope="file",
        reason_code=MISSING_COLUMN,
        reason=reason,
        original_fragment=f"header: {header[:HEADER_LIMIT]}",
        fragment_truncated=len(header) > HEADER_LIMIT,
        line_number=1,
    )
    return ParsedFile(report, {}, [record])


def unsplit_line(fields: int, width: int) -> str:
    """What quarantine keeps of a line that does not split into the contract's fields: which
    cell is which is unknown, so any of them may be a name or an address."""
    return (
        f"[{fields} fields where the contract has {width}; the line is not kept: it may hold "
        "personal data]"
    )


def contract_fragment(fields: Sequence[str], width: int, sep: str = ";") -> str:
    """A rejected row as quarantine keeps it: its fields when they are exactly the contract's,
    else the note of ``unsplit_line``."""
    if len(fields) != width:
        return unsplit_line(len(fields), width)
    return sep.join(fields)


def contract_kind(
    name: str,
    owner_dag: str,
    detect: Callable[[Path], bool],
    parse: Parse,
    label: str,
    check: Callable[[Path], HeaderCheck | None] | None = None,
    *,
    loads_first: bool = False,
) -> FileKind:
    """A file kind that is data in a contract of columns: its parser behind the contract's
    rule that a file whose header is recognisably the kind's but lacks a required column is
    refused whole as MISSING_COLUMN, naming the columns."""

    def parse_in_contract(path: Path, file_hash: str, ctx: IngestContext) -> ParsedFile:
        verdict = check(path) if check is not None else None
        if verdict is not None and verdict.missing:
            return missing_column_file(path, file_hash, name, verdict)
        return parse(path, file_hash, ctx)

    return FileKind(
        name, owner_dag, detect, parse_in_contract, label, check, loads_first=loads_first
    )
