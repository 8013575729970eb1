"""Every DAG carries the operating semantics a data engineer relies on: a one-line description,
an owner, retries with exponential backoff for transient failures only, the failure callback,
tags and docs; and the DAGs still serialize (the scheduler stores them serialized)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DAG_IDS = {"build_marts", "ingest_cases", "ingest_cbs", "ingest_finance", "ingest_istandaarden"}

_SCRIPT = """
import json, os, sys
from sdw.orchestration.runner import configure_airflow
configure_airflow()
# sdw run's in-process runs set 0 retries; this checks what a server gets.
os.environ.pop("SDW_TASK_RETRIES", None)
from airflow.dag_processing.dagbag import DagBag
from airflow.serialization.serialized_objects import DagSerialization
bag = DagBag(dag_folder=sys.argv[1])
out = {"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": {}}
for dag_id, dag in bag.dags.items():
    serialized = DagSerialization.to_dict(dag)
    tasks = {}
    for t in dag.tasks:
        tasks[t.task_id] = {
            "owner": t.owner,
            "retries": t.retries,
            "retry_delay": t.retry_delay.total_seconds(),
            "backoff": t.retry_exponential_backoff,
            "max_retry_delay": t.max_retry_delay.total_seconds() if t.max_retry_delay else None,
            "policy": type(t.retry_policy).__name__ if t.retry_policy else None,
            "callbacks": [getattr(c, "__qualname__", repr(c)) for c in
                          (t.on_failure_callback if isinstance(t.on_failure_callback, list)
                           else [t.on_failure_callback] if t.on_failure_callback else [])],
        }
    out["dags"][dag_id] = {
        "description": dag.description,
        "tags": sorted(dag.tags),
        "doc_md": dag.doc_md,
        "owner": dag.owner,
        "serialized_has_policy": serialized["dag"]["default_args"]["__var"].get("has_retry_policy"),
        "tasks": tasks,
    }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    env = {**os.environ, "SDW_STATE_DIR": str(tmp_path_factory.mktemp("state"))}
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


def test_every_dag_has_description_owner_tags_docs(loaded: dict) -> None:
    assert loaded["errors"] == {}
    assert set(loaded["dags"]) == DAG_IDS
    for dag_id, dag in loaded["dags"].items():
        description = dag["description"]
        assert description and "\n" not in description and len(description) <= 100, dag_id
        assert dag["owner"] == "sdw-data-engineering", dag_id
        assert dag["tags"], dag_id
        assert dag["doc_md"] and len(dag["doc_md"]) > 200, dag_id
        assert dag["serialized_has_policy"] is True, dag_id


def test_every_task_retries_with_backoff_and_alerts(loaded: dict) -> None:
    for dag_id, dag in loaded["dags"].items():
        assert dag["tasks"], dag_id
        for task_id, task in dag["tasks"].items():
            where = f"{dag_id}.{task_id}"
            assert task["owner"] == "sdw-data-engineering", where
            assert task["retries"] == 2, where
            # 60 s, then 120 s; never more than 10 min
            assert (task["retry_delay"], task["backoff"], task["max_retry_delay"]) == (
                60.0,
                2.0,
                600.0,
            ), where
            assert task["policy"] == "SdwRetryPolicy", where
            assert task["callbacks"] == ["on_task_failure"], where


class _TI:
    """The task instance as a retry policy's context carries it (only task_id is read)."""

    def __init__(self, task_id: str) -> None:
        self.task_id = task_id


def _decide(exception: BaseException, task_id: str = "ingest") -> str:
    from sdw.orchestration.defaults import SdwRetryPolicy

    decision = SdwRetryPolicy().evaluate(exception, 1, 3, {"ti": _TI(task_id)})
    return decision.action.value


def test_retry_policy_retries_transient_and_fails_data_verdicts() -> None:
    import psycopg
    import sqlalchemy.exc

    from sdw.config import ConfigurationError
    from sdw.validation.runner import ValidationFailed, ValidationSummary

    summary = ValidationSummary("raw_323", "r1", False, 4, 1, "1 expectation failed")
    # transient: the server went away, a dropped connection, a pool timeout; also when wrapped
    assert _decide(psycopg.OperationalError("server closed the connection")) == "retry"
    assert _decide(psycopg.errors.SerializationFailure("could not serialize")) == "retry"
    assert _decide(sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("gone"))) == "retry"
    assert _decide(ConnectionResetError("reset")) == "retry"
    try:
        try:
            raise psycopg.OperationalError("terminating connection")
        except psycopg.OperationalError as inner:
            raise RuntimeError("copy failed") from inner
    except RuntimeError as wrapped:
        assert _decide(wrapped) == "retry"
    # a transient failure inside a data check is still worth a retry
    assert _decide(psycopg.OperationalError("gone"), "validate_marts") == "retry"
    # verdicts on the data, or on the setup, fail at once
    assert _decide(ValidationFailed(summary), "validate_raw") == "fail"
    assert _decide(ValidationFailed(summary), "some_other_task") == "fail"
    assert _decide(ConfigurationError("no key")) == "fail"
    assert _decide(RuntimeError("ingest_cases does not reconcile"), "reconcile") == "fail"
    assert _decide(RuntimeError("mapped"), "group.reconcile") == "fail"
    # anything else: Airflow's ordinary retries
    assert _decide(KeyError("x"), "ingest") == "default"
    assert _decide(RuntimeError("dbt failed"), "dbt.marts") == "default"
