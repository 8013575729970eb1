"""Bodies of the ingest_cases tasks: load the case system's procedure exports from the inbox and
prove the ledger against raw.case_procedure.

Plain functions, unit-testable without Airflow; the warehouse is resolved at run time.
"""

from __future__ import annotations

import psycopg

from sdw.cases.load import FILE_KIND
from sdw.orchestration import tasks
from sdw.warehouse.connection import warehouse_url

DAG_ID = "ingest_cases"


def ingest(inbox: str | None, batch_id: str, url: str | None = None) -> dict[str, object]:
    """Load the case exports of the inbox (other files are left to their own DAG); a file with
    addresses waits, ``deferred``, until a CBS address file has been loaded."""
    return tasks.ingest(inbox, batch_id, DAG_ID, url)


def reconcile(batch_id: str, url: str | None = None) -> dict[str, int]:
    """For every case export of this batch: one raw row per loaded line (and no line twice), and
    exactly one quarantine record per rejected line, so lines_in = loaded + quarantined is
    proven against the data, not only against the ledger's own arithmetic."""
    with psycopg.connect(url or warehouse_url()) as conn:
        files = conn.execute(
            """
            SELECT l.source_file, l.lines_loaded, l.lines_quarantined,
                   (SELECT count(*) FROM raw.case_procedure r WHERE r._file_hash = l.file_hash),
                   (SELECT count(DISTINCT r.line_number) FROM raw.case_procedure r
                     WHERE r._file_hash = l.file_hash),
                   (SELECT count(*) FROM quarantine.rejected_record q
                     WHERE q._file_hash = l.file_hash)
            FROM audit.file_ledger l
            WHERE l._batch_id = %s AND l.file_kind = %s
            """,
            (batch_id, FILE_KIND),
        ).fetchall()
        problems = [
            f"{name}: ledger {loaded} loaded + {quarantined} quarantined; raw has {rows} rows "
            f"on {lines} lines, quarantine {records} records"
            for name, loaded, quarantined, rows, lines, records in files
            if not (rows == lines == loaded and records == quarantined)
        ]
        conn.execute(
            """INSERT INTO audit.reconciliation (run_id, check_name, checked, failed, detail)
               VALUES (%s, 'cases_ledger_vs_raw', %s, %s, %s)""",
            (batch_id, len(files), len(problems), "\n".join(problems) or None),
        )
    if problems:
        raise RuntimeError("Case ingest does not reconcile:\n" + "\n".join(problems))
    return {"files_checked": len(files)}
