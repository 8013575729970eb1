"""Great Expectations suite for the subsidy marts on `marts_candidate`
(subsidies_by_recipient_year, subsidies_by_theme_year); nothing is published unless it passes:

- one row per subsidy year x recipient / theme; years plausible
- grants <= requests; shares between 0 and 1 for the share of requests granted
- amounts never below zero
- both marts add up to the same totals per year (requests, grants, requested, granted and
  settled euros): they are two groupings of the same register rows
"""

from __future__ import annotations

from collections.abc import Mapping

from sdw.subsidies.rules import YEARS
from sdw.validation.spec import SuiteBuilder, SuiteDefinition, resolve_schemas, table_query

SUITE_NAME = "finance_marts"
MARTS = {"subsidies_by_recipient_year": "recipient", "subsidies_by_theme_year": "theme"}
AMOUNTS = ("requested_eur", "granted_eur", "settled_eur")
TOTALS = ("requests", "grants", *AMOUNTS)


def build_suite(schema_overrides: Mapping[str, str] | None = None) -> SuiteDefinition:
    import great_expectations.expectations as gxe

    marts = resolve_schemas(schema_overrides)["marts_candidate"]
    suite = SuiteBuilder(SUITE_NAME)
    for mart, key in MARTS.items():
        suite.add(
            mart,
            table_query(marts, mart),
            [
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["subsidy_year", key]),
                gxe.ExpectColumnValuesToBeBetween(
                    column="subsidy_year", min_value=YEARS[0], max_value=YEARS[1]
                ),
                gxe.ExpectColumnValuesToBeBetween(
                    column="share_of_requests_granted", min_value=0, max_value=1
                ),
                *(gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in AMOUNTS),
            ],
        )
        suite.no_rows(
            f"{mart}_grants_within_requests",
            f"""SELECT 'year ' || subsidy_year || ': ' || grants || ' grants > '
                       || requests || ' requests' AS discrepancy
                FROM {marts}.{mart} WHERE grants > requests""",
        )
    sums = ", ".join(f"sum({c}) AS {c}" for c in TOTALS)
    differs = " OR ".join(f"r.{c} IS DISTINCT FROM t.{c}" for c in TOTALS)
    suite.no_rows(
        "finance_marts_groupings_agree",
        f"""SELECT 'year ' || coalesce(r.subsidy_year, t.subsidy_year)
                   || ': the recipient and theme marts do not add up alike' AS discrepancy
            FROM (SELECT subsidy_year, {sums} FROM {marts}.subsidies_by_recipient_year
                  GROUP BY subsidy_year) AS r
            FULL JOIN (SELECT subsidy_year, {sums} FROM {marts}.subsidies_by_theme_year
                       GROUP BY subsidy_year) AS t ON t.subsidy_year = r.subsidy_year
            WHERE r.subsidy_year IS NULL OR t.subsidy_year IS NULL OR {differs}""",
    )
    return suite.definition()
