"""A real Airflow deployment on this machine for the scheduler tests: ``airflow scheduler``,
``api-server``, ``dag-processor`` and ``triggerer`` (and, for the Celery executor, Celery
workers) as separate processes, with a fresh PostgreSQL metadata database, the project's DAGs
and plugins, SimpleAuthManager with a known user and DAGs unpaused at creation.

Every process is started in a session of its own and stopped by its own process group at the
end, also when the test fails (the tail of each process's log is printed then); the metadata
database is dropped. Nothing here is a mock: the test talks to the stack as a data engineer
would, through the REST API with a JWT token from ``POST /auth/token``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from sdw.orchestration.runner import airflow_environment

REPO = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).parent / "airflow")
USER, PASSWORD = "sdw-admin", "sdw-e2e-" + "x" * 16
PSEUDONYM_KEY = "e2e-test-key-" + "0" * 32
INGEST_DAGS = ("ingest_istandaarden", "ingest_cbs", "ingest_cases", "ingest_finance")
DAG_IDS = (*INGEST_DAGS, "build_marts")
ACTIVE = ("queued", "running")


def _session_members(sid: int) -> list[int]:
    """PIDs of the processes in session ``sid`` (field 6 of /proc/<pid>/stat)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[3]) == sid:
            members.append(int(stat.parent.name))
    return members


def _signal_session(sid: int, sig: int) -> None:
    """Signal the session's leader first, then every other member still there."""
    for pid in sorted(_session_members(sid), key=lambda p: p != sid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def worker_hostname() -> str:
    """``[core] hostname_callable`` of the test's Celery workers: two workers on one machine
    share its host name, so each names itself (SDW_WORKER_NAME) in the task instances'
    ``hostname``, which is how the test tells which worker ran a mapped task."""
    return os.environ.get("SDW_WORKER_NAME") or socket.getfqdn()


@dataclass
class AirflowStack:
    """The running processes, their environment and an authenticated REST client."""

    home: Path
    env: dict[str, str]
    port: int
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)
    token: str | None = None
    expected_dead: set[str] = field(default_factory=set)  # processes a test killed on purpose

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- processes ---------------------------------------------------------------------------
    def start(self, name: str, args: list[str], extra_env: dict[str, str] | None = None) -> None:
        """One Airflow process in a session (process group) of its own, its output in a log
        file under AIRFLOW_HOME."""
        log = self.home / f"{name}.out"
        self.logs[name] = log
        with log.open("ab") as out:
            self.procs[name] = subprocess.Popen(
                [AIRFLOW, *args],
                env={**self.env, **(extra_env or {})},
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal every process of the session that one process started here leads (its own
        PID is the session id): the process, its children, and task processes that made a
        process group of their own."""
        proc = self.procs[name]
        _signal_session(proc.pid, sig)
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        """SIGTERM to each session started here, SIGKILL to what is left after 20 s."""
        for proc in self.procs.values():
            if proc.poll() is None:
                _signal_session(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        for proc in self.procs.values():
            _signal_session(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)

    def check_alive(self) -> None:
        dead = {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}
        dead = {n: rc for n, rc in dead.items() if n not in self.expected_dead}
        if dead:
            raise RuntimeError(f"Airflow processes exited: {dead}\n{self.log_tails()}")

    def log_tails(self, lines: int = 40) -> str:
        out = []
        for name, path in self.logs.items():
            text = path.read_text(errors="replace").splitlines() if path.exists() else []
            out.append(f"----- {name} ({path}), last {lines} lines -----")
            out.extend(text[-lines:])
        return "\n".join(out)

    # -- REST API ----------------------------------------------------------------------------
    def login(self) -> None:
        r = httpx.post(
            f"{self.base}/auth/token", json={"username": USER, "password": PASSWORD}, timeout=30
        )
        assert r.status_code == 201, (r.status_code, r.text)
        self.token = r.json()["access_token"]

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        r = httpx.request(
            method, f"{self.base}/api/v2{path}", headers=headers, timeout=60, **kwargs
        )
        if r.status_code >= 400:
            raise AssertionError(f"{method} {path}: {r.status_code} {r.text[:2000]}")
        return r.json()

    def trigger(self, dag_id: str, conf: dict[str, Any] | None = None) -> str:
        """A manual run through the REST API, as a data engineer triggers one."""
        run = self.api(
            "POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf or {}}
        )
        return str(run["dag_run_id"])

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        return self.api("GET", f"/dags/{dag_id}/dagRuns", params={"limit": 100})["dag_runs"]

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        return self.api(
            "GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 500}
        )["task_instances"]

    def task_log(
        self, dag_id: str, run_id: str, task_id: str, try_number: int, map_index: int = -1
    ) -> str:
        body = self.api(
            "GET",
            f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}",
            params={"map_index": map_index, "full_content": True},
            headers={"Accept": "application/json"},
        )
        content = body.get("content", "")
        if isinstance(content, list):
            return "\n".join(json.dumps(c) if not isinstance(c, str) else c for c in content)
        return str(content)

    def wait_for(
        self, what: str, ready: Callable[[], Any], timeout: float, every: float = 2.0
    ) -> Any:
        """Poll ``ready`` until it returns something true; checks the processes are alive."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            value = ready()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:.0f} s for {what}\n{self.log_tails()}")
            time.sleep(every)

    def wait_run(self, dag_id: str, run_id: str, timeout: float = 300) -> dict[str, Any]:
        """Wait for a run to end; fails with its failed task instances when it did not succeed."""

        def ended() -> dict[str, Any] | None:
            run = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")
            return run if run["state"] in ("success", "failed") else None

        run = self.wait_for(f"{dag_id} run {run_id}", ended, timeout)
        if run["state"] != "success":
            failed = [
                (t["task_id"], t["map_index"], t["state"])
                for t in self.task_instances(dag_id, run_id)
                if t["state"] not in ("success", "skipped")
            ]
            raise AssertionError(f"{dag_id} {run_id} {run['state']}: {failed}\n{self.log_tails()}")
        return run

    def wait_idle(self, timeout: float = 300) -> None:
        """Wait until no DAG has a run queued or running: the DAGs are unpaused at creation,
        so each schedule's latest interval runs at once (on the empty inbox)."""

        def idle() -> bool:
            runs = self.api("GET", "/dags/~/dagRuns", params={"limit": 200})["dag_runs"]
            scheduled = {r["dag_id"] for r in runs}
            return set(INGEST_DAGS) <= scheduled and not any(r["state"] in ACTIVE for r in runs)

        self.wait_for("the first scheduled runs", idle, timeout, every=3)

    def wait_builds_settled(self, timeout: float = 600) -> dict[str, Any]:
        """Wait until build_marts has no run queued or running and no Asset event waiting for
        one, then return its last run (which must have succeeded): every ingest's Asset
        event schedules a build, and ``max_active_runs=1`` runs them one after the other."""

        def settled() -> dict[str, Any] | None:
            runs = self.runs("build_marts")
            if not runs or any(r["state"] in ACTIVE for r in runs):
                return None
            queued = httpx.get(
                f"{self.base}/api/v2/dags/build_marts/assets/queuedEvents",
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=30,
            )
            if queued.status_code == 200 and queued.json().get("total_entries", 0):
                return None
            return max(runs, key=lambda r: r["run_after"] or "")

        last = self.wait_for("build_marts to settle", settled, timeout, every=3)
        if last["state"] != "success":
            tis = self.task_instances("build_marts", last["dag_run_id"])
            bad = [(t["task_id"], t["state"]) for t in tis if t["state"] != "success"]
            raise AssertionError(
                f"build_marts {last['dag_run_id']} {last['state']}: {bad}\n{self.log_tails()}"
            )
        return last


REDIS = ("127.0.0.1", 6379)
HOSTNAME_CALLABLE = f"{__name__}.worker_hostname"


def worker_command(name: str, args: list[str] | None = None) -> tuple[list[str], dict[str, str]]:
    """``airflow celery worker`` named ``name`` (Celery hostname ``name@<host>``, and the
    task instances' ``hostname``: see worker_hostname), one task at a time by default."""
    return (
        [
            "celery", "worker", "--skip-serve-logs", "--celery-hostname", f"{name}@%h",
            *(args or ["--concurrency", "1"]),
        ],
        {"SDW_WORKER_NAME": name, "AIRFLOW__CORE__HOSTNAME_CALLABLE": HOSTNAME_CALLABLE},
    )  # fmt: skip


def celery_environment(metadata_url: str, redis_db: int) -> dict[str, str]:
    """CeleryExecutor on this machine's Redis (one database of its own), results in the
    metadata database, and a lost task found quickly: the scheduler fails a running task
    whose heartbeat is 30 s old (default 300 s), and its retry runs on a live worker."""
    return {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{redis_db}",
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata_url,
        "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": "3600",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
    }


def _flush_redis(db: int) -> None:
    import redis

    client = redis.Redis(host=REDIS[0], port=REDIS[1], db=db)
    try:
        client.flushdb()
    finally:
        client.close()


def _create_db(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def _drop_db(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stack_environment(
    home: Path, port: int, metadata_url: str, warehouse_url: str, inbox: Path
) -> dict[str, str]:
    """The project's Airflow settings (runner.airflow_environment) on a PostgreSQL metadata
    database, with what a multi-process deployment needs on top: one JWT secret and API
    secret key for all processes, the execution API at this stack's api-server, known
    credentials, DAGs unpaused at creation and a fast dag-processor."""
    project = airflow_environment(home.parent / "state")
    sqlalchemy = metadata_url.replace("postgresql://", "postgresql+psycopg2://", 1)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")},
        **project,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sqlalchemy,
        # the async engine (api-server) on psycopg 3: asyncpg is not a project dependency
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": metadata_url.replace(
            "postgresql://", "postgresql+psycopg://", 1
        ),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__AUTH_MANAGER": (
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
        ),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "600",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "WAREHOUSE_URL": warehouse_url,
        "SDW_INBOX": str(inbox),
        "SDW_STATE_DIR": str(home.parent / "state"),
        "SDW_PSEUDONYM_KEY": PSEUDONYM_KEY,
        # A server's retries (runner.airflow_environment sets 0 for `sdw run`): a task lost with
        # its worker is retried, after defaults.RETRY_DELAY (1 minute).
        "SDW_TASK_RETRIES": "2",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
        ),
        "NO_COLOR": "1",
    }
    return env


@contextmanager
def airflow_stack(
    work: Path,
    admin_url: str,
    warehouse_url: str,
    inbox: Path,
    *,
    extra_env: dict[str, str] | None = None,
    workers: dict[str, list[str]] | None = None,  # name -> extra `celery worker` arguments
    redis_db: int | None = None,
) -> Iterator[AirflowStack]:
    """Migrate a fresh metadata database, start the four Airflow processes (and ``workers``:
    name -> extra arguments of ``airflow celery worker``, each with SDW_WORKER_NAME=name, on
    the CeleryExecutor with Redis database ``redis_db`` as its broker, flushed at start and
    end), wait for the API and the five DAGs, and log in. Everything stops on exit."""
    home = work / "airflow"
    home.mkdir(parents=True)
    (work / "state").mkdir(exist_ok=True)
    (home / "passwords.json").write_text(json.dumps({USER: PASSWORD}))
    port = free_port()
    name = f"airflow_{uuid.uuid4().hex[:12]}"
    metadata_url = _create_db(admin_url, name)
    env = stack_environment(home, port, metadata_url, warehouse_url, inbox)
    if workers:
        assert redis_db is not None, "Celery workers need a Redis database of their own"
        env.update(celery_environment(metadata_url, redis_db))
        _flush_redis(redis_db)
    env.update(extra_env or {})
    stack = AirflowStack(home=home, env=env, port=port)
    started = time.monotonic()
    try:
        migrate = subprocess.run(
            [AIRFLOW, "db", "migrate"],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert migrate.returncode == 0, migrate.stdout[-3000:] + migrate.stderr[-3000:]
        print(f"[stack] airflow db migrate: {time.monotonic() - started:.1f} s")
        stack.start(
            "api-server",
            ["api-server", "--port", str(port), "--host", "127.0.0.1", "--workers", "1"],
        )

        def api_up() -> bool:
            try:
                r = httpx.get(f"{stack.base}/api/v2/monitor/health", timeout=5)
            except httpx.HTTPError:
                return False
            return r.status_code == 200

        # Tasks report to the execution API: no task may start before the api-server answers.
        stack.wait_for("the api-server", api_up, 180)
        stack.login()
        stack.start("dag-processor", ["dag-processor"])
        stack.start("scheduler", ["scheduler", "--skip-serve-logs"])
        stack.start("triggerer", ["triggerer", "--skip-serve-logs"])
        for worker, args in (workers or {}).items():
            stack.start(worker, *worker_command(worker, args))

        def dags_parsed() -> bool:
            dags = stack.api("GET", "/dags", params={"limit": 100})["dags"]
            found = {d["dag_id"]: d for d in dags}
            return all(d in found and not found[d]["is_paused"] for d in DAG_IDS)

        stack.wait_for("the five DAGs, unpaused", dags_parsed, 300)
        print(f"[stack] up, DAGs parsed: {time.monotonic() - started:.1f} s")
        yield stack
    except BaseException:
        print(stack.log_tails())
        raise
    finally:
        stack.stop_all()
        _drop_db(admin_url, name)
        if workers:
            _flush_redis(redis_db)
