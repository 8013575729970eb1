"""The raw tables CBS files land in (DDL: ``sdw/warehouse/ddl/cbs.sql``, and
``raw.cbs_adres_gebied`` in ``sdw/warehouse/schema.sql``), their columns as the parsers fill
them, and which table holds a file kind's lines.

Raw stays close to the source: statistics in long format in ``cbs_observation`` (one row per
region x period x measure, with the file's own label and text), so one data row of a file (a
region row, or one OData record) is several rows there, told apart by ``line_number``.
"""

from __future__ import annotations

from sdw.ingest.contract import LineTable

ADRES = "cbs_adres_gebied"
OBSERVATION = "cbs_observation"
MUNICIPAL_BENEFIT = "cbs_municipal_benefit"

ADRES_COLUMNS = ["postcode", "huisnummer", "buurtcode", "wijkcode", "gemeentecode", "jaar"]
OBSERVATION_COLUMNS = [
    "dataset",
    "table_id",
    "file_format",
    "region_code",
    "region_name",
    "period",
    "measure",
    "source_key",
    "value",
    "value_raw",
    "line_number",
]
BENEFIT_COLUMNS = [
    "gemeentecode",
    "wijkcode",
    "maand",
    "regeling",
    "aantal_personen",
    "line_number",
]

LINE_TABLES: dict[tuple[str, str | None], LineTable] = {
    ("cbs_adres", None): LineTable(ADRES),
    ("cbs_statline", None): LineTable(OBSERVATION, line_column="line_number"),
    ("cbs_kwb", None): LineTable(OBSERVATION, line_column="line_number"),
    ("cbs_odata", None): LineTable(OBSERVATION, line_column="line_number"),
    ("cbs_gemeente_uitkering", None): LineTable(MUNICIPAL_BENEFIT),
}
