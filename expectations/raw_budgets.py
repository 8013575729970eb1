"""Great Expectations suite for budget files (raw.budget_line).

Runs before dbt. Ingest already rejects what the budget contract forbids; this proves that
what landed still obeys it:

- begrotingsjaar present and plausible (2000-2100); the peildatum within the budget year +- 1
  (from the adopted budget in the year before to the annual accounts in the year after)
- taakveld in the Iv3 shape (``6.72``: one digit, a dot, one or two digits); a municipality
  code ``GM`` + 4 digits; a budget line, report version and layout on every row
- one row per file line, and one row per municipality x year x report version x budget line
  within a file (a later version is another file: every version is kept)
- WARNING, not an error: a negative primitieve_begroting or verplichtingen. The contract
  expects them non-negative for spending lines, but a financial system exports revenue lines
  (baten) and corrections with a minus sign; they are loaded and reported, never stop the
  build. Begrotingswijzigingen, overheveling, realisatie and prognose may be negative.
- WARNING, not an error: an amount beyond the ingest bound (|amount| >= 10^11 euros,
  ``sdw.money.BOUND``), named by file, line, column and value. Ingest refuses such a cell, so
  only a row loaded by an older version holds one; dbt's staging leaves the row out of every
  mart. An error here would stop every build on the same raw, for ever: the finding says
  which file to correct and reload instead.

What every table a layout file fills obeys (year, layout, one row per line) is
``sdw.validation.spec.layout_table_suite``'s.
"""

from __future__ import annotations

from collections.abc import Mapping

from sdw.budgets.rules import AMOUNT_COLUMNS, NON_NEGATIVE, PEILDATUM_SLACK, TAAKVELD_SHAPE, YEARS
from sdw.money import BOUND
from sdw.validation.spec import SuiteDefinition, amount_beyond_bound_query, layout_table_suite

SUITE_NAME = "raw_budgets"
NOT_NULL = ("municipality_code", "peildatum", "report_version", "budget_line", "taakveld")


def build_suite(schema_overrides: Mapping[str, str] | None = None) -> SuiteDefinition:
    import great_expectations.expectations as gxe

    suite, raw = layout_table_suite(
        SUITE_NAME,
        schema_overrides,
        "budget_line",
        ("begrotingsjaar", YEARS),
        "budget-file line",
        [
            *(gxe.ExpectColumnValuesToNotBeNull(column=c) for c in NOT_NULL),
            gxe.ExpectColumnValuesToMatchRegex(column="taakveld", regex=TAAKVELD_SHAPE),
            gxe.ExpectColumnValuesToMatchRegex(column="municipality_code", regex=r"^GM[0-9]{4}$"),
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=[
                    "_file_hash",
                    "municipality_code",
                    "begrotingsjaar",
                    "report_version",
                    "budget_line",
                ],
                description="a budget line once per year and report version within a file",
            ),
        ],
    )
    suite.no_rows(
        "raw_budgets_peildatum_outside_year",
        f"""SELECT _source_file, line_number,
                   'peildatum ' || peildatum || ' for budget year ' || begrotingsjaar
                   AS discrepancy
            FROM {raw}.budget_line
            WHERE abs(extract(year FROM peildatum) - begrotingsjaar) > {PEILDATUM_SLACK}""",
        "the peildatum lies within the budget year +- 1",
    )
    negatives = " OR ".join(f"{c} < 0" for c in NON_NEGATIVE)
    shown = " || ' ' || ".join(f"'{c} ' || coalesce({c}::text, '-')" for c in NON_NEGATIVE)
    suite.no_rows(
        "raw_budgets_negative_budget_or_commitment",
        f"""SELECT _source_file, line_number, budget_line || ': ' || {shown} AS discrepancy
            FROM {raw}.budget_line WHERE {negatives}""",
        "a negative primitive budget or commitment: a revenue line or a correction, loaded "
        "and reported",
        warning=True,
    )
    suite.no_rows(
        "raw_budgets_amount_beyond_bound",
        amount_beyond_bound_query(f"{raw}.budget_line", AMOUNT_COLUMNS, BOUND),
        f"an amount beyond the ingest bound (|amount| < {BOUND} euros), loaded by an older "
        "version: left out of the marts by staging; correct the file and load it again",
        warning=True,
    )
    return suite.definition()
