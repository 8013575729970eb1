"""CBS files as the shared ingest machinery wants them: a ``ParsedFile`` per file.

Raw stays close to the source: statistics in long format in ``raw.cbs_observation`` (one row
per region x period x measure, with the file's own label and text), the municipal benefits
CSV in ``raw.cbs_municipal_benefit``. A "line" in the ledger is a data row of the file (a
region row, or one OData record), so ``lines_in = lines_loaded + lines_quarantined`` holds per
file while raw has one row per cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sdw.cbs import benefits, kwb, statline
from sdw.cbs.observations import Observation
from sdw.ingest.istandaarden import ParsedFile
from sdw.ingest.report import FileReport
from sdw.ingest.writer import QuarantineRecord

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


def _table_id(name: str) -> str | None:
    import re

    m = re.search(r"(\d{5}NED)", name, re.IGNORECASE)
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
    header, obs, bad, n = statline.read_statline_csv(path)
    rows = observation_rows(obs, header.dataset, _table_id(path.name), "statline_csv")
    return _parsed(
        path,
        file_hash,
        "cbs_statline",
        "cbs_observation",
        OBSERVATION_COLUMNS,
        rows,
        n - len(bad),
        [(b.line_number, b.reason, b.text) for b in bad],
        "CBS_STATLINE_ROW",
    )


def parse_kwb_file(path: Path, file_hash: str) -> ParsedFile:
    _year, obs, bad, n = kwb.read_kwb(path)
    fmt = "kwb_xlsx" if path.suffix.lower() == ".xlsx" else "kwb_csv"
    rows = observation_rows(obs, "kwb", _table_id(path.name), fmt)
    return _parsed(
        path,
        file_hash,
        "cbs_kwb",
        "cbs_observation",
        OBSERVATION_COLUMNS,
        rows,
        n - len(bad),
        bad,
        "CBS_KWB_ROW",
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
        "cbs_municipal_benefit",
        BENEFIT_COLUMNS,
        rows,
        len(ok),
        bad,
        "BENEFIT_ROW",
    )


def parse_odata_file(path: Path, file_hash: str) -> ParsedFile:
    from sdw.cbs import odata

    table_id, version, obs, bad, n = odata.read_odata(path)
    dataset = odata.dataset_of(table_id, {o.measure for o in obs})
    rows = observation_rows(obs, dataset, table_id, f"odata_v{version}")
    return _parsed(
        path,
        file_hash,
        "cbs_odata",
        "cbs_observation",
        OBSERVATION_COLUMNS,
        rows,
        n - len(bad),
        bad,
        "CBS_ODATA_RECORD",
    )
