"""Ingest the inbox: iWmo/iJw 3.2 messages and the CBS address file they are placed with.

prepare_warehouse -> plan_groups (the address files first; the other new files split into
parts) -> ingest_group, one mapped task per part, in parallel on any worker (validate,
pseudonymise, COPY, ledger; bad input to quarantine) -> ingest (the batch closed with the
parts' counts) -> reconcile (ledger against raw, over the whole batch) -> raw_updated, which
emits the ``raw_istandaarden`` Asset that schedules ``build_marts``, only when new files were
loaded. A part whose worker is lost runs again and skips what it had committed. All logic
lives in ``sdw`` (plugins/sdw); this file only wires it.
"""

from __future__ import annotations

from typing import Any

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
        ),
        "parts": Param(
            None,
            type=["null", "integer"],
            minimum=1,
            description="Mapped ingest_group tasks to split the new files over; "
            "default one per 2,000 files (at most 16)",
        ),
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
    def plan_groups(params: dict | None = None, run_id: str | None = None, ti: Any = None) -> list:
        """Loads the address files; returns the parts to map ingest_group over (the
        planning's own summary goes to the XCom ``summary``)."""
        from sdw.orchestration import tasks

        p = params or {}
        planned = tasks.plan_ingest(p.get("inbox"), batch_id=str(run_id), parts=p.get("parts"))
        ti.xcom_push(key="summary", value=planned["summary"])
        return planned["parts"]

    # A lost worker's part runs again (the DAG's retries): the ledger recognises what it committed.
    @task
    def ingest_group(part: list, run_id: str | None = None) -> dict:
        from sdw.orchestration import tasks

        return tasks.ingest_group(part, batch_id=str(run_id))

    @task
    def ingest(planned: dict, parts: list, run_id: str | None = None) -> dict:
        """Closes the batch with the counts of every part; returns the batch summary."""
        from sdw.orchestration import tasks

        # One slice request: iterating the lazy sequence asks item by item until one is
        # missing, which Airflow's client logs as "[error] XCom not found" in every good run.
        return tasks.finish_ingest(planned, list(parts[:]), batch_id=str(run_id))

    @task.short_circuit
    def reconcile(summary: dict, run_id: str | None = None) -> bool:
        """Fails on any mismatch; lets raw_updated run only when new files were loaded."""
        from sdw.orchestration import tasks

        tasks.reconcile(batch_id=str(run_id))
        return bool(summary["files_loaded"])

    @task(outlets=[RAW_ISTANDAARDEN])
    def raw_updated() -> None:
        """Emits the raw_istandaarden Asset event that schedules build_marts."""

    plan = plan_groups()
    prepare_warehouse() >> plan
    summary = ingest(plan["summary"], ingest_group.expand(part=plan))
    reconcile(summary) >> raw_updated()


ingest_istandaarden()
