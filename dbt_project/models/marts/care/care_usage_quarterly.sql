-- KPI contract v1 (DESIGN.md): one row per municipality x law x product category x quarter with
-- at least one loaded 323 line, rejected lines included.

with

lines as (

    select * from {{ ref('int_declaration_lines_assessed') }}

),

-- A client counts when their net accepted amount within the row is > 0, so a client whose
-- lines were all rejected or fully credited is not counted.
client_totals as (

    select
        municipality_code,
        law,
        product_category,
        quarter_start,
        client_pseudonym,
        sum(accepted_amount_eur) as net_accepted_amount_eur

    from lines
    group by 1, 2, 3, 4, 5

),

clients as (

    select
        municipality_code,
        law,
        product_category,
        quarter_start,
        count(*) filter (where net_accepted_amount_eur > 0) as clients

    from client_totals
    group by 1, 2, 3, 4

),

amounts as (

    select
        municipality_code,
        law,
        product_category,
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

final as (

    select
        amounts.municipality_code,
        amounts.law,
        amounts.product_category,
        amounts.quarter_start,
        amounts.declared_amount_eur::numeric(14, 2) as declared_amount_eur,
        amounts.rejected_amount_eur::numeric(14, 2) as rejected_amount_eur,
        amounts.accepted_amount_eur::numeric(14, 2) as accepted_amount_eur,
        clients.clients::integer as clients,
        amounts.delivered_volume::bigint as delivered_volume,
        amounts.unit,
        -- round() on numeric rounds half away from zero: half-up on the amount.
        case
            when clients.clients > 0
                then round(amounts.accepted_amount_eur / clients.clients, 2)
        end::numeric(14, 2) as amount_per_client_eur

    from amounts

    inner join clients
        on amounts.municipality_code = clients.municipality_code
        and amounts.law = clients.law
        and amounts.product_category = clients.product_category
        and amounts.quarter_start = clients.quarter_start

)

select * from final
