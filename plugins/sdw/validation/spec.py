"""What a suite module hands the runner: which data each GX suite applies to.

Kept free of any Great Expectations import so DAG files and the CLI can import the validation
package cheaply; GX itself (~11 s to import) is only loaded inside `build_suite()` and the runner.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite

# Logical schema names the suites are written against; a run may point them elsewhere
# (e.g. validate the published `marts` instead of `marts_candidate`, or a test schema).
DEFAULT_SCHEMAS: Mapping[str, str] = {
    "raw": "raw",
    "marts_candidate": "marts_candidate",
}

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# Column name that discrepancy queries use to say, readably, what is wrong with each row.
DISCREPANCY_COLUMN = "discrepancy"


@dataclass(frozen=True)
class AssetCheck:
    """One GX data asset (a SELECT over the warehouse) and the suite validated against it.

    `query` is the full SELECT, already resolved to real schema names. A *discrepancy* asset is a
    query returning one row per violation of a cross-table rule, with a readable text column named
    `discrepancy`; its suite expects zero rows, and the runner quotes a few of those rows when it
    fails. Values of `sensitive_columns` (pseudonyms, or worse if a loader is broken) are never
    copied into a summary or the audit table.
    """

    asset_name: str
    query: str
    suite: ExpectationSuite
    is_discrepancy_query: bool = False
    sensitive_columns: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class SuiteDefinition:
    """A named suite family: every asset check one module defines.

    `notes` says what could not be checked this run (e.g. a code list without a law), so the
    summary never suggests more coverage than there was.
    """

    name: str
    checks: list[AssetCheck]
    notes: list[str] = field(default_factory=list)


def resolve_schemas(overrides: Mapping[str, str] | None) -> dict[str, str]:
    """Merge overrides into the default schema map, refusing anything but plain identifiers.

    Schema names end up inside SQL text, so only lower-case identifiers are accepted.
    """
    schemas = dict(DEFAULT_SCHEMAS)
    for logical, actual in (overrides or {}).items():
        if logical not in DEFAULT_SCHEMAS:
            raise ValueError(
                f"unknown schema {logical!r} in schema_overrides; known: {sorted(DEFAULT_SCHEMAS)}"
            )
        if not _IDENTIFIER.match(actual):
            raise ValueError(f"schema override {actual!r} is not a plain lower-case identifier")
        schemas[logical] = actual
    return schemas


def table_query(schema: str, table: str, columns: str = "*", where: str | None = None) -> str:
    """The SELECT for a table asset; assets are queries so one data source serves every schema."""
    query = f"SELECT {columns} FROM {schema}.{table}"
    return f"{query} WHERE {where}" if where else query


class SuiteBuilder:
    """Collects one suite module's asset checks, each validated by its own expectation suite
    named ``<suite>.<asset>``; every module in expectations/ builds its checks this way. GX is
    imported when a check is added (inside the task), never at module import."""

    def __init__(self, name: str, sensitive_columns: frozenset[str] = frozenset()) -> None:
        self.name = name
        self.checks: list[AssetCheck] = []
        self._sensitive = sensitive_columns

    def add(
        self,
        asset: str,
        query: str,
        expectations: list[Any],
        discrepancy: bool = False,
        sensitive_columns: frozenset[str] | None = None,
    ) -> None:
        import great_expectations as gx

        suite = gx.ExpectationSuite(name=f"{self.name}.{asset}", expectations=expectations)
        sensitive = self._sensitive if sensitive_columns is None else sensitive_columns
        self.checks.append(AssetCheck(asset, query, suite, discrepancy, sensitive))

    def no_rows(
        self, asset: str, query: str, description: str | None = None, warning: bool = False
    ) -> None:
        """A discrepancy query: one row per violation, none expected. A ``warning`` is
        reported and never stops the build (a value the contract allows but rarely sees)."""
        import great_expectations.expectations as gxe

        extra: dict[str, Any] = {"description": description} if description else {}
        if warning:
            extra["severity"] = "warning"
        expectation = gxe.ExpectTableRowCountToEqual(value=0, **extra)
        self.add(asset, query, [expectation], discrepancy=True)

    def definition(self, notes: list[str] | None = None) -> SuiteDefinition:
        return SuiteDefinition(self.name, self.checks, notes or [])


def layout_table_suite(
    name: str,
    schema_overrides: Mapping[str, str] | None,
    table: str,
    year: tuple[str, tuple[int, int]],
    line: str,
    expectations: Sequence[Any] = (),
) -> tuple[SuiteBuilder, str]:
    """A suite for a raw table that a layout file fills (``sdw.ingest.layout_rows``), with the
    check every such table passes: a plausible ``year`` = (column, (first, last)) on every
    row, the layout and line number on every row, and one row per ``line`` of a file; the
    source's own ``expectations`` follow. Returns the builder and the raw schema."""
    import great_expectations.expectations as gxe

    raw = resolve_schemas(schema_overrides)["raw"]
    year_column, (first, last) = year
    every_row = (year_column, "layout", "line_number")
    suite = SuiteBuilder(name)
    suite.add(
        f"raw_{table}",
        table_query(raw, table),
        [
            *(gxe.ExpectColumnValuesToNotBeNull(column=c) for c in every_row),
            gxe.ExpectColumnValuesToBeBetween(column=year_column, min_value=first, max_value=last),
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["_file_hash", "line_number"], description=f"one row per {line}"
            ),
            *expectations,
        ],
    )
    return suite, raw


def lone_suppressed_cell_query(
    schema: str, table: str, additive_group: Sequence[str], size: str
) -> str:
    """A discrepancy query: the additive groups whose one suppressed row is not protected.

    The rows of an additive group add up to a total published at municipality level, so a single
    hidden row is that total minus the rows shown. The complementary suppression of
    docs/kpi-definitions.md#small-cell-suppression then hides another row with size >= 1; only a
    group that has no such row may keep exactly one suppressed row. Checked on the mart itself,
    independently of the dbt macro that applies the rule.
    """
    group = ", ".join(additive_group)
    label = " || ' ' || ".join(f"{column}::text" for column in additive_group)
    return f"""
SELECT {group}, suppressed_rows, shown_rows,
       {label} || ': only ' || hidden_row || ' is suppressed while ' || shown_rows
           || ' row(s) with {size} >= 1 are shown, so the municipal total gives it away'
           AS {DISCREPANCY_COLUMN}
FROM (
    SELECT {group},
           count(*) FILTER (WHERE suppressed) AS suppressed_rows,
           count(*) FILTER (WHERE NOT suppressed AND {size} >= 1) AS shown_rows,
           min(district_code) FILTER (WHERE suppressed) AS hidden_row
    FROM {schema}.{table}
    GROUP BY {group}
) AS additive_groups
WHERE suppressed_rows = 1 AND shown_rows > 0
""".strip()


def amount_beyond_bound_query(table: str, columns: Sequence[str], bound: object) -> str:
    """One row per amount in ``table`` (schema-qualified) at or beyond ``bound`` (the ingest
    bound, ``sdw.money.BOUND``): its file, line, column and value. Raw keeps such rows only
    when an older version loaded them; the marts leave them out, and the raw suites of every
    finance source name them with this one query."""
    return (
        "SELECT * FROM ("
        + " UNION ALL ".join(
            f"""SELECT _source_file, line_number,
                   _source_file || ' line ' || line_number || ': {c} ' || {c}
                   || ' is beyond the ingest bound; the row is left out of the marts'
                   AS discrepancy
            FROM {table} WHERE abs({c}) >= {bound}"""
            for c in columns
        )
        + ") AS beyond_bound"
    )
