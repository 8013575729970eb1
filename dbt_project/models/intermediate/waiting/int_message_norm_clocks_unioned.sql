-- Every clock an iStandaarden response norm starts (seed message_norms), with the date the
-- answering message arrived, or null while it has not. One row per clock:
-- - OP274_ANTWOORD: a 315 request -> the first 301 (Dagtekening) or 319 answering it;
-- - OP274_ONDERZOEK: a 319 "in onderzoek" -> the 301 or 319 afgewezen that decides it;
-- - OP271_START: the actual start (305 Begindatum; the first 301 Toewijzingsdatum when the
--   assignment came later, terugwerkende kracht) -> the first 305;
-- - OP272_STOP: the actual end (307 Einddatum) -> the first 307.
-- The municipality answers the first two, the provider the last two; all are reported per
-- provider, the other party of the exchange.

with

requests as (

    select * from {{ ref('int_assignment_requests_decided') }}

),

assignments as (

    select * from {{ ref('int_assignments_started_and_stopped') }}

),

events as (

    select
        municipality_code,
        law,
        provider_agb,
        'OP274_ANTWOORD' as norm_code,
        request_date as clock_start_date,
        first_answer_date as answered_date
    from requests

    union all

    select
        municipality_code,
        law,
        provider_agb,
        'OP274_ONDERZOEK' as norm_code,
        in_onderzoek_date as clock_start_date,
        decision_message_date as answered_date
    from requests
    where in_onderzoek_date is not null

    union all

    select
        municipality_code,
        law,
        provider_agb,
        'OP271_START' as norm_code,
        greatest(reported_start_date, first_assignment_date) as clock_start_date,
        start_message_date as answered_date
    from assignments
    where start_message_date is not null

    union all

    select
        municipality_code,
        law,
        provider_agb,
        'OP272_STOP' as norm_code,
        care_end_date as clock_start_date,
        stop_message_date as answered_date
    from assignments
    where stop_message_date is not null

)

select
    municipality_code,
    law,
    provider_agb,
    norm_code,
    clock_start_date,
    answered_date,
    date_trunc('quarter', clock_start_date)::date as quarter_start

from events
