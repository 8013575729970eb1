"""What a person sees while ``sdw run`` works: one line per Airflow task as it starts and ends,
and the ingest progress bar, while the full Airflow/dbt/GX output goes to a log file (shown in
full with ``--verbose``). On failure the log's tail and its path are printed."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from sdw import progress


class TaskLines:
    """An Airflow listener: registered on the task SDK's listener manager for the run."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.started: dict[str, float] = {}

    def _say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _key(self, ti: Any) -> str:
        return f"{ti.dag_id}.{ti.task_id}"

    def running(self, ti: Any) -> None:
        self.started[self._key(ti)] = time.monotonic()
        self._say(f"  … {ti.dag_id}.{ti.task_id}")

    def finished(self, ti: Any, ok: bool, error: object = None) -> None:
        took = time.monotonic() - self.started.pop(self._key(ti), time.monotonic())
        mark = "✓" if ok else "✗"
        tail = "" if ok else f"  — {str(error).splitlines()[0][:160] if error else 'failed'}"
        self._say(f"  {mark} {ti.dag_id}.{ti.task_id} ({took:.1f} s){tail}")


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


@contextmanager
def run_console(log_path: Path, verbose: bool) -> Iterator[IO[str]]:
    """Route fd 1 and 2 (everything, subprocesses included) to ``log_path`` unless verbose;
    yield a stream to the real terminal for progress lines."""
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

        listener = _listener(TaskLines(console))
        manager = get_listener_manager()
        manager.add_listener(listener)
        progress.set_console(console)
        yield console
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
