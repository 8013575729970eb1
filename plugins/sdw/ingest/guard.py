"""What the ingest core promises for every file, whatever its source, in one place: no file stops
a delivery, no clear BSN is written, and every name and text is one PostgreSQL, a log line and
an XCom can hold.

A source's parser only has to read its format. Whatever it returns, or raises, passes here
before anything is written (``sdw.ingest.worker`` runs every file through ``read``; tests and
the mutation campaigns through ``read_file``, the same path without a warehouse):

- An exception that is not the warehouse's or the disk's ends as the file's quarantine
  (INGEST_ERROR), redacted by its kind; the rest of the delivery goes on.
- The file's name is data from outside: any bytes. What is stored, logged, pushed to XCom or
  published is its display form (``display_name``): undecodable bytes and invisible characters
  written as escapes, BSN-shaped digit runs masked. The content hash identifies a file; the
  name is only shown.
- Reasons and fragments are masked (``sdw.pseudonym.mask_bsns``). Every text value of every
  table of every kind is masked the same way (budget lines, registers, case exports, CBS
  labels and region names), unless the kind's parser scrubs its values itself by stricter
  rules (``FileKind.scrubs_values``: the messages, whose identifiers keep their other digits
  so that a 325 still finds its 323).
- Text PostgreSQL cannot store (NUL, lone surrogates from a JSON ``\\ud800`` or an undecodable
  name) is written as an escape instead of failing the whole file at COPY.
"""

from __future__ import annotations

import errno
import logging
import os
import tempfile
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sdw.ingest.classify import UNKNOWN, by_name, unknown_file_reason
from sdw.ingest.contract import (
    INGEST_ERROR,
    UNKNOWN_FILE_TYPE,
    FileKind,
    IngestContext,
    ParsedFile,
    WholeFileRedaction,
    keep_nothing,
    masked,
    quarantine_whole_file,
    resolved,
)
from sdw.ingest.report import FileReport
from sdw.ingest.writer import QuarantineRecord
from sdw.pseudonym import PSEUDONYM_PATTERN, Pseudonymiser, mask_bsns

log = logging.getLogger(__name__)

NAME_LIMIT = 240  # characters of a display name; a longer one keeps its start and its end


def storable(text: str) -> str:
    """``text`` as PostgreSQL can store it: NUL and lone surrogates as visible escapes."""
    if "\x00" in text:
        text = text.replace("\x00", "\\x00")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def display_name(name: str | bytes | os.PathLike[str], pseudonymiser: Pseudonymiser) -> str:
    """The form of a file name that may be stored, logged and shown: bytes that are not UTF-8
    as ``\\xff``, characters that do not print as ``\\u200b``, every BSN masked (before the
    escapes, as a reader sees the name, and after, in case an escape's digits joined a run),
    at most ``NAME_LIMIT`` characters. Applying it twice changes nothing."""
    if isinstance(name, os.PathLike):
        name = os.fspath(name)
    raw = name if isinstance(name, bytes) else os.fsencode(name)
    text = mask_bsns(raw.decode("utf-8", "backslashreplace"), pseudonymiser)
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
    text = mask_bsns(text, pseudonymiser)
    if len(text) > NAME_LIMIT:
        text = text[: NAME_LIMIT - 41] + "…" + text[-40:]
    return text


def _scrub_value(value: str, pseudonymiser: Pseudonymiser) -> str:
    if PSEUDONYM_PATTERN.match(value):
        return value  # a pseudonym the parser made: its hex digits are no BSN
    return storable(mask_bsns(value, pseudonymiser))


def scrub_tables(
    tables: Mapping[str, tuple[list[str], list[list[object]]]], pseudonymiser: Pseudonymiser
) -> None:
    """Mask every BSN in every text value of ``tables``, in place. Values repeat down a file
    (a municipality code, a programme), so each distinct one is looked at once."""
    seen: dict[str, str] = {}
    for _columns, rows in tables.values():
        for row in rows:
            for i, v in enumerate(row):
                if type(v) is str:
                    out = seen.get(v)
                    if out is None:
                        out = seen[v] = _scrub_value(v, pseudonymiser)
                    if out is not v:
                        row[i] = out


def finished(parsed: ParsedFile, pseudonymiser: Pseudonymiser, kind: FileKind | None) -> ParsedFile:
    """The file as it may be written: its name in display form, reasons and fragments masked
    and storable, its tables' text masked unless its kind scrubs its own values."""
    report = parsed.report
    report.source_file = display_name(report.source_file, pseudonymiser)
    masked(parsed, pseudonymiser)
    report.reason = report.reason and storable(report.reason)
    for q in parsed.quarantine:
        q.reason = storable(q.reason)
        q.original_fragment = storable(q.original_fragment)
        q.record_path = q.record_path and storable(mask_bsns(q.record_path, pseudonymiser))
    if kind is None or not kind.scrubs_values:
        scrub_tables(parsed.tables, pseudonymiser)
    return parsed


def disk_failure(exc: OSError) -> bool:
    """An ``OSError`` that is the machine's, not the file's: it stops the delivery (the next
    run, on a working disk, loads the file). ``EINVAL`` is the file's: a library seeking to an
    offset that the file's own bytes state (a corrupt zip's directory) gets it."""
    return exc.errno is not None and exc.errno != errno.EINVAL


def redaction_of(kind: str, kinds: Mapping[str, FileKind]) -> WholeFileRedaction:
    """What of a file of this kind may be kept when it is refused whole."""
    known = kinds.get(kind)
    return known.redaction if known is not None else keep_nothing


def read(
    read_file: Callable[[], ParsedFile],
    path: Path,
    file_hash: str,
    kind: str,
    ctx: IngestContext,
    kinds: Mapping[str, FileKind],
) -> ParsedFile:
    """``read_file()`` for one file, guarded: whatever goes wrong reading it ends as that file's
    quarantine; only the warehouse (``psycopg.Error``, re-raised for the caller to stop the
    delivery) or the disk failing (an ``OSError`` with an errno) escape. A file whose
    look-ups are still pending is returned as it is: it is finished once they are answered."""
    import psycopg

    try:
        parsed = read_file()
    except psycopg.Error:
        raise
    except OSError as exc:
        if disk_failure(exc):
            raise  # the disk failed (or the file vanished), not its content: say so
        parsed = ingest_error(path, file_hash, kind, exc, ctx, kinds)
    except Exception as exc:
        parsed = ingest_error(path, file_hash, kind, exc, ctx, kinds)
    if parsed.pending is not None:
        return parsed
    return finished(parsed, ctx.pseudonymiser, kinds.get(parsed.report.file_kind))


def ingest_error(
    path: Path,
    file_hash: str,
    kind: str,
    exc: Exception,
    ctx: IngestContext,
    kinds: Mapping[str, FileKind],
) -> ParsedFile:
    """One poison file must not block the rest of the delivery. It is recorded in quarantine
    and the ledger with the error; the log has the (masked) traceback."""
    pseudo = ctx.pseudonymiser
    shown = display_name(path.name, pseudo)
    detail = storable(mask_bsns(traceback.format_exc(), pseudo))
    log.error("unexpected error reading %s; quarantined:\n%s", shown, detail)
    reason = (
        f"Unexpected {type(exc).__name__} while reading this file; nothing of it was "
        "loaded. The ingest task log has the details; please report it."
    )
    try:
        return quarantine_whole_file(
            path, file_hash, INGEST_ERROR, reason, ctx, kind=kind,
            redaction=redaction_of(kind, kinds),
        )  # fmt: skip
    except Exception as again:  # redaction itself failed: keep nothing of the content
        log.error("could not redact %s either (%s)", shown, type(again).__name__)
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


@contextmanager
def _encodable(path: Path) -> Iterator[Path]:
    """``path``, or where its name is not UTF-8, a link to it under a name that is: Python
    opens any name, but libraries that take a name as text (lxml, openpyxl's zip) cannot,
    and a parser should not have to know."""
    try:
        os.fsencode(path).decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="sdw-name-") as tmp:
        # the name's readable parts stay (a KWB year, a StatLine table id live in names)
        name = os.fsencode(path.name).decode("utf-8", "replace").replace("\ufffd", "_")
        link = Path(tmp) / name
        link.symlink_to(path.resolve())
        yield link


def parse(path: Path, file_hash: str, kind: str, ctx: IngestContext) -> ParsedFile:
    """The file through its kind's parser (an unknown kind: quarantined as such)."""
    kinds = by_name()
    if kind in kinds:
        with _encodable(path) as readable:
            parsed = kinds[kind].parse(readable, file_hash, ctx)
        parsed.report.source_file = path.name
        return parsed
    return quarantine_whole_file(
        path, file_hash, UNKNOWN_FILE_TYPE, unknown_file_reason(), ctx, kind=UNKNOWN
    )


def read_file(path: Path, file_hash: str, kind: str, ctx: IngestContext) -> ParsedFile:
    """One file as the worker would write it, without a warehouse: parsed through its kind,
    guarded, its look-ups answered by ``ctx``, finished. For tests and mutation campaigns."""
    kinds = by_name()
    parsed = read(lambda: parse(path, file_hash, kind, ctx), path, file_hash, kind, ctx, kinds)
    if parsed.pending is None:
        return parsed
    return read(lambda: resolved(parsed, ctx), path, file_hash, kind, ctx, kinds)
