"""Build the KPI marts whenever raw data changes, and publish them only when they are valid.

validate_raw (GX) -> dbt (cosmos: staging -> intermediate -> marts_candidate, one task per node,
tests included) -> validate_marts (GX on the candidate) -> publish (atomic swap into ``marts``).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior
from sdw.config import dbt_project_dir
from sdw.orchestration.assets import MARTS_CARE, RAW_ISTANDAARDEN
from sdw.orchestration.dbt import (
    PROFILE_NAME,
    dbt_env_from_environment,
    manifest_path,
    record_run_results,
)


@dag(
    dag_id="build_marts",
    schedule=[RAW_ISTANDAARDEN],
    start_date=pendulum.datetime(2025, 1, 1, tz="Europe/Amsterdam"),
    catchup=False,
    max_active_runs=1,
    tags=["dbt", "marts", "great_expectations"],
    doc_md=__doc__,
)
def build_marts() -> None:
    @task
    def validate_raw(run_id: str | None = None) -> str:
        from sdw.validation.runner import run_suite_or_raise
        from sdw.warehouse.connection import warehouse_url

        return run_suite_or_raise("raw_istandaarden", warehouse_url(), str(run_id)).summary

    dbt = DbtTaskGroup(
        group_id="dbt",
        project_config=ProjectConfig(
            dbt_project_path=dbt_project_dir(),
            manifest_path=manifest_path(),
            project_name="sociaal_domein",
        ),
        profile_config=ProfileConfig(
            profile_name=PROFILE_NAME,
            target_name="default",
            profiles_yml_filepath=dbt_project_dir() / "profiles.yml",
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST, test_behavior=TestBehavior.BUILD
        ),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.LOCAL, invocation_mode=InvocationMode.DBT_RUNNER
        ),
        operator_args={
            "install_deps": False,
            "env": dbt_env_from_environment(),
            "append_env": True,
            "callback": record_run_results,
        },
    )

    @task
    def validate_marts(run_id: str | None = None) -> str:
        from sdw.validation.runner import run_suite_or_raise
        from sdw.warehouse.connection import warehouse_url

        return run_suite_or_raise("care_marts", warehouse_url(), str(run_id)).summary

    @task(outlets=[MARTS_CARE])
    def publish(run_id: str | None = None) -> dict:
        from sdw.publish import publish as publish_marts
        from sdw.warehouse.connection import warehouse_url

        return publish_marts(warehouse_url(), str(run_id))

    validate_raw() >> dbt >> validate_marts() >> publish()


build_marts()
