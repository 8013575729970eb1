"""One ingest worker: its own connection and look-ups, the file's parse through its kind,
and the group's write — each file whole, or quarantined whole when the warehouse refuses it.
The pool in ``sdw.ingest.inbox`` runs one per process."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import psycopg

from sdw.ingest import guard
from sdw.ingest.classify import by_name
from sdw.ingest.contract import (
    WAREHOUSE_REJECTED,
    Answers,
    IngestContext,
    ParsedFile,
    WholeFileRedaction,
    quarantine_whole_file,
    resolved,
)
from sdw.ingest.lookups import WarehouseLookups
from sdw.ingest.report import FileReport
from sdw.ingest.writer import FileWrite, write_files
from sdw.pseudonym import Pseudonymiser, mask_bsns

log = logging.getLogger(__name__)


# A concurrent worker holds the same ReferentieNummers (OP283 index), or the two deadlocked on
# them: the group is read and written again (see Worker.ingest_group).
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


def infrastructure(exc: psycopg.Error) -> WarehouseUnavailable:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return WarehouseUnavailable(
        f"The warehouse database failed during ingest ({type(exc).__name__}: {first}); "
        "nothing of the files being written was kept. Check that PostgreSQL is running and "
        "reachable, then run again: files already loaded are recognised."
    )


class Worker:
    """Per-process state: one connection, the key, the warehouse look-ups, the file kinds."""

    def __init__(self, url: str, key: bytes, batch_id: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        # A file's transaction (ledger + raw + quarantine) need not wait for its WAL flush: a
        # server crash can only lose whole, most recent transactions, and a file whose ledger
        # row is lost is simply loaded again by the next run. Never a half file.
        self.conn.execute("SET synchronous_commit = off")
        self.batch_id = batch_id
        self.kinds = by_name()
        self.lookups = WarehouseLookups(self.conn)
        self.ctx = IngestContext(
            Pseudonymiser(key),
            self.lookups.lookup_address,
            self.lookups.has_address_file,
            self.lookups.loaded_references,
            required_columns=self.lookups.required_columns(),
            lookups_per_group=True,
        )

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
                    raise infrastructure(exc.cause) from exc.cause
                log.info(
                    "a concurrent write of the same ReferentieNummers (%s); reading the "
                    "group of %d files again",
                    type(exc.cause).__name__,
                    len(items),
                )
        raise AssertionError("unreachable")

    def _ingest_group(self, items: list[tuple[str, str, str]]) -> list[FileReport]:
        """Parse the group's files, answer their look-ups (OP283, addresses) in one query
        each, write the group. A group costs the same few round trips whatever its number of
        files: the ledger's duplicate check, the look-ups and the write (writer.write_files)."""
        loaded = {
            row[0]
            for row in self.conn.execute(
                "SELECT file_hash FROM audit.file_ledger WHERE file_hash = ANY(%s)",
                ([h for _p, h, _k in items],),
            )
        }
        results: list[FileReport | ParsedFile] = []
        sightings: list[tuple[FileReport, str]] = []
        self._paths = {h: Path(p) for p, h, _k in items}
        for path_str, file_hash, kind in items:
            path = Path(path_str)
            if file_hash in loaded:
                report = FileReport(self._shown(path), file_hash, kind, "duplicate")
                sightings.append((report, "duplicate"))
                results.append(report)
                continue
            parsed = self._parse(path, file_hash, kind)
            if parsed.report.status == "deferred":
                sightings.append((parsed.report, "deferred"))
                results.append(parsed.report)
                continue
            results.append(parsed)
        # _write replaces in ``pending`` a write it had to redo (read again, or quarantined)
        pending = self._finish_pending([r for r in results if isinstance(r, ParsedFile)])
        raced = self._write(pending, sightings)
        reports: list[FileReport] = []
        at = 0
        for r in results:
            if isinstance(r, FileReport):
                reports.append(r)
                continue
            w = pending[at].report
            at += 1
            reports.append(
                FileReport(w.source_file, w.file_hash, w.file_kind, "duplicate")
                if w.file_hash in raced
                else w
            )
        return reports

    def _finish_pending(self, parsed: list[ParsedFile]) -> list[FileWrite]:
        """Answer the look-ups of the group's files in one query per kind of question, then
        finish each file in order. A ReferentieNummer counts as loaded when the warehouse
        holds it or an earlier file of the group loads it (only loaded lines count)."""
        asks = [p.pending for p in parsed if p.pending is not None]
        held = self.lookups.loaded_references_of(
            [(a.wet, a.aanbieder_agb, list(a.numbers)) for a in asks if a.numbers]
        )
        places = self.lookups.addresses_of([key for a in asks for key in a.addresses])
        earlier: dict[tuple[str, str], set[str]] = {}
        writes: list[FileWrite] = []
        for p in parsed:
            report = p.report
            if p.pending is not None:
                ask = p.pending
                seen = earlier.get((ask.wet, ask.aanbieder_agb), set())
                answers = Answers(
                    {
                        n
                        for n in ask.numbers
                        if n in seen or (ask.wet, ask.aanbieder_agb, n) in held
                    },
                    places,
                )
                p = self._guarded(
                    self._paths[report.file_hash],
                    report.file_hash,
                    report.file_kind,
                    lambda ask=ask, answers=answers: ask.finish(answers),
                )
            write = FileWrite(
                p.report, self._paths[report.file_hash].stat().st_size, p.tables, p.quarantine
            )
            _remember_references(write, earlier)
            writes.append(write)
        return writes

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
                    # the other worker's lines are committed: the warehouse alone answers
                    parsed = self.parse_alone(path, write.report.file_hash, write.report.file_kind)
                    write = pending[i] = FileWrite(
                        parsed.report, write.file_size, parsed.tables, parsed.quarantine
                    )
                    continue
                detail = mask_bsns(str(exc).strip().splitlines()[0], self.ctx.pseudonymiser)
                log.error("the warehouse refused %s; quarantined: %s", self._shown(path), detail)
                parsed = quarantine_whole_file(
                    path,
                    write.report.file_hash,
                    WAREHOUSE_REJECTED,
                    f"The warehouse refused a value of this file ({detail}); nothing of it was "
                    "loaded. Please report it: the reader should have caught this.",
                    self.ctx,
                    kind=write.report.file_kind,
                    redaction=self._redaction(write.report.file_kind),
                    bericht_type=write.report.bericht_type,
                    wet=write.report.wet,
                )
                parsed = guard.finished(parsed, self.ctx.pseudonymiser, None)
                write = pending[i] = FileWrite(
                    parsed.report, write.file_size, {}, parsed.quarantine
                )
        return write_files(self.conn, [write], self.batch_id)

    def _shown(self, path: Path) -> str:
        return guard.display_name(path.name, self.ctx.pseudonymiser)

    def parse_alone(self, path: Path, file_hash: str, kind: str) -> ParsedFile:
        """One file parsed and finished on its own: its OP283 look-up a query of its own."""
        parsed = self._parse(path, file_hash, kind)
        if parsed.pending is None:
            return parsed
        return self._guarded(path, file_hash, kind, lambda: resolved(parsed, self.ctx))

    def _parse(self, path: Path, file_hash: str, kind: str) -> ParsedFile:
        """The file through its kind's parser (its OP283 look-up possibly left pending)."""
        return self._guarded(
            path, file_hash, kind, lambda: guard.parse(path, file_hash, kind, self.ctx)
        )

    def _guarded(
        self, path: Path, file_hash: str, kind: str, read: Callable[[], ParsedFile]
    ) -> ParsedFile:
        """Whatever goes wrong reading one file ends as that file's quarantine, and whatever is
        written of it is masked and storable (``sdw.ingest.guard``: one place for every kind
        of file); only the warehouse or the disk failing stops the delivery."""
        try:
            return guard.read(read, path, file_hash, kind, self.ctx, self.kinds)
        except psycopg.Error as exc:
            raise infrastructure(exc) from exc

    def _redaction(self, kind: str) -> WholeFileRedaction:
        """What of a file of this kind may be kept when it is refused whole."""
        return guard.redaction_of(kind, self.kinds)

    def close(self) -> None:
        self.conn.close()


def _remember_references(write: FileWrite, earlier: dict[tuple[str, str], set[str]]) -> None:
    """ReferentieNummers of a finished, not yet written file count as loaded for the next
    files of its group (OP283 across files): its loaded lines only, not its quarantined ones."""
    table = write.tables.get("istandaarden_323_prestatie")
    if not table:
        return
    columns, rows = table
    wet, agb, ref = (list(columns).index(c) for c in ("wet", "aanbieder_agb", "referentienummer"))
    for row in rows:
        earlier.setdefault((str(row[wet]), str(row[agb])), set()).add(str(row[ref]))


_worker: Worker | None = None


def init_worker(url: str, key: bytes, batch_id: str) -> None:
    global _worker
    _worker = Worker(url, key, batch_id)


def work_on(group: list[tuple[str, str, str]]) -> list[FileReport]:
    assert _worker is not None
    return _worker.ingest_group(group)
