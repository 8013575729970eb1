"""Ingest the inbox: iWmo/iJw 3.2 messages and the CBS address file they are placed with.

prepare_warehouse -> ingest (validate, pseudonymise, COPY, ledger; bad input to quarantine)
-> reconcile (ledger against raw) -> raw_updated, which emits the ``raw_istandaarden`` Asset
that schedules ``build_marts``, only when new files were loaded. All logic lives in ``sdw``
(plugins/sdw); this file only wires it.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task

from sdw.orchestration.assets import RAW_ISTANDAARDEN
from sdw.orchestration.defaults import DEFAULT_ARGS


@dag(
    dag_id="ingest_istandaarden",
    description="Load iWmo/iJw 3.2 messages from the inbox into raw, pseudonymised.",
    schedule="@hourly",
    start_date=pendulum.datetime(2025, 1, 1, tz="Europe/Amsterdam"),
    catchup=False,
    max_active_runs=1,
    tags=["ingest", "istandaarden"],
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
def ingest_istandaarden() -> None:
    @task
    def prepare_warehouse() -> None:
        from sdw.orchestration import tasks

        tasks.prepare_warehouse()

    @task
    def ingest(params: dict | None = None, run_id: str | None = None) -> dict:
        from sdw.orchestration import tasks

        return tasks.ingest((params or {}).get("inbox"), batch_id=str(run_id))

    @task.short_circuit
    def reconcile(summary: dict, run_id: str | None = None) -> bool:
        """Fails on any mismatch; lets raw_updated run only when new files were loaded."""
        from sdw.orchestration import tasks

        tasks.reconcile(batch_id=str(run_id))
        return bool(summary["files_loaded"])

    @task(outlets=[RAW_ISTANDAARDEN])
    def raw_updated() -> None:
        """Emits the raw_istandaarden Asset event that schedules build_marts."""

    summary = ingest()
    prepare_warehouse() >> summary
    reconcile(summary) >> raw_updated()


ingest_istandaarden()
