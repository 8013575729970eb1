"""Which loader a file in the inbox belongs to, and which DAG loads it.

One inbox, several loaders: each ingest DAG loads the kinds it owns and leaves the others for
their own DAG; a file no kind claims is quarantined as UNKNOWN_FILE_TYPE by
``ingest_istandaarden``. Order matters: the first kind whose ``detect`` says yes wins. Every
kind's ``parse`` turns a file into a ``ParsedFile`` (rows per raw table, quarantine records,
the ledger report); ledger, de-duplication and the one-transaction write are shared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sdw.cases import load as case_load
from sdw.cases import procedures as case_procedures
from sdw.cbs import benefits as cbs_benefits
from sdw.cbs import kwb as cbs_kwb
from sdw.cbs import loads as cbs_loads
from sdw.cbs import odata as cbs_odata
from sdw.cbs import statline as cbs_statline
from sdw.cbs.adres import address_file_year
from sdw.ingest.cbs_adres import parse_address_file
from sdw.ingest.istandaarden import IngestContext, ParsedFile, parse_message_file


@dataclass(frozen=True)
class FileKind:
    name: str
    owner_dag: str
    detect: Callable[[Path], bool]
    parse: Callable[[Path, str, IngestContext], ParsedFile]


KINDS: tuple[FileKind, ...] = (
    # First: a suffix check, so message files (the bulk of any inbox) are never sniffed.
    FileKind(
        "istandaarden",
        "ingest_istandaarden",
        lambda p: p.suffix.lower() == ".xml",
        parse_message_file,
    ),
    FileKind(
        "cbs_adres",
        "ingest_istandaarden",
        lambda p: address_file_year(p) is not None,
        lambda path, file_hash, _ctx: parse_address_file(path, file_hash),
    ),
    # The municipal case system's Wmo/Jeugdwet procedure export, loaded by ingest_cases;
    # detected by its header (sdw.cases.procedures), before the CBS CSV sniffers.
    FileKind(
        "cases",
        "ingest_cases",
        case_procedures.sniff,
        case_load.parse_case_file,
    ),
    # CBS open data, loaded by ingest_cbs; detected by header/content, not by name.
    FileKind(
        "cbs_statline",
        "ingest_cbs",
        lambda p: cbs_statline.sniff(p) is not None,
        lambda path, file_hash, _ctx: cbs_loads.parse_statline_file(path, file_hash),
    ),
    FileKind(
        "cbs_kwb",
        "ingest_cbs",
        cbs_kwb.sniff,
        lambda path, file_hash, _ctx: cbs_loads.parse_kwb_file(path, file_hash),
    ),
    FileKind(
        "cbs_odata",
        "ingest_cbs",
        cbs_odata.sniff,
        lambda path, file_hash, _ctx: cbs_loads.parse_odata_file(path, file_hash),
    ),
    FileKind(
        "cbs_gemeente_uitkering",
        "ingest_cbs",
        cbs_benefits.sniff,
        lambda path, file_hash, _ctx: cbs_loads.parse_benefits_file(path, file_hash),
    ),
)
BY_NAME = {k.name: k for k in KINDS}
UNKNOWN = "unknown"


def classify(path: Path) -> str:
    for kind in KINDS:
        if kind.detect(path):
            return kind.name
    return UNKNOWN


def kinds_of(dag_id: str) -> frozenset[str]:
    """The kinds a DAG loads; ingest_istandaarden also answers for unknown files."""
    own = {k.name for k in KINDS if k.owner_dag == dag_id}
    return frozenset(own | ({UNKNOWN} if dag_id == "ingest_istandaarden" else set()))
