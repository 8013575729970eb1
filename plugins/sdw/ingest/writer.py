"""The one place that writes ingested files: ledger rows, raw rows (COPY), quarantine rows and
delivery records. A group of files shares one transaction, so each file is loaded whole or not
at all (see write_files).
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


@dataclass
class FileWrite:
    """Everything to write for one parsed file. ``tables`` maps raw table name to (columns
    without metadata, rows); metadata columns are appended by the writer."""

    report: FileReport
    file_size: int
    tables: dict[str, tuple[Sequence[str], list[Sequence[object]]]]
    quarantine: list[QuarantineRecord]


_LEDGER_COLUMNS = (
    "file_hash, source_file, file_size, file_kind, bericht_type, wet, status, reason_code, "
    "lines_in, lines_loaded, lines_quarantined, _batch_id"
)


def write_files(
    conn: psycopg.Connection,
    files: Sequence[FileWrite],
    batch_id: str,
    sightings: Sequence[tuple[FileReport, str]] = (),
) -> set[str]:
    """Write a group of files in one transaction; returns the hashes of the files that turned
    out to be loaded already (by another worker or run): nothing of those is written except
    their 'duplicate' delivery. Each file is still whole or absent: the ledger rows, raw rows
    and quarantine rows of the group commit together or not at all, and a file whose ledger
    row is lost with a failed transaction is loaded again by the next run. Grouping small
    files saves a round trip per table per file, which is most of a small message's cost.
    ``sightings`` are files that write nothing but their delivery ('duplicate', 'deferred')."""
    if not files and not sightings:
        return set()
    inserted: set[str] = set()
    with conn.transaction(), conn.cursor() as cur:
        if files:
            inserted = _insert_ledger(cur, files, batch_id)
        written = [f for f in files if f.report.file_hash in inserted]
        _copy_group(cur, written, batch_id)
        deliveries = [(r.file_hash, r.source_file, outcome, batch_id) for r, outcome in sightings]
        deliveries += [
            (
                f.report.file_hash,
                f.report.source_file,
                "duplicate"
                if f.report.file_hash not in inserted
                else ("quarantined" if f.report.status == "quarantined" else "loaded"),
                batch_id,
            )
            for f in files
        ]
        with cur.copy(
            "COPY audit.file_delivery (file_hash, source_file, outcome, _batch_id) FROM STDIN"
        ) as copy:
            for d in deliveries:
                copy.write_row(d)
    return {f.report.file_hash for f in files} - inserted


def _insert_ledger(cur: psycopg.Cursor, files: Sequence[FileWrite], batch_id: str) -> set[str]:
    """One statement for every ledger row; ON CONFLICT tells which files were already in."""
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(files))
    params: list[object] = []
    for f in files:
        r = f.report
        params += [
            r.file_hash,
            r.source_file,
            f.file_size,
            r.file_kind,
            r.bericht_type,
            r.wet,
            r.status,
            r.reason_code,
            r.lines_in,
            r.lines_loaded,
            r.lines_quarantined,
            batch_id,
        ]
    cur.execute(
        f"INSERT INTO audit.file_ledger ({_LEDGER_COLUMNS}) VALUES {placeholders} "
        "ON CONFLICT (file_hash) DO NOTHING RETURNING file_hash",
        params,
    )
    return {row[0] for row in cur.fetchall()}


def _copy_group(cur: psycopg.Cursor, written: Sequence[FileWrite], batch_id: str) -> None:
    """One COPY per raw table for the whole group, columns as each file's parser made them."""
    by_table: dict[tuple[str, tuple[str, ...]], list[tuple[object, ...]]] = {}
    for f in written:
        meta = (batch_id, f.report.source_file, f.report.file_hash)
        for table, (columns, rows) in f.tables.items():
            if rows:
                bucket = by_table.setdefault((table, tuple(columns)), [])
                bucket.extend(tuple(r) + meta for r in rows)
    for (table, columns), rows in by_table.items():
        copy_rows(cur, table, [*columns, "_batch_id", "_source_file", "_file_hash"], rows)

    quarantine = [(f, q) for f in written for q in f.quarantine]
    if not quarantine:
        return
    with cur.copy(
        """COPY quarantine.rejected_record (scope, reason_code, reason, bericht_type, wet,
           record_path, line_number, original_fragment, fragment_truncated, _batch_id,
           _source_file, _file_hash) FROM STDIN"""
    ) as copy:
        for f, q in quarantine:
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
                    batch_id,
                    f.report.source_file,
                    f.report.file_hash,
                )
            )


def refresh_statistics(conn: psycopg.Connection) -> None:
    """Bulk loads leave the planner's statistics behind until autovacuum catches up; the build
    that follows joins these tables, so refresh those that changed (sampled: cheap)."""
    for (table,) in conn.execute(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(relname) "
        "FROM pg_stat_user_tables WHERE schemaname = 'raw' AND n_mod_since_analyze > 0"
    ).fetchall():
        conn.execute(f"ANALYZE {table}")
