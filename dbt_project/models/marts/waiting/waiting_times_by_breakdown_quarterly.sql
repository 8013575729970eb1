-- waiting_times_quarterly's measures per product category, per provider and per Verwijzer
-- type (huisarts, gemeente, jeugdarts, GI, ...), stacked in one table: `breakdown` names the
-- dimension, `breakdown_code` / `breakdown_name` its value. An assignment counts under the
-- Verwijzer of the 315 it answers; a municipality-initiated one (no 315) under `geen_verzoek`.
-- Every breakdown adds up to the headline: a value keeps its rows, past its own last quarter,
-- for as long as it has backlog within the municipality x law's range of quarters.

with

requests as (

    select * from {{ ref('int_assignment_requests_decided') }}

),

assignments as (

    select * from {{ ref('int_assignments_started_and_stopped') }}

),

categories as (

    select * from {{ ref('product_categories') }}

),

referrers as (

    select * from {{ ref('referrer_types') }}

),

requests_by as (

    select
        *,
        'product_category' as breakdown,
        coalesce(product_category, 'onbekend') as breakdown_code
    from requests
    union all
    select
        *,
        'provider' as breakdown,
        provider_agb as breakdown_code
    from requests
    union all
    select
        *,
        'referrer_type' as breakdown,
        coalesce(referrer_type, 'onbekend') as breakdown_code
    from requests

),

assignments_by as (

    select
        *,
        'product_category' as breakdown,
        coalesce(product_category, 'onbekend') as breakdown_code
    from assignments
    union all
    select
        *,
        'provider' as breakdown,
        provider_agb as breakdown_code
    from assignments
    union all
    select
        *,
        'referrer_type' as breakdown,
        coalesce(referrer_type, 'geen_verzoek') as breakdown_code
    from assignments

),

measures as (

    {{ waiting_time_measures(
        'requests_by',
        'assignments_by',
        ['municipality_code', 'law', 'breakdown', 'breakdown_code'],
        span=['municipality_code', 'law', 'breakdown'],
    ) }}

),

final as (

    select
        measures.municipality_code::text as municipality_code,
        measures.law::text as law,
        measures.breakdown::text as breakdown,
        measures.breakdown_code::text as breakdown_code,
        (case measures.breakdown
            when 'product_category' then categories.name
            when 'referrer_type' then
                coalesce(
                    referrers.name,
                    case
                        when measures.breakdown_code = 'geen_verzoek'
                            then 'Geen verzoek (toewijzing op initiatief van de gemeente)'
                    end
                )
        end)::text as breakdown_name,
        measures.quarter_start::date as quarter_start,
        measures.requests::integer as requests,
        measures.decided::integer as decided,
        measures.median_days_to_decision::numeric as median_days_to_decision,
        measures.p90_days_to_decision::numeric as p90_days_to_decision,
        measures.pct_decided_within_5_workdays::numeric(5, 2) as pct_decided_within_5_workdays,
        measures.open_at_quarter_end::integer as open_at_quarter_end,
        measures.median_days_assignment_to_start::numeric as median_days_assignment_to_start

    from measures

    left join categories
        on measures.breakdown = 'product_category'
        and measures.law = categories.law
        and measures.breakdown_code = categories.product_category

    left join referrers
        on measures.breakdown = 'referrer_type'
        and measures.breakdown_code = referrers.referrer_type

)

select * from final
