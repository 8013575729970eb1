"""Bodies of the Airflow tasks, as plain functions so they are unit-testable without Airflow.

They resolve the warehouse at run time (never at DAG parse time) and raise on anything wrong:
a task that fails is how Airflow tells the data engineer.
"""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg

from sdw.config import default_inbox, pseudonym_key
from sdw.ingest.classify import kinds_of, line_tables
from sdw.ingest.inbox import ingest_inbox
from sdw.ingest.reconcile import mismatches
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


def reconcile(
    batch_id: str, dag_id: str = "ingest_istandaarden", url: str | None = None
) -> dict[str, int]:
    """Prove the ledger of this batch's files that ``dag_id`` owns against raw and quarantine,
    with the one rule of ``sdw.ingest.reconcile`` (the same for every source); the outcome is
    kept in audit.reconciliation, and a file that does not reconcile fails the task."""
    with psycopg.connect(url or warehouse_url()) as conn:
        checked, problems = mismatches(conn, batch_id, line_tables(), kinds_of(dag_id))
        conn.execute(
            """INSERT INTO audit.reconciliation (run_id, check_name, checked, failed, detail)
               VALUES (%s, %s, %s, %s, %s)""",
            (
                batch_id,
                _check_name(dag_id),
                checked,
                len(problems),
                "\n".join(problems) or None,
            ),
        )
    if problems:
        raise RuntimeError(f"{dag_id} does not reconcile:\n" + "\n".join(problems))
    return {"files_checked": checked}


def _check_name(dag_id: str) -> str:
    """audit.reconciliation.check_name: ``<source>_ledger_vs_raw`` per ingest DAG, as the
    names were before one rule served all (ingest_istandaarden's is plain ``ledger_vs_raw``)."""
    if dag_id == "ingest_istandaarden":
        return "ledger_vs_raw"
    return f"{dag_id.removeprefix('ingest_')}_ledger_vs_raw"
