"""Bodies of the ingest_cbs tasks: load CBS files from the inbox, prove the ledger, and (online
mode) download a named CBS table into the inbox first.

Plain functions, unit-testable without Airflow; the warehouse is resolved at run time.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from sdw.config import default_inbox
from sdw.orchestration import tasks
from sdw.warehouse.connection import warehouse_url

DAG_ID = "ingest_cbs"
# Per CBS file kind, the raw table and the column that numbers the file's data rows.
RAW_TABLE = {
    "cbs_statline": "cbs_observation",
    "cbs_kwb": "cbs_observation",
    "cbs_odata": "cbs_observation",
    "cbs_gemeente_uitkering": "cbs_municipal_benefit",
}


def download(tables: list[str] | None, inbox: str | None, version: int = 3) -> list[str]:
    """Online mode: fetch each named table from CBS's OData API into the inbox."""
    if not tables:
        return []
    from sdw.cbs.odata import download_table

    path = Path(inbox) if inbox else default_inbox()
    return [str(download_table(t, path, version=version)) for t in tables]


def ingest(inbox: str | None, batch_id: str, url: str | None = None) -> dict[str, object]:
    return tasks.ingest(inbox, batch_id, DAG_ID, url)


def reconcile(batch_id: str, url: str | None = None) -> dict[str, int]:
    """For every CBS file of this batch: the distinct data rows in raw equal the ledger's
    lines_loaded, and quarantined lines have quarantine records."""
    mismatches: list[str] = []
    checked = 0
    with psycopg.connect(url or warehouse_url()) as conn:
        files = conn.execute(
            """SELECT file_hash, source_file, file_kind, status, lines_loaded, lines_quarantined
               FROM audit.file_ledger WHERE _batch_id = %s AND file_kind = ANY(%s)""",
            (batch_id, list(RAW_TABLE)),
        ).fetchall()
        for file_hash, name, kind, status, loaded, quarantined in files:
            checked += 1
            if status != "quarantined":
                (n,) = conn.execute(
                    f"SELECT count(DISTINCT line_number) FROM raw.{RAW_TABLE[kind]} "
                    "WHERE _file_hash = %s",
                    (file_hash,),
                ).fetchone()
                if n != loaded:
                    mismatches.append(f"{name}: ledger says {loaded} rows, raw has {n}")
            (nq,) = conn.execute(
                "SELECT count(*) FROM quarantine.rejected_record WHERE _file_hash = %s",
                (file_hash,),
            ).fetchone()
            if quarantined and nq == 0:
                mismatches.append(f"{name}: {quarantined} quarantined rows but no record")
        conn.execute(
            """INSERT INTO audit.reconciliation (run_id, check_name, checked, failed, detail)
               VALUES (%s, 'cbs_ledger_vs_raw', %s, %s, %s)""",
            (batch_id, checked, len(mismatches), "\n".join(mismatches) or None),
        )
    if mismatches:
        raise RuntimeError("CBS ingest does not reconcile:\n" + "\n".join(mismatches))
    return {"files_checked": checked}
