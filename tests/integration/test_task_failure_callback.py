"""The tasks' failure callback against a real PostgreSQL and a real HTTP endpoint: one log line
and one audit.task_failure row without a BSN or file content, the webhook's JSON, and a webhook
that is down costing a warning, never an exception."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import psycopg
import pytest

from sdw.orchestration import callbacks

BSN = "123456782"  # passes the 11-proof; the callback must never let it through


class _TI:
    """The fields Airflow's callback context gives the task instance (RuntimeTaskInstance)."""

    dag_id = "ingest_istandaarden"
    task_id = "ingest"
    run_id = "manual__2026-01-05T10:00:00+00:00"
    map_index = -1
    try_number = 3


def _context() -> dict:
    error = ValueError(f"bad BSN {BSN} in line 4:\n  <Bsn>{BSN}</Bsn>" + " padding" * 200)
    return {"ti": _TI(), "exception": error}


@pytest.fixture
def webhook() -> Iterator[dict]:
    """A local HTTP server that keeps what is POSTed to it."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"type": self.headers["Content-Type"], "json": json.loads(body)})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}/hooks/t0ken", "received": received}
    finally:
        server.shutdown()
        server.server_close()


def test_failure_is_logged_audited_and_posted(
    fresh_db: str,
    webhook: dict,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A fresh database without the schema: the callback bootstraps it to record the failure.
    monkeypatch.setenv("WAREHOUSE_URL", fresh_db)
    monkeypatch.setenv("SDW_ALERT_WEBHOOK", webhook["url"])
    with caplog.at_level(logging.INFO, logger="sdw.orchestration.callbacks"):
        callbacks.on_task_failure(_context())

    with psycopg.connect(fresh_db) as conn:
        rows = conn.execute(
            """SELECT dag_id, task_id, run_id, map_index, try_number, exception_class, message
               FROM audit.task_failure"""
        ).fetchall()
    assert len(rows) == 1
    dag_id, task_id, run_id, map_index, try_number, exception_class, message = rows[0]
    assert (dag_id, task_id, run_id, map_index, try_number, exception_class) == (
        "ingest_istandaarden",
        "ingest",
        "manual__2026-01-05T10:00:00+00:00",
        -1,
        3,
        "ValueError",
    )
    assert message.startswith("bad BSN ######### in line 4: <Bsn>#########</Bsn> padding")
    assert len(message) == 500 and message.endswith("…")

    assert len(webhook["received"]) == 1
    posted = webhook["received"][0]
    assert posted["type"] == "application/json"
    assert posted["json"]["event"] == "sdw.task_failed"
    assert posted["json"]["task_id"] == "ingest"
    assert posted["json"]["text"].startswith(
        "Sociaal Domein Warehouse: ingest_istandaarden.ingest failed "
        "(run manual__2026-01-05T10:00:00+00:00, try 3): ValueError: bad BSN #########"
    )

    log_text = caplog.text
    assert "dag_id=ingest_istandaarden task_id=ingest" in log_text
    assert "try=3" in log_text
    for where in (log_text, json.dumps(posted["json"]), message):
        assert BSN not in where


def test_webhook_down_is_a_warning_not_an_error(
    warehouse_db: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("WAREHOUSE_URL", warehouse_db)
    monkeypatch.setenv("SDW_ALERT_WEBHOOK", f"http://127.0.0.1:{port}/hooks/secret-path")
    with caplog.at_level(logging.WARNING, logger="sdw.orchestration.callbacks"):
        callbacks.on_task_failure(_context())  # must not raise
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith("alert webhook on 127.0.0.1 failed: URLError")
    assert "secret-path" not in caplog.text  # a chat webhook's path is its secret
    with psycopg.connect(warehouse_db) as conn:
        assert conn.execute("SELECT count(*) FROM audit.task_failure").fetchone() == (1,)


def test_warehouse_down_is_logged_and_the_alert_still_goes(
    webhook: dict, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("WAREHOUSE_URL", f"postgresql://postgres@127.0.0.1:{port}/nowhere")
    monkeypatch.setenv("SDW_ALERT_WEBHOOK", webhook["url"])
    with caplog.at_level(logging.ERROR, logger="sdw.orchestration.callbacks"):
        callbacks.on_task_failure(_context())
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors][-1] == (
        "could not write audit.task_failure for ingest_istandaarden.ingest"
    )
    assert errors[-1].exc_info is not None  # with its traceback, not swallowed
    assert len(webhook["received"]) == 1
