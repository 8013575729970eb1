"""The contract between the ingest core and every source: what a source's parser is given
(``IngestContext``), what it returns (``ParsedFile``), how it declares a file kind
(``FileKind``) and how a file is refused whole (``quarantine_whole_file``).

The core (this package) knows no source: a source package (``sdw.istandaarden``,
``sdw.cbs``, ``sdw.cases``, listed in ``sdw.sources``) imports this module, never the other
way round. What only a source can know about refusing a whole file of its kind — how many
lines it had and what of it may be kept — it hands over as a ``WholeFileRedaction``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sdw.ingest.report import FileReport
from sdw.ingest.writer import QuarantineRecord
from sdw.pseudonym import Pseudonymiser, mask_bsns

if TYPE_CHECKING:
    from sdw.ingest.csv_contract import HeaderCheck

# Reason codes the core gives, whatever the source.
INGEST_ERROR = "INGEST_ERROR"  # the project failed to read a file for a reason no rule names
UNKNOWN_FILE_TYPE = "UNKNOWN_FILE_TYPE"  # no source claims the file
# The warehouse refused a value its reader accepted: the file alone is quarantined.
WAREHOUSE_REJECTED = "WAREHOUSE_REJECTED"
# Not a quarantine: a file that needs a CBS address file waits in the inbox (status deferred).
NO_ADDRESS_FILE = "NO_ADDRESS_FILE"

# (status, buurtcode, wijkcode, gemeentecode) for a BRP postcode + huisnummer.
AddressAnswer = tuple[str, int | None, int | None, int | None]
AddressLookup = Callable[[str, int], AddressAnswer]
# Which of these ReferentieNummers (wet, aanbieder_agb, numbers) are already loaded.
LoadedReferences = Callable[[str, str, list[str]], set[str]]


@dataclass
class IngestContext:
    """What a parser may ask of the warehouse, as functions: the parser itself never holds a
    connection, so it can be run (and tested) on a file alone."""

    pseudonymiser: Pseudonymiser
    lookup_address: AddressLookup
    has_address_file: Callable[[], bool]
    loaded_references: LoadedReferences
    # raw table -> columns that may not be NULL (from the warehouse's catalog): a record that
    # leaves one empty is quarantined instead of failing the COPY of its whole group.
    required_columns: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # True when the caller answers ``loaded_references`` and ``lookup_address`` for a whole
    # group of files at once: the parser then hands its look-ups over (``ParsedFile.pending``)
    # instead of asking.
    lookups_per_group: bool = False


@dataclass
class ParsedFile:
    report: FileReport
    tables: dict[str, tuple[list[str], list[list[object]]]]
    quarantine: list[QuarantineRecord]
    # Set only with ``IngestContext.lookups_per_group``: the file before its look-ups are
    # answered (its report as if none of its numbers were loaded yet, its address columns
    # empty); ``pending.finish`` gives the file itself.
    pending: PendingLookups | None = None


@dataclass(frozen=True)
class Answers:
    """The group's answers to a file's pending look-ups."""

    references: set[str]  # of the file's numbers, those loaded already (OP283)
    addresses: Mapping[tuple[str, int], AddressAnswer]  # at least the file's addresses


@dataclass(frozen=True)
class PendingLookups:
    """A file's questions to the warehouse, left to its group: which of these ReferentieNummers
    does it hold for this provider and law (OP283), and in which CBS area lies each address.
    One query per question answers every file of a group instead of one round trip per file,
    which is most of what a small message costs."""

    finish: Callable[[Answers], ParsedFile]  # the answers -> the file
    wet: str = ""
    aanbieder_agb: str = ""
    numbers: tuple[str, ...] = ()
    addresses: tuple[tuple[str, int], ...] = ()  # (postcode, huisnummer)


def resolved(parsed: ParsedFile, ctx: IngestContext) -> ParsedFile:
    """The file with its pending look-ups answered on their own (``ctx``'s functions)."""
    p = parsed.pending
    if p is None:
        return parsed
    references = (
        ctx.loaded_references(p.wet, p.aanbieder_agb, list(p.numbers)) if p.numbers else set()
    )
    addresses = {a: ctx.lookup_address(*a) for a in dict.fromkeys(p.addresses)}
    return p.finish(Answers(references, addresses))


Parse = Callable[[Path, str, IngestContext], ParsedFile]


@dataclass(frozen=True)
class RedactedFile:
    """What a source keeps of a file refused whole."""

    lines: int  # the file's lines as its kind counts them (all quarantined; at least 1)
    fragment: str  # what quarantine may keep of it: no personal data
    truncated: bool
    reason: str  # the reason, with every BSN the file holds masked


# (path, pseudonymiser, reason) -> what of a file of this kind may be kept.
WholeFileRedaction = Callable[[Path, Pseudonymiser, str], RedactedFile]


def keep_nothing(path: Path, pseudonymiser: Pseudonymiser, reason: str) -> RedactedFile:
    """The redaction of a file whose content the core cannot judge: nothing of it is kept,
    and it counts as one line."""
    return RedactedFile(
        1,
        f"[{path.stat().st_size} bytes of an unrecognised file; content not kept because it "
        "may hold personal data — the file itself stays in the inbox]",
        False,
        mask_bsns(reason, pseudonymiser),
    )


@dataclass(frozen=True)
class FileKind:
    """One kind of file a source loads. The first kind (in ``sdw.sources`` order) whose
    ``detect`` says yes claims a file."""

    name: str
    owner_dag: str
    detect: Callable[[Path], bool]
    parse: Parse
    # How the UNKNOWN_FILE_TYPE reason names this kind among the accepted ones.
    label: str
    # The kind's column contract; None for kinds whose columns are not fixed (StatLine,
    # OData) or that are not tables (messages).
    check_header: Callable[[Path], HeaderCheck | None] | None = None
    redaction: WholeFileRedaction = keep_nothing
    # Loaded before every other file of its DAG: files whose parsers look it up (the CBS
    # address file, to which 301 and case addresses are reduced).
    loads_first: bool = False
    # True only where the parser scrubs every value it writes by rules stricter than the
    # core's (the messages: a value that is a BSN becomes its pseudonym, the message's own
    # BSNs are masked anywhere, an identifier keeps its other digits so that a 325 still finds
    # its 323). Every other kind's text is masked by the core (``sdw.ingest.guard``).
    scrubs_values: bool = False


def masked(parsed: ParsedFile, pseudonymiser: Pseudonymiser) -> ParsedFile:
    """The file's reasons and fragments with every BSN masked, in place: what the ingest
    worker does to whatever any loader returns (reasons reach the ledger, XCom and the log;
    fragments the quarantine)."""
    report = parsed.report
    report.reason = report.reason and mask_bsns(report.reason, pseudonymiser)
    for q in parsed.quarantine:
        q.reason = mask_bsns(q.reason, pseudonymiser)
        q.original_fragment = mask_bsns(q.original_fragment, pseudonymiser)
    return parsed


def quarantine_whole_file(
    path: Path,
    file_hash: str,
    code: str,
    reason: str,
    ctx: IngestContext,
    *,
    kind: str,
    redaction: WholeFileRedaction = keep_nothing,
    bericht_type: str | None = None,
    wet: str | None = None,
    line_number: int | None = None,
) -> ParsedFile:
    """Reject a file as a whole. Its lines count as quarantined (at least one: the file), and
    what quarantine keeps of it is redacted by its source: no personal data, whatever the file
    was."""
    kept = redaction(path, ctx.pseudonymiser, reason)
    report = FileReport(
        source_file=path.name,
        file_hash=file_hash,
        file_kind=kind,
        status="quarantined",
        bericht_type=bericht_type,
        wet=wet,
        reason_code=code,
        reason=kept.reason,
        lines_in=kept.lines,
        lines_loaded=0,
        lines_quarantined=kept.lines,
    )
    q = QuarantineRecord(
        scope="file",
        reason_code=code,
        reason=kept.reason,
        original_fragment=kept.fragment,
        fragment_truncated=kept.truncated,
        bericht_type=bericht_type,
        wet=wet,
        line_number=line_number,
    )
    return ParsedFile(report, {}, [q])


def deferred_file(
    path: Path, file_hash: str, kind: str, bericht_type: str | None = None, wet: str | None = None
) -> ParsedFile:
    """A file whose addresses can only be reduced to areas once a CBS address file is loaded:
    loading it before would lose its districts for good, so it waits in the inbox."""
    report = FileReport(
        path.name,
        file_hash,
        kind,
        "deferred",
        bericht_type,
        wet,
        reason_code=NO_ADDRESS_FILE,
        reason="No CBS address file loaded yet; add one to the inbox.",
    )
    return ParsedFile(report, {}, [])


class Rejected(ValueError):
    """A row a rule refuses: its reason code (a source's ``rules`` constant) and a reason a
    person can act on. Raised by a source's row parser, caught by its reader."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class BadRow:
    """A data line that is quarantined, at the line it starts on."""

    line_number: int
    code: str
    reason: str
    # The contract's fields as written; None when the line could not be split into them.
    fields: dict[str, str] | None


def rows_file(
    path: Path,
    file_hash: str,
    kind: str,
    table: tuple[str, list[str], list[list[object]]],
    bad: list[BadRow],
    fragment: Callable[[BadRow], str],
    *,
    where: str = "Line",
    more: Mapping[str, tuple[list[str], list[list[object]]]] | None = None,
) -> ParsedFile:
    """A file read row by row, as the core wants it: ``table`` (name, columns, the loaded
    rows) and ``more`` tables, every bad row a record quarantined as ``"<where> <n>: <reason>"``
    with what ``fragment`` keeps of it, and the report in which lines in = loaded +
    quarantined."""
    name, columns, rows = table
    quarantine = [
        QuarantineRecord(
            scope="record",
            reason_code=b.code,
            reason=f"{where} {b.line_number}: {b.reason}",
            original_fragment=fragment(b),
            line_number=b.line_number,
        )
        for b in bad
    ]
    report = FileReport(
        source_file=path.name,
        file_hash=file_hash,
        file_kind=kind,
        status="loaded_with_rejections" if quarantine else "loaded",
        lines_in=len(rows) + len(bad),
        lines_loaded=len(rows),
        lines_quarantined=len(quarantine),
    )
    return ParsedFile(report, {name: (columns, rows), **(more or {})}, quarantine)


@dataclass(frozen=True)
class LineTable:
    """The raw table that holds a file kind's loaded lines, and how a line is told apart in
    it: by ``line_column`` where one line becomes several rows (a CBS region row, one row
    per measure), else each row is one line. What ``sdw.ingest.reconcile`` counts."""

    table: str
    line_column: str | None = None
    # Columns of the table that are euros: a file of the kind also hands over its own totals
    # of them (``sdw.ingest.euros``), and reconcile proves them to the cent.
    amounts: tuple[str, ...] = ()
