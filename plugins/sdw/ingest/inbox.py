"""Ingest a whole inbox: every file is read, and each ends loaded, quarantined or recognised as
already loaded. Address files go first (301 addresses are reduced to areas with them); the
other files are spread over worker processes (``sdw.ingest.worker``), each with its own
connection and one transaction per group of files.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import sys
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import psycopg

from sdw.ingest.classify import UNKNOWN, classify, kinds, kinds_of
from sdw.ingest.files import discover, file_sha256, groups
from sdw.ingest.guard import disk_failure, display_name
from sdw.ingest.ledger import close_batch, close_counts, open_batch
from sdw.ingest.report import BatchReport, FileReport
from sdw.ingest.sealed import seal, unseal
from sdw.ingest.worker import Worker, infrastructure, init_worker, work_on
from sdw.ingest.writer import refresh_statistics, write_files
from sdw.progress import file_progress
from sdw.pseudonym import Pseudonymiser

log = logging.getLogger(__name__)

PARALLEL_THRESHOLD = 64  # below this many message files a process pool costs more than it saves


def _classify(path: Path) -> str:
    """The file's kind; a file whose recognition itself fails is an unknown file (quarantined
    by the DAG that owns unknown files), never the end of the delivery."""
    try:
        return classify(path)
    except OSError as exc:
        if disk_failure(exc):
            raise
        problem = type(exc).__name__
    except Exception as exc:  # a sniffer tripped over the content: the file, not the run
        problem = type(exc).__name__
    log.warning(
        "could not recognise %s (%s); it is treated as an unknown file",
        display_name(path.name, _NAME_MASK),
        problem,
    )
    return UNKNOWN


# Names in the log lines of this module, before any worker (and its key) exists, are masked
# with a key of their own: the mask hides the BSN; it need not match the warehouse's.
_NAME_MASK = Pseudonymiser(os.urandom(32))


def _duplicates(duplicates: list[tuple[Path, str, str]], key: bytes) -> list[FileReport]:
    """The delivery's repeated files, as the ledger's delivery records name them."""
    pseudo = Pseudonymiser(key)
    return [
        FileReport(display_name(p.name, pseudo), h, kind, "duplicate") for p, h, kind in duplicates
    ]


def ingest_inbox(
    inbox: Path,
    url: str,
    key: bytes,
    batch_id: str,
    *,
    workers: int | None = None,
    dag_id: str = "ingest_istandaarden",
    keep_files: bool = False,
) -> BatchReport:
    """Load the files of the inbox that ``dag_id`` owns (see ``sdw.ingest.classify``); files of
    other kinds are left for their own DAG. The report counts; it keeps every file's report
    only with ``keep_files`` (memory then grows with the inbox). Raises
    ``WarehouseUnavailable`` when the database fails; a file's own problems never raise."""
    try:
        return _ingest_inbox(
            inbox, url, key, batch_id, workers=workers, dag_id=dag_id, keep_files=keep_files
        )
    except psycopg.Error as exc:
        raise infrastructure(exc) from exc


def _ingest_inbox(
    inbox: Path,
    url: str,
    key: bytes,
    batch_id: str,
    *,
    workers: int | None,
    dag_id: str,
    keep_files: bool,
) -> BatchReport:
    files = discover(inbox)
    report = BatchReport(batch_id=batch_id, inbox=str(inbox), keep_files=keep_files)
    with psycopg.connect(url, autocommit=True) as conn:
        open_batch(conn, batch_id, str(inbox))

    # Same bytes twice in one delivery: the first is loaded, the rest are duplicates. Hashing
    # reads every byte, so it runs while the workers parse (see _hashed), not before.
    first_seen: set[bytes] = set()
    duplicates: list[tuple[Path, str, str]] = []

    def hashed(paths: Iterable[tuple[Path, str]]) -> Iterator[tuple[str, str, str]]:
        return _hashed(paths, first_seen, duplicates)

    addresses: list[tuple[Path, str]] = []
    with tempfile.TemporaryFile() as spool:
        # The other files wait on disk, not in memory, while the address files load first.
        n_others = 0
        for p, kind, loads_first in _owned_files(files, dag_id):
            if loads_first:
                addresses.append((p, kind))
            else:
                pickle.dump((str(p), kind), spool)
                n_others += 1
        spool.seek(0)
        _load(
            url,
            key,
            batch_id,
            workers,
            dag_id,
            inbox,
            report,
            hashed(addresses),
            hashed(_unspooled(spool)),
            len(addresses) + n_others,
            n_others,
            duplicates,
        )

    with psycopg.connect(url, autocommit=True) as conn:
        if report.count("loaded") + report.count("loaded_with_rejections"):
            refresh_statistics(conn)
        close_batch(conn, report)
    log.info(
        "ingest batch %s: %s",
        batch_id,
        {k: v for k, v in report.to_dict().items() if k != "quarantined_files"},
    )
    return report


def _owned_files(files: Iterable[Path], dag_id: str) -> Iterator[tuple[Path, str, bool]]:
    """The files this DAG loads, in inbox order, with their kind and whether they load before
    the rest (the address files, which the 301s' districts are looked up in). One rule for
    both ways a delivery is loaded: ingest_inbox in one task, plan_parts over mapped tasks."""
    owned = kinds_of(dag_id)
    first = {k.name for k in kinds() if k.loads_first}
    for p in files:
        kind = _classify(p)
        if kind in owned:
            yield p, kind, kind in first


@contextmanager
def _main_not_rerun() -> Iterator[None]:
    """Spawned workers run the parent's ``__main__`` script again unless it was started as a
    module. Under Airflow's task runner that script is ``airflow``, and importing airflow in a
    child fails (the runner blocks the metadata database in the task's environment); the
    workers need nothing from ``__main__`` (sdw.ingest.worker is imported by name), so its
    path is hidden from multiprocessing while the pool starts its processes."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or getattr(main, "__spec__", None) is not None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


def _hashed(
    paths: Iterable[tuple[Path, str]],
    first_seen: set[bytes],
    duplicates: list[tuple[Path, str, str]],
) -> Iterator[tuple[str, str, str]]:
    """(path, hash, kind) of each file whose bytes were not seen before in this delivery; the
    repeats go to ``duplicates``."""
    for p, kind in paths:
        h = file_sha256(p)
        digest = bytes.fromhex(h)  # half the memory of the text, per file of the delivery
        if digest in first_seen:
            duplicates.append((p, h, kind))
        else:
            first_seen.add(digest)
            yield (str(p), h, kind)


# -- one delivery spread over tasks (ingest_istandaarden's dynamic task mapping) -------------
# plan_parts -> ingest_part per part (in parallel, on any worker) -> finish_batch. Each file
# still ends loaded, quarantined or a duplicate exactly as ingest_inbox would leave it.

# (sealed path, sha256, kind) of each file of one part: parts go through XCom, where a name
# must be neither unencodable nor readable (sdw.ingest.sealed).
Part = list[tuple[str, str, str]]
PART_FILES = 2_000  # files per part when the run does not say how many parts
MAX_PARTS = 16


def plan_parts(
    inbox: Path,
    url: str,
    key: bytes,
    batch_id: str,
    *,
    parts: int | None = None,
    dag_id: str = "ingest_istandaarden",
) -> tuple[BatchReport, list[Part]]:
    """Open the batch, load the address files (they go first, as in ingest_inbox), record
    the delivery's repeated files as duplicates, and split the other files, in the inbox's
    order, into at most ``parts`` parts of about equal bytes (always at least one part, which
    may be empty; unset: one per PART_FILES files, at most MAX_PARTS, so that a small
    delivery is one part). Returns what this step did and the parts."""
    try:
        addresses: list[tuple[Path, str]] = []
        others: list[tuple[Path, str]] = []
        for p, kind, loads_first in _owned_files(discover(inbox), dag_id):
            (addresses if loads_first else others).append((p, kind))
        report = BatchReport(batch_id=batch_id, inbox=str(inbox))
        first_seen: set[bytes] = set()
        duplicates: list[tuple[Path, str, str]] = []
        local = Worker(url, key, batch_id)
        try:
            open_batch(local.conn, batch_id, str(inbox))
            for path, file_hash, kind in _hashed(addresses, first_seen, duplicates):
                report.add(local.ingest(Path(path), file_hash, kind))
            items = [
                (seal(path, key), h, kind)
                for path, h, kind in _hashed(others, first_seen, duplicates)
            ]
            same = _duplicates(duplicates, key)
            write_files(local.conn, [], batch_id, [(r, "duplicate") for r in same])
            for fr in same:
                report.add(fr)
        finally:
            local.close()
    except psycopg.Error as exc:
        raise infrastructure(exc) from exc
    if parts is None:
        parts = min(MAX_PARTS, -(-len(items) // PART_FILES))
    return report, split_parts(items, parts, key)


def split_parts(
    items: list[tuple[str, str, str]], parts: int, key: bytes | None = None
) -> list[Part]:
    """Consecutive runs of ``items`` in at most ``parts`` parts of about equal bytes: files
    that arrive together (one provider, one municipality) mostly stay in one part. With
    ``key`` the paths are sealed (``sdw.ingest.sealed``)."""
    if not items:
        return [[]]
    n = max(1, min(parts, len(items)))
    sizes = [
        os.path.getsize(unseal(path, key) if key is not None else path) for path, _h, _k in items
    ]
    total = sum(sizes)
    out: list[Part] = [[]]
    done = 0
    for item, size in zip(items, sizes, strict=True):
        if out[-1] and len(out) < n and done >= total * len(out) / n:
            out.append([])
        out[-1].append(item)
        done += size
    return out


def ingest_part(
    part: Part, url: str, key: bytes, batch_id: str, *, workers: int | None = None
) -> BatchReport:
    """Load one part of a planned delivery, in groups as ingest_inbox does. A part that runs
    again (its worker was lost mid-task and Airflow retried it) skips the files an earlier
    attempt committed in this batch: their ledger rows say what became of them, so the batch
    counts come out as if the part had run once."""
    report = BatchReport(batch_id=batch_id, inbox="part")
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            done = conn.execute(
                """SELECT source_file, file_hash, file_kind, status, bericht_type, wet,
                          reason_code, lines_in, lines_loaded, lines_quarantined
                   FROM audit.file_ledger WHERE _batch_id = %s AND file_hash = ANY(%s)""",
                (batch_id, [h for _p, h, _k in part]),
            ).fetchall()
        for name, file_hash, kind, status, bericht, wet, code, n_in, n_ok, n_bad in done:
            counts = (int(n_in), int(n_ok), int(n_bad))
            report.add(FileReport(name, file_hash, kind, status, bericht, wet, code, None, *counts))
        seen = {row[1] for row in done}
        rest = [(unseal(p, key), h, k) for p, h, k in part if h not in seen]
        if done:
            log.info("%d files of this part were loaded by an earlier attempt", len(done))
        nothing: Iterator[tuple[str, str, str]] = iter(())
        n = len(rest)
        _load(
            url,
            key,
            batch_id,
            workers,
            "ingest_group",
            Path("part"),
            report,
            nothing,
            iter(rest),
            n,
            n,
            [],
        )
    except psycopg.Error as exc:
        raise infrastructure(exc) from exc
    return report


def finish_batch(url: str, batch_id: str, summaries: list[dict[str, object]]) -> dict[str, object]:
    """Close a batch that was loaded in parts: its counts are the sum of the parts' (and of
    the planning step's), as one ingest_inbox would have counted them."""
    merged: dict[str, object] = dict(summaries[0])
    merged["quarantined_files"] = []
    for key in [k for k, v in merged.items() if isinstance(v, int)]:
        merged[key] = sum(int(s[key]) for s in summaries)  # type: ignore[call-overload]
    for s in summaries:
        merged["quarantined_files"] += s["quarantined_files"]  # type: ignore[operator]
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            if merged["files_loaded"]:
                refresh_statistics(conn)
            close_counts(
                conn,
                batch_id,
                seen=int(merged["files_seen"]),  # type: ignore[call-overload]
                loaded=int(merged["files_loaded"]),  # type: ignore[call-overload]
                skipped=int(merged["files_duplicate"]),  # type: ignore[call-overload]
                quarantined=int(merged["files_quarantined"]),  # type: ignore[call-overload]
            )
    except psycopg.Error as exc:
        raise infrastructure(exc) from exc
    log.info("ingest batch %s: %s", batch_id,
             {k: v for k, v in merged.items() if k != "quarantined_files"})  # fmt: skip
    return merged


def _unspooled(spool: IO[bytes]) -> Iterator[tuple[Path, str]]:
    while True:
        try:
            path, kind = pickle.load(spool)
        except EOFError:
            return
        yield Path(path), kind


def _load(
    url: str,
    key: bytes,
    batch_id: str,
    workers: int | None,
    dag_id: str,
    inbox: Path,
    report: BatchReport,
    addresses: Iterator[tuple[str, str, str]],
    others: Iterator[tuple[str, str, str]],
    n_files: int,
    n_others: int,
    duplicates: list[tuple[Path, str, str]],
) -> None:
    local = Worker(url, key, batch_id)
    with file_progress(n_files, f"{dag_id}: {inbox.name}") as tick:

        def done(fr: FileReport) -> None:
            report.add(fr)
            tick(fr)

        try:
            for item in addresses:
                done(local.ingest(Path(item[0]), item[1], item[2]))
            n_workers = workers or min(2, os.cpu_count() or 1)
            # A daemonic process (a Celery worker's task) may not start processes: its
            # parallelism is the mapped parts' (see plan_parts), not a pool of its own.
            daemon = multiprocessing.current_process().daemon
            if n_workers > 1 and n_others >= PARALLEL_THRESHOLD and not daemon:
                ctx = multiprocessing.get_context("spawn")
                with (
                    _main_not_rerun(),
                    ProcessPoolExecutor(
                        n_workers,
                        mp_context=ctx,
                        initializer=init_worker,
                        initargs=(url, key, batch_id),
                    ) as pool,
                ):
                    # A few groups in flight per worker: enough to keep them busy, few enough
                    # that the main process holds little; results come back in file order.
                    in_flight: deque[Future[list[FileReport]]] = deque()
                    for group in groups(others):
                        in_flight.append(pool.submit(work_on, group))
                        while len(in_flight) > 3 * n_workers:
                            for fr in in_flight.popleft().result():
                                done(fr)
                    while in_flight:
                        for fr in in_flight.popleft().result():
                            done(fr)
            else:
                for group in groups(others):
                    for fr in local.ingest_group(group):
                        done(fr)
            if duplicates:
                same = _duplicates(duplicates, key)
                write_files(local.conn, [], batch_id, [(r, "duplicate") for r in same])
                for fr in same:
                    done(fr)
        finally:
            local.close()
