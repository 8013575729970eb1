"""Run one GX suite module against the warehouse and record the outcome in audit.validation_result.

build_marts calls `run_stage_or_raise` for each stage (every ``raw_*`` suite before dbt, every
``*_marts`` suite and the mart guard before publishing): a failed expectation raises
`ValidationFailed` carrying a readable summary, so the DAG run fails before anything is built
or published.

Great Expectations is imported lazily (inside `run_suite`) because the import takes ~11 s; this
module stays cheap to import from DAG files. The GX context is ephemeral: nothing is written to
disk (no gx/ folder), and usage statistics are switched off.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from sdw.config import expectations_dir
from sdw.validation.spec import DISCREPANCY_COLUMN, AssetCheck, SuiteDefinition

_EXAMPLES_PER_FAILURE = 3
_RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 5}
# Result keys that may quote cell values; dropped for sensitive columns.
_VALUE_KEYS = (
    "partial_unexpected_list",
    "partial_unexpected_counts",
    "partial_unexpected_index_list",
    "unexpected_list",
    "unexpected_index_list",
    "unexpected_index_query",
    "unexpected_rows",
    "observed_value",
    "details",
)


@dataclass
class AssetOutcome:
    """The result of one asset's suite, as written to audit.validation_result."""

    data_asset: str
    success: bool
    evaluated: int
    failed: int
    summary: str
    result_json: dict[str, Any]


@dataclass
class ValidationSummary:
    """The outcome of a whole suite module; `summary` is what an engineer reads in the task log."""

    suite_name: str
    run_id: str
    success: bool
    evaluated: int
    failed: int
    summary: str
    assets: list[AssetOutcome] = field(default_factory=list)


class ValidationFailed(Exception):
    """At least one expectation failed; the message is the readable summary."""

    def __init__(self, summary: ValidationSummary) -> None:
        super().__init__(summary.summary)
        self.summary = summary


def sqlalchemy_url(warehouse_url: str) -> str:
    """SQLAlchemy URL using psycopg 3 (psycopg2 is not a project dependency)."""
    scheme, sep, rest = warehouse_url.partition("://")
    if not sep or scheme.split("+")[0] not in ("postgresql", "postgres"):
        raise ValueError("warehouse_url must be a postgresql:// URL")
    return f"postgresql+psycopg://{rest}"


def libpq_url(warehouse_url: str) -> str:
    """The same URL without a SQLAlchemy driver suffix, for psycopg.connect."""
    _, _, rest = warehouse_url.partition("://")
    return f"postgresql://{rest}"


def load_suite_module(suite_module: str) -> ModuleType:
    """Load a suite module by name ('care_marts' or 'expectations.care_marts') or file path.

    Suites live outside the installed `sdw` package (they are project content a controller
    reads), so they are loaded from their file rather than from sys.path.
    """
    if suite_module.endswith(".py") or os.sep in suite_module:
        path = Path(suite_module)
    else:
        directory = expectations_dir()
        path = directory / f"{suite_module.removeprefix('expectations.')}.py"
    if not path.is_file():
        raise FileNotFoundError(f"suite module {suite_module!r} not found at {path}")
    module_name = f"sdw_expectations_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load suite module from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def run_suite(
    suite_module: str,
    warehouse_url: str,
    run_id: str,
    schema_overrides: dict[str, str] | None = None,
    suite_options: Mapping[str, Any] | None = None,
) -> ValidationSummary:
    """Validate every asset of a suite module and write one audit row per asset.

    `suite_options` are passed to the module's `build_suite` (e.g. `product_categories_csv`).
    An asset whose query cannot run (missing table or column) counts as failed, with the
    error in its summary, instead of aborting the other assets.
    """
    definition: SuiteDefinition = load_suite_module(suite_module).build_suite(
        schema_overrides, **dict(suite_options or {})
    )
    outcomes = _validate(definition, warehouse_url, run_id)
    summary = _summarise(definition, run_id, outcomes)
    _record(warehouse_url, run_id, definition.name, outcomes)
    return summary


def run_suite_or_raise(
    suite_module: str,
    warehouse_url: str,
    run_id: str,
    schema_overrides: dict[str, str] | None = None,
    suite_options: Mapping[str, Any] | None = None,
) -> ValidationSummary:
    """`run_suite`, raising `ValidationFailed` (results already recorded) when anything failed."""
    summary = run_suite(suite_module, warehouse_url, run_id, schema_overrides, suite_options)
    if not summary.success:
        raise ValidationFailed(summary)
    return summary


# ---------------------------------------------------------------- GX


def _gx_context() -> Any:
    """An in-memory GX context: no gx/ folder, no data docs, no progress bars, no analytics.

    GX 1.x reads GX_ANALYTICS_ENABLED when a context starts; 1.24 ships no usage-statistics
    sender at all, so both the variable and the config flag only keep a future upgrade silent.
    """
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _validate(definition: SuiteDefinition, warehouse_url: str, run_id: str) -> list[AssetOutcome]:
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    context = _gx_context()
    datasource = context.data_sources.add_postgres(
        name="warehouse", connection_string=sqlalchemy_url(warehouse_url)
    )
    gx_run_id = RunIdentifier(run_name=run_id)
    outcomes = []
    for check in definition.checks:
        try:
            asset = datasource.add_query_asset(name=check.asset_name, query=check.query)
            batch = asset.add_batch_definition_whole_table(name=f"{check.asset_name}_all")
            suite = context.suites.add(check.suite)
            validation = context.validation_definitions.add(
                gx.ValidationDefinition(name=check.asset_name, data=batch, suite=suite)
            )
            result = validation.run(result_format=_RESULT_FORMAT, run_id=gx_run_id)
            result_json = _redact(result.to_json_dict(), check.sensitive_columns)
        except Exception as error:  # one broken asset must not hide the others
            outcomes.append(_errored(check, error))
            continue
        outcomes.append(_outcome(check, result_json, warehouse_url))
    return outcomes


def _redact(result_json: dict[str, Any], sensitive: frozenset[str]) -> dict[str, Any]:
    """Drop quoted cell values of sensitive columns (a pseudonym, or a BSN if a loader broke)."""
    for item in result_json.get("results", []):
        kwargs = (item.get("expectation_config") or {}).get("kwargs") or {}
        columns = {kwargs.get("column"), kwargs.get("column_A"), kwargs.get("column_B")}
        columns.update(kwargs.get("column_list") or [])
        if columns & sensitive:
            result = item.get("result") or {}
            for key in _VALUE_KEYS:
                if key in result:
                    result[key] = "withheld: sensitive column"
    return json.loads(json.dumps(result_json, default=str))


def _errored(check: AssetCheck, error: Exception) -> AssetOutcome:
    expected = len(check.suite.expectations)
    message = " ".join(f"{type(error).__name__}: {error}".split())[:500]
    return AssetOutcome(
        data_asset=check.asset_name,
        success=False,
        evaluated=0,
        failed=expected,
        summary=f"FAILED {check.asset_name}: could not validate ({message})",
        result_json={"error": message, "expectations": expected},
    )


def _outcome(check: AssetCheck, result_json: dict[str, Any], warehouse_url: str) -> AssetOutcome:
    stats = result_json.get("statistics") or {}
    evaluated = int(stats.get("evaluated_expectations") or 0)
    failed = int(stats.get("unsuccessful_expectations") or 0)
    lines = []
    warned = 0
    for item in result_json.get("results", []):
        if item.get("success"):
            continue
        # An expectation built with severity="warning" reports what it found but does not
        # fail the stage: the data is plausible, only unusual (a register granting more than
        # was asked).
        warning = (item.get("expectation_config") or {}).get("severity") == "warning"
        warned += warning
        line = f"{'WARNING' if warning else 'FAILED'} {check.asset_name}: {_describe_failure(item)}"
        if check.is_discrepancy_query:  # a warning names its rows too: a person acts on them
            examples = _discrepancy_examples(check.query, warehouse_url)
            line += "".join(f"\n    - {example}" for example in examples)
        lines.append(line)
    failed -= warned
    success = failed == 0 and (bool(result_json.get("success")) or warned > 0)
    summary = "\n".join(lines) if lines else f"passed {check.asset_name}: {evaluated} expectations"
    return AssetOutcome(check.asset_name, success, evaluated, failed, summary, result_json)


def _describe_failure(item: dict[str, Any]) -> str:
    config = item.get("expectation_config") or {}
    kwargs = {
        key: value
        for key, value in (config.get("kwargs") or {}).items()
        if key not in ("batch_id", "result_format") and value is not None
    }
    shown = ", ".join(f"{key}={_short(value)}" for key, value in kwargs.items())
    text = f"{config.get('type', '?')}({shown})"
    description = config.get("description") or (config.get("meta") or {}).get("description")
    if description:
        text += f" [{description}]"

    exception = item.get("exception_info") or {}
    if exception.get("raised_exception"):
        message = str(exception.get("exception_message", "")).splitlines()[0][:300]
        return f"{text}: error {message}"

    result = item.get("result") or {}
    if "unexpected_count" in result:
        text += (
            f": {result['unexpected_count']} of {result.get('element_count', '?')} rows unexpected"
        )
        examples = result.get("partial_unexpected_list")
        if isinstance(examples, list) and examples:
            text += f", e.g. {_short(examples[:_EXAMPLES_PER_FAILURE])}"
        elif isinstance(examples, str):
            text += f" (values {examples})"
    elif "observed_value" in result:
        text += f": observed {_short(result['observed_value'])}"
    return text


def _short(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _discrepancy_examples(query: str, warehouse_url: str) -> list[str]:
    """A few rows of a failed discrepancy query, so the summary says what does not reconcile."""
    import psycopg

    try:
        with psycopg.connect(libpq_url(warehouse_url)) as conn:
            rows = conn.execute(
                f"SELECT {DISCREPANCY_COLUMN} FROM ({query}) AS q LIMIT {_EXAMPLES_PER_FAILURE}"
            ).fetchall()
    except psycopg.Error as error:
        return [f"(examples unavailable: {type(error).__name__})"]
    return [str(row[0]) for row in rows]


# ---------------------------------------------------------------- summary and audit


def _summarise(
    definition: SuiteDefinition, run_id: str, outcomes: list[AssetOutcome]
) -> ValidationSummary:
    evaluated = sum(outcome.evaluated for outcome in outcomes)
    failed = sum(outcome.failed for outcome in outcomes)
    failed_assets = [outcome for outcome in outcomes if not outcome.success]
    success = not failed_assets
    head = (
        f"GX suite {definition.name} (run {run_id}): "
        + ("passed" if success else "FAILED")
        + f", {failed} of {evaluated} expectations failed"
        + f" on {len(failed_assets)} of {len(outcomes)} assets"
    )
    lines = [head]
    lines += [f"note: {note}" for note in definition.notes]
    lines += [outcome.summary for outcome in failed_assets]
    # Warnings pass the stage but are said, so an unusual row is seen, not hidden.
    lines += [o.summary for o in outcomes if o.success and o.summary.startswith("WARNING")]
    return ValidationSummary(
        suite_name=definition.name,
        run_id=run_id,
        success=success,
        evaluated=evaluated,
        failed=failed,
        summary="\n".join(lines),
        assets=outcomes,
    )


def _record(warehouse_url: str, run_id: str, suite_name: str, outcomes: list[AssetOutcome]) -> None:
    import psycopg
    from psycopg.types.json import Jsonb

    with psycopg.connect(libpq_url(warehouse_url)) as conn, conn.cursor() as cursor:
        cursor.executemany(
            """
                INSERT INTO audit.validation_result
                    (run_id, suite_name, data_asset, success, evaluated, failed, summary,
                     result_json)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
                """,
            [
                (
                    run_id,
                    suite_name,
                    outcome.data_asset,
                    outcome.success,
                    outcome.evaluated,
                    outcome.failed,
                    outcome.summary,
                    Jsonb(outcome.result_json),
                )
                for outcome in outcomes
            ],
        )


def stage_suites(stage: str) -> list[str]:
    """The suites of a build stage, by file name in expectations/: ``raw_*.py`` check raw
    before dbt runs, ``*_marts.py`` check the candidate marts before publishing. A new source
    or mart family adds its file and is validated without touching the DAG."""
    directory = expectations_dir()
    pattern = {"raw": "raw_*.py", "marts": "*_marts.py"}[stage]
    return sorted(p.stem for p in directory.glob(pattern))


def run_stage_or_raise(
    stage: str, warehouse_url: str, run_id: str, allow_shrink: Iterable[str] = ()
) -> str:
    """Run every suite of a stage (all of them, so one report shows every failure) and raise
    ``ValidationFailed`` with the first failing suite's summary — after all were recorded.
    The marts stage also runs the mart guard (``sdw.validation.mart_guard``): a mart that
    would publish empty or lose over half its rows fails, unless in ``allow_shrink``."""
    summaries = [run_suite(name, warehouse_url, run_id) for name in stage_suites(stage)]
    if not summaries:
        raise FileNotFoundError(f"no {stage} suites found in the expectations folder")
    if stage == "marts":
        from sdw.validation import mart_guard

        summaries.append(mart_guard.check(warehouse_url, run_id, allow_shrink))
    for s in summaries:
        if not s.success:
            others = [o.suite_name for o in summaries if not o.success and o is not s]
            if others:
                s.summary += "\nAlso failed: " + ", ".join(others)
            raise ValidationFailed(s)
    return "\n".join(s.summary for s in summaries)
