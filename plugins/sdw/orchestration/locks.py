"""PostgreSQL advisory locks that keep two runs on one warehouse from interleaving.

A lock lives in the warehouse, not on this machine, so it also holds between two machines
(or an ``sdw run`` and the Airflow scheduler) sharing a warehouse, and a run that dies frees
it with its connection: nothing to clean up by hand. Airflow itself runs one build_marts at a
time (``max_active_runs=1``), but ``sdw run`` runs the DAGs in its own process, so two of them
on one warehouse used to race and the second failed at dbt_seed ("relation message_norms
already exists").

- ``RUN``: held by ``sdw run`` from its first load to its publication; a second run waits for
  the first (and says so), then loads what is left (its files are duplicates by then).
- ``SEED``: held around ``dbt seed`` (``sdw.orchestration.dbt_operators``), which drops and
  creates the seed tables, so that two seeds never interleave whatever started them.
``sdw.publish`` takes its own transaction lock around the swap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg

RUN = "sdw.run"
SEED = "sdw.dbt_seed"


class WarehouseLock:
    """A session-level advisory lock on its own connection, named by text."""

    def __init__(self, url: str, name: str) -> None:
        self.url, self.name = url, name
        self.waited = False
        self._conn: psycopg.Connection | None = None

    def acquire(self, on_wait: Callable[[], None] | None = None) -> None:
        """Take the lock, waiting as long as another holder has it; ``on_wait`` is called
        once when it is taken already, before waiting."""
        conn = psycopg.connect(self.url, autocommit=True, application_name=f"{self.name} lock")
        try:
            (got,) = conn.execute(
                "SELECT pg_try_advisory_lock(hashtext(%s))", (self.name,)
            ).fetchone()
            if not got:
                self.waited = True
                if on_wait is not None:
                    on_wait()
                conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (self.name,))
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def others_waiting(self) -> int:
        """Sessions waiting for this lock now (a run about to stop a shared server asks)."""
        if self._conn is None:
            return 0
        try:
            (n,) = self._conn.execute(
                """SELECT count(*) FROM pg_locks
               WHERE locktype = 'advisory' AND NOT granted AND database = (
                   SELECT oid FROM pg_database WHERE datname = current_database())
                 AND objid = hashtext(%s)::oid""",
                (self.name,),
            ).fetchone()
        except psycopg.Error:  # the server went away: nobody can be waiting on it
            return 0
        return int(n)

    def release(self) -> None:
        if self._conn is not None:
            self._conn.close()  # a session lock ends with its session
            self._conn = None


@contextmanager
def warehouse_lock(
    url: str, name: str, on_wait: Callable[[], None] | None = None
) -> Iterator[WarehouseLock]:
    lock = WarehouseLock(url, name)
    lock.acquire(on_wait)
    try:
        yield lock
    finally:
        lock.release()
