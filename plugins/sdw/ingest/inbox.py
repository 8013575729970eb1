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
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import psycopg

from sdw.ingest.istandaarden import (
    INGEST_ERROR,
    IngestContext,
    ParsedFile,
    masked,
    quarantine_whole_file,
)
from sdw.ingest.kinds import BY_NAME, UNKNOWN, classify, kinds_of
from sdw.ingest.report import BatchReport, FileReport
from sdw.ingest.writer import FileWrite, QuarantineRecord, write_files
from sdw.progress import file_progress
from sdw.pseudonym import Pseudonymiser, mask_bsns

log = logging.getLogger(__name__)

# A file the warehouse refused although its reader accepted it (a value a column cannot hold):
# the file is quarantined alone, the rest of its group loads.
WAREHOUSE_REJECTED = "WAREHOUSE_REJECTED"


# A concurrent worker holds the same ReferentieNummers (OP283 index), or the two deadlocked on
# them: the group is read and written again (see _Worker.ingest_group).
# What the warehouse says when it refuses a write that a retry or a quarantine can answer.
_REFUSED = (
    psycopg.errors.DataError,
    psycopg.errors.IntegrityError,
    psycopg.errors.DeadlockDetected,
)
_OP283_INDEX = "istandaarden_323_prestatie_op283"
_CONTENTION_ATTEMPTS = 5


def _is_contention(exc: BaseException) -> bool:
    if isinstance(exc, psycopg.errors.DeadlockDetected):
        return True
    return (
        isinstance(exc, psycopg.errors.UniqueViolation)
        and getattr(exc.diag, "constraint_name", None) == _OP283_INDEX
    )


class _Contended(Exception):
    def __init__(self, cause: psycopg.Error) -> None:
        super().__init__(str(cause))
        self.cause = cause


class WarehouseUnavailable(RuntimeError):
    """The warehouse database failed (gone, unreachable, out of space): the one kind of error
    that stops a delivery, because no file can be recorded without it."""


def _infrastructure(exc: psycopg.Error) -> WarehouseUnavailable:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return WarehouseUnavailable(
        f"The warehouse database failed during ingest ({type(exc).__name__}: {first}); "
        "nothing of the files being written was kept. Check that PostgreSQL is running and "
        "reachable, then run again: files already loaded are recognised."
    )


PARALLEL_THRESHOLD = 64  # below this many message files a process pool costs more than it saves
GROUP_FILES = 64  # files written in one transaction (see writer.write_files)
GROUP_BYTES = 4_000_000


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
            Pseudonymiser(key),
            self._lookup,
            self._has_address_file,
            self._loaded_references,
            required_columns=self._required_columns(),
        )
        self._have_addresses: bool | None = None
        # (wet, agb) -> ReferentieNummers parsed in the current group, not yet written
        self._pending_references: dict[tuple[str, str], set[str]] = {}

    def _required_columns(self) -> dict[str, frozenset[str]]:
        """NOT NULL columns of every raw table, from the catalog: the warehouse is the one
        place that says what a row needs."""
        required: dict[str, set[str]] = {}
        for table, column in self.conn.execute(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE table_schema = 'raw' AND is_nullable = 'NO'
                 AND column_name NOT LIKE '\\_%%' AND column_default IS NULL"""
        ).fetchall():
            required.setdefault(table, set()).add(column)
        return {t: frozenset(c) for t, c in required.items()}

    def _has_address_file(self) -> bool:
        if not self._have_addresses:  # once true it stays true; re-ask while false
            self._have_addresses = self.conn.execute(
                "SELECT EXISTS (SELECT 1 FROM raw.cbs_adres_gebied)"
            ).fetchone()[0]
        return bool(self._have_addresses)

    def _loaded_references(self, wet: str, agb: str, numbers: list[str]) -> set[str]:
        # One index probe per number (LATERAL ... LIMIT 1): the plain `= ANY(...)` form lets
        # the planner scan all of a provider's lines per file, which grows with the warehouse.
        rows = self.conn.execute(
            """SELECT x.ref FROM unnest(%s::text[]) AS x(ref)
               CROSS JOIN LATERAL (
                   SELECT 1 FROM raw.istandaarden_323_prestatie AS p
                   WHERE p.aanbieder_agb = %s AND p.referentienummer = x.ref AND p.wet = %s
                   LIMIT 1
               ) AS hit""",
            (numbers, agb, wet),
        ).fetchall()
        return {r[0] for r in rows} | (
            self._pending_references.get((wet, agb), set()) & set(numbers)
        )

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

    def ingest(self, path: Path, file_hash: str, kind: str) -> FileReport:
        return self.ingest_group([(str(path), file_hash, kind)])[0]

    def ingest_group(self, items: list[tuple[str, str, str]]) -> list[FileReport]:
        """Parse each file of the group, then write the group in one transaction (each file
        whole: see writer.write_files). Another worker may be writing the same provider's
        ReferentieNummers at the same moment (a re-sent declaration in the same delivery): the
        warehouse's OP283 index makes one of the two wait and fail, and that one reads its
        group again, now seeing the other's lines, so the repeats are quarantined line by line
        as DUPLICATE_LINE."""
        for attempt in range(1, _CONTENTION_ATTEMPTS + 1):
            try:
                return self._ingest_group(items)
            except _Contended as exc:
                if attempt == _CONTENTION_ATTEMPTS:
                    raise _infrastructure(exc.cause) from exc.cause
                log.info(
                    "a concurrent write of the same ReferentieNummers (%s); reading the "
                    "group of %d files again",
                    type(exc.cause).__name__,
                    len(items),
                )
        raise AssertionError("unreachable")

    def _ingest_group(self, items: list[tuple[str, str, str]]) -> list[FileReport]:
        loaded = {
            row[0]
            for row in self.conn.execute(
                "SELECT file_hash FROM audit.file_ledger WHERE file_hash = ANY(%s)",
                ([h for _p, h, _k in items],),
            )
        }
        results: list[FileReport | FileWrite] = []
        sightings: list[tuple[FileReport, str]] = []
        self._paths = {h: Path(p) for p, h, _k in items}
        try:
            for path_str, file_hash, kind in items:
                path = Path(path_str)
                if file_hash in loaded:
                    report = FileReport(path.name, file_hash, kind, "duplicate")
                    sightings.append((report, "duplicate"))
                    results.append(report)
                    continue
                parsed = self._parse(path, file_hash, kind)
                if parsed.report.status == "deferred":
                    sightings.append((parsed.report, "deferred"))
                    results.append(parsed.report)
                    continue
                write = FileWrite(
                    parsed.report, path.stat().st_size, parsed.tables, parsed.quarantine
                )
                self._remember_references(write)
                results.append(write)
            pending = [r for r in results if isinstance(r, FileWrite)]
            raced = self._write(pending, sightings)
            results = [
                next((w for w in pending if w.report.file_hash == r.report.file_hash), r)
                if isinstance(r, FileWrite)
                else r
                for r in results
            ]
        finally:
            self._pending_references.clear()
        return [
            r
            if isinstance(r, FileReport)
            else (
                FileReport(
                    r.report.source_file, r.report.file_hash, r.report.file_kind, "duplicate"
                )
                if r.report.file_hash in raced
                else r.report
            )
            for r in results
        ]

    def _write(self, pending: list[FileWrite], sightings: list[tuple[FileReport, str]]) -> set[str]:
        """Write the group; when the warehouse refuses a value (a data or constraint error,
        not a failing server), write its files one by one so that only the file it refuses is
        quarantined. ``pending`` is updated in place with what was written instead."""
        try:
            return write_files(self.conn, pending, self.batch_id, sightings)
        except _REFUSED as exc:
            if _is_contention(exc):
                raise _Contended(exc) from exc
            log.warning(
                "group of %d files refused (%s); writing them one by one",
                len(pending),
                type(exc).__name__,
            )
        raced = write_files(self.conn, [], self.batch_id, sightings)
        for i in range(len(pending)):
            raced |= self._write_alone(pending, i)
        return raced

    def _write_alone(self, pending: list[FileWrite], i: int) -> set[str]:
        """Write file ``i`` in a transaction of its own; on contention read it again (the other
        worker's lines are committed by then), on a refused value quarantine it whole."""
        write = pending[i]
        path = self._paths[write.report.file_hash]
        for _attempt in range(_CONTENTION_ATTEMPTS):
            try:
                return write_files(self.conn, [write], self.batch_id)
            except _REFUSED as exc:
                if _is_contention(exc):
                    parsed = self._parse(path, write.report.file_hash, write.report.file_kind)
                    write = pending[i] = FileWrite(
                        parsed.report, write.file_size, parsed.tables, parsed.quarantine
                    )
                    continue
                detail = mask_bsns(str(exc).strip().splitlines()[0], self.ctx.pseudonymiser)
                log.error("the warehouse refused %s; quarantined: %s", path.name, detail)
                parsed = quarantine_whole_file(
                    path,
                    write.report.file_hash,
                    WAREHOUSE_REJECTED,
                    f"The warehouse refused a value of this file ({detail}); nothing of it was "
                    "loaded. Please report it: the reader should have caught this.",
                    self.ctx,
                    kind=write.report.file_kind,
                    bericht_type=write.report.bericht_type,
                    wet=write.report.wet,
                )
                write = pending[i] = FileWrite(
                    parsed.report, write.file_size, {}, parsed.quarantine
                )
        return write_files(self.conn, [write], self.batch_id)

    def _remember_references(self, write: FileWrite) -> None:
        """ReferentieNummers of a parsed, not yet written file count as loaded for the next
        files of its group (OP283 across files)."""
        table = write.tables.get("istandaarden_323_prestatie")
        if not table:
            return
        columns, rows = table
        wet, agb, ref = (
            list(columns).index(c) for c in ("wet", "aanbieder_agb", "referentienummer")
        )
        for row in rows:
            self._pending_references.setdefault((str(row[wet]), str(row[agb])), set()).add(
                str(row[ref])
            )

    def _parse(self, path: Path, file_hash: str, kind: str) -> ParsedFile:
        """Whatever goes wrong reading one file ends as that file's quarantine; only the
        warehouse or the disk failing stops the delivery."""
        try:
            parsed = (
                BY_NAME[kind].parse(path, file_hash, self.ctx)
                if kind in BY_NAME
                else self._unknown(path, file_hash)
            )
        except psycopg.Error as exc:
            raise _infrastructure(exc) from exc
        except OSError as exc:
            if exc.errno is not None:
                raise  # the disk failed (or the file vanished), not its content: say so
            parsed = self._ingest_error(path, file_hash, kind, exc)
        except Exception as exc:
            parsed = self._ingest_error(path, file_hash, kind, exc)
        # Never a clear BSN, whatever the loader put in its reasons and fragments: one place
        # for every kind of file.
        return masked(parsed, self.ctx.pseudonymiser)

    def _ingest_error(self, path: Path, file_hash: str, kind: str, exc: Exception) -> ParsedFile:
        """One poison file must not block the rest of the delivery. It is recorded in
        quarantine and the ledger with the error; the log has the (masked) traceback."""
        detail = mask_bsns(traceback.format_exc(), self.ctx.pseudonymiser)
        log.error("unexpected error reading %s; quarantined:\n%s", path.name, detail)
        reason = (
            f"Unexpected {type(exc).__name__} while reading this file; nothing of it was "
            "loaded. The ingest task log has the details; please report it."
        )
        try:
            return quarantine_whole_file(path, file_hash, INGEST_ERROR, reason, self.ctx, kind=kind)
        except Exception as again:  # redaction itself failed: keep nothing of the content
            log.error("could not redact %s either (%s)", path.name, type(again).__name__)
            report = FileReport(
                path.name,
                file_hash,
                kind,
                "quarantined",
                reason_code=INGEST_ERROR,
                reason=reason,
                lines_in=1,
                lines_loaded=0,
                lines_quarantined=1,
            )
            note = f"[{path.stat().st_size} bytes; not kept: they could not be redacted]"
            return ParsedFile(report, {}, [QuarantineRecord("file", INGEST_ERROR, reason, note)])

    def _unknown(self, path: Path, file_hash: str) -> ParsedFile:
        return quarantine_whole_file(
            path,
            file_hash,
            "UNKNOWN_FILE_TYPE",
            "Not a file kind this warehouse loads. Accepted: iWmo/iJw 3.2 messages (.xml); the "
            "CBS address file (PC6;Huisnummer;Buurt<jaar>;Wijk<jaar>;Gemeente<jaar>); the case "
            "system's procedure export (gemeentecode;identificatie;wet;datumMelding;…); CBS "
            "StatLine CSV exports; Kerncijfers wijken en buurten (xlsx or CSV with gwb_code_10, "
            "a_inw, …); CBS OData JSON; the municipal benefits CSV "
            "(gemeentecode;wijkcode;maand;regeling;aantal_personen). Remove it from the inbox or "
            "add a loader for it (docs: README, 'CBS open data').",
            self.ctx,
            kind="unknown",
        )

    def close(self) -> None:
        self.conn.close()


_worker: _Worker | None = None


def _init_worker(url: str, key: bytes, batch_id: str) -> None:
    global _worker
    _worker = _Worker(url, key, batch_id)


def _work(group: list[tuple[str, str, str]]) -> list[FileReport]:
    assert _worker is not None
    return _worker.ingest_group(group)


def _classify(path: Path) -> str:
    """The file's kind; a file whose recognition itself fails is an unknown file (quarantined
    by ingest_istandaarden), never the end of the delivery."""
    try:
        return classify(path)
    except OSError as exc:
        if exc.errno is not None:
            raise
    except Exception:  # a sniffer tripped over the content: the file, not the run
        pass
    log.warning("could not recognise %s; it is treated as an unknown file", path.name)
    return UNKNOWN


def groups(
    items: Iterable[tuple[str, str, str]],
    max_files: int = GROUP_FILES,
    max_bytes: int = GROUP_BYTES,
) -> Iterator[list[tuple[str, str, str]]]:
    """Consecutive files in groups of at most ``max_files`` files and about ``max_bytes``
    (a larger file is a group of its own): one transaction each."""
    current: list[tuple[str, str, str]] = []
    size = 0
    for item in items:
        n = os.path.getsize(item[0])
        if current and (len(current) >= max_files or size + n > max_bytes):
            yield current
            current, size = [], 0
        current.append(item)
        size += n
    if current:
        yield current


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
    other kinds are left for their own DAG. Raises ``WarehouseUnavailable`` when the database
    fails; a file's own problems never raise."""
    try:
        return _ingest_inbox(inbox, url, key, batch_id, workers=workers, dag_id=dag_id)
    except psycopg.Error as exc:
        raise _infrastructure(exc) from exc


def _ingest_inbox(
    inbox: Path,
    url: str,
    key: bytes,
    batch_id: str,
    *,
    workers: int | None,
    dag_id: str,
) -> BatchReport:
    owned = kinds_of(dag_id)
    files = discover(inbox)
    report = BatchReport(batch_id=batch_id, inbox=str(inbox))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO audit.ingest_batch (batch_id, inbox) VALUES (%s, %s) "
            "ON CONFLICT (batch_id) DO NOTHING",
            (batch_id, str(inbox)),
        )

    owned_files = [(p, kind) for p in files if (kind := _classify(p)) in owned]
    # Same bytes twice in one delivery: the first is loaded, the rest are duplicates. Hashing
    # reads every byte, so it runs while the workers parse (see _hashed_groups), not before.
    first_seen: set[str] = set()
    duplicates: list[tuple[Path, str, str]] = []

    def hashed(paths: list[tuple[Path, str]]) -> Iterator[tuple[str, str, str]]:
        for p, kind in paths:
            h = file_sha256(p)
            if h in first_seen:
                duplicates.append((p, h, kind))
            else:
                first_seen.add(h)
                yield (str(p), h, kind)

    addresses = [(p, k) for p, k in owned_files if k == "cbs_adres"]
    others = [(p, k) for p, k in owned_files if k != "cbs_adres"]
    local = _Worker(url, key, batch_id)
    with file_progress(len(owned_files), f"{dag_id}: {inbox.name}") as tick:

        def done(fr: FileReport) -> None:
            report.files.append(fr)
            tick(fr)

        try:
            for item in hashed(addresses):
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
                    # A few groups in flight per worker: enough to keep them busy, few enough
                    # that the main process holds little; results come back in file order.
                    in_flight: deque[Future[list[FileReport]]] = deque()
                    for group in groups(hashed(others)):
                        in_flight.append(pool.submit(_work, group))
                        while len(in_flight) > 3 * n_workers:
                            for fr in in_flight.popleft().result():
                                done(fr)
                    while in_flight:
                        for fr in in_flight.popleft().result():
                            done(fr)
            else:
                for group in groups(hashed(others)):
                    for fr in local.ingest_group(group):
                        done(fr)
            if duplicates:
                same = [FileReport(p.name, h, kind, "duplicate") for p, h, kind in duplicates]
                write_files(local.conn, [], batch_id, [(r, "duplicate") for r in same])
                for fr in same:
                    done(fr)
        finally:
            local.close()

    with psycopg.connect(url, autocommit=True) as conn:
        if report.count("loaded") + report.count("loaded_with_rejections"):
            # Bulk loads leave the planner's statistics behind until autovacuum catches up;
            # the build that follows joins these tables, so refresh them now (sampled: cheap).
            for (table,) in conn.execute(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(relname) "
                "FROM pg_stat_user_tables WHERE schemaname = 'raw' AND n_mod_since_analyze > 0"
            ).fetchall():
                conn.execute(f"ANALYZE {table}")
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
