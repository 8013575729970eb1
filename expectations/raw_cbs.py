"""Great Expectations suite for raw CBS open data (raw.cbs_observation, raw.cbs_municipal_benefit).

Runs before dbt. What is checked:

raw.cbs_observation
  - region_code is a trimmed CBS code: GM + 4, WK + 6 or BU + 8 digits
  - period is a year, a quarter (2023Q2) or a month (2024-03)
  - dataset and file_format are known values; measure is never empty
  - SES-WOA scores (ses_*_score) lie between -5 and 5 (CBS's scores are standardised around 0;
    anything else is a unit or column mix-up); percentages between 0 and 100
  - no duplicate region-period-measure within one file (one file, one value per cell)
  - a null value is a secret/missing cell: its value_raw is never a number (a number that was
    lost on the way would become a fake secret)
raw.cbs_municipal_benefit
  - codes GM + 4 and WK + 6 digits, the wijk inside the municipality; maand YYYY-MM; regeling
    in the contract's list; aantal_personen >= 0; no duplicate key within one file
"""

from __future__ import annotations

from collections.abc import Mapping

from sdw.validation.spec import SuiteBuilder, SuiteDefinition, resolve_schemas, table_query

SUITE_NAME = "raw_cbs"
DATASETS = ["ses_woa", "kwb", "uitkeringen", "statline"]
FILE_FORMATS = ["statline_csv", "kwb_xlsx", "kwb_csv", "odata_v3", "odata_v4"]
REGELINGEN = ["participatiewet", "ioaw", "ioaz", "bbz"]
SES_SCORE_RANGE = (-5, 5)


def build_suite(schema_overrides: Mapping[str, str] | None = None) -> SuiteDefinition:
    import great_expectations.expectations as gxe

    raw = resolve_schemas(schema_overrides)["raw"]
    suite = SuiteBuilder(SUITE_NAME)
    add = suite.add

    add(
        "raw_cbs_observation",
        table_query(raw, "cbs_observation"),
        [
            gxe.ExpectColumnValuesToMatchRegex(
                column="region_code",
                regex=r"^(GM[0-9]{4}|WK[0-9]{6}|BU[0-9]{8}|NL[0-9]{2})$",
                description="trimmed CBS region code",
            ),
            gxe.ExpectColumnValuesToMatchRegex(
                column="period", regex=r"^[0-9]{4}(Q[1-4]|-(0[1-9]|1[0-2]))?$"
            ),
            gxe.ExpectColumnValuesToBeInSet(column="dataset", value_set=DATASETS),
            gxe.ExpectColumnValuesToBeInSet(column="file_format", value_set=FILE_FORMATS),
            gxe.ExpectColumnValuesToNotBeNull(column="measure"),
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["_file_hash", "dataset", "region_code", "period", "measure"],
                description="one value per region, period and measure within a file",
            ),
        ],
    )
    add(
        "raw_cbs_ses_scores",
        table_query(raw, "cbs_observation", "value", "measure LIKE 'ses\\_%\\_score'"),
        [
            gxe.ExpectColumnValuesToBeBetween(
                column="value",
                min_value=SES_SCORE_RANGE[0],
                max_value=SES_SCORE_RANGE[1],
                description="SES-WOA scores are standardised around 0",
            )
        ],
    )
    add(
        "raw_cbs_percentages",
        table_query(
            raw,
            "cbs_observation",
            "value",
            "measure LIKE '%\\_pct' OR measure LIKE '%\\_pct\\_15\\_plus' OR measure ~ '^p_'",
        ),
        [gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=100)],
    )
    add(
        "raw_cbs_secret_is_not_a_lost_number",
        f"""SELECT _source_file, region_code, measure, value_raw,
               'value_raw ' || value_raw || ' is a number but value is null' AS discrepancy
            FROM {raw}.cbs_observation
            WHERE value IS NULL AND value_raw ~ '^-?[0-9]+([.,][0-9]+)?$'""",
        [gxe.ExpectTableRowCountToEqual(value=0)],
        discrepancy=True,
    )
    add(
        "raw_cbs_municipal_benefit",
        table_query(raw, "cbs_municipal_benefit"),
        [
            gxe.ExpectColumnValuesToMatchRegex(column="gemeentecode", regex=r"^GM[0-9]{4}$"),
            gxe.ExpectColumnValuesToMatchRegex(column="wijkcode", regex=r"^WK[0-9]{6}$"),
            gxe.ExpectColumnValuesToMatchRegex(column="maand", regex=r"^[0-9]{4}-(0[1-9]|1[0-2])$"),
            gxe.ExpectColumnValuesToBeInSet(column="regeling", value_set=REGELINGEN),
            gxe.ExpectColumnValuesToBeBetween(column="aantal_personen", min_value=0),
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["_file_hash", "gemeentecode", "wijkcode", "maand", "regeling"]
            ),
        ],
    )
    add(
        "raw_cbs_benefit_wijk_in_municipality",
        f"""SELECT _source_file, line_number,
               wijkcode || ' is not a wijk of ' || gemeentecode AS discrepancy
            FROM {raw}.cbs_municipal_benefit
            WHERE substr(wijkcode, 3, 4) <> substr(gemeentecode, 3, 4)""",
        [gxe.ExpectTableRowCountToEqual(value=0)],
        discrepancy=True,
    )
    return suite.definition()
