"""The batch's rows in audit: opened before its first file, closed with its counts after the
last. (Each file's own ledger row is written with its data, in ``sdw.ingest.writer``.)"""

from __future__ import annotations

import psycopg

from sdw.ingest.report import BatchReport


def open_batch(conn: psycopg.Connection, batch_id: str, inbox: str) -> None:
    conn.execute(
        "INSERT INTO audit.ingest_batch (batch_id, inbox) VALUES (%s, %s) "
        "ON CONFLICT (batch_id) DO NOTHING",
        (batch_id, inbox),
    )


def close_batch(conn: psycopg.Connection, report: BatchReport) -> None:
    close_counts(
        conn,
        report.batch_id,
        seen=report.files_seen,
        loaded=report.count("loaded") + report.count("loaded_with_rejections"),
        skipped=report.count("duplicate"),
        quarantined=report.count("quarantined"),
    )


def close_counts(
    conn: psycopg.Connection,
    batch_id: str,
    *,
    seen: int,
    loaded: int,
    skipped: int,
    quarantined: int,
) -> None:
    """The batch's counts, also when they were summed over the parts of a mapped ingest."""
    conn.execute(
        """UPDATE audit.ingest_batch SET finished_at = now(), files_seen = %s,
           files_loaded = %s, files_skipped = %s, files_quarantined = %s
           WHERE batch_id = %s""",
        (seen, loaded, skipped, quarantined, batch_id),
    )
