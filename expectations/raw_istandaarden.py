"""Great Expectations suite for the raw iStandaarden declaration tables (323 and 325).

Runs before dbt: nothing is built from raw rows that fail these checks. What is checked, per
table:

raw.istandaarden_323_prestatie and raw.istandaarden_325_prestatie (one line each)
  - bsn_pseudoniem is a 64-character lower-case hex HMAC, never a clear BSN
  - ingediend_bedrag (eurocent, unsigned) lies between 0 and MAX_LINE_AMOUNT_CENT
  - debet_credit is D or C; wet is wmo or jeugdwet
  - gemeentecode has 4 digits, aanbieder_agb 8 digits
  - the product period starts on or before its end, within one calendar month
  - productcategorie is a code of the line's law in dbt_project/seeds/product_categories.csv
raw.istandaarden_323_prestatie only
  - wet + aanbieder_agb + referentienummer is unique (OP283; ingest refuses repeats, this
    catches two workers loading the same re-sent line at once)
raw.istandaarden_301_product / raw.istandaarden_319_antwoord against raw.istandaarden_315_product
  - no answer before its request: a 301 product or 319 carrying a 315's ReferentieAanbieder
    (same municipality, law and provider) is not dated before that 315 (Toewijzingsdatum,
    Dagtekening)
raw.istandaarden_323_declaratie (one row per 323 message)
  - totaal_debet_credit is D or C; prestaties_loaded <= prestaties_in
  - file totals reconcile: prestaties_loaded equals the lines actually loaded for the file, and
    for a fully loaded file the signed sum of its lines equals the signed header total
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sdw.istandaarden.rules import signed_sql
from sdw.seeds import LAWS, product_categories
from sdw.validation.spec import SuiteBuilder, SuiteDefinition, resolve_schemas, table_query

SUITE_NAME = "raw_istandaarden"

# One 323 line is one product for one client in one month; even residential youth care stays far
# below EUR 100,000 a month, so anything above is a unit error (euros vs cents) or garbage.
MAX_LINE_AMOUNT_CENT = 10_000_000



def load_product_categories(path: Path | None = None) -> dict[str, list[str]]:
    """Product category codes per law, from the dbt seed, read as ingest reads it."""
    return {law: sorted(codes) for law, codes in product_categories(path).items()}


def _line_expectations(gxe: Any) -> list[Any]:
    """Checks shared by 323 and 325 lines (same columns in both tables)."""
    return [
        gxe.ExpectColumnValuesToMatchRegex(
            column="bsn_pseudoniem",
            regex=r"^[0-9a-f]{64}$",
            description="client is known only by a 64-hex HMAC pseudonym",
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="ingediend_bedrag",
            min_value=0,
            max_value=MAX_LINE_AMOUNT_CENT,
            description="line amount in eurocent, unsigned, below a sane monthly maximum",
        ),
        gxe.ExpectColumnValuesToBeInSet(column="debet_credit", value_set=["D", "C"]),
        gxe.ExpectColumnValuesToBeInSet(column="wet", value_set=list(LAWS)),
        gxe.ExpectColumnValuesToMatchRegex(column="gemeentecode", regex=r"^[0-9]{4}$"),
        gxe.ExpectColumnValuesToMatchRegex(column="aanbieder_agb", regex=r"^[0-9]{8}$"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="productperiode_einddatum",
            column_B="productperiode_begindatum",
            or_equal=True,
            description="product period begins on or before its end",
        ),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="begin_month",
            column_B="end_month",
            description="product period lies within one calendar month",
        ),
    ]


def _line_query(schema: str, table: str) -> str:
    # The month columns are derived so GX can compare them and quote the offending months.
    return table_query(
        schema,
        table,
        columns=(
            "*, to_char(productperiode_begindatum, 'YYYY-MM') AS begin_month,"
            " to_char(productperiode_einddatum, 'YYYY-MM') AS end_month"
        ),
    )


def _file_totals_query(raw: str) -> str:
    """One row per 323 file whose header does not reconcile with its loaded lines."""
    signed_line = signed_sql("p.ingediend_bedrag", "p.debet_credit")
    signed_total = signed_sql("d.totaal_ingediend_bedrag", "d.totaal_debet_credit")
    return f"""
SELECT d._source_file, d.declaratienummer, d.prestaties_in, d.prestaties_loaded,
       coalesce(l.lines, 0) AS lines_found, {signed_total} AS signed_total_cent,
       coalesce(l.signed_sum_cent, 0) AS signed_lines_cent,
       CASE WHEN d.prestaties_loaded <> coalesce(l.lines, 0)
            THEN 'file ' || d._source_file || ': prestaties_loaded ' || d.prestaties_loaded
                 || ' but ' || coalesce(l.lines, 0) || ' lines in istandaarden_323_prestatie'
            ELSE 'file ' || d._source_file || ': lines sum to ' || coalesce(l.signed_sum_cent, 0)
                 || ' cent, header TotaalIngediendBedrag is ' || {signed_total} || ' cent'
       END AS discrepancy
FROM {raw}.istandaarden_323_declaratie d
LEFT JOIN (
    SELECT p._file_hash, p.declaratienummer, count(*) AS lines,
           sum({signed_line}) AS signed_sum_cent
    FROM {raw}.istandaarden_323_prestatie p
    GROUP BY p._file_hash, p.declaratienummer
) l ON l._file_hash = d._file_hash AND l.declaratienummer = d.declaratienummer
WHERE d.prestaties_loaded <> coalesce(l.lines, 0)
   OR (d.prestaties_loaded = d.prestaties_in
       AND {signed_total} <> coalesce(l.signed_sum_cent, 0))
""".strip()


def build_suite(
    schema_overrides: Mapping[str, str] | None = None,
    product_categories_csv: Path | None = None,
) -> SuiteDefinition:
    """Every raw iStandaarden asset check; GX is imported here, not at module import."""
    import great_expectations.expectations as gxe

    raw = resolve_schemas(schema_overrides)["raw"]
    categories = load_product_categories(product_categories_csv)
    suite = SuiteBuilder(SUITE_NAME)
    add = suite.add
    notes = [
        f"product_categories seed lists no {law} codes: {law} categories not checked"
        for law in LAWS
        if not categories.get(law)
    ]

    for bericht in ("323", "325"):
        table = f"istandaarden_{bericht}_prestatie"
        add(
            f"raw_{bericht}_prestatie",
            _line_query(raw, table),
            _line_expectations(gxe),
            sensitive_columns=frozenset({"bsn_pseudoniem"}),
        )
        # One asset per law, so unexpected codes are quoted together with their law.
        for law in LAWS:
            if not categories.get(law):
                continue
            add(
                f"raw_{bericht}_prestatie_{law}_categories",
                table_query(raw, table, columns="productcategorie", where=f"wet = '{law}'"),
                [
                    gxe.ExpectColumnValuesToBeInSet(
                        column="productcategorie",
                        value_set=categories[law],
                        description=f"product category is a {law} code in the seed",
                    )
                ],
            )

    add(
        "raw_323_prestatie_unique",
        table_query(
            raw, "istandaarden_323_prestatie", columns="wet, aanbieder_agb, referentienummer"
        ),
        [
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["wet", "aanbieder_agb", "referentienummer"],
                description="a provider's ReferentieNummer is unique within a law (OP283)",
            )
        ],
    )

    add(
        "raw_323_declaratie",
        table_query(raw, "istandaarden_323_declaratie"),
        [
            gxe.ExpectColumnValuesToBeInSet(column="totaal_debet_credit", value_set=["D", "C"]),
            gxe.ExpectColumnValuesToBeInSet(column="wet", value_set=list(LAWS)),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="prestaties_in",
                column_B="prestaties_loaded",
                or_equal=True,
                description="a file cannot load more lines than it holds",
            ),
        ],
    )

    add(
        "raw_323_file_totals_mismatch",
        _file_totals_query(raw),
        [
            gxe.ExpectTableRowCountToEqual(
                value=0,
                description="every 323 file's loaded lines reconcile with its header totals",
            )
        ],
        discrepancy=True,
    )

    add(
        "raw_answer_before_request",
        _answer_before_request_query(raw),
        [
            gxe.ExpectTableRowCountToEqual(
                value=0, description="no 301 or 319 answers a 315 before the 315 was sent"
            )
        ],
        discrepancy=True,
    )
    return suite.definition(notes)


def _answer_before_request_query(raw: str) -> str:
    """301 products and 319 answers dated before the first 315 holding their
    ReferentieAanbieder (waiting times would be negative)."""
    return f"""SELECT a._source_file, a.referentie_aanbieder,
               a.bericht || ' dated ' || a.answer_date || ' answers a 315 of ' || r.request_date
                   AS discrepancy
        FROM (
            SELECT gemeentecode, wet, aanbieder_agb, referentie_aanbieder,
                   toewijzingsdatum AS answer_date, '301' AS bericht, _source_file
            FROM {raw}.istandaarden_301_product
            WHERE referentie_aanbieder IS NOT NULL
            UNION ALL
            SELECT gemeentecode, wet, aanbieder_agb, referentie_aanbieder,
                   bericht_dagtekening, '319', _source_file
            FROM {raw}.istandaarden_319_antwoord
        ) AS a
        JOIN (
            SELECT gemeentecode, wet, aanbieder_agb, referentie_aanbieder,
                   min(bericht_dagtekening) AS request_date
            FROM {raw}.istandaarden_315_product
            GROUP BY 1, 2, 3, 4
        ) AS r USING (gemeentecode, wet, aanbieder_agb, referentie_aanbieder)
        WHERE a.answer_date < r.request_date"""
