"""The documentation the report links to: dbt docs of the published marts, and GX Data Docs of
the publication's validation results.

dbt docs: `dbt docs generate` reads column types from the database (the catalog) for the
schema each model is built in. Marts are built in `marts_candidate` and renamed to `marts` at
publication, so a plain `docs generate` after a run finds no `marts_candidate` (or an
unvalidated one) and shows the marts without types under the wrong schema. The var
`sdw_docs_published` makes the project's `generate_schema_name` macro name the published schema
instead; the docs are generated into a target folder of their own (the manifest cosmos renders
the DAG from is never touched) and `--static` puts manifest and catalog inside one HTML file,
which a browser can open from disk (the default index.html fetches JSON, which browsers refuse
from file://).

GX Data Docs: validation runs in an ephemeral GX context (nothing on disk), and every result is
kept in `audit.validation_result.result_json`. Here those results are loaded back into a new
ephemeral context's validation-results store and GX's own SiteBuilder renders them as static
HTML; the pages are then pointed at vendored copies of the libraries GX loads from CDNs
(gx_offline), so they open without internet.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from sdw.config import dbt_project_dir
from sdw.report.gx_offline import OfflineDocsError, make_offline
from sdw.warehouse.connection import dbt_env

DBT_DOCS_DIR = "dbt-docs"
GX_DOCS_DIR = "gx-docs"
# The var the generate_schema_name macro reads: model schemas as BI sees them after publication.
PUBLISHED_VAR = "sdw_docs_published"


class DocsFailed(RuntimeError):
    """dbt or GX could not build its documentation; the message says which and why."""


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """dbt's profiles.yml reads the connection from the environment (in this process)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def build_dbt_docs(url: str, out_dir: Path) -> Path:
    """`dbt docs generate --static` against the published schema; returns the HTML file."""
    from dbt.cli.main import dbtRunner

    project = dbt_project_dir()
    target = out_dir / DBT_DOCS_DIR
    with tempfile.TemporaryDirectory(prefix="sdw-dbt-docs-") as work:
        args = [
            "docs",
            "generate",
            "--static",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(Path(work) / "target"),
            "--log-path",
            str(Path(work) / "logs"),
            "--vars",
            json.dumps({PUBLISHED_VAR: True}),
            "--quiet",
        ]
        env = {**dbt_env(url), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False", "DO_NOT_TRACK": "1"}
        with _environment(env):
            result = dbtRunner().invoke(args)
        if not result.success:
            raise DocsFailed(f"dbt docs generate failed: {result.exception}")
        built = Path(work) / "target"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        page = (built / "static_index.html").read_text(encoding="utf-8")
        (target / "index.html").write_text(_offline_safe(page), encoding="utf-8")
        # The machine-readable pair, for tools that read dbt artifacts (lineage, catalogs).
        for name in ("manifest.json", "catalog.json"):
            shutil.copyfile(built / name, target / name)
    return target / "index.html"


def _offline_safe(page: str) -> str:
    """Two template slips in dbt's bundled docs page make the browser request URLs that are
    not there (console errors, and refused outright from file://): the menu icons set
    `xlink:href="{{ getIcon(...) }}"`, fetched before AngularJS interpolates it (AngularJS's
    own remedy is `ng-attr-`), and the favicon link is an unexpanded webpack
    `${require(...)}`. Both are fixed in the copy written here; nothing else is changed."""
    fixed = page.replace('xlink:href="{{ getIcon(', 'ng-attr-xlink:href="{{ getIcon(')
    return re.sub(r'<link rel="shortcut icon" href="\$\{require\([^)]*\)\}"/>', "", fixed)


def _validation_rows(url: str, run_id: str) -> list[tuple[str, datetime, dict[str, Any]]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            """SELECT data_asset, validated_at, result_json FROM audit.validation_result
               WHERE run_id = %s ORDER BY validation_id""",
            (run_id,),
        ).fetchall()


def _renderable(result_json: dict[str, Any]) -> dict[str, Any] | None:
    """A stored result as GX can load it, or None for rows that are no GX result (the mart
    guard's row counts, an asset that could not be validated). Values the runner withheld for
    sensitive columns are dropped (GX's renderer expects lists there, and there is nothing to
    show)."""
    if "results" not in result_json or "suite_name" not in result_json:
        return None
    cleaned = json.loads(json.dumps(result_json))
    for item in cleaned["results"]:
        result = item.get("result") or {}
        for key in [
            k for k, v in result.items() if isinstance(v, str) and v.startswith("withheld")
        ]:
            del result[key]
    return cleaned


def build_gx_docs(url: str, run_id: str, out_dir: Path) -> tuple[Path, dict[str, str]]:
    """GX Data Docs of one build run's validation results. Returns the index page and, per
    data asset, its page relative to `out_dir` (the report links each asset to its page)."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import (
        expectationSuiteValidationResultSchema,
    )
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    site_dir = out_dir / GX_DOCS_DIR
    if site_dir.exists():
        shutil.rmtree(site_dir)
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
        data_docs_sites={
            "sdw": {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(site_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    keys: dict[str, Any] = {}
    for data_asset, validated_at, result_json in _validation_rows(url, run_id):
        renderable = _renderable(result_json)
        if renderable is None:
            continue
        result = expectationSuiteValidationResultSchema.load(renderable)
        key = ValidationResultIdentifier(
            ExpectationSuiteIdentifier(name=result.suite_name),
            RunIdentifier(run_name=run_id, run_time=validated_at),
            batch_identifier=data_asset,
        )
        context.validation_results_store.set(key, result)
        keys[data_asset] = key
    if not keys:
        raise DocsFailed(f"no GX validation results recorded for run {run_id}")
    sites = context.build_data_docs(site_names=["sdw"])
    index = Path(sites["sdw"].removeprefix("file://"))
    try:
        make_offline(site_dir)
    except OfflineDocsError as error:
        raise DocsFailed(str(error)) from error
    pages = {}
    for data_asset, key in keys.items():
        (page_url,) = (s["site_url"] for s in context.get_docs_sites_urls(resource_identifier=key))
        pages[data_asset] = Path(page_url.removeprefix("file://")).relative_to(out_dir).as_posix()
    return index, pages
