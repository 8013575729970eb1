-- One row per assignment (ToewijzingNummer within municipality and law), for
-- median_days_assignment_to_start and the OP271/OP272 message norms. A product repeated in a
-- later 301 keeps its first Toewijzingsdatum. The start is the Begindatum of the latest 305
-- for that ToewijzingNummer from the assigned provider (a later 305 corrects an earlier one;
-- StatusAanlevering 3 withdraws it: then there is no start); the stop likewise from the 307.

with

assigned_products as (

    select * from {{ ref('stg_istandaarden__assigned_products') }}

),

starts as (

    select * from {{ ref('stg_istandaarden__care_starts') }}

),

stops as (

    select * from {{ ref('stg_istandaarden__care_stops') }}

),

requests as (

    select * from {{ ref('int_assignment_requests_decided') }}

),

assignments as (

    select distinct on (municipality_code, law, assignment_number)
        municipality_code,
        law,
        assignment_number,
        provider_agb,
        product_category,
        provider_reference,
        assignment_date as first_assignment_date

    from assigned_products
    order by municipality_code, law, assignment_number, assignment_date, message_date, message_id

),

latest_start as (

    select distinct on (municipality_code, law, provider_agb, assignment_number)
        municipality_code,
        law,
        provider_agb,
        assignment_number,
        case when delivery_status <> '3' then care_start_date end as care_start_date

    from starts
    order by
        municipality_code asc, law asc, provider_agb asc, assignment_number asc, message_date desc,
        message_id desc

),

first_start_message as (

    select
        municipality_code,
        law,
        provider_agb,
        assignment_number,
        min(message_date) as start_message_date,
        min(care_start_date) as reported_start_date

    from starts
    where delivery_status <> '3'
    group by municipality_code, law, provider_agb, assignment_number

),

first_stop_message as (

    select distinct on (municipality_code, law, provider_agb, assignment_number)
        municipality_code,
        law,
        provider_agb,
        assignment_number,
        care_end_date,
        end_reason,
        message_date as stop_message_date

    from stops
    where delivery_status <> '3'
    order by municipality_code, law, provider_agb, assignment_number, message_date, message_id

),

final as (

    select
        assignments.municipality_code,
        assignments.law,
        assignments.assignment_number,
        assignments.provider_agb,
        assignments.product_category,
        assignments.provider_reference,
        requests.referrer_type,
        requests.request_date,
        assignments.first_assignment_date,
        date_trunc('quarter', assignments.first_assignment_date)::date
            as assignment_quarter_start,
        latest_start.care_start_date,
        latest_start.care_start_date - assignments.first_assignment_date
            as days_assignment_to_start,
        first_start_message.start_message_date,
        first_start_message.reported_start_date,
        first_stop_message.care_end_date,
        first_stop_message.end_reason,
        first_stop_message.stop_message_date

    from assignments

    left join latest_start
        using (municipality_code, law, provider_agb, assignment_number)

    left join first_start_message
        using (municipality_code, law, provider_agb, assignment_number)

    left join first_stop_message
        using (municipality_code, law, provider_agb, assignment_number)

    left join requests
        using (municipality_code, law, provider_agb, provider_reference)

)

select * from final
