"""What happens when an Airflow task fails for good (after its retries): one log line, one row in
``audit.task_failure``, and, when ``SDW_ALERT_WEBHOOK`` is set, a JSON POST to it (a chat or
e-mail gateway). Every DAG sets ``on_failure_callback`` to :func:`on_task_failure` through
``sdw.orchestration.defaults.DEFAULT_ARGS``.

What leaves the task is the identity of the failure (DAG, task, run, try) and the exception's
class and message, truncated, with every run of exactly nine digits masked: a BSN can sit in an
error message (a parser quoting a field), and neither a log, the audit table nor a chat channel
may hold one. No file content is ever included.

The callback never raises: a failure to write the audit row or to reach the webhook is logged
with its traceback, and the task's own failure stays what Airflow reports.
"""

from __future__ import annotations

import json
import logging
import os
import re
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from sdw.pseudonym import as_seen

log = logging.getLogger(__name__)

ALERT_WEBHOOK_ENV = "SDW_ALERT_WEBHOOK"
MESSAGE_LIMIT = 500
WEBHOOK_TIMEOUT_S = 10
_NINE_DIGITS = re.compile(r"(?<![0-9])[0-9]{9}(?![0-9])")


@dataclass(frozen=True)
class TaskFailure:
    """The facts of one failed task that may leave the task: no data, no secrets."""

    dag_id: str
    task_id: str
    run_id: str
    map_index: int
    try_number: int
    exception_class: str
    message: str


def scrub(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """One line, nine-digit runs masked (BSN-shaped), at most ``limit`` characters."""
    one_line = " ".join(text.split())
    masked = _NINE_DIGITS.sub("#########", one_line)
    if not masked.isascii():  # digits behind invisible marks, or in another script
        seen, where = as_seen(masked)
        for m in reversed(list(_NINE_DIGITS.finditer(seen))):
            masked = masked[: where[m.start()]] + "#########" + masked[where[m.end() - 1] + 1 :]
    return masked if len(masked) <= limit else masked[: limit - 1] + "…"


def describe(context: Any) -> TaskFailure:
    """The failure as Airflow's callback context tells it. ``exception`` is an exception when the
    task raised, and a string or nothing when the task was failed from outside (a worker that
    died, a heartbeat timeout)."""
    ti = context["ti"]
    map_index = getattr(ti, "map_index", None)
    exception = context.get("exception")
    if isinstance(exception, BaseException):
        exception_class = type(exception).__name__
        message = str(exception) or exception_class
    else:
        exception_class = "TaskFailedExternally"
        message = str(exception) if exception else "the task was failed outside its own code"
    return TaskFailure(
        dag_id=str(ti.dag_id),
        task_id=str(ti.task_id),
        run_id=str(ti.run_id),
        map_index=-1 if map_index is None else int(map_index),
        try_number=int(ti.try_number or 0),
        exception_class=exception_class,
        message=scrub(message),
    )


def record_failure(url: str, failure: TaskFailure) -> None:
    """One ``audit.task_failure`` row. A warehouse that was never bootstrapped (the very first
    task failed) gets its schema first, so the failure is still recorded."""
    import psycopg

    from sdw.warehouse.bootstrap import ensure_schema

    insert = """INSERT INTO audit.task_failure
                    (dag_id, task_id, run_id, map_index, try_number, exception_class, message)
                VALUES (%(dag_id)s, %(task_id)s, %(run_id)s, %(map_index)s, %(try_number)s,
                        %(exception_class)s, %(message)s)"""
    with psycopg.connect(url, connect_timeout=10) as conn:
        try:
            conn.execute(insert, asdict(failure))
            return
        except psycopg.errors.UndefinedTable:
            conn.rollback()
    ensure_schema(url)
    with psycopg.connect(url, connect_timeout=10) as conn:
        conn.execute(insert, asdict(failure))


def post_alert(webhook: str, failure: TaskFailure) -> bool:
    """POST the failure as JSON. Returns whether the endpoint accepted it; a failure is logged
    (by host only: a chat webhook's path is its secret) and never raised."""
    parts = urlsplit(webhook)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        log.warning("%s is not an http(s) URL; no alert sent", ALERT_WEBHOOK_ENV)
        return False
    payload = {"event": "sdw.task_failed", **asdict(failure)}
    payload["text"] = (
        f"Sociaal Domein Warehouse: {failure.dag_id}.{failure.task_id} failed "
        f"(run {failure.run_id}, try {failure.try_number}): "
        f"{failure.exception_class}: {failure.message}"
    )
    request = urllib.request.Request(
        webhook,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:
            ok = 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.warning(
            "alert webhook on %s failed: %s: %s",
            parts.hostname,
            type(exc).__name__,
            scrub(str(exc), 200),
        )
        return False
    if not ok:
        log.warning("alert webhook on %s answered HTTP %s", parts.hostname, response.status)
    return ok


def on_task_failure(context: Any) -> None:
    """Airflow's task ``on_failure_callback``: log, audit, alert. Each step runs even when an
    earlier one failed; what fails is logged with its traceback."""
    failure = describe(context)
    log.error(
        "task failed: dag_id=%s task_id=%s run_id=%s map_index=%s try=%s error=%s: %s",
        failure.dag_id,
        failure.task_id,
        failure.run_id,
        failure.map_index,
        failure.try_number,
        failure.exception_class,
        failure.message,
    )
    try:
        from sdw.warehouse.connection import warehouse_url

        record_failure(warehouse_url(start_embedded=False), failure)
    except Exception:
        log.exception(
            "could not write audit.task_failure for %s.%s", failure.dag_id, failure.task_id
        )
    webhook = os.environ.get(ALERT_WEBHOOK_ENV)
    if webhook:
        post_alert(webhook, failure)
