"""Ingest CBS open data: SES-WOA scores, Kerncijfers wijken en buurten, benefit recipients.

prepare_warehouse -> download (online mode only: the tables named in the ``tables`` param,
from CBS's OData API into the inbox) -> ingest (StatLine CSV, KWB xlsx/CSV, OData JSON, the
municipal benefits CSV; bad rows to quarantine) -> reconcile (ledger against raw) ->
raw_updated, which emits the ``raw_cbs`` Asset that schedules ``build_marts`` when new files
were loaded. The offline inbox is the default. All logic lives in ``sdw`` (plugins/sdw).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task

from sdw.orchestration.assets import RAW_CBS
from sdw.orchestration.defaults import DEFAULT_ARGS


@dag(
    dag_id="ingest_cbs",
    description="Load CBS open data (SES-WOA, wijken en buurten, benefit recipients) into raw.",
    schedule="@daily",
    start_date=pendulum.datetime(2025, 1, 1, tz="Europe/Amsterdam"),
    catchup=False,
    max_active_runs=1,
    tags=["ingest", "cbs"],
    params={
        "inbox": Param(
            None,
            type=["null", "string"],
            description="Folder to load; default SDW_INBOX or .sdw/inbox",
        ),
        "tables": Param(
            [],
            type="array",
            description="Online mode: CBS table ids to download first, e.g. ['85984NED']",
        ),
        "odata_version": Param(3, type="integer", enum=[3, 4]),
    },
    doc_md=__doc__,
    default_args=DEFAULT_ARGS,
)
def ingest_cbs() -> None:
    @task
    def prepare_warehouse() -> None:
        from sdw.orchestration import tasks

        tasks.prepare_warehouse()

    @task
    def download(params: dict | None = None) -> list[str]:
        from sdw.orchestration import cbs_tasks

        p = params or {}
        return cbs_tasks.download(p.get("tables"), p.get("inbox"), int(p.get("odata_version", 3)))

    @task
    def ingest(params: dict | None = None, run_id: str | None = None) -> dict:
        from sdw.orchestration import cbs_tasks

        return cbs_tasks.ingest((params or {}).get("inbox"), batch_id=str(run_id))

    @task.short_circuit
    def reconcile(summary: dict, run_id: str | None = None) -> bool:
        """Fails on any mismatch; lets raw_updated run only when new files were loaded."""
        from sdw.orchestration import cbs_tasks

        cbs_tasks.reconcile(batch_id=str(run_id))
        return bool(summary["files_loaded"])

    @task(outlets=[RAW_CBS])
    def raw_updated() -> None:
        """Emits the raw_cbs Asset event that schedules build_marts."""

    summary = ingest()
    prepare_warehouse() >> download() >> summary
    reconcile(summary) >> raw_updated()


ingest_cbs()
