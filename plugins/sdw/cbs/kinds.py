"""The file kinds of the CBS source, for the core's classification (``sdw.ingest.classify``):
detected by header or content, never by name. The address file is loaded by
``ingest_istandaarden`` (301 and case addresses are reduced to its areas); the statistics and
the municipal benefits by ``ingest_cbs``."""

from __future__ import annotations

from sdw.cbs import adres, benefits, kwb, odata, statline
from sdw.cbs import parse as cbs_parse
from sdw.ingest import workbook
from sdw.ingest.contract import FileKind
from sdw.ingest.csv_contract import contract_kind

KINDS: tuple[FileKind, ...] = (
    contract_kind(
        "cbs_adres",
        "ingest_istandaarden",
        lambda p: adres.address_file_year(p) is not None,
        lambda path, file_hash, _ctx: cbs_parse.parse_address_file(path, file_hash),
        "the " + adres.LABEL,
        adres.header_check,
        loads_first=True,
    ),
    contract_kind(
        "cbs_statline",
        "ingest_cbs",
        lambda p: statline.sniff(p) is not None,
        lambda path, file_hash, _ctx: cbs_parse.parse_statline_file(path, file_hash),
        "CBS StatLine CSV exports",
    ),
    # a KWB workbook over a workbook limit, or broken past row 1, is refused whole as
    # WORKBOOK_LIMIT / WORKBOOK_INVALID (sdw.ingest.workbook)
    workbook.guarded(
        contract_kind(
            "cbs_kwb",
            "ingest_cbs",
            kwb.sniff,
            lambda path, file_hash, _ctx: cbs_parse.parse_kwb_file(path, file_hash),
            "Kerncijfers wijken en buurten (xlsx or CSV with gwb_code_10, a_inw, …)",
            kwb.header_check,
        )
    ),
    contract_kind(
        "cbs_odata",
        "ingest_cbs",
        odata.sniff,
        lambda path, file_hash, _ctx: cbs_parse.parse_odata_file(path, file_hash),
        "CBS OData JSON",
    ),
    contract_kind(
        "cbs_gemeente_uitkering",
        "ingest_cbs",
        benefits.sniff,
        lambda path, file_hash, _ctx: cbs_parse.parse_benefits_file(path, file_hash),
        "the " + benefits.LABEL,
        benefits.header_check,
    ),
)
