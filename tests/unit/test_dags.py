"""The DAG files parse without a database and wire their tasks in the intended order."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_SCRIPT = """
import json, sys
from sdw.orchestration.runner import configure_airflow
configure_airflow()
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
out = {"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": {}}
for dag_id, dag in bag.dags.items():
    out["dags"][dag_id] = {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks}
print(json.dumps(out))
"""


def _load(tmp_path: Path) -> dict:
    import json

    env = {**os.environ, "SDW_STATE_DIR": str(tmp_path)}
    env.pop("WAREHOUSE_URL", None)
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(REPO / "dags")],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_ingest_dag_order(tmp_path: Path) -> None:
    loaded = _load(tmp_path)
    assert loaded["errors"] == {}
    ingest = loaded["dags"]["ingest_istandaarden"]
    # the delivery is planned, loaded in mapped parts, and closed by `ingest`
    assert ingest["plan_groups"] == ["prepare_warehouse"]
    assert ingest["ingest_group"] == ["plan_groups"]
    assert ingest["ingest"] == ["ingest_group", "plan_groups"]
    assert ingest["reconcile"] == ["ingest"]
    assert ingest["raw_updated"] == ["reconcile"]
    cases = loaded["dags"]["ingest_cases"]
    assert cases["ingest"] == ["prepare_warehouse"]
    assert cases["reconcile"] == ["ingest"]
    assert cases["raw_updated"] == ["reconcile"]
    finance = loaded["dags"]["ingest_finance"]
    assert finance["ingest"] == ["prepare_warehouse"]
    assert finance["reconcile"] == ["ingest"]
    assert finance["raw_updated"] == ["reconcile"]
    build = loaded["dags"]["build_marts"]
    assert build["dbt_seed"] == ["validate_raw"]
    assert build["publish"] == ["validate_marts"]
    # one dbt build per layer, after the seeds; validate_marts after the last layer
    assert build["dbt.staging"] == ["dbt_seed"]
    assert build["dbt.intermediate"] == ["dbt.staging"]
    assert build["dbt.marts"] == ["dbt.intermediate"]
    assert build["validate_marts"] == ["dbt.marts"]
