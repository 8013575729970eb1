"""Great Expectations suite for the care-usage mart family, run on `marts_candidate` after dbt.

Nothing is published to `marts` unless every check here passes. What is checked:

care_usage_quarterly and care_usage_by_district_quarterly
  - municipality_code is GM + 4 digits; law is wmo or jeugdwet
  - quarter_start is the first day of its quarter
  - accepted_amount_eur <= declared_amount_eur (suppressed rows, all null, are skipped)
  - clients >= 0; one row per grain (no duplicates)
care_usage_by_district_quarterly only
  - district_code is WK + 6 digits, or UNKNOWN; suppressed is never null
  - suppressed rows carry no clients, amounts or rates (small-cell protection)
  - unsuppressed rows never show 1 to 4 clients
  - no municipality x law x quarter has exactly one suppressed row beside a shown row with
    clients >= 1 (complementary suppression: it would be the municipal total minus the rest)
cross-table
  - the accepted euros of care_usage_quarterly equal, to the cent, the signed sum of the raw 323
    lines that no 325 answer rejected, per municipality, law and quarter
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sdw.istandaarden.rules import signed_sql
from sdw.validation.spec import (
    SuiteBuilder,
    SuiteDefinition,
    lone_suppressed_cell_query,
    resolve_schemas,
    table_query,
)

SUITE_NAME = "care_marts"

LAWS = ["wmo", "jeugdwet"]
QUARTERLY = "care_usage_quarterly"
BY_DISTRICT = "care_usage_by_district_quarterly"
AMOUNT_COLUMNS = ("declared_amount_eur", "rejected_amount_eur", "accepted_amount_eur")
SUPPRESSED_NULL_COLUMNS = ("clients", *AMOUNT_COLUMNS, "amount_per_client_eur")
SUPPRESSED_NULL_COLUMNS_DISTRICT = (*SUPPRESSED_NULL_COLUMNS, "clients_per_1000_inhabitants")


def _common_expectations(gxe: Any, grain: list[str]) -> list[Any]:
    return [
        gxe.ExpectColumnValuesToMatchRegex(column="municipality_code", regex=r"^GM[0-9]{4}$"),
        gxe.ExpectColumnValuesToBeInSet(column="law", value_set=LAWS),
        gxe.ExpectColumnValuesToNotBeNull(column="quarter_start"),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="quarter_start",
            column_B="quarter_first_day",
            description="quarter_start is the first day of a quarter",
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="declared_amount_eur",
            column_B="accepted_amount_eur",
            or_equal=True,
            description="accepted never exceeds declared",
        ),
        gxe.ExpectColumnValuesToBeBetween(column="clients", min_value=0),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=grain, description="one row per " + " x ".join(grain)
        ),
    ]


def _mart_query(schema: str, table: str) -> str:
    # quarter_first_day is derived so GX can compare it with quarter_start and quote mismatches.
    return table_query(
        schema, table, columns="*, date_trunc('quarter', quarter_start)::date AS quarter_first_day"
    )


def _accepted_vs_raw_query(raw: str, marts: str) -> str:
    """One row per municipality x law x quarter whose accepted euros differ from raw, to the cent.

    A raw 323 line is accepted unless a 325 line rejects it, matched on provider AGB +
    DeclaratieNummer + ReferentieNummer within the same law and municipality (both numbers
    repeat across providers). A line belongs to the quarter of its ProductPeriode begin date.
    """
    # GX query assets must start with SELECT, hence the CTE inside a subquery.
    return f"""
SELECT * FROM (
WITH raw_accepted AS (
    SELECT 'GM' || p.gemeentecode AS municipality_code, p.wet AS law,
           date_trunc('quarter', p.productperiode_begindatum)::date AS quarter_start,
           sum({signed_sql('p.ingediend_bedrag', 'p.debet_credit')})
               AS accepted_cent
    FROM {raw}.istandaarden_323_prestatie p
    WHERE NOT EXISTS (
        SELECT 1 FROM {raw}.istandaarden_325_prestatie r
        WHERE r.aanbieder_agb = p.aanbieder_agb
          AND r.declaratienummer = p.declaratienummer
          AND r.referentienummer = p.referentienummer
          AND r.wet = p.wet
          AND r.gemeentecode = p.gemeentecode
    )
    GROUP BY 1, 2, 3
), mart_accepted AS (
    SELECT municipality_code, law, quarter_start,
           sum(accepted_amount_eur) AS accepted_eur
    FROM {marts}.{QUARTERLY}
    GROUP BY 1, 2, 3
)
SELECT municipality_code, law, quarter_start,
       r.accepted_cent / 100.0 AS raw_accepted_eur, m.accepted_eur AS mart_accepted_eur,
       municipality_code || ' ' || law || ' ' || quarter_start
           || ': mart accepted EUR ' || coalesce(m.accepted_eur::text, 'none')
           || ' but raw 323 lines not rejected by a 325 sum to EUR '
           || coalesce((r.accepted_cent / 100.0)::numeric(16, 2)::text, 'none')
           AS discrepancy
FROM raw_accepted r
FULL JOIN mart_accepted m USING (municipality_code, law, quarter_start)
WHERE coalesce(r.accepted_cent, 0)::numeric <> coalesce(m.accepted_eur, 0) * 100
) AS mismatch
""".strip()


def build_suite(schema_overrides: Mapping[str, str] | None = None) -> SuiteDefinition:
    """Every care-mart asset check; GX is imported here, not at module import."""
    import great_expectations.expectations as gxe

    schemas = resolve_schemas(schema_overrides)
    raw, marts = schemas["raw"], schemas["marts_candidate"]
    suite = SuiteBuilder(SUITE_NAME)
    add = suite.add

    add(
        QUARTERLY,
        _mart_query(marts, QUARTERLY),
        _common_expectations(
            gxe, ["municipality_code", "law", "product_category", "quarter_start"]
        ),
    )

    add(
        BY_DISTRICT,
        _mart_query(marts, BY_DISTRICT),
        [
            *_common_expectations(
                gxe, ["municipality_code", "district_code", "law", "quarter_start"]
            ),
            gxe.ExpectColumnValuesToMatchRegex(
                column="district_code", regex=r"^(WK[0-9]{6}|UNKNOWN)$"
            ),
            gxe.ExpectColumnValuesToNotBeNull(column="suppressed"),
            gxe.ExpectColumnValuesToBeBetween(column="clients_per_1000_inhabitants", min_value=0),
        ],
    )

    add(
        f"{BY_DISTRICT}_suppressed",
        table_query(marts, BY_DISTRICT, where="suppressed"),
        [
            gxe.ExpectColumnValuesToBeNull(
                column=column, description="a suppressed small cell shows no figures"
            )
            for column in SUPPRESSED_NULL_COLUMNS_DISTRICT
        ],
    )

    add(
        f"{BY_DISTRICT}_unsuppressed",
        table_query(marts, BY_DISTRICT, where="NOT suppressed"),
        [
            gxe.ExpectColumnValuesToNotBeNull(column="clients"),
            gxe.ExpectColumnValuesToNotBeInSet(
                column="clients",
                value_set=[1, 2, 3, 4],
                description="1 to 4 clients must be suppressed",
            ),
        ],
    )

    suite.no_rows(
        f"{BY_DISTRICT}_lone_suppressed_cell",
        lone_suppressed_cell_query(
            marts, BY_DISTRICT, ["municipality_code", "law", "quarter_start"], "clients"
        ),
    )

    add(
        "accepted_eur_vs_raw_mismatch",
        _accepted_vs_raw_query(raw, marts),
        [
            gxe.ExpectTableRowCountToEqual(
                value=0,
                description=(
                    "accepted euros in care_usage_quarterly equal the raw 323 lines not rejected"
                    " by a 325, to the cent"
                ),
            )
        ],
        discrepancy=True,
    )
    return suite.definition()
