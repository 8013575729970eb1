"""``sdw ui``: the Airflow UI on the state ``sdw run`` leaves behind (runner.airflow_environment:
the SQLite metadata database .sdw/airflow/airflow.db), so a data engineer can read the runs,
their task states and durations, and the DAG docs without a server. ``sdw run`` runs the tasks
in its own process (``dag.test()``); its output is in .sdw/logs/run-*.log, and each task's part
of it is copied to the file the UI reads for that task (``console.task_log_file``: Airflow's
base_log_folder under .sdw/airflow/logs), so the task log pane shows it. No log server runs
(nothing listens on 8793); runs made before that copy existed show "Could not read served
logs" and keep their output in the run-*.log only.

Starting the API server takes from seconds to minutes on a busy machine, so the URL printed
first is not yet usable: a watcher polls the health endpoint and prints a "ready" line with the
URL once it answers (``announce_ready``).

Login: Airflow 3's SimpleAuthManager with one user, ``admin``, whose password sdw generates
once into .sdw/airflow/simple_auth_manager_passwords.json (0600) and prints. Not the
"all admins" mode: that mode lets anyone who reaches the port trigger DAGs that read the
pseudonymisation key and write the warehouse, and on a shared machine (or with --host 0.0.0.0)
that is anyone on the machine or the network. A password costs nothing here.

Only the API server runs: no scheduler, so a DAG triggered in this UI waits (queued) until the
next ``sdw run`` or a real scheduler picks it up; the Compose stack is for that.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from sdw.config import state_dir
from sdw.orchestration.runner import BUNDLE, airflow_environment

ADMIN = "admin"
HEALTH = "/api/v2/monitor/health"
# How long the watcher waits for the first answer before it says the server is not coming up.
READY_WAIT_S = 900


def passwords_file(state: Path | None = None) -> Path:
    return Path(airflow_environment(state)["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json"


def ensure_login(state: Path | None = None) -> tuple[str, str, Path]:
    """The admin's user name and password, created on first use (kept afterwards, so a
    browser's saved login keeps working)."""
    path = passwords_file(state)
    path.parent.mkdir(parents=True, exist_ok=True)
    passwords: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if not passwords.get(ADMIN):
        passwords[ADMIN] = secrets.token_urlsafe(12)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps(passwords) + "\n")
    os.chmod(path, 0o600)
    return ADMIN, passwords[ADMIN], path


def ui_environment(host: str, port: int, state: Path | None = None) -> dict[str, str]:
    """The environment of the API server: sdw run's Airflow settings plus the login."""
    env = airflow_environment(state)
    env.update(
        {
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file(state)),
            "AIRFLOW__API__BASE_URL": f"http://{_display_host(host)}:{port}",
            "AIRFLOW__API__HOST": host,
            "AIRFLOW__API__PORT": str(port),
            # Signs this server's session tokens; a new one per start is fine for one local
            # process (a restart asks for the login again).
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        }
    )
    return env


def _display_host(host: str) -> str:
    return "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host


def sync_dags() -> list[str]:
    """Parse the DAG folder into the metadata database, so the UI lists every DAG with its
    docs even before the first ``sdw run``. Airflow must be configured (configure_airflow)."""
    from airflow.dag_processing.dagbag import DagBag, sync_bag_to_db
    from airflow.models.dagbundle import DagBundleModel
    from airflow.utils.session import create_session

    from sdw.config import project_root

    bag = DagBag(dag_folder=str(project_root() / "dags"))
    with create_session() as session:
        session.merge(DagBundleModel(name=BUNDLE))
        session.commit()
    sync_bag_to_db(bag, bundle_name=BUNDLE, bundle_version=None)
    for path, error in bag.import_errors.items():
        print(
            f"sdw: DAG file {path} does not import (the UI shows it too): {error}", file=sys.stderr
        )
    return sorted(bag.dags)


def answers(base: str) -> bool:
    """Whether the API server at base answers its health endpoint."""
    try:
        with urllib.request.urlopen(base + HEALTH, timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def announce_ready(
    base: str, server_pid: int, shown: str | None = None, wait_s: float = READY_WAIT_S
) -> str:
    """Poll base until the server answers, is gone, or wait_s passes; return the line to print
    (naming the URL as ``shown``, the one printed above)."""
    shown = shown or base
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if answers(base):
            return f"Airflow UI ready: {shown} answers; log in with the login above."
        try:
            os.kill(server_pid, 0)
        except ProcessLookupError:
            return "sdw ui: the API server stopped before it answered; its output above says why."
        time.sleep(1)
    return (
        f"sdw ui: the API server has not answered at {shown} after {wait_s:.0f} s; its output "
        "above says what it is doing. Ctrl-C stops it."
    )


def _watch_for_ready(base: str, shown: str) -> None:
    """A detached process (double fork: init reaps it, not the API server) that prints the
    ready line; this process then becomes the API server, so Ctrl-C and signals reach it."""
    server_pid = os.getpid()
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child:
        os.waitpid(child, 0)
        return
    try:
        if os.fork():
            os._exit(0)
        line = announce_ready(base, server_pid, shown)
        print(line, flush=True)
    finally:
        os._exit(0)


def serve(host: str, port: int, state: Path | None = None) -> None:
    """Migrate and sync the embedded metadata, print the URL and login, then become the API
    server (exec: Ctrl-C or a signal to this PID stops it); a ready line follows once the
    server answers."""
    from sdw.orchestration.runner import configure_airflow, migrate_metadata_db

    state = state or state_dir()
    configure_airflow(state)
    user, password, path = ensure_login(state)
    env = {**os.environ, **ui_environment(host, port, state)}
    migrate_metadata_db()
    dags = sync_dags()
    home = airflow_environment(state)["AIRFLOW_HOME"]
    base = f"http://{_display_host(host)}:{port}"
    print(f"Airflow UI: {base} (starting; a ready line follows when it answers)", flush=True)
    print(f"Login: {user} / {password}   (kept in {path})", flush=True)
    print(f"DAGs: {', '.join(dags)}", flush=True)
    logs = state / "logs"
    print(f"Run history: {home}/airflow.db; task output of sdw run: {logs}/run-*.log", flush=True)
    print(f"Task logs shown in the UI: {home}/logs (copied there by sdw run)", flush=True)
    print("Only the API server runs: use `sdw run` to run the DAGs. Ctrl-C stops it.", flush=True)
    local = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    _watch_for_ready(f"http://{local}:{port}", base)
    argv = [sys.executable, "-m", "airflow", "api-server", "--host", host, "--port", str(port)]
    os.execve(sys.executable, [*argv, "--workers", "1"], env)
