"""The operating semantics every DAG shares: owner, retries with exponential backoff, which
failures are worth retrying, and the failure callback. The DAG files pass ``DEFAULT_ARGS`` as
``default_args``; this module stays cheap to import (DAG files are parsed often).

Retries are for what can pass by itself: a database that restarts, a dropped connection, a
lock timeout, a worker that died (the scheduler retries that one without asking the policy).
A data check that fails (a GX suite, the mart guard, a reconciliation, a missing setting) fails
the same way on every try, so :class:`SdwRetryPolicy` fails it at once instead of holding the
run for the backoff; what it does not recognise keeps Airflow's ordinary retries.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from airflow.sdk import RetryDecision, RetryPolicy

from sdw.orchestration.callbacks import on_task_failure

OWNER = "sdw-data-engineering"
# SDW_TASK_RETRIES: `sdw run` sets 0 (a person is watching and wants the failure now, not after
# the backoff); a server keeps the default. Read when a DAG file is parsed: no I/O.
RETRIES = int(os.environ.get("SDW_TASK_RETRIES", "2"))
RETRY_DELAY = timedelta(minutes=1)
RETRY_BACKOFF = 2.0  # 1 min, then 2 min
MAX_RETRY_DELAY = timedelta(minutes=10)

# Matched by dotted name along the exception's class hierarchy and its cause chain, so that
# neither psycopg nor SQLAlchemy is imported when a DAG file is parsed.
TRANSIENT = frozenset(
    {
        "psycopg.OperationalError",  # connection lost, server restart, serialization failure
        "psycopg2.OperationalError",  # dbt-postgres
        "sqlalchemy.exc.OperationalError",  # GX, Airflow
        "sqlalchemy.exc.DisconnectionError",
        "sqlalchemy.exc.TimeoutError",  # connection pool exhausted
        "builtins.ConnectionError",
        "builtins.TimeoutError",
    }
)
NOT_TRANSIENT = frozenset(
    {
        "sdw.validation.runner.ValidationFailed",  # a GX suite or the mart guard
        "sdw.config.ConfigurationError",  # a missing key or setting
    }
)
# Tasks whose failure is a verdict on the data (the reconciliation raises a plain error).
DATA_CHECK_TASKS = frozenset({"validate_raw", "validate_marts", "reconcile"})


def _names(exception: BaseException) -> set[str]:
    """Dotted class names of the exception, its bases, and the exceptions it was raised from."""
    names: set[str] = set()
    seen: set[int] = set()
    current: BaseException | None = exception
    while current is not None and id(current) not in seen and len(seen) < 10:
        seen.add(id(current))
        names |= {f"{c.__module__}.{c.__qualname__}" for c in type(current).__mro__}
        current = current.__cause__ or current.__context__
    return names


class SdwRetryPolicy(RetryPolicy):
    """Retry transient database and network failures; fail data verdicts at once."""

    def evaluate(
        self,
        exception: BaseException,
        try_number: int,
        max_tries: int,
        context: Any = None,
    ) -> RetryDecision:
        names = _names(exception)
        if names & TRANSIENT:
            return RetryDecision.retry(reason="transient database or network failure")
        task_id = ""
        if context is not None and context.get("ti") is not None:
            task_id = str(context["ti"].task_id).rsplit(".", 1)[-1]
        if names & NOT_TRANSIENT or task_id in DATA_CHECK_TASKS:
            return RetryDecision.fail(reason="a data check failed; a retry would fail the same way")
        return RetryDecision.default()

    def serialize(self) -> dict[str, Any]:
        return {"__type": "SdwRetryPolicy"}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> SdwRetryPolicy:
        return cls()


DEFAULT_ARGS: dict[str, Any] = {
    "owner": OWNER,
    "retries": RETRIES,
    "retry_delay": RETRY_DELAY,
    "retry_exponential_backoff": RETRY_BACKOFF,
    "max_retry_delay": MAX_RETRY_DELAY,
    "retry_policy": SdwRetryPolicy(),
    "on_failure_callback": on_task_failure,
}
