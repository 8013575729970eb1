"""Ingest of a CBS address file: good rows load, bad rows go to quarantine with the contract's
fields of their line (a line of another width is not kept: see ``sdw.ingest.csv_contract``)."""

from __future__ import annotations

from pathlib import Path

from sdw.cbs.adres import COLUMNS as CONTRACT
from sdw.cbs.adres import address_file_year, parse_line
from sdw.ingest.csv_contract import contract_fragment
from sdw.ingest.istandaarden import ParsedFile
from sdw.ingest.report import FileReport
from sdw.ingest.writer import QuarantineRecord

COLUMNS = ["postcode", "huisnummer", "buurtcode", "wijkcode", "gemeentecode", "jaar"]


def parse_address_file(path: Path, file_hash: str) -> ParsedFile:
    year = address_file_year(path)
    assert year is not None, "caller checks the header first"
    rows: list[list[object]] = []
    quarantine: list[QuarantineRecord] = []
    # Bytes, decoded line by line: one undecodable line is quarantined, not the whole file.
    with path.open("rb") as fh:
        header = fh.readline().decode("utf-8-sig")
        sep = ";" if ";" in header else ","
        for lineno, raw_line in enumerate(fh, start=2):
            if not raw_line.strip():
                continue
            line = raw_line.decode("utf-8", errors="replace")
            try:
                if "\ufffd" in line:
                    raise ValueError("not valid UTF-8")
                r = parse_line(line, sep)
            except ValueError as exc:
                quarantine.append(
                    QuarantineRecord(
                        scope="record",
                        reason_code="CBS_ADRES_ROW",
                        reason=f"Line {lineno}: {exc}",
                        original_fragment=contract_fragment(
                            line.rstrip("\r\n").split(sep), len(CONTRACT), sep
                        ),
                        line_number=lineno,
                    )
                )
                continue
            rows.append([r.postcode, r.huisnummer, r.buurtcode, r.wijkcode, r.gemeentecode, year])
    n_in = len(rows) + len(quarantine)
    report = FileReport(
        source_file=path.name,
        file_hash=file_hash,
        file_kind="cbs_adres",
        status="loaded_with_rejections" if quarantine else "loaded",
        lines_in=n_in,
        lines_loaded=len(rows),
        lines_quarantined=len(quarantine),
    )
    return ParsedFile(report, {"cbs_adres_gebied": (COLUMNS, rows)}, quarantine)
