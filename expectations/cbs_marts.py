"""Great Expectations suite for the CBS marts on `marts_candidate` (ses_scores,
population_by_district, dim_region, dim_region_history, benefit_recipients); nothing is
published unless it passes.

- codes: GM/WK/BU formats; one row per grain (region x year, region code, region x indeling
  year, ...)
- ses_scores: scores between -5 and 5; rank >= 1 and only where there is a score; change
  against the baseline only where both scores exist
- population_by_district: counts >= 0; the age bands of a region never exceed its inhabitants
  by more than CBS's rounding (5 per band)
- benefit_recipients: suppressed rows carry no recipients or rates; unsuppressed rows never
  show 1 to 4 recipients; percentages between 0 and 100; no municipality x source x benefit
  type x period has exactly one suppressed row beside a shown row with recipients >= 1
  (complementary suppression: it would be the municipal count minus the rest)
"""

from __future__ import annotations

from collections.abc import Mapping

from sdw.validation.spec import (
    SuiteBuilder,
    SuiteDefinition,
    lone_suppressed_cell_query,
    resolve_schemas,
    table_query,
)

SUITE_NAME = "cbs_marts"
REGION = r"^(GM[0-9]{4}|WK[0-9]{6}|BU[0-9]{8})$"


def build_suite(schema_overrides: Mapping[str, str] | None = None) -> SuiteDefinition:
    import great_expectations.expectations as gxe

    marts = resolve_schemas(schema_overrides)["marts_candidate"]
    suite = SuiteBuilder(SUITE_NAME)
    add, no_rows = suite.add, suite.no_rows

    add(
        "ses_scores",
        table_query(marts, "ses_scores"),
        [
            gxe.ExpectColumnValuesToMatchRegex(column="region_code", regex=REGION),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["region_code", "year"]),
            gxe.ExpectColumnValuesToBeBetween(column="total_score", min_value=-5, max_value=5),
            gxe.ExpectColumnValuesToBeBetween(column="rank_in_municipality", min_value=1),
        ],
    )
    no_rows(
        "ses_scores_rank_and_change_need_a_score",
        f"""SELECT region_code, year, 'rank or change without a score' AS discrepancy
            FROM {marts}.ses_scores
            WHERE total_score IS NULL
              AND (rank_in_municipality IS NOT NULL OR change_vs_baseline IS NOT NULL)""",
    )
    add(
        "dim_region",
        table_query(marts, "dim_region"),
        [
            gxe.ExpectColumnValuesToMatchRegex(column="region_code", regex=REGION),
            # one row per code: a BI join on region_code must never multiply a mart's rows
            gxe.ExpectColumnValuesToBeUnique(column="region_code"),
            gxe.ExpectColumnValuesToNotBeNull(column="is_current"),
        ],
    )
    add(
        "dim_region_history",
        table_query(marts, "dim_region_history"),
        [
            gxe.ExpectColumnValuesToMatchRegex(column="region_code", regex=REGION),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["region_code", "indeling_year"]),
        ],
    )
    add(
        "population_by_district",
        table_query(marts, "population_by_district"),
        [
            gxe.ExpectColumnValuesToMatchRegex(column="region_code", regex=REGION),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["region_code", "year"]),
            gxe.ExpectColumnValuesToBeBetween(column="inhabitants", min_value=0),
        ],
    )
    no_rows(
        "population_bands_fit_inhabitants",
        f"""SELECT region_code, year,
               'age bands sum to ' || (age_00_14 + inhabitants_15_plus) || ', inhabitants '
               || inhabitants AS discrepancy
            FROM {marts}.population_by_district
            WHERE abs(age_00_14 + inhabitants_15_plus - inhabitants) > 25""",
    )
    add(
        "benefit_recipients",
        table_query(marts, "benefit_recipients"),
        [
            gxe.ExpectColumnValuesToMatchRegex(column="municipality_code", regex=r"^GM[0-9]{4}$"),
            gxe.ExpectColumnValuesToMatchRegex(column="district_code", regex=r"^WK[0-9]{6}$"),
            gxe.ExpectColumnValuesToNotBeNull(column="suppressed"),
            gxe.ExpectColumnValuesToBeBetween(
                column="pct_inhabitants_15_plus", min_value=0, max_value=100
            ),
        ],
    )
    no_rows(
        "benefit_recipients_small_cells",
        f"""SELECT district_code, period_start, benefit_type,
               'small cell shown or suppressed cell with values' AS discrepancy
            FROM {marts}.benefit_recipients
            WHERE (suppressed AND (recipients IS NOT NULL
                                   OR recipients_per_1000_inhabitants IS NOT NULL
                                   OR pct_inhabitants_15_plus IS NOT NULL))
               OR (NOT suppressed AND recipients BETWEEN 1 AND 4)""",
    )
    no_rows(
        "benefit_recipients_lone_suppressed_cell",
        lone_suppressed_cell_query(
            marts,
            "benefit_recipients",
            ["municipality_code", "source", "benefit_type", "period_type", "period_start"],
            "recipients",
        ),
    )
    return suite.definition()
