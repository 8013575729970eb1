"""CBS files as the ingest core wants them: a ``ParsedFile`` per file, no database.

A "line" in the ledger is a data row of the file (a region row, or one OData record), so
``lines_in = lines_loaded + lines_quarantined`` holds per file while raw has one row per cell
(see ``sdw.cbs.tables``). An address file's good rows load; a bad row goes to quarantine with
the contract's fields of its line (a line of another width is not kept: see
``sdw.ingest.csv_contract``). A file a reader refuses whole (``sdw.cbs.rules.FileRefused``)
is quarantined as one file record with the reader's own code, nothing of it loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from sdw.cbs import benefits, kwb, statline
from sdw.cbs.adres import COLUMNS as ADRES_CONTRACT
from sdw.cbs.adres import address_file_year, parse_line
from sdw.cbs.observations import Observation
from sdw.cbs.rules import (
    BENEFIT_ROW,
    CBS_ADRES_ROW,
    CBS_KWB_ROW,
    CBS_ODATA_RECORD,
    CBS_STATLINE_ROW,
    FileRefused,
)
from sdw.cbs.tables import (
    ADRES,
    ADRES_COLUMNS,
    BENEFIT_COLUMNS,
    MUNICIPAL_BENEFIT,
    OBSERVATION,
    OBSERVATION_COLUMNS,
)
from sdw.ingest.contract import ParsedFile
from sdw.ingest.csv_contract import contract_fragment
from sdw.ingest.report import FileReport
from sdw.ingest.writer import QuarantineRecord


def _table_id(name: str) -> str | None:
    m = re.search(r"([0-9]{5}NED)", name, re.IGNORECASE)
    return m[1].upper() if m else None


def _parsed(
    path: Path,
    file_hash: str,
    kind: str,
    table: str,
    columns: list[str],
    rows: list[list[object]],
    loaded_lines: int,
    bad: Iterable[tuple[int, str, str]],
    reason_code: str,
) -> ParsedFile:
    quarantine = [
        QuarantineRecord(
            scope="record",
            reason_code=reason_code,
            reason=f"Line {lineno}: {reason}",
            original_fragment=text,
            line_number=lineno,
        )
        for lineno, reason, text in bad
    ]
    report = FileReport(
        source_file=path.name,
        file_hash=file_hash,
        file_kind=kind,
        status="loaded_with_rejections" if quarantine else "loaded",
        lines_in=loaded_lines + len(quarantine),
        lines_loaded=loaded_lines,
        lines_quarantined=len(quarantine),
    )
    return ParsedFile(report, {table: (columns, rows)}, quarantine)


def refused_file(path: Path, file_hash: str, kind: str, refused: FileRefused) -> ParsedFile:
    """A file refused whole by its reader: one file record with the reader's code, reason and
    fragment; its lines (as the reader counted them) all quarantined, nothing loaded. The
    core masks and escapes the reason and fragment like any other (``sdw.ingest.guard``)."""
    report = FileReport(
        source_file=path.name,
        file_hash=file_hash,
        file_kind=kind,
        status="quarantined",
        reason_code=refused.code,
        reason=refused.reason,
        lines_in=refused.lines,
        lines_loaded=0,
        lines_quarantined=refused.lines,
    )
    fragment = refused.fragment or (
        f"[{path.stat().st_size} bytes refused whole; content not kept: the file may not be "
        "what its name says — it stays in the inbox]"
    )
    record = QuarantineRecord(
        scope="file",
        reason_code=refused.code,
        reason=refused.reason,
        original_fragment=fragment,
        fragment_truncated=refused.truncated,
        line_number=1 if refused.fragment else None,
    )
    return ParsedFile(report, {}, [record])


def observation_rows(
    obs: Iterable[Observation], dataset: str, table_id: str | None, file_format: str
) -> list[list[object]]:
    return [
        [
            dataset,
            table_id,
            file_format,
            o.region_code,
            o.region_name,
            o.period,
            o.measure,
            o.source_key,
            o.value,
            o.value_raw,
            o.line_number,
        ]
        for o in obs
    ]


def parse_statline_file(path: Path, file_hash: str) -> ParsedFile:
    try:
        header, obs, bad, n = statline.read_statline_csv(path)
    except FileRefused as refused:
        return refused_file(path, file_hash, "cbs_statline", refused)
    rows = observation_rows(obs, header.dataset, _table_id(path.name), "statline_csv")
    return _parsed(
        path,
        file_hash,
        "cbs_statline",
        OBSERVATION,
        OBSERVATION_COLUMNS,
        rows,
        n - len(bad),
        [(b.line_number, b.reason, b.text) for b in bad],
        CBS_STATLINE_ROW,
    )


def parse_kwb_file(path: Path, file_hash: str) -> ParsedFile:
    _year, obs, bad, n = kwb.read_kwb(path)
    fmt = "kwb_xlsx" if path.suffix.lower() == ".xlsx" else "kwb_csv"
    rows = observation_rows(obs, "kwb", _table_id(path.name), fmt)
    return _parsed(
        path,
        file_hash,
        "cbs_kwb",
        OBSERVATION,
        OBSERVATION_COLUMNS,
        rows,
        n - len(bad),
        bad,
        CBS_KWB_ROW,
    )


def parse_benefits_file(path: Path, file_hash: str) -> ParsedFile:
    ok, bad = benefits.read_benefits(path)
    rows: list[list[object]] = [
        [r.gemeentecode, r.wijkcode, r.maand, r.regeling, r.aantal_personen, lineno]
        for lineno, r in ok
    ]
    return _parsed(
        path,
        file_hash,
        "cbs_gemeente_uitkering",
        MUNICIPAL_BENEFIT,
        BENEFIT_COLUMNS,
        rows,
        len(ok),
        bad,
        BENEFIT_ROW,
    )


def parse_odata_file(path: Path, file_hash: str) -> ParsedFile:
    from sdw.cbs import odata

    try:
        table_id, version, obs, bad, n = odata.read_odata(path)
    except FileRefused as refused:
        return refused_file(path, file_hash, "cbs_odata", refused)
    dataset = odata.dataset_of(table_id, {o.measure for o in obs})
    rows = observation_rows(obs, dataset, table_id, f"odata_v{version}")
    return _parsed(
        path,
        file_hash,
        "cbs_odata",
        OBSERVATION,
        OBSERVATION_COLUMNS,
        rows,
        n - len(bad),
        bad,
        CBS_ODATA_RECORD,
    )


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
                        reason_code=CBS_ADRES_ROW,
                        reason=f"Line {lineno}: {exc}",
                        original_fragment=contract_fragment(
                            line.rstrip("\r\n").split(sep), len(ADRES_CONTRACT), sep
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
    return ParsedFile(report, {ADRES: (ADRES_COLUMNS, rows)}, quarantine)
