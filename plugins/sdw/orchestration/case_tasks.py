"""Bodies of the ingest_cases tasks: load the case system's procedure exports from the inbox and
prove the ledger against raw.case_procedure.

Plain functions, unit-testable without Airflow; the warehouse is resolved at run time.
"""

from __future__ import annotations

from sdw.orchestration import tasks

DAG_ID = "ingest_cases"


def ingest(inbox: str | None, batch_id: str, url: str | None = None) -> dict[str, object]:
    """Load the case exports of the inbox (other files are left to their own DAG); a file with
    addresses waits, ``deferred``, until a CBS address file has been loaded."""
    return tasks.ingest(inbox, batch_id, DAG_ID, url)


def reconcile(batch_id: str, url: str | None = None) -> dict[str, int]:
    return tasks.reconcile(batch_id, DAG_ID, url)
