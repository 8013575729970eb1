"""`sdw ui` serves the Airflow UI and API on the embedded state `sdw run` uses, with the login it
prints, and says when it is ready (the URL printed first answers only after a while on a busy
machine): the health endpoint answers, the printed password gets a token, a wrong one does not,
and the API lists the project's DAGs with their descriptions and owner. The server runs in its
own process (exec'd from `sdw ui`), stopped by its PID at the end, also when the test fails."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DAG_IDS = ["build_marts", "ingest_cases", "ingest_cbs", "ingest_finance", "ingest_istandaarden"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def test_sdw_ui_serves_the_embedded_state_with_the_printed_login(tmp_path: Path) -> None:
    port = _free_port()
    state = tmp_path / "state"
    out = tmp_path / "ui.log"
    env = {**os.environ, "SDW_STATE_DIR": str(state), "NO_COLOR": "1"}
    env.pop("WAREHOUSE_URL", None)
    base = f"http://127.0.0.1:{port}"
    with out.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sdw.cli", "ui", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 300
        health: dict = {}
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, health = _request(f"{base}/api/v2/monitor/health")
                if status == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(2)
        text = out.read_text()
        assert proc.poll() is None, text[-4000:]
        assert health["metadatabase"]["status"] == "healthy", text[-4000:]
        # The watcher polls each second: its line follows the first answer.
        ready = f"Airflow UI ready: http://localhost:{port} answers; log in with the login above."
        while ready not in text and time.monotonic() < deadline:
            time.sleep(1)
            text = out.read_text()
        assert ready in text, text[-4000:]
        assert text.index(f"Airflow UI: http://localhost:{port}") < text.index(ready)
        assert f"Task logs shown in the UI: {state / 'airflow'}/logs (copied there by sdw run)" in (
            text
        )
        login = re.search(r"^Login: (\S+) / (\S+)", text, re.MULTILINE)
        assert login and login.group(1) == "admin"
        home = state / "airflow"
        logs = state / "logs"
        assert f"Run history: {home}/airflow.db; task output of sdw run: {logs}/run-*.log" in text
        assert (home / "airflow.db").is_file()
        passwords = home / "simple_auth_manager_passwords.json"
        assert oct(passwords.stat().st_mode & 0o777) == "0o600"

        status, _ = _request(f"{base}/auth/token", {"username": "admin", "password": "wrong"})
        assert status == 401
        status, body = _request(
            f"{base}/auth/token", {"username": "admin", "password": login.group(2)}
        )
        assert status == 201
        status, dags = _request(f"{base}/api/v2/dags?order_by=dag_id", token=body["access_token"])
        assert status == 200
        assert [d["dag_id"] for d in dags["dags"]] == DAG_IDS
        for dag in dags["dags"]:
            assert dag["owners"] == ["sdw-data-engineering"], dag["dag_id"]
            assert dag["description"], dag["dag_id"]
    finally:
        _stop(proc)
    assert proc.returncode is not None
