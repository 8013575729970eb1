"""Great Expectations suite for subsidy registers (raw.subsidy_grant).

Runs before dbt. Ingest already rejects what the register contract forbids; this proves that
what landed still obeys it:

- subsidiejaar present and plausible (1990-2100, the contract's years); jaar_toekenning, where
  given, too
- requested, granted and settled amounts never below zero; a recipient and a layout on every
  row; one row per register line
- WARNING, not an error: granted more than requested. Registers do contain such rows (an
  increased grant, a request stated without a later top-up), so it is reported, never stops
  the build.
- WARNING, not an error: an amount beyond the ingest bound (10^11 euros, ``sdw.money.BOUND``),
  named by file, line, column and value: only a row loaded by an older version can hold one;
  dbt's staging leaves it out of the marts (an error would stop every build on the same raw).

What every table a layout file fills obeys (year, layout, one row per line) is
``sdw.validation.spec.layout_table_suite``'s.
"""

from __future__ import annotations

from collections.abc import Mapping

from sdw.money import BOUND
from sdw.subsidies.rules import AMOUNT_COLUMNS, YEARS
from sdw.validation.spec import SuiteDefinition, amount_beyond_bound_query, layout_table_suite

SUITE_NAME = "raw_subsidies"


def build_suite(schema_overrides: Mapping[str, str] | None = None) -> SuiteDefinition:
    import great_expectations.expectations as gxe

    suite, raw = layout_table_suite(
        SUITE_NAME,
        schema_overrides,
        "subsidy_grant",
        ("subsidiejaar", YEARS),
        "register line",
        [
            gxe.ExpectColumnValuesToBeBetween(
                column="jaar_toekenning", min_value=YEARS[0], max_value=YEARS[1]
            ),
            gxe.ExpectColumnValuesToNotBeNull(column="ontvanger"),
            *(gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in AMOUNT_COLUMNS),
        ],
    )
    suite.no_rows(
        "raw_subsidies_granted_above_requested",
        f"""SELECT _source_file, line_number,
                   'granted ' || verleend_bedrag || ' > requested ' || aangevraagd_bedrag
                   AS discrepancy
            FROM {raw}.subsidy_grant WHERE verleend_bedrag > aangevraagd_bedrag""",
        "granted above requested: unusual, registers do contain it",
        warning=True,
    )
    suite.no_rows(
        "raw_subsidies_amount_beyond_bound",
        amount_beyond_bound_query(f"{raw}.subsidy_grant", AMOUNT_COLUMNS, BOUND),
        f"an amount beyond the ingest bound (< {BOUND} euros), loaded by an older version: "
        "left out of the marts by staging; correct the register and load it again",
        warning=True,
    )
    return suite.definition()
