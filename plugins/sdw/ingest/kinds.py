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
    FileKind(
        "cbs_adres",
        "ingest_istandaarden",
        lambda p: address_file_year(p) is not None,
        lambda path, file_hash, _ctx: parse_address_file(path, file_hash),
    ),
    FileKind(
        "istandaarden",
        "ingest_istandaarden",
        lambda p: p.suffix.lower() == ".xml",
        parse_message_file,
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
