"""Ingest a whole inbox: every file is read, and each ends loaded, quarantined or recognised as
already loaded. Address files go first (301 addresses are reduced to areas with them); message
files are spread over worker processes, each with its own connection and one transaction per file.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import psycopg

from sdw.ingest.istandaarden import IngestContext, ParsedFile, quarantine_whole_file
from sdw.ingest.kinds import BY_NAME, classify, kinds_of
from sdw.ingest.report import BatchReport, FileReport
from sdw.ingest.writer import DuplicateFile, record_delivery, write_file
from sdw.progress import file_progress
from sdw.pseudonym import Pseudonymiser, mask_bsns

log = logging.getLogger(__name__)

PARALLEL_THRESHOLD = 64  # below this many message files a process pool costs more than it saves


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def discover(inbox: Path) -> list[Path]:
    """Every regular file below the inbox, in a stable order; hidden files are skipped."""
    if not inbox.is_dir():
        raise FileNotFoundError(f"Inbox {inbox} does not exist or is not a folder.")
    return sorted(
        p
        for p in inbox.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(inbox).parts)
    )


class _Worker:
    """Per-process state: one connection, the key, the address lookup."""

    def __init__(self, url: str, key: bytes, batch_id: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        # A file's transaction (ledger + raw + quarantine) need not wait for its WAL flush: a
        # server crash can only lose whole, most recent transactions, and a file whose ledger
        # row is lost is simply loaded again by the next run. Never a half file.
        self.conn.execute("SET synchronous_commit = off")
        self.batch_id = batch_id
        self.ctx = IngestContext(
            Pseudonymiser(key), self._lookup, self._has_address_file, self._loaded_references
        )
        self._have_addresses: bool | None = None

    def _has_address_file(self) -> bool:
        if not self._have_addresses:  # once true it stays true; re-ask while false
            self._have_addresses = self.conn.execute(
                "SELECT EXISTS (SELECT 1 FROM raw.cbs_adres_gebied)"
            ).fetchone()[0]
        return bool(self._have_addresses)

    def _loaded_references(self, wet: str, agb: str, numbers: list[str]) -> set[str]:
        rows = self.conn.execute(
            """SELECT DISTINCT referentienummer FROM raw.istandaarden_323_prestatie
               WHERE aanbieder_agb = %s AND wet = %s AND referentienummer = ANY(%s)""",
            (agb, wet, numbers),
        ).fetchall()
        return {r[0] for r in rows}

    def _lookup(
        self, postcode: str, huisnummer: int
    ) -> tuple[str, int | None, int | None, int | None]:
        if not self._has_address_file():
            return "no_address_file", None, None, None
        row = self.conn.execute(
            """SELECT buurtcode, wijkcode, gemeentecode FROM raw.cbs_adres_gebied
               WHERE postcode = %s AND huisnummer = %s
               ORDER BY jaar DESC, _loaded_at DESC LIMIT 1""",
            (postcode, huisnummer),
        ).fetchone()
        return ("matched", *row) if row else ("not_found", None, None, None)

    def already_loaded(self, file_hash: str) -> bool:
        return self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM audit.file_ledger WHERE file_hash = %s)", (file_hash,)
        ).fetchone()[0]

    def ingest(self, path: Path, file_hash: str, kind: str) -> FileReport:
        if self.already_loaded(file_hash):
            return self._duplicate(path, file_hash, kind)
        parsed: ParsedFile
        try:
            if kind in BY_NAME:
                parsed = BY_NAME[kind].parse(path, file_hash, self.ctx)
            else:
                parsed = self._unknown(path, file_hash)
        except (psycopg.Error, OSError):
            raise  # the warehouse or the disk failed, not the file: stop and say so
        except Exception as exc:
            # One poison file must not block the rest of the delivery. It is recorded in
            # quarantine and the ledger with the error; the log has the (masked) traceback.
            detail = mask_bsns(traceback.format_exc(), self.ctx.pseudonymiser)
            log.error("unexpected error reading %s; quarantined:\n%s", path.name, detail)
            parsed = quarantine_whole_file(
                path,
                file_hash,
                "INGEST_ERROR",
                f"Unexpected {type(exc).__name__} while reading this file; nothing of it was "
                "loaded. The ingest task log has the details; please report it.",
                self.ctx,
                kind=kind,
            )
        if parsed.report.status == "deferred":
            record_delivery(self.conn, parsed.report, self.batch_id, "deferred")
            return parsed.report
        try:
            write_file(
                self.conn,
                parsed.report,
                path.stat().st_size,
                self.batch_id,
                parsed.tables,
                parsed.quarantine,
            )
        except DuplicateFile:
            return self._duplicate(path, file_hash, kind)
        return parsed.report

    def _unknown(self, path: Path, file_hash: str) -> ParsedFile:
        return quarantine_whole_file(
            path,
            file_hash,
            "UNKNOWN_FILE_TYPE",
            "Neither an iStandaarden XML message nor a CBS address file "
            "(PC6;Huisnummer;Buurt<jaar>;Wijk<jaar>;Gemeente<jaar>); remove it from the inbox "
            "or add a loader for it.",
            self.ctx,
            kind="unknown",
        )

    def _duplicate(self, path: Path, file_hash: str, kind: str) -> FileReport:
        report = FileReport(path.name, file_hash, kind, "duplicate")
        record_delivery(self.conn, report, self.batch_id, "duplicate")
        return report

    def close(self) -> None:
        self.conn.close()


_worker: _Worker | None = None


def _init_worker(url: str, key: bytes, batch_id: str) -> None:
    global _worker
    _worker = _Worker(url, key, batch_id)


def _work(item: tuple[str, str, str]) -> FileReport:
    assert _worker is not None
    path, file_hash, kind = item
    return _worker.ingest(Path(path), file_hash, kind)


def ingest_inbox(
    inbox: Path,
    url: str,
    key: bytes,
    batch_id: str,
    *,
    workers: int | None = None,
    dag_id: str = "ingest_istandaarden",
) -> BatchReport:
    """Load the files of the inbox that ``dag_id`` owns (see ``sdw.ingest.kinds``); files of
    other kinds are left for their own DAG."""
    owned = kinds_of(dag_id)
    files = discover(inbox)
    report = BatchReport(batch_id=batch_id, inbox=str(inbox))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO audit.ingest_batch (batch_id, inbox) VALUES (%s, %s) "
            "ON CONFLICT (batch_id) DO NOTHING",
            (batch_id, str(inbox)),
        )

    # Same bytes twice in one delivery: the first is loaded, the rest are duplicates.
    items: list[tuple[str, str, str]] = []
    first_seen: set[str] = set()
    duplicates: list[tuple[Path, str, str]] = []
    for p in files:
        kind = classify(p)
        if kind not in owned:
            continue
        h = file_sha256(p)
        if h in first_seen:
            duplicates.append((p, h, kind))
        else:
            first_seen.add(h)
            items.append((str(p), h, kind))

    addresses = [i for i in items if i[2] == "cbs_adres"]
    others = [i for i in items if i[2] != "cbs_adres"]
    local = _Worker(url, key, batch_id)
    with file_progress(len(items) + len(duplicates), f"{dag_id}: {inbox.name}") as tick:

        def done(fr: FileReport) -> None:
            report.files.append(fr)
            tick(fr)

        try:
            for item in addresses:
                done(local.ingest(Path(item[0]), item[1], item[2]))
            n_workers = workers or min(2, os.cpu_count() or 1)
            if n_workers > 1 and len(others) >= PARALLEL_THRESHOLD:
                ctx = multiprocessing.get_context("spawn")
                with ProcessPoolExecutor(
                    n_workers,
                    mp_context=ctx,
                    initializer=_init_worker,
                    initargs=(url, key, batch_id),
                ) as pool:
                    for fr in pool.map(_work, others, chunksize=8):
                        done(fr)
            else:
                for item in others:
                    done(local.ingest(Path(item[0]), item[1], item[2]))
            for p, h, kind in duplicates:
                done(local._duplicate(p, h, kind))
        finally:
            local.close()

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            """UPDATE audit.ingest_batch SET finished_at = now(), files_seen = %s,
               files_loaded = %s, files_skipped = %s, files_quarantined = %s
               WHERE batch_id = %s""",
            (
                len(report.files),
                report.count("loaded") + report.count("loaded_with_rejections"),
                report.count("duplicate"),
                report.count("quarantined"),
                batch_id,
            ),
        )
    log.info(
        "ingest batch %s: %s",
        batch_id,
        {k: v for k, v in report.to_dict().items() if k != "quarantined_files"},
    )
    return report
