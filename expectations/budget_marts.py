"""Great Expectations suite for marts.budget_realisation on `marts_candidate`; nothing is
published unless it passes (docs/budget-realisation.md):

- one row per municipality x begrotingsjaar x report_version x budget_line; municipality
  'GM' + 4 digits; year elapsed between 0 and 100
- row-wise, to the cent: current budget = primitive + amendments + carry-over and available =
  current budget - spent - committed (an empty part counting as 0, as the mart documents);
  difference = declaration spend - spent; declaration spend present exactly on care lines
- care spend equals the care marts' accepted euros: for every budget version whose peildatum
  is the last day of a quarter (or on or after 31 December of its year), the declaration spend
  of all its rows, NIET_GEKOPPELD included, equals the accepted euros of care_usage_quarterly
  for that municipality over the quarters of the budget year starting on or before the
  peildatum. For another peildatum (mid-quarter) the quarterly mart cannot be cut at that day,
  so those versions are not compared here (the dbt unit tests cover the day cut).
"""

from __future__ import annotations

from collections.abc import Mapping

from sdw.validation.spec import SuiteBuilder, SuiteDefinition, resolve_schemas, table_query

SUITE_NAME = "budget_marts"
MART = "budget_realisation"
CARE_MART = "care_usage_quarterly"
GRAIN = ["municipality_code", "begrotingsjaar", "report_version", "budget_line"]


def _row_rules_query(marts: str) -> str:
    """One row per budget row whose derived figures do not follow the mart's rules exactly."""
    key = " || ' ' || ".join(GRAIN)
    return f"""
SELECT {key} || ': ' || rule AS discrepancy FROM (
    SELECT *, CASE
        WHEN current_budget_eur <> coalesce(primitive_budget_eur, 0) + coalesce(amendments_eur, 0)
                                   + coalesce(carry_over_eur, 0)
            THEN 'current budget ' || current_budget_eur
                 || ' <> primitive + amendments + carry-over'
        WHEN available_eur <> current_budget_eur - coalesce(spent_eur, 0)
                              - coalesce(committed_eur, 0)
            THEN 'available ' || available_eur || ' <> current budget ' || current_budget_eur
                 || ' - spent ' || coalesce(spent_eur, 0) || ' - committed '
                 || coalesce(committed_eur, 0)
        WHEN is_care_line <> (declaration_spend_eur IS NOT NULL)
            THEN 'declaration spend present on a non-care line or missing on a care line'
        WHEN difference_eur IS DISTINCT FROM declaration_spend_eur - coalesce(spent_eur, 0)
            THEN 'difference ' || coalesce(difference_eur::text, 'null')
                 || ' <> declaration spend - spent'
    END AS rule
    FROM {marts}.{MART}
) AS checked
WHERE rule IS NOT NULL
""".strip()


def _care_spend_vs_care_marts_query(marts: str) -> str:
    """One row per quarter-end budget version whose declaration spend differs from the care
    marts' accepted euros over the same quarters, to the cent."""
    return f"""
SELECT * FROM (
WITH versions AS (
    SELECT municipality_code, begrotingsjaar, report_version, peildatum,
           sum(declaration_spend_eur) AS declaration_spend_eur
    FROM {marts}.{MART}
    GROUP BY municipality_code, begrotingsjaar, report_version, peildatum
), comparable AS (
    SELECT * FROM versions
    WHERE peildatum = (date_trunc('quarter', peildatum) + interval '3 months - 1 day')::date
       OR peildatum >= make_date(begrotingsjaar, 12, 31)
), care AS (
    SELECT v.municipality_code, v.begrotingsjaar, v.report_version,
           sum(c.accepted_amount_eur) AS accepted_eur
    FROM comparable v
    JOIN {marts}.{CARE_MART} c
      ON c.municipality_code = v.municipality_code
     AND extract(year FROM c.quarter_start) = v.begrotingsjaar
     AND c.quarter_start <= v.peildatum
    GROUP BY v.municipality_code, v.begrotingsjaar, v.report_version
)
SELECT v.municipality_code, v.begrotingsjaar, v.report_version, v.peildatum,
       v.municipality_code || ' ' || v.begrotingsjaar || ' ' || v.report_version
           || ' (peildatum ' || v.peildatum || '): declaration spend EUR '
           || coalesce(v.declaration_spend_eur, 0) || ' but care_usage_quarterly accepted EUR '
           || coalesce(c.accepted_eur, 0) AS discrepancy
FROM comparable v
LEFT JOIN care c USING (municipality_code, begrotingsjaar, report_version)
WHERE coalesce(v.declaration_spend_eur, 0) <> coalesce(c.accepted_eur, 0)
) AS mismatch
""".strip()


def build_suite(schema_overrides: Mapping[str, str] | None = None) -> SuiteDefinition:
    import great_expectations.expectations as gxe

    marts = resolve_schemas(schema_overrides)["marts_candidate"]
    suite = SuiteBuilder(SUITE_NAME)
    suite.add(
        MART,
        table_query(marts, MART),
        [
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=GRAIN, description="one row per " + " x ".join(GRAIN)
            ),
            gxe.ExpectColumnValuesToMatchRegex(column="municipality_code", regex=r"^GM[0-9]{4}$"),
            gxe.ExpectColumnValuesToBeBetween(
                column="year_elapsed_pct", min_value=0, max_value=100
            ),
            gxe.ExpectColumnValuesToNotBeNull(column="available_eur"),
        ],
    )
    suite.no_rows(f"{MART}_figures_follow_the_rules", _row_rules_query(marts))
    suite.no_rows(f"{MART}_care_spend_equals_care_marts", _care_spend_vs_care_marts_query(marts))
    return suite.definition(
        notes=[
            "care spend vs care_usage_quarterly is compared only for budget versions whose "
            "peildatum is a quarter end or at/after the year end"
        ]
    )
