-- The care-usage measures (macros/care_usage_measures) per municipality x district x law x
-- quarter, before small-cell suppression and population rates: what
-- marts.care_usage_by_district_quarterly publishes. Incremental by quarter like
-- int_care_usage_measured_by_quarter (macros/care_usage_increment): a newer 301 that moves
-- a client's lines to another district re-assesses them, so their quarter is recomputed
-- whole and the district they left loses its row when nothing is left in it.

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['municipality_code', 'law', 'quarter_start'],
    on_schema_change='fail',
) }}

with

lines as (

    {{ care_usage_increment(ref('int_declaration_lines_assessed')) }}

),

measures as (

    {{ care_usage_measures(
        'lines',
        ['municipality_code', 'district_code', 'law', 'quarter_start'],
    ) }}

)

-- Typed as the marts' contracts type them, so the stored rows are what the marts publish.
select
    measures.municipality_code,
    measures.district_code,
    measures.law,
    measures.quarter_start,
    measures.declared_amount_eur::numeric(14, 2) as declared_amount_eur,
    measures.rejected_amount_eur::numeric(14, 2) as rejected_amount_eur,
    measures.accepted_amount_eur::numeric(14, 2) as accepted_amount_eur,
    measures.clients::integer as clients,
    measures.delivered_volume::bigint as delivered_volume,
    measures.unit,
    measures.amount_per_client_eur::numeric(14, 2) as amount_per_client_eur,
    (
        select max(assessed_lines.assessed_at)
        from {{ ref('int_declaration_lines_assessed') }} as assessed_lines
    ) as lines_assessed_through

from measures
