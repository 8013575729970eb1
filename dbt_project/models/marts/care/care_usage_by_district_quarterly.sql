-- KPI contract v1 (DESIGN.md): one row per municipality x district x law x quarter, the same
-- measures as care_usage_quarterly without product category, small cells suppressed.

with

lines as (

    select * from {{ ref('int_declaration_lines_assessed') }}

),

-- Net accepted amount per client within the row (all product categories together).
client_totals as (

    select
        municipality_code,
        district_code,
        law,
        quarter_start,
        client_pseudonym,
        sum(accepted_amount_eur) as net_accepted_amount_eur

    from lines
    group by 1, 2, 3, 4, 5

),

clients as (

    select
        municipality_code,
        district_code,
        law,
        quarter_start,
        count(*) filter (where net_accepted_amount_eur > 0) as clients

    from client_totals
    group by 1, 2, 3, 4

),

amounts as (

    select
        municipality_code,
        district_code,
        law,
        quarter_start,
        sum(signed_submitted_amount_eur) as declared_amount_eur,
        coalesce(sum(signed_submitted_amount_eur) filter (where is_rejected), 0)
            as rejected_amount_eur,
        sum(accepted_amount_eur) as accepted_amount_eur,
        sum(accepted_delivered_volume) as delivered_volume,
        case when count(distinct unit) = 1 then min(unit) end as unit

    from lines
    group by 1, 2, 3, 4

),

measured as (

    select
        amounts.municipality_code,
        amounts.district_code,
        amounts.law,
        amounts.quarter_start,
        amounts.declared_amount_eur,
        amounts.rejected_amount_eur,
        amounts.accepted_amount_eur,
        clients.clients,
        amounts.delivered_volume,
        amounts.unit,
        case
            when clients.clients > 0
                then round(amounts.accepted_amount_eur / clients.clients, 2)
        end as amount_per_client_eur,
        -- CBS population per district is not loaded yet (later issue): always null for now.
        null::numeric as clients_per_1000_inhabitants,
        -- Small cells: 1 to 4 clients could identify people; 0 clients identifies nobody.
        clients.clients between 1 and 4 as suppressed

    from amounts

    inner join clients
        on amounts.municipality_code = clients.municipality_code
        and amounts.district_code = clients.district_code
        and amounts.law = clients.law
        and amounts.quarter_start = clients.quarter_start

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
