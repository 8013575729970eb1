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
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import IO

import psycopg

from sdw.ingest.classify import UNKNOWN, classify, kinds, kinds_of
from sdw.ingest.files import discover, file_sha256, groups
from sdw.ingest.ledger import close_batch, open_batch
from sdw.ingest.report import BatchReport, FileReport
from sdw.ingest.worker import Worker, infrastructure, init_worker, work_on
from sdw.ingest.writer import refresh_statistics, write_files
from sdw.progress import file_progress

log = logging.getLogger(__name__)

PARALLEL_THRESHOLD = 64  # below this many message files a process pool costs more than it saves


def _classify(path: Path) -> str:
    """The file's kind; a file whose recognition itself fails is an unknown file (quarantined
    by the DAG that owns unknown files), never the end of the delivery."""
    try:
        return classify(path)
    except OSError as exc:
        if exc.errno is not None:
            raise
    except Exception:  # a sniffer tripped over the content: the file, not the run
        pass
    log.warning("could not recognise %s; it is treated as an unknown file", path.name)
    return UNKNOWN


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
    owned = kinds_of(dag_id)
    files = discover(inbox)
    report = BatchReport(batch_id=batch_id, inbox=str(inbox), keep_files=keep_files)
    with psycopg.connect(url, autocommit=True) as conn:
        open_batch(conn, batch_id, str(inbox))

    # Same bytes twice in one delivery: the first is loaded, the rest are duplicates. Hashing
    # reads every byte, so it runs while the workers parse (see hashed), not before.
    first_seen: set[bytes] = set()
    duplicates: list[tuple[Path, str, str]] = []

    def hashed(paths: Iterable[tuple[Path, str]]) -> Iterator[tuple[str, str, str]]:
        for p, kind in paths:
            h = file_sha256(p)
            digest = bytes.fromhex(h)  # half the memory of the text, per file of the delivery
            if digest in first_seen:
                duplicates.append((p, h, kind))
            else:
                first_seen.add(digest)
                yield (str(p), h, kind)

    first = {k.name for k in kinds() if k.loads_first}
    addresses: list[tuple[Path, str]] = []
    with tempfile.TemporaryFile() as spool:
        # The other files wait on disk, not in memory, while the address files load first.
        n_others = 0
        for p in files:
            kind = _classify(p)
            if kind not in owned:
                continue
            if kind in first:
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
            if n_workers > 1 and n_others >= PARALLEL_THRESHOLD:
                ctx = multiprocessing.get_context("spawn")
                with ProcessPoolExecutor(
                    n_workers,
                    mp_context=ctx,
                    initializer=init_worker,
                    initargs=(url, key, batch_id),
                ) as pool:
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
                same = [FileReport(p.name, h, kind, "duplicate") for p, h, kind in duplicates]
                write_files(local.conn, [], batch_id, [(r, "duplicate") for r in same])
                for fr in same:
                    done(fr)
        finally:
            local.close()
