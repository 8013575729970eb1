"""Great Expectations suite for the KPI scorecard on `marts_candidate` (kpi_scorecard, the view
controllers read, over kpi_scorecard_values); nothing is published unless it passes.

- one row per KPI x municipality x region x law x product category x period; status, unit
  and period type from their fixed sets; region a GM or WK code (or UNKNOWN)
- every KPI family whose source mart has something to report has rows in the scorecard
  (a family silently lost in a refactor fails here, not in front of the council)
- value is null exactly when status is `onderdrukt`; a cell its own mart suppresses is never
  shown with a value
- status agrees with value, norm_or_target and target_direction (the rule restated here)
- previous_value is the published value of the same cell one period earlier, so it is null
  whenever that cell was suppressed (no subtraction recovers a hidden cell)
"""

from __future__ import annotations

from collections.abc import Mapping

from sdw.validation.spec import SuiteBuilder, SuiteDefinition, resolve_schemas, table_query

SUITE_NAME = "scorecard_marts"
MART = "kpi_scorecard"
STATUSES = ["op_koers", "afwijking", "geen_norm", "onderdrukt"]
UNITS = ["clients", "eur", "per_1000", "days", "pct", "score"]
GRAIN = [
    "kpi_code",
    "municipality_code",
    "region_code",
    "law",
    "product_category",
    "period_type",
    "period_start",
]


def families_query(marts: str) -> str:
    """Each KPI family with the number of source-mart rows that have something to report
    (a value or a suppressed cell) and the scorecard's rows of that family."""
    sources = {
        "care_usage": f"SELECT count(*) FROM {marts}.care_usage_quarterly",
        "waiting_times": f"""SELECT count(*) FROM {marts}.waiting_times_quarterly
                             WHERE median_days_to_decision IS NOT NULL""",
        "procedure_times": f"SELECT count(*) FROM {marts}.procedure_times_quarterly",
        "benefits": f"""SELECT count(*) FROM {marts}.benefit_recipients
                        WHERE suppressed OR recipients_per_1000_inhabitants IS NOT NULL""",
        "ses": f"""SELECT count(*) FROM {marts}.ses_scores
                   WHERE region_level IN ('GM', 'WK')
                     AND (change_vs_baseline IS NOT NULL OR total_score IS NULL)""",
        "budget": f"""SELECT count(*) FROM {marts}.budget_realisation
                      WHERE burn_rate_pct IS NOT NULL""",
    }
    rows = ",\n".join(f"('{family}', ({query}))" for family, query in sources.items())
    return f"""
SELECT family, source_rows,
       family || ': ' || source_rows || ' row(s) in its mart, none in the scorecard'
           AS discrepancy
FROM (VALUES {rows}) AS families (family, source_rows)
WHERE source_rows > 0
  AND NOT EXISTS (SELECT 1 FROM {marts}.{MART} AS s WHERE s.kpi_family = families.family)
""".strip()


def build_suite(schema_overrides: Mapping[str, str] | None = None) -> SuiteDefinition:
    import great_expectations.expectations as gxe

    marts = resolve_schemas(schema_overrides)["marts_candidate"]
    suite = SuiteBuilder(SUITE_NAME)
    add, no_rows = suite.add, suite.no_rows

    add(
        MART,
        table_query(marts, MART),
        [
            gxe.ExpectCompoundColumnsToBeUnique(column_list=GRAIN),
            gxe.ExpectColumnValuesToBeInSet(column="status", value_set=STATUSES),
            gxe.ExpectColumnValuesToBeInSet(column="unit", value_set=UNITS),
            gxe.ExpectColumnValuesToBeInSet(column="period_type", value_set=["quarter", "year"]),
            gxe.ExpectColumnValuesToMatchRegex(column="municipality_code", regex=r"^GM[0-9]{4}$"),
            gxe.ExpectColumnValuesToMatchRegex(
                column="region_code", regex=r"^(GM[0-9]{4}|WK[0-9]{6}|UNKNOWN)$"
            ),
            gxe.ExpectColumnValuesToNotBeNull(column="kpi_name_nl"),
            gxe.ExpectColumnValuesToNotBeNull(column="run_id"),
        ],
    )
    no_rows("scorecard_every_family_present", families_query(marts))
    no_rows(
        "scorecard_value_null_iff_suppressed",
        f"""SELECT kpi_code, region_code, period_start,
               'value ' || coalesce(value::text, 'null') || ' with status ' || status
                   AS discrepancy
            FROM {marts}.{MART}
            WHERE (value IS NULL) <> (status = 'onderdrukt')""",
    )
    no_rows(
        "scorecard_suppressed_cells_stay_hidden",
        f"""SELECT s.kpi_code, s.region_code, s.period_start,
               'shown although ' || source || ' suppresses the cell' AS discrepancy
            FROM {marts}.{MART} AS s
            JOIN (
                SELECT 'care_usage_by_district_quarterly' AS source, municipality_code,
                       district_code, law, quarter_start, suppressed,
                       ARRAY['care_clients_per_1000'] AS kpis
                FROM {marts}.care_usage_by_district_quarterly
                UNION ALL
                SELECT 'procedure_times_quarterly', municipality_code, district_code, law,
                       quarter_start, suppressed,
                       ARRAY['procedure_median_days_melding_to_onderzoek',
                             'procedure_pct_onderzoek_within_term',
                             'procedure_median_days_aanvraag_to_beschikking',
                             'procedure_pct_beschikking_within_term']
                FROM {marts}.procedure_times_quarterly
            ) AS cell
              ON s.kpi_code = ANY (cell.kpis)
             AND s.municipality_code = cell.municipality_code
             AND s.region_code = cell.district_code
             AND s.law = cell.law
             AND s.period_start = cell.quarter_start
            WHERE cell.suppressed AND s.value IS NOT NULL""",
    )
    no_rows(
        "scorecard_status_follows_target",
        f"""SELECT kpi_code, region_code, period_start,
               'status ' || status || ' for value ' || coalesce(value::text, 'null')
                   || ' against ' || coalesce(target_direction || ' ' || norm_or_target, 'none')
                   AS discrepancy
            FROM {marts}.{MART}
            WHERE status <> CASE
                WHEN value IS NULL THEN 'onderdrukt'
                WHEN norm_or_target IS NULL THEN 'geen_norm'
                WHEN target_direction = 'max' AND value <= norm_or_target THEN 'op_koers'
                WHEN target_direction = 'min' AND value >= norm_or_target THEN 'op_koers'
                ELSE 'afwijking' END""",
    )
    no_rows(
        "scorecard_previous_value_is_the_published_previous_period",
        f"""SELECT s.kpi_code, s.region_code, s.period_start,
               'previous_value ' || coalesce(s.previous_value::text, 'null')
                   || ', published previous period ' || coalesce(p.value::text, 'null')
                   AS discrepancy
            FROM {marts}.{MART} AS s
            LEFT JOIN {marts}.{MART} AS p
              ON p.kpi_code = s.kpi_code
             AND p.municipality_code = s.municipality_code
             AND p.region_code = s.region_code
             AND p.law = s.law
             AND p.product_category = s.product_category
             AND p.period_type = s.period_type
             AND p.period_start = (s.period_start - CASE s.period_type
                     WHEN 'quarter' THEN interval '3 months' ELSE interval '1 year' END)::date
            WHERE s.previous_value IS DISTINCT FROM p.value""",
    )
    return suite.definition()
