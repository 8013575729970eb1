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

from sdw.budgets.export import read_budget_file
from sdw.budgets.tables import BUDGET_LINE, BUDGET_LINE_COLUMNS, CSV_KIND, XLSX_KIND
from sdw.ingest import euros
from sdw.ingest.contract import BadRow, IngestContext, ParsedFile, rows_file
from sdw.ingest.layout_rows import fields_fragment
from sdw.ingest.layouts import Layout


def fragment(bad: BadRow) -> str:
    return fields_fragment(bad, "[the line could not be split into the file's columns; not kept]")


def parse_budget_file(
    path: Path, file_hash: str, ctx: IngestContext, layouts: tuple[Layout, ...] | None = None
) -> ParsedFile:
    """Everything about one budget file, decided in memory; nothing is written here."""
    budget = read_budget_file(path, layouts)
    xlsx = budget.layout.format == "xlsx"
    return rows_file(
        path,
        file_hash,
        XLSX_KIND if xlsx else CSV_KIND,
        (BUDGET_LINE, BUDGET_LINE_COLUMNS, budget.loaded(BUDGET_LINE_COLUMNS)),
        budget.bad,
        fragment,
        where="Row" if xlsx else "Line",
        more={euros.TABLE: budget.euros.table()},
    )
