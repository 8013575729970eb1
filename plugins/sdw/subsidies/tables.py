"""The raw table a subsidy register lands in (DDL: ``sdw/warehouse/ddl/subsidies.sql``): one
row per register row, its columns as the parser fills them."""

from __future__ import annotations

from sdw.ingest.contract import LineTable
from sdw.subsidies.layouts import FIELDS
from sdw.subsidies.rules import AMOUNT_COLUMNS

CSV_KIND = "subsidy_register_csv"
JSON_KIND = "subsidy_register_json"
GRANT = "subsidy_grant"
# what a layout maps (layouts.FIELDS), between the layout's name and the register's line
GRANT_COLUMNS = ["layout", *FIELDS, "line_number"]

LINE_TABLES: dict[tuple[str, str | None], LineTable] = {
    (CSV_KIND, None): LineTable(GRANT, amounts=AMOUNT_COLUMNS),
    (JSON_KIND, None): LineTable(GRANT, amounts=AMOUNT_COLUMNS),
}
