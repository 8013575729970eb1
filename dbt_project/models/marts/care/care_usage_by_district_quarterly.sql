-- KPI contract v1 (DESIGN.md): one row per municipality x district x law x quarter, the same
-- measures as care_usage_quarterly without product category (macros/care_usage_measures),
-- small cells suppressed.

with

measures as (

    {{ care_usage_measures(
        ref('int_declaration_lines_assessed'),
        ['municipality_code', 'district_code', 'law', 'quarter_start'],
    ) }}

),

measured as (

    select
        *,
        -- CBS population per district is not loaded yet (later issue): always null for now.
        null::numeric as clients_per_1000_inhabitants,
        -- Small cells: 1 to 4 clients could identify people; 0 clients identifies nobody.
        clients between 1 and 4 as suppressed

    from measures

),

final as (

    select
        municipality_code,
        district_code,
        law,
        quarter_start,
        case when not suppressed then declared_amount_eur end::numeric(14, 2)
            as declared_amount_eur,
        case when not suppressed then rejected_amount_eur end::numeric(14, 2)
            as rejected_amount_eur,
        case when not suppressed then accepted_amount_eur end::numeric(14, 2)
            as accepted_amount_eur,
        case when not suppressed then clients end::integer as clients,
        delivered_volume::bigint as delivered_volume,
        unit,
        case when not suppressed then amount_per_client_eur end::numeric(14, 2)
            as amount_per_client_eur,
        case when not suppressed then clients_per_1000_inhabitants end::numeric
            as clients_per_1000_inhabitants,
        suppressed

    from measured

)

select * from final
