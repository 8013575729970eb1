"""A failing validation under a real Airflow DAG run (`dag.test()`, as `sdw run` does): the
run fails at validate_raw on its first try (the retry policy does not retry a verdict on the
data, though every task has retries=2), nothing is built or published, the failure callback
writes its one log line and its audit.task_failure row, and the webhook gets the alert."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]

# The only raw suite: a discrepancy query that always finds a row (the raw schema exists).
FAILING_RAW_SUITE = """
from sdw.validation.spec import SuiteBuilder, table_query


def build_suite(overrides=None, **options):
    builder = SuiteBuilder("raw_e2e_always_fails")
    builder.no_rows(
        "raw_schema_present",
        table_query("pg_catalog", "pg_namespace", "nspname AS discrepancy", "nspname = 'raw'"),
    )
    return builder.definition()
"""

_RUN = """
from sdw.orchestration.runner import DagRunFailed, configure_airflow, migrate_metadata_db, run_dag
configure_airflow()
migrate_metadata_db()
try:
    run_dag("build_marts")
except DagRunFailed as exc:
    print("FAILED TASKS:", ",".join(exc.failed_tasks))
    raise SystemExit(1)
print("SUCCEEDED")
"""


@pytest.fixture
def webhook() -> Iterator[list[dict]]:
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    received.append({"url": f"http://127.0.0.1:{server.server_port}/alert"})
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()


def test_failing_validation_fails_once_alerts_and_publishes_nothing(
    warehouse_db: str, tmp_path: Path, webhook: list[dict]
) -> None:
    expectations = tmp_path / "expectations"
    expectations.mkdir()
    (expectations / "raw_e2e_always_fails.py").write_text(FAILING_RAW_SUITE)
    state = tmp_path / "state"
    env = {
        **os.environ,
        "WAREHOUSE_URL": warehouse_db,
        "SDW_STATE_DIR": str(state),
        "SDW_EXPECTATIONS_DIR": str(expectations),
        "SDW_PSEUDONYM_KEY": "e2e-test-key-" + "0" * 32,
        "SDW_ALERT_WEBHOOK": webhook[0]["url"],
        # A server's retries (sdw run sets 0): the policy, not the setting, must stop the retry.
        "SDW_TASK_RETRIES": "2",
    }
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", _RUN],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.monotonic() - started
    print(f"\nbuild_marts with a failing raw suite: {seconds:.0f} s")
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "FAILED TASKS: validate_raw" in proc.stdout

    with psycopg.connect(warehouse_db) as conn:
        failures = conn.execute(
            "SELECT dag_id, task_id, try_number, exception_class, message FROM audit.task_failure"
        ).fetchall()
        published = conn.execute("SELECT count(*) FROM audit.publication").fetchone()
        marts = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname IN ('marts', 'marts_candidate')"
        ).fetchone()
        validated = conn.execute(
            "SELECT suite_name, success FROM audit.validation_result"
        ).fetchall()
    assert [f[:4] for f in failures] == [("build_marts", "validate_raw", 1, "ValidationFailed")]
    assert "raw_e2e_always_fails" in failures[0][4]
    assert published == (0,)
    assert marts == (0,)  # dbt never ran: nothing built, nothing published
    assert validated == [("raw_e2e_always_fails", False)]  # recorded once: no retry ran it again

    alerts = webhook[1:]
    assert len(alerts) == 1
    assert (alerts[0]["dag_id"], alerts[0]["task_id"], alerts[0]["try_number"]) == (
        "build_marts",
        "validate_raw",
        1,
    )
    # dag.test() runs the tasks in this process: their log is the process's output (sdw run
    # writes it to .sdw/logs/run-*.log); under a scheduler it is the task's log file.
    line = "task failed: dag_id=build_marts task_id=validate_raw run_id=manual__"
    assert line in proc.stdout + proc.stderr
    assert "try=1 error=ValidationFailed: " in proc.stdout + proc.stderr
