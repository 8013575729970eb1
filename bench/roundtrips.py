"""Round trips to PostgreSQL per ingested file: how many statements the ingest sends for an
inbox of small files, by kind of statement, and the wall clock of the same inbox.

    python -m bench.roundtrips INBOX [INBOX ...] [--first ADDRESS_INBOX] [--workers N]

Each INBOX is loaded into its own fresh database (after ``--first``, loaded with
``ingest_istandaarden``, so that 301s find their address file). The statements are counted in this
process (``workers=1``: every statement is sent from here); the wall clock is measured by a
second load of the same inbox into another fresh database with ``--workers`` (default 2).
Statement counts do not depend on how busy the machine is; seconds do.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from bench.common import PSEUDONYM_KEY, fresh_database, log


def _kind_of(query: object) -> str:
    text = query.as_string(None) if hasattr(query, "as_string") else str(query)
    words = " ".join(text.split()).split(" ")
    head = " ".join(words[:4])
    for marker in ("audit.file_ledger", "istandaarden_323_prestatie", "cbs_adres_gebied"):
        if marker in text:
            return f"{words[0]} … {marker}"
    return head[:60]


@contextmanager
def counted() -> Iterator[Counter[str]]:
    """Every statement psycopg sends from this process (execute, executemany, COPY), by kind."""
    counts: Counter[str] = Counter()
    execute, executemany, copy = (
        psycopg.Cursor.execute,
        psycopg.Cursor.executemany,
        psycopg.Cursor.copy,
    )

    def _execute(self, query, params=None, **kw):  # type: ignore[no-untyped-def]
        counts[_kind_of(query)] += 1
        return execute(self, query, params, **kw)

    def _executemany(self, query, params_seq, **kw):  # type: ignore[no-untyped-def]
        counts["(executemany) " + _kind_of(query)] += 1
        return executemany(self, query, params_seq, **kw)

    def _copy(self, statement, params=None, **kw):  # type: ignore[no-untyped-def]
        counts[_kind_of(statement)] += 1
        return copy(self, statement, params, **kw)

    psycopg.Cursor.execute = _execute  # type: ignore[method-assign]
    psycopg.Cursor.executemany = _executemany  # type: ignore[method-assign]
    psycopg.Cursor.copy = _copy  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]
        psycopg.Cursor.executemany = executemany  # type: ignore[method-assign]
        psycopg.Cursor.copy = copy  # type: ignore[method-assign]


def _prepare(url: str, first: Path | None) -> None:
    from sdw.ingest.inbox import ingest_inbox
    from sdw.warehouse.bootstrap import ensure_schema

    ensure_schema(url)
    if first is not None:
        ingest_inbox(first, url, PSEUDONYM_KEY, "bench-first")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("inboxes", nargs="+", type=Path)
    ap.add_argument("--first", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    from sdw.ingest.inbox import ingest_inbox

    for inbox in args.inboxes:
        with fresh_database("bench_rt") as url:
            _prepare(url, args.first)
            with counted() as counts:
                report = ingest_inbox(inbox, url, PSEUDONYM_KEY, "bench-rt", workers=1)
            summary = report.to_dict()
            files = int(summary["files_seen"])  # type: ignore[call-overload]
            total = sum(counts.values())
            log(f"{inbox.name}: {files} files, {total} statements, {total / files:.2f} per file")
            for kind, n in counts.most_common():
                log(f"  {n:6d}  {n / files:6.3f}/file  {kind}")
            log(f"  summary: { {k: v for k, v in summary.items() if k != 'quarantined_files'} }")
        with fresh_database("bench_rt") as url:
            _prepare(url, args.first)
            started = time.perf_counter()
            ingest_inbox(inbox, url, PSEUDONYM_KEY, "bench-rt", workers=args.workers)
            seconds = time.perf_counter() - started
            log(
                f"{inbox.name}: wall clock {seconds:.2f} s with {args.workers} workers "
                f"({1000 * seconds / files:.2f} ms per file)"
            )


if __name__ == "__main__":
    main()
