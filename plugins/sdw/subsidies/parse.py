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
from sdw.ingest.contract import BadRow, IngestContext, ParsedFile, rows_file
from sdw.ingest.layout_rows import fields_fragment
from sdw.ingest.layouts import Layout
from sdw.pseudonym import Pseudonymiser, mask_bsns
from sdw.subsidies.register import TEXT_FIELDS, read_register
from sdw.subsidies.tables import CSV_KIND, GRANT, GRANT_COLUMNS, JSON_KIND

UNSPLIT = "[the row could not be split into the register's columns; not kept]"


def fragment(bad: BadRow, pseudonymiser: Pseudonymiser) -> str:
    if bad.fields is None:
        return UNSPLIT
    return mask_bsns(fields_fragment(bad, UNSPLIT), pseudonymiser)


def parse_register_file(
    path: Path, file_hash: str, ctx: IngestContext, layouts: tuple[Layout, ...] | None = None
) -> ParsedFile:
    """Everything about one register, decided in memory; nothing is written here."""
    register = read_register(path, layouts)
    rows = register.loaded(GRANT_COLUMNS)
    masked = [GRANT_COLUMNS.index(name) for name in TEXT_FIELDS]
    for row in rows:
        for i in masked:
            if row[i] is not None:
                row[i] = mask_bsns(str(row[i]), ctx.pseudonymiser)
    return rows_file(
        path,
        file_hash,
        JSON_KIND if register.layout.format == "json" else CSV_KIND,
        (GRANT, GRANT_COLUMNS, rows),
        register.bad,
        lambda b: fragment(b, ctx.pseudonymiser),
        where="Row",
        more={euros.TABLE: register.euros.table()},
    )
