"""Great Expectations suite for the municipal case export (raw.case_procedure).

Runs before dbt. Ingest already rejects rows that break the contract; this proves that what
landed still obeys it (a loader change, or rows written by hand, cannot slip through):

- gemeentecode GM + 4 digits; wet, resultaat and adres_status in their lists; melding_pseudoniem
  a 64-hex HMAC (never a readable case number); datum_melding and line_number present
- one row per melding within a file
- dates in order: melding <= onderzoek afgerond <= start aanvraag <= beschikking, and a closing
  date (datum_afhandeling) after all of them
- no decision before its request, and none without one
- resultaat consistent with the dates: toegekend/afgewezen have a beschikking, ingetrokken a
  closing date and no beschikking, lopend neither
- the district: a wijkcode exactly when the address matched or the file gave one, and a given
  wijkcode lies in the municipality
"""

from __future__ import annotations

from collections.abc import Mapping

from sdw.validation.spec import SuiteBuilder, SuiteDefinition, resolve_schemas, table_query

SUITE_NAME = "raw_cases"
LAWS = ["wmo", "jeugdwet"]
OUTCOMES = ["toegekend", "afgewezen", "ingetrokken", "lopend"]
ADDRESS_STATUSES = ["matched", "not_found", "wijkcode", "no_address"]
# Pseudonyms are not personal data in themselves, but never copied into a summary either.
SENSITIVE = frozenset({"melding_pseudoniem"})


def build_suite(schema_overrides: Mapping[str, str] | None = None) -> SuiteDefinition:
    import great_expectations.expectations as gxe

    raw = resolve_schemas(schema_overrides)["raw"]
    suite = SuiteBuilder(SUITE_NAME, SENSITIVE)
    add = suite.add

    def no_rows(asset: str, condition: str, what: str) -> None:
        suite.no_rows(
            asset,
            f"""SELECT _source_file, line_number, {what} AS discrepancy
                FROM {raw}.case_procedure WHERE {condition}""",
        )

    add(
        "raw_case_procedure",
        table_query(raw, "case_procedure"),
        [
            gxe.ExpectColumnValuesToMatchRegex(column="gemeentecode", regex=r"^GM[0-9]{4}$"),
            gxe.ExpectColumnValuesToMatchRegex(
                column="melding_pseudoniem",
                regex=r"^[0-9a-f]{64}$",
                description="the case number is stored only as a keyed pseudonym",
            ),
            gxe.ExpectColumnValuesToBeInSet(column="wet", value_set=LAWS),
            gxe.ExpectColumnValuesToBeInSet(column="resultaat", value_set=OUTCOMES),
            gxe.ExpectColumnValuesToBeInSet(column="adres_status", value_set=ADDRESS_STATUSES),
            gxe.ExpectColumnValuesToNotBeNull(column="datum_melding"),
            gxe.ExpectColumnValuesToNotBeNull(column="line_number"),
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["_file_hash", "gemeentecode", "melding_pseudoniem"],
                description="one row per melding within a file",
            ),
        ],
    )
    no_rows(
        "raw_cases_dates_in_order",
        """datum_onderzoek_afgerond < datum_melding
           OR datum_start_aanvraag < datum_melding
           OR datum_start_aanvraag < datum_onderzoek_afgerond
           OR datum_beschikking < datum_melding
           OR datum_beschikking < datum_onderzoek_afgerond
           OR datum_afhandeling < greatest(datum_melding, datum_onderzoek_afgerond,
                                           datum_start_aanvraag, datum_beschikking)""",
        "'dates out of order: melding ' || datum_melding || ', onderzoek '"
        " || coalesce(datum_onderzoek_afgerond::text, '-') || ', aanvraag '"
        " || coalesce(datum_start_aanvraag::text, '-') || ', beschikking '"
        " || coalesce(datum_beschikking::text, '-') || ', afhandeling '"
        " || coalesce(datum_afhandeling::text, '-')",
    )
    no_rows(
        "raw_cases_no_decision_before_request",
        "datum_beschikking < datum_start_aanvraag"
        " OR (datum_beschikking IS NOT NULL AND datum_start_aanvraag IS NULL)",
        "'beschikking ' || datum_beschikking || ' before or without its aanvraag ('"
        " || coalesce(datum_start_aanvraag::text, 'none') || ')'",
    )
    no_rows(
        "raw_cases_outcome_matches_dates",
        """(resultaat IN ('toegekend', 'afgewezen') AND datum_beschikking IS NULL)
           OR (resultaat = 'ingetrokken'
               AND (datum_afhandeling IS NULL OR datum_beschikking IS NOT NULL))
           OR (resultaat = 'lopend'
               AND (datum_beschikking IS NOT NULL OR datum_afhandeling IS NOT NULL))""",
        "'resultaat ' || resultaat || ' does not match its dates'",
    )
    no_rows(
        "raw_cases_district",
        """(adres_status IN ('matched', 'wijkcode')) <> (wijkcode IS NOT NULL)
           OR (adres_status = 'wijkcode' AND wijkcode / 100 <> substr(gemeentecode, 3)::int)""",
        "'adres_status ' || adres_status || ' with wijkcode ' || coalesce(wijkcode::text, 'null')",
    )
    return suite.definition()
