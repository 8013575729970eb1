"""What a person sees while ``sdw run`` works: one line per Airflow task as it starts and ends,
and the ingest progress bar, while the full Airflow/dbt/GX output goes to a log file (shown in
full with ``--verbose``). On failure the log's tail and its path are printed.

A failure is said in full and ends with what to do (``advice``): the error's own text is kept
whole (its last line is often PostgreSQL's or dbt's own hint, which a cut at a fixed width
threw away), and the advice follows from what failed: a warehouse that stopped answering asks
for the warehouse, not for a look at the quarantine.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sdw import progress

# An error's text on one line is cut in the middle beyond this, keeping its start (what failed)
# and its end (where PostgreSQL, dbt and sdw put what to do).
ERROR_CHARS = 600

WAREHOUSE_ADVICE = (
    "the warehouse stopped answering: start it (`sdw warehouse start`; with WAREHOUSE_URL, check "
    "that its server runs and the URL is right), then run `sdw run` again; files already "
    "loaded are recognised and not loaded twice."
)
VALIDATION_ADVICE = (
    "a data check failed, so nothing was published: the lines above name the expectations "
    "that failed, audit.validation_result holds them all. Correct the data (or the expectation) "
    "and run `sdw run` again."
)
# Error class names (anywhere in the exception chain) that mean the warehouse is gone.
_WAREHOUSE_ERRORS = frozenset(
    {"OperationalError", "WarehouseUnavailable", "EmbeddedWarehouseError", "InterfaceError"}
)
_WAREHOUSE_TEXT = re.compile(
    r"connection refused|could not connect|connection to server .* failed|"
    r"server closed the connection|terminating connection due to administrator command|"
    r"the database system is (shutting down|starting up|in recovery mode)|"
    r"warehouse database failed|embedded warehouse is not running",
    re.IGNORECASE,
)


def one_line(error: object, limit: int = ERROR_CHARS) -> str:
    """An error's whole text on one line; a long one loses its middle, never its end."""
    text = " ".join(part.strip() for part in str(error).splitlines() if part.strip())
    text = text or type(error).__name__
    if len(text) <= limit:
        return text
    keep = (limit - 3) // 2
    return f"{text[:keep]} … {text[-keep:]}"


def _chain(error: object) -> Iterator[BaseException]:
    seen: set[int] = set()
    current = error if isinstance(error, BaseException) else None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def advice(error: object, log_path: Path | None = None) -> str:
    """What to do about a failed task's error, as the end of the line that reports it."""
    names = {type(e).__name__ for e in _chain(error)}
    text = " ".join(str(e) for e in _chain(error)) or str(error or "")
    if names & _WAREHOUSE_ERRORS or _WAREHOUSE_TEXT.search(text):
        return WAREHOUSE_ADVICE
    if "ValidationFailed" in names:
        return VALIDATION_ADVICE
    where = f"the full log {log_path}" if log_path else "the task log"
    return (
        f"the error above says what failed; {where} has the details. Fix the cause and run "
        "`sdw run` again: files already loaded are recognised, nothing half-done is published."
    )


@dataclass(frozen=True)
class Failure:
    """The first task that failed in a run, with its error (None when Airflow gave none)."""

    task: str
    error: object


def task_log_file(ti: Any) -> Path:
    """Where the Airflow UI looks for a task instance's log: ``[logging] base_log_folder`` and
    ``log_filename_template``, as the API server renders them (``FileTaskHandler``)."""
    from airflow.configuration import conf
    from jinja2 import Template

    base = Path(conf.get("logging", "base_log_folder")).expanduser()
    template = conf.get("logging", "log_filename_template")
    return base / Template(template).render(ti=ti, try_number=ti.try_number)


def _size(path: Path | None) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        return path.stat().st_size if path is not None else 0
    except OSError:
        return 0


class TaskLines:
    """An Airflow listener: registered on the task SDK's listener manager for the run.

    ``sdw run`` runs each task in this process (``dag.test()``), one after another, so a task's
    output is exactly what the run log gained between its start and its end. That part is
    copied to the file the Airflow UI reads for the task (``task_log_file``): ``sdw ui`` then
    shows every task's log from its own disk, where it otherwise asked a log server on port
    8793 that no ``sdw run`` keeps running ("Could not read served logs").
    """

    def __init__(self, out: IO[str], log_path: Path | None = None) -> None:
        self.out = out
        self.log_path = log_path
        self.started: dict[str, float] = {}
        self.offsets: dict[str, int] = {}
        self.failures: list[Failure] = []

    def _keep_task_log(self, ti: Any, key: str) -> None:
        start, end = self.offsets.pop(key, None), _size(self.log_path)
        if self.log_path is None or start is None:
            return
        try:
            target = task_log_file(ti)
            target.parent.mkdir(parents=True, exist_ok=True)
            with self.log_path.open("rb") as log, target.open("wb") as out:
                log.seek(start)
                out.write(log.read(max(0, end - start)))
                if end <= start:
                    out.write(b"(sdw run --verbose: this task's output went to the terminal)\n")
        except OSError as exc:  # the UI copy is a convenience; the run log keeps it all
            logging.getLogger(__name__).warning("task log for the UI not written: %s", exc)

    def _say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _key(self, ti: Any) -> str:
        index = getattr(ti, "map_index", -1)
        mapped = f"[{index}]" if isinstance(index, int) and index >= 0 else ""
        return f"{ti.dag_id}.{ti.task_id}{mapped}"

    def running(self, ti: Any) -> None:
        self.started[self._key(ti)] = time.monotonic()
        self.offsets[self._key(ti)] = _size(self.log_path)
        self._say(f"  … {ti.dag_id}.{ti.task_id}")

    def finished(self, ti: Any, ok: bool, error: object = None) -> None:
        took = time.monotonic() - self.started.pop(self._key(ti), time.monotonic())
        self._keep_task_log(ti, self._key(ti))
        if ok:
            self._say(f"  ✓ {ti.dag_id}.{ti.task_id} ({took:.1f} s)")
            return
        self.failures.append(Failure(self._key(ti), error))
        said = one_line(error) if error else "failed"
        self._say(
            f"  ✗ {ti.dag_id}.{ti.task_id} ({took:.1f} s) — {said}\n"
            f"    What to do: {advice(error, self.log_path)}"
        )


def _listener(lines: TaskLines) -> object:
    from airflow.listeners import hookimpl

    class Listener:
        @hookimpl
        def on_task_instance_running(self, previous_state: Any, task_instance: Any) -> None:
            lines.running(task_instance)

        @hookimpl
        def on_task_instance_success(self, previous_state: Any, task_instance: Any) -> None:
            lines.finished(task_instance, True)

        @hookimpl
        def on_task_instance_failed(
            self, previous_state: Any, task_instance: Any, error: Any
        ) -> None:
            lines.finished(task_instance, False, error)

    return Listener()


class RunConsole:
    """The terminal while the run's output goes to its log: progress lines are written here,
    and the first failure is kept for the closing lines."""

    def __init__(self, stream: IO[str], lines: TaskLines) -> None:
        self.stream = stream
        self.lines = lines

    def write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    @property
    def first_failure(self) -> Failure | None:
        return self.lines.failures[0] if self.lines.failures else None


@contextmanager
def run_console(log_path: Path, verbose: bool) -> Iterator[RunConsole]:
    """Route fd 1 and 2 (everything, subprocesses included) to ``log_path`` unless verbose;
    yield the real terminal for progress lines."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    console = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - closed below
    if not verbose:  # before importing Airflow: its import-time warnings belong in the log
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    manager = listener = None
    try:
        from airflow.sdk.listener import get_listener_manager

        lines = TaskLines(console, log_path)
        listener = _listener(lines)
        manager = get_listener_manager()
        manager.add_listener(listener)
        progress.set_console(console)
        yield RunConsole(console, lines)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)
        progress.set_console(None)
        if manager is not None:
            manager.pm.unregister(listener)
        log.close()
        console.flush()


def log_tail(log_path: Path, lines: int = 40) -> str:
    text = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])
