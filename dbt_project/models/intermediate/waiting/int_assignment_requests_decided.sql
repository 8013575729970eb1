-- One row per request (docs/kpi-definitions.md#waiting_times_quarterly): an AangevraagdProduct of a
-- valid 315, keyed by municipality + law + provider AGB + ReferentieAanbieder. The municipality is
-- part of the key because a 301 or 319 from municipality X can only answer a 315 sent to X. A
-- re-sent 315 does not restart the clock: the earliest Dagtekening is the request date. Decision =
-- the earliest of a 301 ToegewezenProduct with the same ReferentieAanbieder (its Toewijzingsdatum)
-- and a 319 VerzoekAntwoord 1 afgewezen, whatever the reason, so a request for another municipality
-- (reason 5 or 8, woonplaatsbeginsel) is decided-rejected (the 319's Dagtekening). A 319 2 "in
-- onderzoek" decides nothing. A 301 without a 315 is not a request.

with

requested_products as (

    select * from {{ ref('stg_istandaarden__assignment_requests') }}

),

answers as (

    select * from {{ ref('stg_istandaarden__request_answers') }}

),

assigned_products as (

    select * from {{ ref('stg_istandaarden__assigned_products') }}
    where provider_reference is not null

),

requests as (

    select distinct on (municipality_code, law, provider_agb, provider_reference)
        municipality_code,
        law,
        provider_agb,
        provider_reference,
        message_date as request_date,
        product_category,
        referrer_type

    from requested_products
    order by municipality_code, law, provider_agb, provider_reference, message_date, message_id

),

assignments as (

    select
        municipality_code,
        law,
        provider_agb,
        provider_reference,
        min(assignment_date) as assignment_date,
        min(message_date) as assignment_message_date

    from assigned_products
    group by municipality_code, law, provider_agb, provider_reference

),

rejections as (

    select distinct on (municipality_code, law, provider_agb, provider_reference)
        municipality_code,
        law,
        provider_agb,
        provider_reference,
        message_date as rejection_date,
        rejection_reason

    from answers
    where request_answer = '1'
    order by municipality_code, law, provider_agb, provider_reference, message_date, message_id

),

investigations as (

    select
        municipality_code,
        law,
        provider_agb,
        provider_reference,
        min(message_date) as in_onderzoek_date

    from answers
    where request_answer = '2'
    group by municipality_code, law, provider_agb, provider_reference

),

joined as (

    select
        requests.*,
        investigations.in_onderzoek_date,
        assignments.assignment_date,
        assignments.assignment_message_date,
        rejections.rejection_date,
        rejections.rejection_reason,
        least(assignments.assignment_date, rejections.rejection_date) as decision_date,
        -- the first message answering the request (OP274): a 301 or any 319
        least(
            assignments.assignment_message_date,
            rejections.rejection_date,
            investigations.in_onderzoek_date
        ) as first_answer_date,
        -- the message that ends "in onderzoek" (OP274: within 8 weeks)
        least(assignments.assignment_message_date, rejections.rejection_date)
            as decision_message_date

    from requests

    left join assignments
        using (municipality_code, law, provider_agb, provider_reference)

    left join rejections
        using (municipality_code, law, provider_agb, provider_reference)

    left join investigations
        using (municipality_code, law, provider_agb, provider_reference)

),

final as (

    select
        municipality_code,
        law,
        provider_agb,
        provider_reference,
        product_category,
        referrer_type,
        request_date,
        date_trunc('quarter', request_date)::date as request_quarter_start,
        in_onderzoek_date,
        decision_date,
        case
            when decision_date is null then null
            when assignment_date <= coalesce(rejection_date, assignment_date) then 'toegewezen'
            else 'afgewezen'
        end as decision,
        case
            when rejection_date < coalesce(assignment_date, rejection_date + 1)
                then rejection_reason
        end as rejection_reason,
        decision_date - request_date as days_to_decision,
        {{ add_working_days('request_date', 5) }} as decision_due_date,
        first_answer_date,
        decision_message_date

    from joined

)

select * from final
