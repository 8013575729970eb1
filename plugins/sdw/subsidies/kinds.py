"""The file kinds of subsidy registers, for the core's classification: recognised by a
layout's columns (the CSV header, the JSON objects' keys), whatever the file is called."""

from __future__ import annotations

from pathlib import Path

from sdw.ingest.contract import FileKind
from sdw.ingest.csv_contract import (
    HeaderCheck,
    contract_kind,
    first_line,
    header_cells,
)
from sdw.ingest.layout_rows import header_verdict
from sdw.subsidies import register
from sdw.subsidies.layouts import installed
from sdw.subsidies.parse import parse_register_file
from sdw.subsidies.tables import CSV_KIND, JSON_KIND


def header_check(path: Path) -> HeaderCheck | None:
    """A CSV whose header is recognisably a register layout's but lacks a required column."""
    line = first_line(path)
    if line is None:
        return None
    return header_verdict(header_cells(line), "csv", installed(), "subsidy register")


KINDS: tuple[FileKind, ...] = (
    FileKind(
        JSON_KIND,
        "ingest_finance",
        register.sniff_json,
        parse_register_file,
        "a subsidy register as JSON (an array of objects in a layout of "
        "plugins/sdw/subsidies/layouts/, e.g. Amsterdam's Naam, Jaar, Aangevraagd, Verleend)",
    ),
    contract_kind(
        CSV_KIND,
        "ingest_finance",
        register.sniff_csv,
        parse_register_file,
        "a subsidy register as CSV (Subsidiejaar;Aanvrager/Ontvanger;Verleend bedrag;… or a "
        "layout of plugins/sdw/subsidies/layouts/)",
        header_check,
    ),
)
