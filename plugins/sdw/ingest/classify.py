"""Which file kind a file in the inbox is, and which DAG loads it.

One inbox, several sources: each ingest DAG loads the kinds it owns and leaves the others for
their own DAG; a file no kind claims is quarantined as UNKNOWN_FILE_TYPE by
``ingest_istandaarden``. The kinds come from the registry (``sdw.sources``); the first whose
``detect`` says yes wins. A file no detector claims but one kind's header check recognises
(more than half of its columns, see ``csv_contract.check_columns``) goes to the kind it
resembles most, which refuses it as MISSING_COLUMN.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import import_module
from pathlib import Path

from sdw.ingest.contract import FileKind, LineTable
from sdw.sources import SOURCES

UNKNOWN = "unknown"
# The DAG that records files no kind claims (it runs first and owns the message files).
UNKNOWN_OWNER = "ingest_istandaarden"


@cache
def kinds() -> tuple[FileKind, ...]:
    """Every registered source's file kinds (its ``kinds.KINDS``), in registry order."""
    return tuple(k for source in SOURCES for k in import_module(f"{source}.kinds").KINDS)


@cache
def line_tables() -> dict[tuple[str, str | None], LineTable]:
    """(file kind, bericht type or None) -> the raw table that holds such a file's lines
    (each registered source's ``tables.LINE_TABLES``)."""
    out: dict[tuple[str, str | None], LineTable] = {}
    for source in SOURCES:
        out.update(import_module(f"{source}.tables").LINE_TABLES)
    return out


def by_name() -> dict[str, FileKind]:
    return {k.name: k for k in kinds()}


def classify(path: Path, candidates: Sequence[FileKind] | None = None) -> str:
    candidates = kinds() if candidates is None else candidates
    for kind in candidates:
        if kind.detect(path):
            return kind.name
    # Not exactly any contract: the kind whose columns it has most of, if it lacks some.
    near = [
        (verdict.share, -i, kind.name)
        for i, kind in enumerate(candidates)
        if kind.check_header is not None
        and (verdict := kind.check_header(path)) is not None
        and verdict.missing
    ]
    return max(near)[2] if near else UNKNOWN


def kinds_of(dag_id: str) -> frozenset[str]:
    """The kinds a DAG loads; UNKNOWN_OWNER also answers for unknown files."""
    own = {k.name for k in kinds() if k.owner_dag == dag_id}
    return frozenset(own | ({UNKNOWN} if dag_id == UNKNOWN_OWNER else set()))


def unknown_file_reason() -> str:
    """The UNKNOWN_FILE_TYPE reason: every kind the registry accepts, named by its label."""
    return (
        "Not a file kind this warehouse loads. Accepted: "
        + "; ".join(k.label for k in kinds())
        + ". Remove it from the inbox or add a source for it (docs/adding-a-source.md)."
    )
