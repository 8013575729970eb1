"""TEMPORARY test-only shim, on PYTHONPATH of the Celery stack's processes only: the locked
apache-airflow-providers-celery 3.26.0 imports ``retry`` from ``celery.backends.database``,
which celery 5.7.0 (also locked) no longer has, so neither the CeleryExecutor nor
``airflow celery worker`` can start. The provider uses it only to retry reading task states
from a database result backend; this puts back a decorator with that meaning. Remove it (and
its PYTHONPATH entry in airflow_stack.celery_environment) once uv.lock pins a celery that the
provider supports."""

from __future__ import annotations

import functools
import time
from typing import Any


def _install() -> None:
    try:
        from celery.backends import database
    except ImportError:  # no celery (or no SQLAlchemy): nothing to repair
        return
    if hasattr(database, "retry"):
        return

    def retry(fun: Any) -> Any:
        @functools.wraps(fun)
        def _inner(*args: Any, **kwargs: Any) -> Any:
            max_retries = kwargs.pop("max_retries", 3)
            for attempt in range(max_retries + 1):
                try:
                    return fun(*args, **kwargs)
                except database.RETRYABLE_DB_ERRORS:
                    if attempt == max_retries:
                        raise
                    time.sleep(0.5)
            return None

        return _inner

    database.retry = retry


_install()
