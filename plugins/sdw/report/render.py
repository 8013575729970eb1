"""The report as one self-contained HTML file: plotly.js inline once, every figure as a div,
the publication's validation status in a banner on top and on every section."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import plotly
from jinja2 import Environment, FileSystemLoader, select_autoescape
from plotly.offline import get_plotlyjs

from sdw.report.charts import Family
from sdw.report.data import Publication

REPORT_FILE = "index.html"
LOCAL_TIME = ZoneInfo("Europe/Amsterdam")  # councils read Dutch local time
_TEMPLATES = Path(__file__).resolve().parent / "templates"


def local_time(moment: datetime | None) -> str:
    if moment is None:
        return "onbekend"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TIME).strftime("%d-%m-%Y %H:%M")


def render(
    publication: Publication,
    families: list[Family],
    out_dir: Path,
    dbt_docs: str | None,
    gx_docs: str | None,
    doc_notes: list[str],
) -> Path:
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html", "j2"])
    )
    chart_html = {
        chart.chart_id: chart.figure.to_html(
            full_html=False,
            include_plotlyjs=False,  # once, in <head>
            div_id=chart.chart_id,
            config={"displaylogo": False, "responsive": True},
        )
        for family in families
        for chart in family.charts
    }
    html = env.get_template("report.html.j2").render(
        pub=publication,
        families=families,
        chart_html=chart_html,
        suites_passed=sum(1 for s in publication.suites if s.success),
        published_at=local_time(publication.published_at),
        validated_at=local_time(publication.validated_at),
        generated_at=local_time(datetime.now(UTC)),
        dbt_docs=dbt_docs,
        gx_docs=gx_docs,
        doc_notes=doc_notes,
        plotly_js=get_plotlyjs(),
        plotly_version=plotly.__version__,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / REPORT_FILE
    path.write_text(html, encoding="utf-8")
    return path
