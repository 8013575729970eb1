-- KPI contract (docs/kpi-definitions.md#waiting_times_quarterly): waiting times from request (315)
-- to decision (301 or 319 afgewezen) and from assignment to start of care (305), one row per
-- municipality x law x quarter. Requests: int_assignment_requests_decided; assignments:
-- int_assignments_started_and_stopped; measures: macros/waiting_time_measures.

with

requests as (

    select * from {{ ref('int_assignment_requests_decided') }}

),

assignments as (

    select * from {{ ref('int_assignments_started_and_stopped') }}

),

measures as (

    {{ waiting_time_measures('requests', 'assignments', ['municipality_code', 'law']) }}

),

final as (

    select
        municipality_code::text as municipality_code,
        law::text as law,
        quarter_start::date as quarter_start,
        requests::integer as requests,
        decided::integer as decided,
        median_days_to_decision::numeric as median_days_to_decision,
        p90_days_to_decision::numeric as p90_days_to_decision,
        pct_decided_within_5_workdays::numeric(5, 2) as pct_decided_within_5_workdays,
        open_at_quarter_end::integer as open_at_quarter_end,
        median_days_assignment_to_start::numeric as median_days_assignment_to_start

    from measures

)

select * from final
