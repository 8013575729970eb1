"""The raw tables an iWmo/iJw message lands in (DDL: ``sdw/warehouse/schema.sql``), and which
of them holds a message type's lines (what the ledger counts and reconcile proves)."""

from __future__ import annotations

from sdw.ingest.contract import LineTable

FILE_KIND = "istandaarden"

BERICHT = "istandaarden_bericht"  # one row per loaded message: its header
CLIENT_301 = "istandaarden_301_client"
DECLARATIE_323 = "istandaarden_323_declaratie"
PRESTATIE_323 = "istandaarden_323_prestatie"
PRESTATIE_325 = "istandaarden_325_prestatie"
ANTWOORD_325 = "istandaarden_325_antwoord"
# OP283 held by the warehouse: unique (aanbieder_agb, referentienummer, wet) on 323 lines.
OP283_INDEX = "istandaarden_323_prestatie_op283"

# Records that describe the message rather than a line; they are not counted as lines.
MESSAGE_LEVEL = frozenset({CLIENT_301, DECLARATIE_323, ANTWOORD_325})

# (file kind, bericht type) -> the table with one row per loaded line of such a message.
LINE_TABLES: dict[tuple[str, str | None], LineTable] = {
    (FILE_KIND, "301"): LineTable("istandaarden_301_product"),
    (FILE_KIND, "305"): LineTable("istandaarden_305_product"),
    (FILE_KIND, "307"): LineTable("istandaarden_307_product"),
    (FILE_KIND, "315"): LineTable("istandaarden_315_product"),
    (FILE_KIND, "317"): LineTable("istandaarden_317_product"),
    (FILE_KIND, "319"): LineTable("istandaarden_319_antwoord"),
    (FILE_KIND, "323"): LineTable(PRESTATIE_323),
    (FILE_KIND, "325"): LineTable(PRESTATIE_325),
}
