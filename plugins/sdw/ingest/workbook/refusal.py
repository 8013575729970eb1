"""A workbook refused whole (over a limit, or no readable xlsx) as its file's quarantine: one
record with the workbook's reason code and reason, and nothing of its content."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sdw.ingest.contract import (
    FileKind,
    IngestContext,
    ParsedFile,
    RedactedFile,
    quarantine_whole_file,
)
from sdw.ingest.workbook.errors import WorkbookError
from sdw.pseudonym import Pseudonymiser, mask_bsns


def redaction(path: Path, pseudonymiser: Pseudonymiser, reason: str) -> RedactedFile:
    """What quarantine keeps of a refused workbook: its size, not a byte of its content."""
    return RedactedFile(
        1,
        f"[{path.stat().st_size} bytes of a workbook refused whole; its content is not kept "
        "because it may hold personal data — the file itself stays in the inbox]",
        False,
        mask_bsns(reason, pseudonymiser),
    )


def refused_file(
    path: Path, file_hash: str, kind: str, error: WorkbookError, ctx: IngestContext
) -> ParsedFile:
    """The file quarantined whole with the workbook's reason code and reason."""
    return quarantine_whole_file(
        path, file_hash, error.code, error.reason, ctx, kind=kind, redaction=redaction
    )


def guarded(kind: FileKind) -> FileKind:
    """``kind`` whose parser's workbook refusals quarantine the file whole (``refused_file``)
    instead of escaping as INGEST_ERROR."""
    parse = kind.parse

    def parse_workbook(path: Path, file_hash: str, ctx: IngestContext) -> ParsedFile:
        try:
            return parse(path, file_hash, ctx)
        except WorkbookError as exc:
            return refused_file(path, file_hash, kind.name, exc, ctx)

    return replace(kind, parse=parse_workbook)
