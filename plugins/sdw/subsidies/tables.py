"""The raw table a subsidy register lands in (DDL: ``sdw/warehouse/ddl/subsidies.sql``): one
row per register row, its columns as the parser fills them."""

from __future__ import annotations

from sdw.ingest.contract import LineTable

CSV_KIND = "subsidy_register_csv"
JSON_KIND = "subsidy_register_json"
GRANT = "subsidy_grant"
GRANT_COLUMNS = [
    "layout",
    "subsidiejaar",
    "jaar_toekenning",
    "programma",
    "taakveld",
    "thema",
    "regeling",
    "soort_subsidie",
    "organisatie",
    "ontvanger",
    "omschrijving",
    "regelmaat",
    "aangevraagd_bedrag",
    "verleend_bedrag",
    "vastgesteld_bedrag",
    "line_number",
]

LINE_TABLES: dict[tuple[str, str | None], LineTable] = {
    (CSV_KIND, None): LineTable(GRANT),
    (JSON_KIND, None): LineTable(GRANT),
}
