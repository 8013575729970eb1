"""Shared helpers: where things go, a throw-away database per run, and measuring a process tree."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
WORK = BENCH / "work"  # git-ignored: generated inboxes, dbt target, demo state
RESULTS = BENCH / "results"
ADMIN_URL = os.environ.get("SDW_BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PSEUDONYM_KEY = b"bench-pseudonym-key-" + b"0" * 32

QUIET_ENV = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "False",
    "SCARF_ANALYTICS": "false",
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
}


def code_version() -> str:
    """HEAD plus a hash of uncommitted changes under plugins/ and dbt_project/: other engineers
    commit to and edit the same work tree while the benchmark runs, so every step records the
    code it ran."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    diff = subprocess.run(
        ["git", "diff", "HEAD", "--", "plugins", "dbt_project"], cwd=REPO, capture_output=True
    ).stdout
    return head + (f"+dirty:{hashlib.sha256(diff).hexdigest()[:10]}" if diff else "")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def db_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


@contextmanager
def fresh_database(prefix: str = "bench", keep: bool = False) -> Iterator[str]:
    """CREATE DATABASE bench_<timestamp>, yield its URL, drop it afterwards (unless ``keep``)."""
    name = f"{prefix}_{time.strftime('%Y%m%d_%H%M%S')}_{os.getpid()}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield db_url(name)
    finally:
        if keep:
            log(f"kept database {name}")
        else:
            with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- memory of a process tree ---------------------------------------------------------------

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return out


def tree_pids(root: int) -> list[int]:
    todo, seen = [root], []
    while todo:
        pid = todo.pop()
        seen.append(pid)
        todo += _children(pid)
    return seen


def hwm_bytes(pid: int) -> int:
    """VmHWM: the process's own peak RSS since exec (exact, unlike a sample)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except OSError:
        return 0


class TreeRssPoller:
    """Samples the summed RSS of a process and all its descendants (the worker pool too)."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid, self.interval = pid, interval
        self.peak_total = 0
        self.peak_single = 0
        self.peak_processes = 0
        self.hwm: dict[int, int] = {}  # pid -> VmHWM last seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = tree_pids(self.pid)
            sizes = [rss_bytes(p) for p in pids]
            self.peak_total = max(self.peak_total, sum(sizes))
            self.peak_single = max(self.peak_single, max(sizes, default=0))
            self.peak_processes = max(self.peak_processes, len(pids))
            for p in pids:
                self.hwm[p] = max(self.hwm.get(p, 0), hwm_bytes(p))
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeRssPoller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Measured:
    seconds: float
    returncode: int
    peak_tree_rss_mb: float
    # VmHWM of the largest single process of the tree (exact peak, read from /proc while it
    # lived). Not wait4's ru_maxrss: Linux carries the forking parent's RSS into it over exec.
    peak_single_rss_mb: float
    stdout: str = ""
    stderr: str = ""
    extra: dict = field(default_factory=dict)


def run_measured(
    cmd: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    check: bool = True,
    poll: bool = True,
    timeout: float | None = None,
) -> Measured:
    """Run a command, timing it and sampling the RSS of its whole process tree. After
    ``timeout`` seconds the command is killed (``Measured.extra['timed_out']``)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        env={**os.environ, **(env or {})},
        cwd=cwd or REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    poller = TreeRssPoller(proc.pid) if poll else None
    if poller:
        poller.__enter__()
    out_chunks: list[str] = []
    err_chunks: list[str] = []
    t_out = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()), daemon=True)
    t_err = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True)
    t_out.start()
    t_err.start()
    timed_out = threading.Event()

    def _kill() -> None:
        timed_out.set()
        proc.kill()

    timer = threading.Timer(timeout, _kill) if timeout else None
    if timer:
        timer.start()
    _pid, status, _usage = os.wait4(proc.pid, 0)
    if timer:
        timer.cancel()
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if poller:
        poller.__exit__()
    t_out.join()
    t_err.join()
    m = Measured(
        seconds=seconds,
        returncode=proc.returncode,
        peak_tree_rss_mb=(poller.peak_total / 2**20) if poller else 0.0,
        peak_single_rss_mb=(max(poller.hwm.values(), default=0) / 2**20) if poller else 0.0,
        stdout="".join(out_chunks),
        stderr="".join(err_chunks),
        extra={"timed_out": timed_out.is_set()},
    )
    if check and m.returncode != 0:
        sys.stderr.write(m.stdout[-4000:] + "\n" + m.stderr[-8000:] + "\n")
        raise RuntimeError(f"command failed ({m.returncode}): {' '.join(cmd)}")
    return m
