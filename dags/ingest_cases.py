"""Ingest the municipal case system's Wmo/Jeugdwet procedure export (melding, onderzoek,
aanvraag, beschikking dates per melding; contract in docs/procedure-times.md).

prepare_warehouse -> ingest (parse the CSV contract, reduce addresses to CBS areas, pseudonymise
the melding id; bad rows to quarantine; a file with addresses waits for a CBS address file) ->
reconcile (ledger against raw) -> raw_updated, which emits the ``raw_cases`` Asset that schedules
``build_marts`` when new files were loaded. All logic lives in ``sdw`` (plugins/sdw).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task

from sdw.orchestration.assets import RAW_CASES
from sdw.orchestration.defaults import DEFAULT_ARGS


@dag(
    dag_id="ingest_cases",
    description="Load the case system's Wmo/Jeugdwet procedure export into raw, pseudonymised.",
    schedule="@daily",
    start_date=pendulum.datetime(2025, 1, 1, tz="Europe/Amsterdam"),
    catchup=False,
    max_active_runs=1,
    tags=["ingest", "cases"],
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
def ingest_cases() -> None:
    @task
    def prepare_warehouse() -> None:
        from sdw.orchestration import tasks

        tasks.prepare_warehouse()

    @task
    def ingest(params: dict | None = None, run_id: str | None = None) -> dict:
        from sdw.orchestration import case_tasks

        return case_tasks.ingest((params or {}).get("inbox"), batch_id=str(run_id))

    @task.short_circuit
    def reconcile(summary: dict, run_id: str | None = None) -> bool:
        """Fails on any mismatch; lets raw_updated run only when new files were loaded."""
        from sdw.orchestration import case_tasks

        case_tasks.reconcile(batch_id=str(run_id))
        return bool(summary["files_loaded"])

    @task(outlets=[RAW_CASES])
    def raw_updated() -> None:
        """Emits the raw_cases Asset event that schedules build_marts."""

    summary = ingest()
    prepare_warehouse() >> summary
    reconcile(summary) >> raw_updated()


ingest_cases()
