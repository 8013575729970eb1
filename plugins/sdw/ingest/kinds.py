"""Which loader a file in the inbox belongs to, and which DAG loads it.

One inbox, several loaders: each ingest DAG loads the kinds it owns and leaves the others for
their own DAG; a file no kind claims is quarantined as UNKNOWN_FILE_TYPE by
``ingest_istandaarden``. Order matters: the first kind whose ``detect`` says yes wins. Every
kind's ``parse`` turns a file into a ``ParsedFile`` (rows per raw table, quarantine records,
the ledger report); ledger, de-duplication and the one-transaction write are shared.

Every kind but the messages is data in a contract of columns (``sdw.ingest.csv_contract``):
its parser is wrapped here, once, so that (1) a file whose header is recognisably the kind's
but lacks a required column is quarantined whole as MISSING_COLUMN, naming the columns; and
(2) (like every kind's) its quarantine reasons and fragments have their BSN-like numbers
masked where the ingest worker receives them (``sdw.ingest.inbox``). A file
no kind's detector claims but one kind's header check recognises (more than half of its
columns, see ``csv_contract.check_columns``) goes to the kind it resembles most.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sdw.cases import load as case_load
from sdw.cases import procedures as case_procedures
from sdw.cbs import adres as cbs_adres
from sdw.cbs import benefits as cbs_benefits
from sdw.cbs import kwb as cbs_kwb
from sdw.cbs import loads as cbs_loads
from sdw.cbs import odata as cbs_odata
from sdw.cbs import statline as cbs_statline
from sdw.cbs.adres import address_file_year
from sdw.ingest.cbs_adres import parse_address_file
from sdw.ingest.csv_contract import HeaderCheck, missing_column_file
from sdw.ingest.istandaarden import IngestContext, ParsedFile, parse_message_file

Parse = Callable[[Path, str, IngestContext], ParsedFile]


@dataclass(frozen=True)
class FileKind:
    name: str
    owner_dag: str
    detect: Callable[[Path], bool]
    parse: Parse
    # The kind's column contract; None for kinds whose columns are not fixed (StatLine,
    # OData) or that are not tables (messages).
    check_header: Callable[[Path], HeaderCheck | None] | None = None


def _contract(name: str, parse: Parse, check: Callable[[Path], HeaderCheck | None] | None) -> Parse:
    """``parse`` behind the shared contract rules (module docstring)."""

    def parse_in_contract(path: Path, file_hash: str, ctx: IngestContext) -> ParsedFile:
        verdict = check(path) if check is not None else None
        if verdict is not None and verdict.missing:
            return missing_column_file(path, file_hash, name, verdict)
        return parse(path, file_hash, ctx)

    return parse_in_contract


def _data_kind(
    name: str,
    owner_dag: str,
    detect: Callable[[Path], bool],
    parse: Parse,
    check: Callable[[Path], HeaderCheck | None] | None = None,
) -> FileKind:
    return FileKind(name, owner_dag, detect, _contract(name, parse, check), check)


KINDS: tuple[FileKind, ...] = (
    # First: a suffix check, so message files (the bulk of any inbox) are never sniffed.
    FileKind(
        "istandaarden",
        "ingest_istandaarden",
        lambda p: p.suffix.lower() == ".xml",
        parse_message_file,
    ),
    _data_kind(
        "cbs_adres",
        "ingest_istandaarden",
        lambda p: address_file_year(p) is not None,
        lambda path, file_hash, _ctx: parse_address_file(path, file_hash),
        cbs_adres.header_check,
    ),
    # The municipal case system's Wmo/Jeugdwet procedure export, loaded by ingest_cases;
    # detected by its header (sdw.cases.procedures), before the CBS CSV sniffers.
    _data_kind(
        "cases",
        "ingest_cases",
        case_procedures.sniff,
        case_load.parse_case_file,
        case_load.header_check,
    ),
    # CBS open data, loaded by ingest_cbs; detected by header/content, not by name.
    _data_kind(
        "cbs_statline",
        "ingest_cbs",
        lambda p: cbs_statline.sniff(p) is not None,
        lambda path, file_hash, _ctx: cbs_loads.parse_statline_file(path, file_hash),
    ),
    _data_kind(
        "cbs_kwb",
        "ingest_cbs",
        cbs_kwb.sniff,
        lambda path, file_hash, _ctx: cbs_loads.parse_kwb_file(path, file_hash),
        cbs_kwb.header_check,
    ),
    _data_kind(
        "cbs_odata",
        "ingest_cbs",
        cbs_odata.sniff,
        lambda path, file_hash, _ctx: cbs_loads.parse_odata_file(path, file_hash),
    ),
    _data_kind(
        "cbs_gemeente_uitkering",
        "ingest_cbs",
        cbs_benefits.sniff,
        lambda path, file_hash, _ctx: cbs_loads.parse_benefits_file(path, file_hash),
        cbs_benefits.header_check,
    ),
)
BY_NAME = {k.name: k for k in KINDS}
UNKNOWN = "unknown"


def classify(path: Path) -> str:
    for kind in KINDS:
        if kind.detect(path):
            return kind.name
    # Not exactly any contract: the kind whose columns it has most of, if it lacks some.
    near = [
        (verdict.share, -i, kind.name)
        for i, kind in enumerate(KINDS)
        if kind.check_header is not None
        and (verdict := kind.check_header(path)) is not None
        and verdict.missing
    ]
    return max(near)[2] if near else UNKNOWN


def kinds_of(dag_id: str) -> frozenset[str]:
    """The kinds a DAG loads; ingest_istandaarden also answers for unknown files."""
    own = {k.name for k in KINDS if k.owner_dag == dag_id}
    return frozenset(own | ({UNKNOWN} if dag_id == "ingest_istandaarden" else set()))
