-- KPI contract (docs/kpi-definitions.md#care_usage_quarterly): one row per municipality x law x
-- product category x quarter with at least one loaded 323 line, rejected lines included.
-- Measures: macros/care_usage_measures.

-- The measures are computed, quarter by quarter as lines arrive, in
-- int_care_usage_measured_by_quarter (intermediate keeps state between builds; this schema is
-- swapped away at every publication), so this table is a copy with the contract's types.

with

measures as (

    select * from {{ ref('int_care_usage_measured_by_quarter') }}

),

final as (

    select
        municipality_code,
        law,
        product_category,
        quarter_start,
        declared_amount_eur::numeric(14, 2) as declared_amount_eur,
        rejected_amount_eur::numeric(14, 2) as rejected_amount_eur,
        accepted_amount_eur::numeric(14, 2) as accepted_amount_eur,
        clients::integer as clients,
        delivered_volume::bigint as delivered_volume,
        unit,
        amount_per_client_eur::numeric(14, 2) as amount_per_client_eur

    from measures

)

select * from final
