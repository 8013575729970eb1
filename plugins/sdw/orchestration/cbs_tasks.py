"""Bodies of the ingest_cbs tasks: load CBS files from the inbox, prove the ledger (the one
reconcile of ``sdw.ingest.reconcile``), and (online mode) download a named CBS table into the
inbox first.

Plain functions, unit-testable without Airflow; the warehouse is resolved at run time.
"""

from __future__ import annotations

from pathlib import Path

from sdw.config import default_inbox
from sdw.orchestration import tasks

DAG_ID = "ingest_cbs"


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
    return tasks.reconcile(batch_id, DAG_ID, url)
