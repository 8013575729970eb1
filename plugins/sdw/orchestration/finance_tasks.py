"""Bodies of the ingest_finance tasks: load subsidy registers and budget files from the inbox
and prove the ledger against raw.subsidy_grant and raw.budget_line, rows and euros (the core's
reconcile: per file, rows in = loaded + quarantined, and per amount column the file's own
euro total = loaded + quarantined to the cent, kept in audit.euro_reconciliation).

Plain functions, unit-testable without Airflow; the warehouse is resolved at run time.
"""

from __future__ import annotations

from sdw.orchestration import tasks

DAG_ID = "ingest_finance"


def ingest(inbox: str | None, batch_id: str, url: str | None = None) -> dict[str, object]:
    """Load the subsidy registers and budget files of the inbox (other files are left to
    their own DAG)."""
    return tasks.ingest(inbox, batch_id, DAG_ID, url)


def reconcile(batch_id: str, url: str | None = None) -> dict[str, int]:
    return tasks.reconcile(batch_id, DAG_ID, url)
