"""The file kinds of budget files, for the core's classification: recognised by a layout's
columns (the CSV header, the first sheet's row 1), whatever the file is called. A file whose
header is recognisably a budget layout's but lacks a required column is refused whole as
``MISSING_COLUMN`` (``sdw.ingest.csv_contract``), for xlsx too. A workbook is recognised from
its first sheet's row 1 alone (``sdw.ingest.workbook.header``); one over a workbook limit or
that breaks further on is refused whole as ``WORKBOOK_LIMIT`` / ``WORKBOOK_INVALID``
(``workbook.guarded``), with the limit and what was measured."""

from __future__ import annotations

from pathlib import Path

from sdw.budgets import export, rules
from sdw.budgets.layouts import installed
from sdw.budgets.parse import parse_budget_file
from sdw.budgets.tables import CSV_KIND, XLSX_KIND
from sdw.ingest import workbook
from sdw.ingest.contract import FileKind, IngestContext, ParsedFile
from sdw.ingest.csv_contract import (
    HeaderCheck,
    contract_kind,
    first_line,
    header_cells,
    missing_column_file,
)
from sdw.ingest.layout_rows import header_verdict


def _verdict(cells: list[str], fmt: str) -> HeaderCheck | None:
    return header_verdict(cells, fmt, installed(), "budget file")


def csv_header_check(path: Path) -> HeaderCheck | None:
    line = first_line(path)
    return None if line is None else _verdict(header_cells(line), "csv")


def xlsx_header_check(path: Path) -> HeaderCheck | None:
    if path.suffix.lower() != ".xlsx":
        return None
    header = export.xlsx_header(path)
    return None if header is None else _verdict(header, "xlsx")


def parse_xlsx_in_contract(path: Path, file_hash: str, ctx: IngestContext) -> ParsedFile:
    """The workbook's header checked as a CSV's is (``contract_kind``), then parsed."""
    verdict = xlsx_header_check(path)
    if verdict is not None and verdict.missing:
        rows = export.xlsx_rows(path)  # streamed: only the header and a count are kept
        _n, header = next(rows)
        return missing_column_file(
            path,
            file_hash,
            XLSX_KIND,
            verdict,
            header=";".join(rules.cell_text(v) for v in header),
            data_lines=sum(1 for _ in rows),
        )
    return parse_budget_file(path, file_hash, ctx)


KINDS: tuple[FileKind, ...] = (
    contract_kind(
        CSV_KIND,
        "ingest_finance",
        export.sniff_csv,
        parse_budget_file,
        "a budget file as CSV (Gemeentecode;Begrotingsjaar;Peildatum;Begrotingspost;Taakveld;"
        "Primitieve begroting;… or a layout of plugins/sdw/budgets/layouts/)",
        csv_header_check,
    ),
    workbook.guarded(
        FileKind(
            XLSX_KIND,
            "ingest_finance",
            export.sniff_xlsx,
            parse_xlsx_in_contract,
            "a budget file as xlsx (the same columns in the first sheet, header in row 1)",
            xlsx_header_check,
        )
    ),
)
