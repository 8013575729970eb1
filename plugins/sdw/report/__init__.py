"""``sdw report``: the KPI report councils and controllers read, with the documentation behind it.

One folder (default ``.sdw/report/``): ``index.html`` (every chart, self-contained, opens
offline), ``dbt-docs/index.html`` (the published marts, columns and types) and
``gx-docs/index.html`` (the validation results of the publication). ``sdw run`` writes it after
publishing; ``sdw report`` writes it again from what the warehouse holds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from sdw.config import state_dir

log = logging.getLogger(__name__)


@dataclass
class ReportResult:
    report: Path
    dbt_docs: Path | None = None
    gx_docs: Path | None = None
    charts: int = 0
    problems: list[str] = field(default_factory=list)


def default_report_dir() -> Path:
    return state_dir() / "report"


def build_report(url: str, out_dir: Path | None = None, docs: bool = True) -> ReportResult:
    """Write the report (and, with `docs`, dbt docs and GX Data Docs) into `out_dir`.

    A documentation builder that fails does not cost the report: its error is said in the
    report and returned in `problems` (the caller prints it), and the report links what exists.
    """
    from sdw.report import charts, data, render
    from sdw.report import docs as docs_builders

    out_dir = (out_dir or default_report_dir()).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    report_data = data.load(url)
    result = ReportResult(report=out_dir / render.REPORT_FILE)
    notes: list[str] = []
    if docs:
        try:
            result.dbt_docs = docs_builders.build_dbt_docs(url, out_dir)
        except Exception as error:  # said in the report and by the caller, never hidden
            log.exception("dbt docs failed")
            result.problems.append(f"dbt docs: {error}")
        try:
            result.gx_docs, _ = docs_builders.build_gx_docs(
                url, report_data.publication.run_id, out_dir
            )
        except Exception as error:
            log.exception("GX Data Docs failed")
            result.problems.append(f"GX Data Docs: {error}")
    notes += [f"Niet gemaakt: {problem}" for problem in result.problems]
    families = charts.families(report_data)
    result.charts = sum(len(f.charts) for f in families)

    def link(path: Path | None) -> str | None:
        return quote(path.relative_to(out_dir).as_posix()) if path else None

    render.render(
        report_data.publication,
        families,
        out_dir,
        link(result.dbt_docs),
        link(result.gx_docs),
        notes,
    )
    return result
