"""Bodies of the Airflow tasks, as plain functions so they are unit-testable without Airflow.

They resolve the warehouse at run time (never at DAG parse time) and raise on anything wrong:
a task that fails is how Airflow tells the data engineer.
"""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg

from sdw.config import default_inbox, pseudonym_key
from sdw.ingest.inbox import ingest_inbox
from sdw.warehouse.bootstrap import ensure_schema
from sdw.warehouse.connection import warehouse_url

log = logging.getLogger(__name__)


def prepare_warehouse() -> None:
    ensure_schema(warehouse_url())


def ingest(
    inbox: str | None,
    batch_id: str,
    dag_id: str = "ingest_istandaarden",
    url: str | None = None,
) -> dict[str, object]:
    """Load the inbox's files that ``dag_id`` owns; returns the batch summary (also kept in
    audit). Every ingest DAG's task calls this, so quarantined and waiting files are logged
    the same way everywhere."""
    path = Path(inbox) if inbox else default_inbox()
    report = ingest_inbox(path, url or warehouse_url(), pseudonym_key(), batch_id, dag_id=dag_id)
    for f in report.files:
        if f.status == "quarantined":
            log.warning("quarantined %s: %s %s", f.source_file, f.reason_code, f.reason)
        elif f.status == "deferred":
            log.warning("%s waits for a CBS address file (%s)", f.source_file, f.reason)
    return report.to_dict()


# Per file kind, the raw table whose row count must equal the ledger's lines_loaded.
_LINE_TABLES = {
    "301": "istandaarden_301_product",
    "305": "istandaarden_305_product",
    "307": "istandaarden_307_product",
    "315": "istandaarden_315_product",
    "317": "istandaarden_317_product",
    "319": "istandaarden_319_antwoord",
    "323": "istandaarden_323_prestatie",
    "325": "istandaarden_325_prestatie",
}


def reconcile(batch_id: str) -> dict[str, int]:
    """Prove the ledger against the data: for every file of this batch, the raw rows that carry
    its hash equal its lines_loaded, and its quarantine records explain the rest."""
    url = warehouse_url()
    mismatches: list[str] = []
    checked = 0
    with psycopg.connect(url) as conn:
        files = conn.execute(
            """SELECT file_hash, source_file, file_kind, bericht_type, status, lines_loaded,
                      lines_quarantined
               FROM audit.file_ledger WHERE _batch_id = %s""",
            (batch_id,),
        ).fetchall()
        for file_hash, name, kind, btype, status, loaded, quarantined in files:
            checked += 1
            table = None
            if kind == "cbs_adres":
                table = "cbs_adres_gebied"
            elif kind == "istandaarden" and status != "quarantined":
                table = _LINE_TABLES.get(btype or "")
                (messages,) = conn.execute(
                    "SELECT count(*) FROM raw.istandaarden_bericht WHERE _file_hash = %s",
                    (file_hash,),
                ).fetchone()
                if messages != 1:
                    mismatches.append(f"{name}: {messages} message rows in raw, expected 1")
            if table and status != "quarantined":
                (n,) = conn.execute(
                    f"SELECT count(*) FROM raw.{table} WHERE _file_hash = %s", (file_hash,)
                ).fetchone()
                if n != loaded:
                    mismatches.append(f"{name}: ledger says {loaded} loaded, raw.{table} has {n}")
            (nq,) = conn.execute(
                "SELECT count(*) FROM quarantine.rejected_record WHERE _file_hash = %s",
                (file_hash,),
            ).fetchone()
            if quarantined and nq == 0:
                mismatches.append(
                    f"{name}: {quarantined} quarantined lines but no quarantine record"
                )
        conn.execute(
            """INSERT INTO audit.reconciliation (run_id, check_name, checked, failed, detail)
               VALUES (%s, 'ledger_vs_raw', %s, %s, %s)""",
            (batch_id, checked, len(mismatches), "\n".join(mismatches) or None),
        )
    if mismatches:
        raise RuntimeError("Ingest does not reconcile:\n" + "\n".join(mismatches))
    return {"files_checked": checked}
