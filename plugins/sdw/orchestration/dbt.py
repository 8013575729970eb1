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
