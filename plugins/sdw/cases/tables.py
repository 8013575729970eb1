"""The raw table a case export lands in (DDL: ``sdw/warehouse/ddl/cases.sql``): one row per
loaded line, its columns as the parser fills them."""

from __future__ import annotations

from sdw.ingest.contract import LineTable

FILE_KIND = "cases"
PROCEDURE = "case_procedure"
PROCEDURE_COLUMNS = [
    "gemeentecode",
    "melding_pseudoniem",
    "wet",
    "datum_melding",
    "datum_onderzoek_afgerond",
    "datum_start_aanvraag",
    "datum_beschikking",
    "datum_afhandeling",
    "resultaat",
    "adres_status",
    "buurtcode",
    "wijkcode",
    "adres_gemeentecode",
    "line_number",
]

LINE_TABLES: dict[tuple[str, str | None], LineTable] = {
    (FILE_KIND, None): LineTable(PROCEDURE),
}
