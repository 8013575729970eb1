"""The file kind of the case source, for the core's classification (``sdw.ingest.classify``):
a case export is recognised by its header, whatever the file is called."""

from __future__ import annotations

from pathlib import Path

from sdw.cases import procedures
from sdw.cases.parse import parse_case_file
from sdw.cases.tables import FILE_KIND
from sdw.ingest.contract import FileKind
from sdw.ingest.csv_contract import HeaderCheck, check_columns, contract_kind

LABEL = "case export (" + ";".join(procedures.HEADER) + ")"


def header_check(path: Path) -> HeaderCheck | None:
    """How the first line compares with the contract's columns: every one is required."""
    if path.suffix.lower() not in (".csv", ".txt"):
        return None
    try:
        with path.open("rb") as fh:
            first = procedures.decode(fh.readline(65536)).strip("\r\n")
    except OSError:
        return None
    return check_columns(
        LABEL, procedures.contract_columns(first), procedures.HEADER, procedures.HEADER
    )


KINDS: tuple[FileKind, ...] = (
    contract_kind(
        FILE_KIND,
        "ingest_cases",
        procedures.sniff,
        parse_case_file,
        "the case system's procedure export (gemeentecode;identificatie;wet;datumMelding;…)",
        header_check,
    ),
)
