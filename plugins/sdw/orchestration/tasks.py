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
from sdw.ingest.inbox import finish_batch, ingest_inbox, ingest_part, plan_parts
from sdw.ingest.reconcile import EuroCheck, euro_checks, mismatches
from sdw.ingest.report import BatchReport
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
    _log_notable(report)
    return report.to_dict()


def plan_ingest(
    inbox: str | None,
    batch_id: str,
    parts: int | None = None,
    dag_id: str = "ingest_istandaarden",
    url: str | None = None,
) -> dict[str, object]:
    """Load the address files and split the rest of the inbox into parts, one per mapped
    ``ingest_group`` task (``parts`` unset: as many as the delivery's size asks, see
    sdw.ingest.inbox.plan_parts). Returns ``{"summary": ..., "parts": ...}``."""
    path = Path(inbox) if inbox else default_inbox()
    report, planned = plan_parts(
        path, url or warehouse_url(), pseudonym_key(), batch_id, parts=parts, dag_id=dag_id
    )
    _log_notable(report)
    log.info("%d files in %d parts", sum(len(p) for p in planned), len(planned))
    return {"summary": report.to_dict(), "parts": planned}


def ingest_group(part: list, batch_id: str, url: str | None = None) -> dict[str, object]:
    """Load one part of the planned delivery (a mapped task; see plan_ingest)."""
    items = [(str(p), str(h), str(k)) for p, h, k in part]
    report = ingest_part(items, url or warehouse_url(), pseudonym_key(), batch_id)
    _log_notable(report)
    return report.to_dict()


def finish_ingest(
    planned: dict[str, object],
    parts: list[dict[str, object]],
    batch_id: str,
    url: str | None = None,
) -> dict[str, object]:
    """Close the batch with the counts of the planning step and every part."""
    return finish_batch(url or warehouse_url(), batch_id, [planned, *parts])


def _log_notable(report: BatchReport) -> None:
    for f in report.notable:
        if f.status == "quarantined":
            log.warning("quarantined %s: %s %s", f.source_file, f.reason_code, f.reason)
        elif f.status == "deferred":
            log.warning("%s waits for a CBS address file (%s)", f.source_file, f.reason)


def reconcile(
    batch_id: str, dag_id: str = "ingest_istandaarden", url: str | None = None
) -> dict[str, int]:
    """Prove the ledger of this batch's files that ``dag_id`` owns against raw and quarantine,
    with the one rule of ``sdw.ingest.reconcile`` (the same for every source); the outcome is
    kept in audit.reconciliation, and a file that does not reconcile fails the task."""
    kinds = kinds_of(dag_id)
    with psycopg.connect(url or warehouse_url()) as conn:
        checked, problems = mismatches(conn, batch_id, line_tables(), kinds)
        _record(conn, batch_id, _check_name(dag_id), checked, problems)
        euros = euro_checks(conn, batch_id, line_tables(), kinds)
        if euros:
            _record_euros(conn, batch_id, euros)
            euro_problems = [c.problem() for c in euros if not c.reconciled]
            _record(conn, batch_id, _euro_check_name(dag_id), len(euros), euro_problems)
            problems = problems + euro_problems
    if problems:
        raise RuntimeError(f"{dag_id} does not reconcile:\n" + "\n".join(problems))
    result = {"files_checked": checked}
    if euros:
        result["euro_checks"] = len(euros)
    return result


def _record(
    conn: psycopg.Connection, batch_id: str, name: str, checked: int, problems: list[str]
) -> None:
    conn.execute(
        """INSERT INTO audit.reconciliation (run_id, check_name, checked, failed, detail)
           VALUES (%s, %s, %s, %s, %s)""",
        (batch_id, name, checked, len(problems), "\n".join(problems) or None),
    )


def _record_euros(conn: psycopg.Connection, batch_id: str, checks: list[EuroCheck]) -> None:
    """One audit.euro_reconciliation row per file x amount column, reconciled or not."""
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO audit.euro_reconciliation (run_id, file_hash, source_file, file_kind,
                   amount_column, file_eur, loaded_eur, quarantined_eur, reconciled)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)""",
            [
                (
                    batch_id,
                    c.file_hash,
                    c.source_file,
                    c.file_kind,
                    c.amount_column,
                    c.file_eur,
                    c.loaded_eur,
                    c.quarantined_eur,
                    c.reconciled,
                )
                for c in checks
            ],
        )


def _euro_check_name(dag_id: str) -> str:
    """audit.reconciliation.check_name of the euro reconciliation: ``finance_euros_vs_file``."""
    return f"{dag_id.removeprefix('ingest_')}_euros_vs_file"


def _check_name(dag_id: str) -> str:
    """audit.reconciliation.check_name: ``<source>_ledger_vs_raw`` per ingest DAG, as the
    names were before one rule served all (ingest_istandaarden's is plain ``ledger_vs_raw``)."""
    if dag_id == "ingest_istandaarden":
        return "ledger_vs_raw"
    return f"{dag_id.removeprefix('ingest_')}_ledger_vs_raw"
