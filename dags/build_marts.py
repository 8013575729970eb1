"""Build the KPI marts whenever raw data changes, and publish them only when they are valid.

validate_raw (GX) -> dbt_seed (national code lists) -> dbt.staging -> dbt.intermediate ->
dbt.marts (one ``dbt build`` per layer into marts_candidate, tests included; each task's log
lists its models' status, time and rows, kept in ``audit.dbt_run_result``) -> validate_marts
(GX on the candidate) -> publish (atomic swap into ``marts``). All logic lives in ``sdw``
(plugins/sdw).

validate_marts also compares each candidate mart's row count with the last publication
(``sdw.validation.mart_guard``); a run that expects a mart to shrink says so in its conf:
``{"allow_shrink": ["population_by_district"]}`` (or SDW_ALLOW_SHRINK in the environment).
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import TaskGroup, dag, task

from sdw.orchestration.assets import (
    MARTS_PUBLISHED,
    RAW_CASES,
    RAW_CBS,
    RAW_FINANCE,
    RAW_ISTANDAARDEN,
)
from sdw.orchestration.dbt_build import dbt_layer_tasks, dbt_operator_args
from sdw.orchestration.dbt_operators import LockedDbtSeedOperator
from sdw.orchestration.defaults import DEFAULT_ARGS


@dag(
    dag_id="build_marts",
    description="Validate raw data, build the KPI marts with dbt, validate and publish them.",
    schedule=RAW_ISTANDAARDEN | RAW_CBS | RAW_CASES | RAW_FINANCE,
    start_date=pendulum.datetime(2025, 1, 1, tz="Europe/Amsterdam"),
    catchup=False,
    max_active_runs=1,
    tags=["dbt", "marts", "great_expectations"],
    doc_md=__doc__,
    default_args=DEFAULT_ARGS,
)
def build_marts() -> None:
    @task
    def validate_raw(run_id: str | None = None) -> str:
        """Every expectations/raw_*.py suite; a failure stops the build."""
        from sdw.validation.runner import run_stage_or_raise
        from sdw.warehouse.connection import warehouse_url

        return run_stage_or_raise("raw", warehouse_url(), str(run_id))

    dbt_seed = LockedDbtSeedOperator(task_id="dbt_seed", **dbt_operator_args())
    with TaskGroup(group_id="dbt", tooltip="one dbt build per layer") as dbt:
        dbt_layer_tasks()

    @task
    def validate_marts(run_id: str | None = None, dag_run: Any = None) -> str:
        """Every expectations/*_marts.py suite on marts_candidate, and the mart row-count
        guard; a failure publishes nothing."""
        from sdw.validation.mart_guard import allowed_shrinks
        from sdw.validation.runner import run_stage_or_raise
        from sdw.warehouse.connection import warehouse_url

        conf = getattr(dag_run, "conf", None) or {}
        return run_stage_or_raise(
            "marts", warehouse_url(), str(run_id), allow_shrink=allowed_shrinks(conf)
        )

    @task(outlets=[MARTS_PUBLISHED])
    def publish(run_id: str | None = None) -> dict:
        from sdw.publish import publish as publish_marts
        from sdw.warehouse.connection import warehouse_url

        return publish_marts(warehouse_url(), str(run_id))

    validate_raw() >> dbt_seed >> dbt >> validate_marts() >> publish()


build_marts()
