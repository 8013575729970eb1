"""Progress that a person can watch: a bar on a terminal, a log line every 10% elsewhere
(Airflow task logs, CI), so long loads never look hung."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger("sdw.progress")


@contextmanager
def file_progress(total: int, description: str) -> Iterator[Callable[[Any], None]]:
    if total and sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
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

    yield tick
