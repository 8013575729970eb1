"""How Airflow runs dbt: one astronomer-cosmos ``dbt build`` task per layer of the project (see
``dbt_layer_tasks`` for why not one per model). Parsing the DAG reads no manifest and runs no
dbt; each model's result is in the layer task's log and in ``audit.dbt_run_result``."""

from __future__ import annotations

import itertools
import json
import logging
from pathlib import Path
from typing import Any

from sdw.config import dbt_project_dir

log = logging.getLogger(__name__)

PROFILE_NAME = "sociaal_domein"


def dbt_env_from_environment() -> dict[str, str]:
    """What profiles.yml reads, from WAREHOUSE_URL when it is set (parse time: no I/O)."""
    from sdw.warehouse.connection import configured_url, dbt_env

    url = configured_url()
    return dbt_env(url) if url else {}


def record_run_results(project_dir: str, **kwargs: Any) -> None:
    """cosmos callback: keep each node's dbt result in audit.dbt_run_result, and say in the task
    log, one line per model, what the layer built: with one task per layer this is where a data
    engineer reads a model's status, time and rows (BI tools read the table)."""
    import psycopg

    from sdw.warehouse.connection import warehouse_url

    path = Path(project_dir) / "target" / "run_results.json"
    if not path.exists():
        log.warning("no run_results.json in %s", path.parent)
        return
    results = json.loads(path.read_text())
    context = kwargs.get("context") or {}
    run_id = str(context.get("run_id", results.get("metadata", {}).get("invocation_id")))
    rows = results.get("results", [])
    with psycopg.connect(warehouse_url(start_embedded=False)) as conn:
        for r in rows:
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
    manifest_file = Path(project_dir) / "target" / "manifest.json"
    tested = _tested_models(json.loads(manifest_file.read_text())) if manifest_file.exists() else {}
    for line in model_summary(rows, tested):
        log.info("%s", line)


def _tested_models(manifest: dict[str, Any]) -> dict[str, str]:
    """test or unit_test unique_id -> the model it tests (its first model parent)."""
    out = {}
    for section in ("nodes", "unit_tests"):
        for uid, node in (manifest.get(section) or {}).items():
            if not uid.startswith(("test.", "unit_test.")):
                continue
            parents = [
                d for d in node.get("depends_on", {}).get("nodes", []) if d.startswith("model.")
            ]
            if parents:
                out[uid] = parents[0]
    return out


def model_summary(results: list[dict[str, Any]], tested: dict[str, str]) -> list[str]:
    """One line per model of a run_results.json: status, seconds, rows, and how many of its
    tests passed; then every test that did not pass."""
    by_model: dict[str, list[str]] = {}
    for r in results:
        if r["unique_id"] in tested:
            by_model.setdefault(tested[r["unique_id"]], []).append(r["status"])
    lines = []
    for r in sorted(results, key=lambda r: r["unique_id"]):
        if not r["unique_id"].startswith("model."):
            continue
        statuses = by_model.get(r["unique_id"], [])
        rows = (r.get("adapter_response") or {}).get("rows_affected")
        lines.append(
            f"model {r['unique_id'].rsplit('.', 1)[-1]}: {r['status']} in "
            f"{float(r.get('execution_time') or 0):.1f} s"
            + (f", {rows} rows" if rows is not None and rows >= 0 else "")
            + f", tests {sum(s == 'pass' for s in statuses)}/{len(statuses)} passed"
        )
    lines += [
        f"{_test_label(r['unique_id'])}: {r['status']}"
        for r in results
        if r["unique_id"].startswith(("test.", "unit_test.")) and r["status"] != "pass"
    ]
    return lines


def _test_label(unique_id: str) -> str:
    """``test.<pkg>.<name>.<hash>`` -> "test <name>"; ``unit_test.<pkg>.<model>.<name>`` ->
    "unit_test <model>.<name>" (a unit test's own name is only unique within its model)."""
    kind, _package, *rest = unique_id.split(".")
    return f"{kind} {rest[0] if kind == 'test' else '.'.join(rest)}"


# One `dbt build` per layer of the project (models/<folder>), in this order. A layer's task runs
# its models with their unit and data tests; no model depends on a later layer and no test spans
# two (tests/unit/test_dbt_layers.py checks both on the manifest, and that every model is in one).
LAYERS: dict[str, tuple[str, ...]] = {
    "staging": ("path:models/staging",),
    "intermediate": ("path:models/intermediate",),
    "marts": ("path:models/marts", "path:models/lineage"),
}


def dbt_profile_config() -> Any:
    from cosmos import ProfileConfig

    return ProfileConfig(
        profile_name=PROFILE_NAME,
        target_name="default",
        profiles_yml_filepath=dbt_project_dir() / "profiles.yml",
    )


def dbt_operator_args() -> dict[str, Any]:
    """What every dbt task of build_marts shares (parse time: no I/O)."""
    from cosmos import settings
    from cosmos.constants import InvocationMode

    return {
        "project_dir": str(dbt_project_dir()),
        # dbt's partial-parse state, shared by the seed and layer tasks (cosmos copies the newest
        # into each task's project copy and back): only the first dbt of a run parses in full.
        "cache_dir": Path(settings.cache_dir) / "build_marts__dbt",
        "profile_config": dbt_profile_config(),
        # dbt in the task's own process (no subprocess, no second interpreter start).
        "invocation_mode": InvocationMode.DBT_RUNNER,
        "install_deps": False,
        # No per-model Airflow Assets: nothing is scheduled on them (build_marts' own Asset,
        # MARTS_PUBLISHED, is emitted by publish).
        "emit_datasets": False,
        # SDW_RUN_ID: the build_marts run (Airflow renders `env`), kept on the scorecard's
        # rows so they match the audit.publication row that publish() writes for this run.
        "env": {**dbt_env_from_environment(), "SDW_RUN_ID": "{{ run_id }}"},
        "append_env": True,
        "callback": record_run_results,
    }


def dbt_layer_tasks() -> list[Any]:
    """build_marts' dbt tasks, one per layer, chained in LAYERS' order.

    Measured on the sample on this 2-core machine (issue 14): one cosmos task per model started
    dbt 53 times, about 2.3 s each in one process (``sdw run``) and 4-8 minutes per build under
    a real executor, where every task is a new process; cosmos's watcher mode (one ``dbt
    build``, per-model sensors) was slower still, its producer converting every dbt event to an
    XCom. One build per layer keeps the layer boundaries a data engineer reasons about, stops a
    failing staging model before the intermediate layer, and reports per model in the task log
    and in audit.dbt_run_result.
    """
    from sdw.orchestration.dbt_operators import DbtLayerBuildOperator

    args = dbt_operator_args()
    tasks = [
        DbtLayerBuildOperator(
            task_id=layer,
            select=list(selectors),
            exclude=["resource_type:seed"],
            doc_md=f"`dbt build --select {' '.join(selectors)}`: the {layer} models with "
            "their unit and data tests.",
            **args,
        )
        for layer, selectors in LAYERS.items()
    ]
    for upstream, downstream in itertools.pairwise(tasks):
        upstream >> downstream
    return tasks
