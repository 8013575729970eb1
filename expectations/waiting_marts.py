"""Great Expectations suite for the waiting-time marts on `marts_candidate`
(waiting_times_quarterly, waiting_times_by_breakdown_quarterly,
message_norm_compliance_quarterly); nothing is published unless it passes.

- waiting_times_quarterly: one row per municipality x law x quarter; quarter starts; decided
  <= requests; days >= 0 (no decision before its request, no start before its assignment);
  p90 >= median; percentages between 0 and 100
- waiting_times_by_breakdown_quarterly: per breakdown, requests, decided and the backlog add
  up to the headline mart's for every municipality x law x quarter the headline has
- message_norm_compliance_quarterly: on time + late + not yet due = events; missing <= late;
  percentages between 0 and 100; norms known to the seed
"""

from __future__ import annotations

from collections.abc import Mapping

from sdw.validation.spec import SuiteBuilder, SuiteDefinition, resolve_schemas, table_query

SUITE_NAME = "waiting_marts"
NORMS = ["OP274_ANTWOORD", "OP274_ONDERZOEK", "OP271_START", "OP272_STOP"]


def build_suite(schema_overrides: Mapping[str, str] | None = None) -> SuiteDefinition:
    import great_expectations.expectations as gxe

    marts = resolve_schemas(schema_overrides)["marts_candidate"]
    suite = SuiteBuilder(SUITE_NAME)
    add, no_rows = suite.add, suite.no_rows

    for table in ("waiting_times_quarterly", "waiting_times_by_breakdown_quarterly"):
        add(
            table,
            table_query(marts, table),
            [
                gxe.ExpectColumnValuesToBeInSet(column="law", value_set=["wmo", "jeugdwet"]),
                gxe.ExpectColumnValuesToMatchRegex(column="municipality_code", regex=r"^GM\d{4}$"),
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="requests", column_B="decided", or_equal=True
                ),
                gxe.ExpectColumnValuesToBeBetween(
                    column="pct_decided_within_5_workdays", min_value=0, max_value=100
                ),
                gxe.ExpectColumnValuesToBeBetween(
                    column="median_days_to_decision",
                    min_value=0,
                    description="no decision before its request",
                ),
                gxe.ExpectColumnValuesToBeBetween(
                    column="median_days_assignment_to_start",
                    min_value=0,
                    description="care does not start before it was assigned",
                ),
                gxe.ExpectColumnValuesToBeBetween(column="open_at_quarter_end", min_value=0),
            ],
        )
        no_rows(
            f"{table}_shape",
            f"""SELECT municipality_code, law, quarter_start,
                   'quarter_start not a quarter, or p90 below median' AS discrepancy
                FROM {marts}.{table}
                WHERE quarter_start <> date_trunc('quarter', quarter_start)::date
                   OR p90_days_to_decision < median_days_to_decision""",
        )
    no_rows(
        "waiting_breakdowns_add_up",
        f"""SELECT b.breakdown, h.municipality_code, h.law, h.quarter_start,
               b.breakdown || ': requests ' || coalesce(b.requests, 0) || '/' || h.requests
               || ', decided ' || coalesce(b.decided, 0) || '/' || h.decided || ', open '
               || coalesce(b.open_at_quarter_end, 0) || '/' || h.open_at_quarter_end
                   AS discrepancy
            FROM {marts}.waiting_times_quarterly AS h
            CROSS JOIN (VALUES ('product_category'), ('provider'), ('referrer_type'))
                AS d(breakdown)
            LEFT JOIN (
                SELECT municipality_code, law, quarter_start, breakdown,
                       sum(requests) AS requests, sum(decided) AS decided,
                       sum(open_at_quarter_end) AS open_at_quarter_end
                FROM {marts}.waiting_times_by_breakdown_quarterly
                GROUP BY 1, 2, 3, 4
            ) AS b USING (municipality_code, law, quarter_start, breakdown)
            WHERE coalesce(b.requests, 0) <> h.requests
               OR coalesce(b.decided, 0) <> h.decided
               OR coalesce(b.open_at_quarter_end, 0) <> h.open_at_quarter_end""",
    )
    add(
        "message_norm_compliance_quarterly",
        table_query(marts, "message_norm_compliance_quarterly"),
        [
            gxe.ExpectColumnValuesToBeInSet(column="norm_code", value_set=NORMS),
            gxe.ExpectColumnValuesToBeBetween(column="pct_on_time", min_value=0, max_value=100),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="late", column_B="missing_past_norm", or_equal=True
            ),
        ],
    )
    no_rows(
        "message_norm_outcomes_add_up",
        f"""SELECT municipality_code, provider_agb, norm_code, quarter_start,
               'events ' || events || ' <> on time ' || on_time || ' + late ' || late
               || ' + not yet due ' || not_yet_due AS discrepancy
            FROM {marts}.message_norm_compliance_quarterly
            WHERE events <> on_time + late + not_yet_due""",
    )
    return suite.definition()
