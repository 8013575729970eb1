"""The report a council reads, opened in headless Chromium after one normal `sdw run` on the
generated municipality: every chart drawn, no console error, validation status and publication
time on every section, suppressed cells shown as suppressed; dbt docs show the published
schema with types; GX Data Docs hold a page per validated asset. A screenshot is kept."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import psycopg
import pytest

from tests.e2e.browser import browser, chromium
from tests.e2e.test_scenario import REPO

pytestmark = pytest.mark.e2e

ARTIFACTS = REPO / "test-artifacts"
# The charts of the generated municipality (60 clients, 6 months of 2025, seed 11): both laws,
# five wijken, case export with Wmo and Jeugdwet, municipal and CBS benefits, subsidies,
# budget files.
CHARTS = {
    "wachttijd-mediaan",
    "wachttijd-binnen-norm",
    "zorg-clienten",
    "zorg-bedrag",
    "wijk-clienten-per-1000",
    "ses-woa",
    "procedure-wmo-melding-to-onderzoek",
    "procedure-wmo-aanvraag-to-beschikking",
    "procedure-jeugdwet-aanvraag-to-beschikking",
    "uitkeringen-municipality",
    "uitkeringen-cbs",
    "subsidies-thema",
    "begroting-GM0999-2025",  # the generated budget files: Q1 and Q2 of 2025
}
SECTIONS = 8  # seven KPI families and the validation section


def test_run_summary_links_the_report_and_docs(generated_run: dict) -> None:
    report_dir: Path = generated_run["report_dir"]
    stdout = " ".join(generated_run["stdout"].split())  # rich wraps long paths
    assert "Report (open in a browser):" in stdout
    assert str(report_dir / "index.html") in stdout.replace(" ", "")
    for page in ("index.html", "dbt-docs/index.html", "gx-docs/index.html"):
        assert (report_dir / page).is_file(), page
    html = (report_dir / "index.html").read_text()
    assert 'href="dbt-docs/index.html"' in html and 'href="gx-docs/index.html"' in html
    assert "<script src=" not in html  # self-contained: plotly.js inline, once
    assert html.count("Plotly.newPlot") == len(CHARTS)


@pytest.mark.skipif(chromium() is None, reason="chromium is not installed (apt install chromium)")
def test_report_and_docs_in_chromium(generated_run: dict, tmp_path: Path) -> None:
    report_dir: Path = generated_run["report_dir"]
    with browser(tmp_path / "profile") as open_page:
        page = open_page((report_dir / "index.html").as_uri())
        drawn = page.wait_for(
            f"document.querySelectorAll('.js-plotly-plot').length >= {len(CHARTS)}"
            " && Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => d.id)"
        )
        page.pump(1.0)
        assert page.errors == []
        assert set(drawn) == CHARTS
        # validation status and publication time in the banner and on every section
        assert page.evaluate("document.querySelector('header.status').className") == "status ok"
        statuses = page.evaluate(
            "Array.from(document.querySelectorAll('.page-status')).map(e => e.innerText)"
        )
        assert len(statuses) == SECTIONS
        assert all(re.search(r"Gevalideerd · .*\d\d-\d\d-\d{4} \d\d:\d\d", s) for s in statuses)
        # Suppressed cells say so, never 0. The generated data's suppressed district rows:
        # Jeugdwet 2025 K1 UNKNOWN, WK099901-03; K2 UNKNOWN, WK099901, 03, 05; Wmo K1 UNKNOWN,
        # WK099902, 03, 05; K2 WK099902, 03, 05: 15 cells.
        suppressed = page.evaluate(
            "Array.from(document.querySelectorAll('#wijk-clienten-per-1000 text'))"
            ".filter(t => t.textContent === 'onderdrukt').length"
        )
        assert suppressed == 15
        shot = page.screenshot(tmp_path / "report.png")
        ARTIFACTS.mkdir(exist_ok=True)
        stable = Path(shutil.copyfile(shot, ARTIFACTS / "report.png"))
        print(f"report screenshot: {shot} and {stable}")
        assert stable.stat().st_size > 50_000

        # dbt docs: the published schema, with types, and no console error
        docs = open_page(
            (report_dir / "dbt-docs" / "index.html").as_uri()
            + "#!/model/model.sociaal_domein.care_usage_quarterly"
        )
        docs.wait_for("document.body.innerText.includes('accepted_amount_eur')")
        docs.pump(1.0)
        docs_text = docs.evaluate("document.body.innerText")
        assert docs.errors == []
        assert ".marts.care_usage_quarterly" in docs_text
        assert "marts_candidate.care_usage_quarterly" not in docs_text
        assert "numeric(14,2)" in docs_text and "date" in docs_text
        docs.screenshot(tmp_path / "dbt-docs.png")
        shutil.copyfile(tmp_path / "dbt-docs.png", ARTIFACTS / "dbt-docs.png")

        # GX Data Docs: GX's templates link CDNs; the pages are pointed at vendored copies, so
        # offline they load everything, without a console error, and bootstrap-table draws
        # every table (tables nested in a cell are drawn by their outer table).
        site = report_dir / "gx-docs"
        validation_page = sorted((site / "validations").rglob("budget_realisation.html"))[0]
        for url in (site / "index.html").as_uri(), validation_page.as_uri():
            gx = open_page(url)
            gx.pump(1.5)
            assert gx.errors == [], url
            tables = gx.evaluate(
                "(() => { const top = Array.from(document.querySelectorAll("
                "'table[data-toggle=table]')).filter(t => !t.parentElement.closest('table'));"
                " return [top.length, top.filter(t => t.closest('.bootstrap-table')).length,"
                " Array.from(document.fonts).some(f => f.family.includes('Font Awesome')"
                " && f.status === 'loaded')]; })()"
            )
            assert tables[0] > 0 and tables[1] == tables[0] and tables[2], (url, tables)
        # the index lists every GX result (bootstrap-table pages them, ten a page)
        gx = open_page((site / "index.html").as_uri())
        rows = gx.evaluate(
            "jQuery('table.ge-index-page-validation-results-table').bootstrapTable('getData').length"
        )
        gx.screenshot(tmp_path / "gx-docs.png")
        shutil.copyfile(tmp_path / "gx-docs.png", ARTIFACTS / "gx-docs.png")
    pages = list((report_dir / "gx-docs" / "validations").rglob("*.html"))
    with psycopg.connect(generated_run["url"]) as conn:
        (validated,) = conn.execute(
            "SELECT count(*) FROM audit.validation_result WHERE result_json ? 'results'"
        ).fetchone()
    assert len(pages) == validated == rows > 40
