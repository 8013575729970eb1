-- Are iStandaarden messages sent on time? Per municipality x law x provider x norm x quarter
-- of the event that starts the clock. Norms come from the seed message_norms (days, working or
-- calendar): change a norm there, not here. A clock is on time when its message came on or
-- before the deadline, late when it came after it or has not come while the deadline has
-- passed, and not yet due otherwise. "Today" is the newest message date loaded for the
-- municipality, so the same files always give the same mart.

with

events as (

    select * from {{ ref('int_message_norm_clocks_unioned') }}

),

norms as (

    select * from {{ ref('message_norms') }}

),

messages as (

    select * from {{ ref('stg_istandaarden__messages') }}

),

as_of as (

    select
        municipality_code,
        max(message_date) as as_of_date
    from messages
    group by municipality_code

),

assessed as (

    select
        events.*,
        as_of.as_of_date,
        case norms.day_type
            when 'working' then {{ add_working_days('events.clock_start_date', 'norms.norm_days') }}
            else events.clock_start_date + norms.norm_days
        end as due_date

    from events

    inner join norms
        using (norm_code)

    inner join as_of
        using (municipality_code)

),

classified as (

    select
        *,
        case
            when answered_date <= due_date then 'on_time'
            when answered_date > due_date then 'late'
            when due_date < as_of_date then 'missing'
            else 'not_yet_due'
        end as outcome

    from assessed

),

final as (

    select
        municipality_code::text as municipality_code,
        law::text as law,
        provider_agb::text as provider_agb,
        norm_code::text as norm_code,
        quarter_start::date as quarter_start,
        count(*)::integer as events,
        count(*) filter (where outcome = 'on_time')::integer as on_time,
        count(*) filter (where outcome in ('late', 'missing'))::integer as late,
        count(*) filter (where outcome = 'missing')::integer as missing_past_norm,
        count(*) filter (where outcome = 'not_yet_due')::integer as not_yet_due,
        case
            when count(*) filter (where outcome <> 'not_yet_due') > 0
                then round(
                        100.0 * count(*) filter (where outcome = 'on_time')
                        / count(*) filter (where outcome <> 'not_yet_due'),
                        2
                    )
        end::numeric(5, 2) as pct_on_time

    from classified
    group by municipality_code, law, provider_agb, norm_code, quarter_start

)

select * from final
