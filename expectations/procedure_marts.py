"""Great Expectations suite for the procedure-times mart on `marts_candidate`
(procedure_times_quarterly); nothing is published unless it passes. What is checked:

- municipality_code GM + 4 digits; law wmo or jeugdwet; district WK + 6 digits or UNKNOWN;
  quarter_start the first day of its quarter; one row per grain
- norm percentages between 0 and 100; counts >= 0; median <= p90 per step
- completions never exceed starts (onderzoeken_afgerond <= meldingen, beschikkingen <= aanvragen)
- Jeugdwet has no legal onderzoek term: no percentage and no onderzoek backlog there
- the backlog is measured inside its own quarter
- suppressed rows carry no counts or measures; unsuppressed rows never concern 1 to 4 cases
- no municipality x law x quarter has exactly one suppressed row beside a shown row
  (complementary suppression: it would be the municipal count minus the rest)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sdw.validation.spec import (
    SuiteBuilder,
    SuiteDefinition,
    lone_suppressed_cell_query,
    resolve_schemas,
    table_query,
)

SUITE_NAME = "procedure_marts"
MART = "procedure_times_quarterly"
LAWS = ["wmo", "jeugdwet"]
COUNTS = (
    "cases",
    "meldingen",
    "onderzoeken_afgerond",
    "onderzoeken_open_past_norm",
    "aanvragen",
    "beschikkingen",
    "aanvragen_open_past_norm",
)
STEPS = ("melding_to_onderzoek", "aanvraag_to_beschikking")
PERCENTAGES = ("pct_onderzoek_within_norm", "pct_beschikking_within_norm")
SUPPRESSED_NULL = (
    *COUNTS,
    *(f"{stat}_days_{step}" for step in STEPS for stat in ("median", "p90")),
    *PERCENTAGES,
)


def build_suite(schema_overrides: Mapping[str, str] | None = None) -> SuiteDefinition:
    import great_expectations.expectations as gxe

    marts = resolve_schemas(schema_overrides)["marts_candidate"]
    suite = SuiteBuilder(SUITE_NAME)
    add = suite.add

    def no_rows(asset: str, condition: str, what: str) -> None:
        suite.no_rows(
            asset,
            f"""SELECT municipality_code, law, district_code, quarter_start,
                   {what} AS discrepancy
                FROM {marts}.{MART} WHERE {condition}""",
        )

    expectations: list[Any] = [
        gxe.ExpectColumnValuesToMatchRegex(column="municipality_code", regex=r"^GM[0-9]{4}$"),
        gxe.ExpectColumnValuesToBeInSet(column="law", value_set=LAWS),
        gxe.ExpectColumnValuesToMatchRegex(column="district_code", regex=r"^(WK[0-9]{6}|UNKNOWN)$"),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="quarter_start",
            column_B="quarter_first_day",
            description="quarter_start is the first day of a quarter",
        ),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["municipality_code", "law", "district_code", "quarter_start"],
            description="one row per municipality x law x district x quarter",
        ),
        gxe.ExpectColumnValuesToNotBeNull(column="suppressed"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="meldingen", column_B="onderzoeken_afgerond", or_equal=True
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="aanvragen", column_B="beschikkingen", or_equal=True
        ),
    ]
    expectations += [
        gxe.ExpectColumnValuesToBeBetween(
            column=c, min_value=0, max_value=100, description="a percentage lies in 0-100"
        )
        for c in PERCENTAGES
    ]
    expectations += [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in COUNTS]
    expectations += [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=f"p90_days_{step}", column_B=f"median_days_{step}", or_equal=True
        )
        for step in STEPS
    ]
    add(
        MART,
        table_query(
            marts,
            MART,
            columns="*, date_trunc('quarter', quarter_start)::date AS quarter_first_day",
        ),
        expectations,
    )
    no_rows(
        "procedure_times_jeugdwet_has_no_onderzoek_norm",
        "law = 'jeugdwet' AND (pct_onderzoek_within_norm IS NOT NULL"
        " OR onderzoeken_open_past_norm > 0)",
        "'a Jeugdwet onderzoek measured against a norm the law does not set'",
    )
    no_rows(
        "procedure_times_backlog_inside_its_quarter",
        "backlog_measured_on < quarter_start"
        " OR backlog_measured_on >= quarter_start + interval '3 months'",
        "'backlog measured on ' || backlog_measured_on",
    )
    suppressed_values = " OR ".join(f"{c} IS NOT NULL" for c in SUPPRESSED_NULL)
    no_rows(
        "procedure_times_small_cells",
        f"(suppressed AND ({suppressed_values})) OR (NOT suppressed AND cases BETWEEN 1 AND 4)"
        " OR (NOT suppressed AND cases IS NULL)",
        "'small cell shown or suppressed cell with values'",
    )
    suite.no_rows(
        "procedure_times_lone_suppressed_cell",
        lone_suppressed_cell_query(
            marts, MART, ["municipality_code", "law", "quarter_start"], "cases"
        ),
    )
    return suite.definition()
