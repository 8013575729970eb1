"""Shared fixtures: the reference folder, a PostgreSQL server, and a fresh database per use.

The server is the one on 127.0.0.1:5432 (or ``SDW_TEST_ADMIN_URL``) when it answers; otherwise the
project's own embedded warehouse is started for the session, so the suite also runs on a machine
without a PostgreSQL service.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    if not REFERENCE.is_dir():
        pytest.skip(f"reference files not present at {REFERENCE} (they sit beside the checkout)")
    return REFERENCE


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """A superuser URL (database ``postgres``) on a server the tests may create databases on."""
    url = os.environ.get("SDW_TEST_ADMIN_URL", DEFAULT_ADMIN_URL)
    if _answers(url):
        yield url
        return
    from sdw.warehouse.embedded import EmbeddedWarehouse

    # Under the checkout, not /tmp: as root the server runs as an unprivileged account, which
    # cannot traverse pytest's 0700 temp root. Each test database is dropped at session end.
    wh = EmbeddedWarehouse(REPO / ".sdw" / "test-warehouse")
    wh_url = wh.start()
    try:
        yield wh_url.rsplit("/", 1)[0] + "/postgres"
    finally:
        wh.stop()


@pytest.fixture(scope="session")
def make_database(pg_admin_url: str) -> Iterator[Callable[[str], str]]:
    """Factory: a new, uniquely named, empty database; all are dropped at session end."""
    created: list[str] = []

    def make(prefix: str = "sdw_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return pg_admin_url.rsplit("/", 1)[0] + "/" + name

    yield make
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_db(make_database: Callable[[str], str]) -> str:
    return make_database("sdw_test")


@pytest.fixture
def warehouse_db(fresh_db: str) -> str:
    """A fresh database with the raw/quarantine/audit schema applied."""
    from sdw.warehouse.bootstrap import ensure_schema

    ensure_schema(fresh_db)
    return fresh_db


def dbt_build(url: str, work: Path, select: str | None = None) -> None:
    """``dbt build`` of the project against ``url`` in-process; target and logs under ``work``
    (nothing is written into the repository). Fails the test with every failed node."""
    from dbt.cli.main import dbtRunner

    from sdw.config import dbt_project_dir
    from sdw.warehouse.connection import dbt_env

    project = dbt_project_dir()
    args = [
        "build",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    if select:
        args += ["--select", select]
    with pytest.MonkeyPatch.context() as env:
        for key, value in dbt_env(url).items():
            env.setenv(key, value)
        result = dbtRunner().invoke(args)
    failed = [
        f"{r.node.unique_id}: {r.status} {r.message}"
        for r in (result.result or [])
        if str(r.status) not in ("success", "pass")
    ]
    assert result.success, f"dbt build failed: {result.exception} {failed}"


def insert_raw(conn: psycopg.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """Hand-written rows into ``raw.<table>``, one INSERT each: the fixtures of tests that build
    marts from raw rows worked out by hand, without files."""
    for row in rows:
        columns = ", ".join(row)
        marks = ", ".join(["%s"] * len(row))
        conn.execute(f"INSERT INTO raw.{table} ({columns}) VALUES ({marks})", list(row.values()))


# Tests run on two processes (``pytest -n 2``, as CI does): each module's tests stay on one
# process, so a module's expensive fixtures (a pipeline run, an Airflow stack) are built once, and
# the modules that read the one shared pipeline run (``generated_run``) go to the same process.
# A scheduler of our own: xdist's ``loadgroup`` marks no longer group anything under pytest 9.2
# (it renames ``_nodeid``, which pytest no longer reads).
SHARED_RUN_MODULES = frozenset(
    {"tests/e2e/test_generated_municipality.py", "tests/e2e/test_report.py"}
)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "generated_run" if module in SHARED_RUN_MODULES else module

    return ModuleScheduling(config, log)


# The longest modules start first, so that neither process is left with one at the end (the
# scheduler runs modules in collection order; measured in CI, longest first).
SLOW_FIRST = (
    "tests/e2e/test_scheduler.py",
    "tests/e2e/test_foreign_inbox.py",
    "tests/e2e/test_irregular_municipalities.py",
    "tests/e2e/test_scenario.py",
    "tests/e2e/test_publication.py",
    "tests/integration/test_incremental_marts.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        module = item.nodeid.split("::", 1)[0]
        return SLOW_FIRST.index(module) if module in SLOW_FIRST else len(SLOW_FIRST)

    items.sort(key=rank)  # stable: the order within a module, and of the rest, is kept
