"""The raw table a budget file lands in (DDL: ``sdw/warehouse/ddl/budgets.sql``): one row per
budget-file row, its columns as the parser fills them."""

from __future__ import annotations

from sdw.budgets.layouts import FIELDS
from sdw.budgets.rules import AMOUNT_COLUMNS
from sdw.ingest.contract import LineTable

CSV_KIND = "budget_csv"
XLSX_KIND = "budget_xlsx"
BUDGET_LINE = "budget_line"
# what a layout maps (layouts.FIELDS), between the layout's name and the file's line
BUDGET_LINE_COLUMNS = ["layout", *FIELDS, "line_number"]

LINE_TABLES = {
    (CSV_KIND, None): LineTable(BUDGET_LINE, amounts=AMOUNT_COLUMNS),
    (XLSX_KIND, None): LineTable(BUDGET_LINE, amounts=AMOUNT_COLUMNS),
}
