"""GX Data Docs built from stored validation results in a fresh database open without
internet: every page loads only files inside the site, and those files are there.

Two hand-written GX results (one passing, one failing) and one mart-guard row (no GX result,
so no page) are stored for one run; the docs builder renders them with GX's own SiteBuilder.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import psycopg
import pytest

from sdw.report.docs import build_gx_docs

pytestmark = pytest.mark.integration

RUN_ID = "manual__2025-07-01T06:00:00+00:00"


def _result(suite: str, asset: str, column: str, unexpected: list[int]) -> dict:
    success = not unexpected
    return {
        "success": success,
        "suite_name": suite,
        "suite_parameters": {},
        "statistics": {
            "evaluated_expectations": 1,
            "successful_expectations": int(success),
            "unsuccessful_expectations": int(not success),
            "success_percent": 100.0 if success else 0.0,
        },
        "meta": {
            "run_id": {"run_name": RUN_ID, "run_time": "2025-07-01T06:05:00+00:00"},
            "active_batch_definition": {
                "datasource_name": "warehouse",
                "data_connector_name": "fluent",
                "data_asset_name": asset,
                "batch_identifiers": {},
            },
            "great_expectations_version": "1.24.1",
        },
        "results": [
            {
                "success": success,
                "meta": {},
                "exception_info": {
                    "raised_exception": False,
                    "exception_message": None,
                    "exception_traceback": None,
                },
                "result": {
                    "element_count": 4,
                    "missing_count": 0,
                    "missing_percent": 0.0,
                    "unexpected_count": len(unexpected),
                    "unexpected_percent": 25.0 * len(unexpected),
                    "partial_unexpected_list": unexpected,
                },
                "expectation_config": {
                    "type": "expect_column_values_to_be_between",
                    "kwargs": {"column": column, "min_value": 0, "max_value": 100},
                    "meta": {},
                },
            }
        ],
    }


def _store(url: str) -> None:
    care = _result("care_marts.care_usage_quarterly", "care_usage_quarterly", "clients", [])
    budget = _result(
        "budget_marts.budget_realisation", "budget_realisation", "year_elapsed_pct", [-5, 120]
    )
    rows = [
        ("care_marts", "care_usage_quarterly", care),
        ("budget_marts", "budget_realisation", budget),
        ("mart_guard", "row_counts", {"row_counts": {"care_usage_quarterly": 4}}),
    ]
    with psycopg.connect(url) as conn:
        for suite, asset, result in rows:
            conn.execute(
                """INSERT INTO audit.validation_result
                   (run_id, suite_name, data_asset, success, evaluated, failed, summary,
                    result_json, validated_at)
                   VALUES (%s, %s, %s, %s, 1, %s, 'test', %s, '2025-07-01 06:05:00+00')""",
                (RUN_ID, suite, asset, result.get("success", True),
                 0 if result.get("success", True) else 1, json.dumps(result)),
            )  # fmt: skip


def test_gx_docs_load_nothing_from_the_internet(warehouse_db: str, tmp_path: Path) -> None:
    _store(warehouse_db)
    index, pages = build_gx_docs(warehouse_db, RUN_ID, tmp_path)
    site = tmp_path / "gx-docs"
    assert index == site / "index.html"
    assert set(pages) == {"care_usage_quarterly", "budget_realisation"}  # no page for the guard
    html = sorted(site.rglob("*.html"))
    assert len(html) == 3  # the index and one page per GX result
    for page in html:
        text = page.read_text(encoding="utf-8")
        # everything a browser fetches: src/href of tags other than <a>, and CSS url(...)
        fetched = [
            ref
            for name, ref in re.findall(r"<(\w+)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", text)
            if name != "a"
        ] + re.findall(r"url\(['\"]?([^)'\"]+)", text)
        assert len(fetched) >= 12, page  # bootstrap, jquery, bootstrap-table, ... the logo
        for ref in fetched:
            assert not re.match(r"\w+://|//", ref), f"{page.name}: {ref}"
            assert (page.parent / ref).is_file(), f"{page.name}: {ref}"
        assert "vegaEmbed" not in text and "cdn" not in text.lower()
        assert re.search(r'src="[./]*static/vendor/jquery@3\.7\.1/jquery\.min\.js"', text)
        assert re.search(
            r'src="[./]*static/vendor/bootstrap-table@1\.19\.1/bootstrap-table\.min\.js"', text
        )
    # the page paths are URL-quoted (the report links them); the folders on disk are not
    failing = (tmp_path / unquote(pages["budget_realisation"])).read_text(encoding="utf-8")
    assert "fa-times" in failing  # the failed icon, drawn with the vendored solid font
    assert (site / "static/vendor/fontawesome-free@6.6.0/webfonts/fa-solid-900.woff2").is_file()
