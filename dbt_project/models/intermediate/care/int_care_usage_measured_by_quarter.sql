-- The care-usage measures (macros/care_usage_measures) per municipality x law x product
-- category x quarter: what marts.care_usage_quarterly publishes. Kept here, in intermediate,
-- because the marts' own schema is swapped away at every publication (sdw.publish), so a
-- mart cannot keep state from one build to the next; this model can, and is incremental by
-- quarter (macros/care_usage_increment): delete+insert replaces every row of each
-- municipality x law x quarter that new lines, late 325 answers or newer 301s touched.

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
        ['municipality_code', 'law', 'product_category', 'quarter_start'],
    ) }}

)

-- Typed as the marts' contracts type them, so the stored rows are what the marts publish.
select
    measures.municipality_code,
    measures.law,
    measures.product_category,
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
