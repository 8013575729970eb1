"""Progress that a person can watch: a bar on a terminal, a log line every 10% elsewhere
(Airflow task logs, CI), so long loads never look hung."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

log = logging.getLogger("sdw.progress")
_console: IO[str] | None = None


def set_console(stream: IO[str] | None) -> None:
    """Where bars go while ``sdw run`` sends everything else to its log file."""
    global _console
    _console = stream


def _said_once(description: str) -> str:
    """A description built as "<task>: <folder>" where both are the same word (a mapped part
    is both) says it once: "part: part: 8/88 files" read like a stutter, not progress."""
    words: list[str] = []
    for word in description.split(": "):
        if not words or word != words[-1]:
            words.append(word)
    return ": ".join(words)


@contextmanager
def file_progress(total: int, description: str) -> Iterator[Callable[[Any], None]]:
    description = _said_once(description)
    stream = _console or sys.stderr
    if total and stream.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress(
            "    [progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=stream),
            transient=True,
        ) as bar:
            task = bar.add_task(description, total=total)
            yield lambda _item: bar.advance(task)
        return
    done = 0
    step = max(1, total // 10)

    def tick(_item: Any) -> None:
        nonlocal done
        done += 1
        if done % step == 0 or done == total:
            log.info("%s: %d/%d files", description, done, total)
            if _console is not None:
                _console.write(f"    {description}: {done}/{total} files\n")
                _console.flush()

    yield tick
