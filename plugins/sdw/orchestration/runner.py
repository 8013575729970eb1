"""Run the project's real Airflow DAGs in this process (``dag.test()``), as ``sdw run`` and the
end-to-end tests do. Airflow keeps its metadata in a SQLite file under the state folder.

Airflow reads its configuration when first imported, so ``configure_airflow()`` must run before
anything imports ``airflow``.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from sdw.config import project_root, state_dir

log = logging.getLogger(__name__)
BUNDLE = "sdw_dags"


def airflow_environment(state: Path | None = None) -> dict[str, str]:
    state = state or state_dir()
    home = state / "airflow"
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(project_root() / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(project_root() / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__COSMOS__PROPAGATE_LOGS": "False",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DO_NOT_TRACK": "1",
        "SCARF_ANALYTICS": "false",
        "GX_ANALYTICS_ENABLED": "False",
        # In-process runs fail at once instead of retrying after 1 + 2 minutes (defaults.py).
        "SDW_TASK_RETRIES": "0",
    }


def configure_airflow(state: Path | None = None) -> None:
    if "airflow" in sys.modules:
        wanted = airflow_environment(state)["AIRFLOW_HOME"]
        if os.environ.get("AIRFLOW_HOME") != wanted:
            raise RuntimeError("airflow was imported before configure_airflow(); call it first")
        return
    env = airflow_environment(state)
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    for k, v in env.items():
        if k.startswith("AIRFLOW"):
            os.environ[k] = v
        else:  # telemetry switches: a user's explicit choice wins
            os.environ.setdefault(k, v)


def migrate_metadata_db() -> None:
    """Create or upgrade Airflow's metadata DB (idempotent, ~10 s the first time)."""
    from airflow.utils.db import check_migrations, upgradedb

    try:
        check_migrations(timeout=0)
        return
    except TimeoutError:
        pass
    upgradedb()


def _dag_bag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(project_root() / "dags"))
    if bag.import_errors:
        errors = "\n".join(f"{f}: {e}" for f, e in bag.import_errors.items())
        raise RuntimeError(f"DAG files failed to import:\n{errors}")
    return bag


def run_dag(dag_id: str, conf: dict[str, Any] | None = None) -> Any:
    """Run one DAG to completion in-process; raises if it did not succeed."""
    from airflow.dag_processing.dagbag import sync_bag_to_db
    from airflow.models.dagbundle import DagBundleModel
    from airflow.utils import timezone
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState

    bag = _dag_bag()
    dag = bag.dags.get(dag_id)
    if dag is None:
        raise KeyError(f"No DAG {dag_id!r} in {project_root() / 'dags'}")
    with create_session() as session:
        session.merge(DagBundleModel(name=BUNDLE))
        session.commit()
    sync_bag_to_db(bag, bundle_name=BUNDLE, bundle_version=None)
    dr = dag.test(logical_date=timezone.utcnow(), run_conf=conf or {})
    if dr.state != DagRunState.SUCCESS:
        failed = [ti.task_id for ti in dr.get_task_instances() if ti.state == "failed"]
        raise DagRunFailed(dag_id, dr.run_id, failed)
    return dr


class DagRunFailed(RuntimeError):
    def __init__(self, dag_id: str, run_id: str, failed_tasks: list[str]) -> None:
        self.dag_id, self.run_id, self.failed_tasks = dag_id, run_id, failed_tasks
        super().__init__(
            f"DAG {dag_id} run {run_id} failed; failed tasks: {', '.join(failed_tasks) or '?'}. "
            "The task log above says why."
        )
