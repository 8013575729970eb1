"""A budget file as the ingest core wants it: a ``ParsedFile`` per file, no database.

Every data row is one line: loaded into ``raw.budget_line`` or quarantined with its reason.
Quarantine keeps a rejected row's contract fields as written (a budget file holds no personal
data; the core masks any BSN-like number all the same), never the cells of a CSV line that does
not split. The file's own euro totals go to ``raw.file_euro_total`` (``sdw.ingest.euros``) for
the core's euro reconciliation. A file is one report version; raw is append-only: a later
version is a new file with new rows, never an update of the earlier ones.
"""

from __future__ import annotations

from pathlib import Path

from sdw.budgets.export import BadRow, read_budget_file
from sdw.budgets.tables import BUDGET_LINE, BUDGET_LINE_COLUMNS, CSV_KIND, XLSX_KIND
from sdw.ingest import euros
from sdw.ingest.contract import IngestContext, ParsedFile
from sdw.ingest.layouts import Layout
from sdw.ingest.report import FileReport
from sdw.ingest.writer import QuarantineRecord


def fragment(bad: BadRow) -> str:
    if bad.fields is None:
        return "[the line could not be split into the file's columns; not kept]"
    return "; ".join(f"{k}={v}" for k, v in bad.fields.items())


def parse_budget_file(
    path: Path, file_hash: str, ctx: IngestContext, layouts: tuple[Layout, ...] | None = None
) -> ParsedFile:
    """Everything about one budget file, decided in memory; nothing is written here."""
    budget = read_budget_file(path, layouts)
    kind = XLSX_KIND if budget.layout.format == "xlsx" else CSV_KIND
    rows = [
        [{**r, "layout": budget.layout.name, "line_number": n}[c] for c in BUDGET_LINE_COLUMNS]
        for n, r in budget.rows
    ]
    where = "Row" if kind == XLSX_KIND else "Line"
    quarantine = [
        QuarantineRecord(
            scope="record",
            reason_code=b.code,
            reason=f"{where} {b.line_number}: {b.reason}",
            original_fragment=fragment(b),
            line_number=b.line_number,
        )
        for b in budget.bad
    ]
    report = FileReport(
        source_file=path.name,
        file_hash=file_hash,
        file_kind=kind,
        status="loaded_with_rejections" if quarantine else "loaded",
        lines_in=budget.lines_in,
        lines_loaded=len(rows),
        lines_quarantined=len(quarantine),
    )
    tables = {BUDGET_LINE: (BUDGET_LINE_COLUMNS, rows), euros.TABLE: budget.euros.table()}
    return ParsedFile(report, tables, quarantine)
