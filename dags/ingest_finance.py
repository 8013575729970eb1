"""Ingest the municipality's finance sources: subsidy registers (JSON like Amsterdam's, CSV in
the registers' columns, or another layout described in plugins/sdw/subsidies/layouts/;
contract in docs/subsidies.md) and budget files from the financial system (CSV or xlsx, one
file per report version; plugins/sdw/budgets/layouts/, contract in docs/budgets.md).

prepare_warehouse -> ingest (read each file through its layout, Dutch amounts exactly to
the cent; bad rows to quarantine) -> reconcile (ledger against raw, rows and euros per file)
-> raw_updated, which emits the ``raw_finance`` Asset that schedules ``build_marts`` when new
files were loaded. All logic lives in ``sdw`` (plugins/sdw).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task

from sdw.orchestration.assets import RAW_FINANCE
from sdw.orchestration.defaults import DEFAULT_ARGS


@dag(
    dag_id="ingest_finance",
    description="Load subsidy registers and budget files into raw, reconciled to the cent.",
    schedule="@daily",
    start_date=pendulum.datetime(2025, 1, 1, tz="Europe/Amsterdam"),
    catchup=False,
    max_active_runs=1,
    tags=["ingest", "finance"],
    params={
        "inbox": Param(
            None,
            type=["null", "string"],
            description="Folder to load; default SDW_INBOX or .sdw/inbox",
        )
    },
    doc_md=__doc__,
    default_args=DEFAULT_ARGS,
)
def ingest_finance() -> None:
    @task
    def prepare_warehouse() -> None:
        from sdw.orchestration import tasks

        tasks.prepare_warehouse()

    @task
    def ingest(params: dict | None = None, run_id: str | None = None) -> dict:
        from sdw.orchestration import finance_tasks

        return finance_tasks.ingest((params or {}).get("inbox"), batch_id=str(run_id))

    @task.short_circuit
    def reconcile(summary: dict, run_id: str | None = None) -> bool:
        """Fails on any mismatch; lets raw_updated run only when new files were loaded."""
        from sdw.orchestration import finance_tasks

        finance_tasks.reconcile(batch_id=str(run_id))
        return bool(summary["files_loaded"])

    @task(outlets=[RAW_FINANCE])
    def raw_updated() -> None:
        """Emits the raw_finance Asset event that schedules build_marts."""

    summary = ingest()
    prepare_warehouse() >> summary
    reconcile(summary) >> raw_updated()


ingest_finance()
