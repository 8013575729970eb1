"""A subsidy register as the ingest core wants it: a ``ParsedFile`` per file, no database.

Every register row is one line: loaded into ``raw.subsidy_grant`` or quarantined with its
reason (an amount that cannot be read, an implausible year, no recipient). Free text is kept
as published, with any BSN-like number masked, because raw rows do not pass the core's
masking of reasons and fragments. Quarantine keeps a rejected row's contract fields as
written (a public register's fields), never the cells of a line that does not split.

The euro reconciliation of a file (the register's own total = loaded + quarantined, to the
cent, per amount column) is the core's (``sdw.ingest.euros``): the register's totals over every
readable amount cell go to ``raw.file_euro_total`` with the rows, and the reconcile task proves
them against raw. A quarantined row's unreadable amount has no euro value; the quarantine
keeps it as written.
"""

from __future__ import annotations

from pathlib import Path

from sdw.ingest import euros
from sdw.ingest.contract import IngestContext, ParsedFile
from sdw.ingest.report import FileReport
from sdw.ingest.writer import QuarantineRecord
from sdw.pseudonym import Pseudonymiser, mask_bsns
from sdw.subsidies.layouts import Layout
from sdw.subsidies.register import TEXT_FIELDS, BadRow, read_register
from sdw.subsidies.tables import CSV_KIND, GRANT, GRANT_COLUMNS, JSON_KIND


def fragment(bad: BadRow, pseudonymiser: Pseudonymiser) -> str:
    if bad.fields is None:
        return "[the row could not be split into the register's columns; not kept]"
    return mask_bsns("; ".join(f"{k}={v}" for k, v in bad.fields.items()), pseudonymiser)


def parse_register_file(
    path: Path, file_hash: str, ctx: IngestContext, layouts: tuple[Layout, ...] | None = None
) -> ParsedFile:
    """Everything about one register, decided in memory; nothing is written here."""
    register = read_register(path, layouts)
    kind = JSON_KIND if register.layout.format == "json" else CSV_KIND
    rows: list[list[object]] = []
    for lineno, r in register.rows:
        values = {**r, "layout": register.layout.name, "line_number": lineno}
        for name in TEXT_FIELDS:
            if values[name] is not None:
                values[name] = mask_bsns(str(values[name]), ctx.pseudonymiser)
        rows.append([values[c] for c in GRANT_COLUMNS])
    quarantine = [
        QuarantineRecord(
            scope="record",
            reason_code=b.code,
            reason=f"Row {b.line_number}: {b.reason}",
            original_fragment=fragment(b, ctx.pseudonymiser),
            line_number=b.line_number,
        )
        for b in register.bad
    ]
    report = FileReport(
        source_file=path.name,
        file_hash=file_hash,
        file_kind=kind,
        status="loaded_with_rejections" if quarantine else "loaded",
        lines_in=register.lines_in,
        lines_loaded=len(rows),
        lines_quarantined=len(quarantine),
    )
    tables = {GRANT: (GRANT_COLUMNS, rows), euros.TABLE: register.euros.table()}
    return ParsedFile(report, tables, quarantine)
