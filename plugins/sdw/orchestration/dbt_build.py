"""How Airflow runs dbt: astronomer-cosmos renders one task per dbt node from a manifest built
before DAG parsing (``sdw dbt-parse``), so parsing a DAG never runs ``dbt ls``."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from sdw.config import dbt_project_dir

log = logging.getLogger(__name__)

PROFILE_NAME = "sociaal_domein"


def manifest_path() -> Path:
    return Path(os.environ.get("SDW_DBT_MANIFEST", dbt_project_dir() / "target" / "manifest.json"))


def dbt_env_from_environment() -> dict[str, str]:
    """What profiles.yml reads, from WAREHOUSE_URL when it is set (parse time: no I/O)."""
    from sdw.warehouse.connection import configured_url, dbt_env

    url = configured_url()
    return dbt_env(url) if url else {}


def record_run_results(project_dir: str, **kwargs: Any) -> None:
    """cosmos callback: keep each node's dbt result in audit.dbt_run_result."""
    import psycopg

    from sdw.warehouse.connection import warehouse_url

    path = Path(project_dir) / "target" / "run_results.json"
    if not path.exists():
        log.warning("no run_results.json in %s", path.parent)
        return
    results = json.loads(path.read_text())
    context = kwargs.get("context") or {}
    run_id = str(context.get("run_id", results.get("metadata", {}).get("invocation_id")))
    with psycopg.connect(warehouse_url(start_embedded=False)) as conn:
        for r in results.get("results", []):
            conn.execute(
                """INSERT INTO audit.dbt_run_result
                   (run_id, unique_id, status, execution_s, rows_affected, message)
                   VALUES (%s, %s, %s, %s, %s, %s)
                   ON CONFLICT (run_id, unique_id) DO UPDATE SET status = EXCLUDED.status,
                     execution_s = EXCLUDED.execution_s, rows_affected = EXCLUDED.rows_affected,
                     message = EXCLUDED.message, recorded_at = now()""",
                (
                    run_id,
                    r["unique_id"],
                    r["status"],
                    r.get("execution_time"),
                    (r.get("adapter_response") or {}).get("rows_affected"),
                    r.get("message"),
                ),
            )


def cosmos_configs() -> dict[str, Any]:
    """The cosmos settings shared by the seed task and the model task group."""
    from cosmos import ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior

    project = dbt_project_dir()
    return {
        "project_config": ProjectConfig(
            dbt_project_path=project, manifest_path=manifest_path(), project_name="sociaal_domein"
        ),
        "profile_config": ProfileConfig(
            profile_name=PROFILE_NAME,
            target_name="default",
            profiles_yml_filepath=project / "profiles.yml",
        ),
        # One task per model: `dbt build --select <model>` runs it with its unit and data tests.
        # Seeds are loaded by their own task first (see seed_task), so that a code-list test
        # on a staging model always finds its seed, whatever order the models run in.
        "render_config": RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.BUILD,
            exclude=["resource_type:seed"],
        ),
        "execution_config": ExecutionConfig(
            execution_mode=ExecutionMode.LOCAL, invocation_mode=InvocationMode.DBT_RUNNER
        ),
        "operator_args": {
            "install_deps": False,
            # SDW_RUN_ID: the build_marts run (Airflow renders `env`), kept on the scorecard's
            # rows so they match the audit.publication row that publish() writes for this run.
            "env": {**dbt_env_from_environment(), "SDW_RUN_ID": "{{ run_id }}"},
            "append_env": True,
            "callback": record_run_results,
        },
    }
