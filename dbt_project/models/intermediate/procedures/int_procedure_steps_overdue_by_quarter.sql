-- The backlog as a stock: one row per step and quarter, from the quarter holding the step's
-- deadline up to the export's horizon, on whose last day (or the horizon day, for the quarter
-- still in progress) the step had started, was still open and its deadline had passed. A step
-- without a norm (Jeugdwet has no legal onderzoek term) is never overdue.

with

steps as (

    select * from {{ ref('int_procedure_steps_unpivoted') }}
    where norm_days is not null

),

fanned_out as (

    select
        steps.municipality_code,
        steps.law,
        steps.district_code,
        steps.case_pseudonym,
        steps.step,
        steps.norm_deadline,
        steps.ended_on,
        quarters.quarter_start::date as quarter_start,
        least(
            (quarters.quarter_start + interval '3 months' - interval '1 day')::date,
            steps.as_of_date
        ) as measured_on

    from steps

    cross join lateral generate_series(
        date_trunc('quarter', steps.norm_deadline::timestamp),
        date_trunc('quarter', steps.as_of_date::timestamp),
        interval '3 months'
    ) as quarters (quarter_start)

),

final as (

    select
        municipality_code,
        law,
        district_code,
        case_pseudonym,
        step,
        quarter_start

    from fanned_out
    where norm_deadline < measured_on
        and (ended_on is null or ended_on > measured_on)

)

select * from final
