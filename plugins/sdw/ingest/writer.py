"""The one place that writes an ingested file: ledger row, raw rows (COPY), quarantine rows and
the delivery record, all in the file's own transaction so a file is loaded whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import psycopg

from sdw.ingest.report import FileReport

FRAGMENT_LIMIT = 1_000_000  # characters of original text kept per quarantine record


@dataclass
class QuarantineRecord:
    scope: str  # 'file' | 'record'
    reason_code: str
    reason: str
    original_fragment: str
    bericht_type: str | None = None
    wet: str | None = None
    record_path: str | None = None
    line_number: int | None = None
    fragment_truncated: bool = False


class DuplicateFile(Exception):
    """Another transaction loaded the same bytes first; nothing of this one is kept."""


def copy_rows(
    cur: psycopg.Cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    n = 0
    cols = ", ".join(columns)
    with cur.copy(f"COPY raw.{table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def write_file(
    conn: psycopg.Connection,
    report: FileReport,
    file_size: int,
    batch_id: str,
    tables: dict[str, tuple[Sequence[str], list[Sequence[object]]]],
    quarantine: list[QuarantineRecord],
) -> None:
    """Write everything for one file in one transaction. ``tables`` maps raw table name to
    (columns without metadata, rows); metadata columns are appended here."""
    meta = (batch_id, report.source_file, report.file_hash)
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            """
            INSERT INTO audit.file_ledger (file_hash, source_file, file_size, file_kind,
                bericht_type, wet, status, reason_code, lines_in, lines_loaded,
                lines_quarantined, _batch_id)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (file_hash) DO NOTHING
            RETURNING file_hash
            """,
            (
                report.file_hash,
                report.source_file,
                file_size,
                report.file_kind,
                report.bericht_type,
                report.wet,
                report.status,
                report.reason_code,
                report.lines_in,
                report.lines_loaded,
                report.lines_quarantined,
                batch_id,
            ),
        )
        if cur.fetchone() is None:
            raise DuplicateFile(report.file_hash)
        for table, (columns, rows) in tables.items():
            if rows:
                copy_rows(
                    cur,
                    table,
                    [*columns, "_batch_id", "_source_file", "_file_hash"],
                    (tuple(r) + meta for r in rows),
                )
        if quarantine:
            with cur.copy(
                """COPY quarantine.rejected_record (scope, reason_code, reason, bericht_type, wet,
                   record_path, line_number, original_fragment, fragment_truncated, _batch_id,
                   _source_file, _file_hash) FROM STDIN"""
            ) as copy:
                for q in quarantine:
                    # PostgreSQL text cannot hold NUL; the rest is kept as it came.
                    frag = q.original_fragment.replace("\x00", "")
                    truncated = q.fragment_truncated or len(frag) > FRAGMENT_LIMIT
                    copy.write_row(
                        (
                            q.scope,
                            q.reason_code,
                            q.reason.replace("\x00", ""),
                            q.bericht_type,
                            q.wet,
                            q.record_path,
                            q.line_number,
                            frag[:FRAGMENT_LIMIT],
                            truncated,
                            *meta,
                        )
                    )
        cur.execute(
            "INSERT INTO audit.file_delivery (file_hash, source_file, outcome, _batch_id) "
            "VALUES (%s, %s, %s, %s)",
            (
                report.file_hash,
                report.source_file,
                "quarantined" if report.status == "quarantined" else "loaded",
                batch_id,
            ),
        )


def record_delivery(
    conn: psycopg.Connection, report: FileReport, batch_id: str, outcome: str
) -> None:
    """A sighting of a file that writes nothing else: 'duplicate' or 'deferred'."""
    with conn.transaction():
        conn.execute(
            "INSERT INTO audit.file_delivery (file_hash, source_file, outcome, _batch_id) "
            "VALUES (%s, %s, %s, %s)",
            (report.file_hash, report.source_file, outcome, batch_id),
        )
