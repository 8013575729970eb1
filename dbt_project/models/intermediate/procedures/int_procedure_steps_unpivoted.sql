-- The case export's procedure steps, two per melding (docs/procedure-times.md): melding ->
-- onderzoek afgerond, and aanvraag -> beschikking when there is an aanvraag. Each step with
-- its norm (seed procedure_norms), its deadline, its duration, the quarter it belongs to (its
-- start date's: a cohort) and the export's horizon, the day its backlog is measured on.

with

cases as (

    select * from {{ ref('stg_cases__procedures') }}

),

norms as (

    select * from {{ ref('procedure_norms') }}

),

-- The export's horizon per municipality: its latest date of any kind. The quarter still in
-- progress is measured on that day, not on a quarter end that has not come yet.
horizon as (

    select
        municipality_code,
        max(
            greatest(
                melding_date,
                onderzoek_completed_date,
                aanvraag_date,
                beschikking_date,
                closed_date
            )
        ) as as_of_date

    from cases
    group by municipality_code

),

-- ended_on: the first day the step is no longer open. The onderzoek also stops once the case
-- moved on to an aanvraag (a direct aanvraag records no onderzoek) or was closed.
steps as (

    select
        municipality_code,
        law,
        {{ district_or_unknown('district_code') }} as district_code,
        case_pseudonym,
        'melding_to_onderzoek' as step,
        melding_date as started_on,
        onderzoek_completed_date as completed_on,
        least(onderzoek_completed_date, aanvraag_date, closed_date) as ended_on

    from cases

    union all

    select
        municipality_code,
        law,
        {{ district_or_unknown('district_code') }} as district_code,
        case_pseudonym,
        'aanvraag_to_beschikking' as step,
        aanvraag_date as started_on,
        beschikking_date as completed_on,
        least(beschikking_date, closed_date) as ended_on

    from cases
    where aanvraag_date is not null

),

final as (

    select
        steps.*,
        norms.norm_days,
        -- date + integer is a date: the last day on which the step is within its norm.
        steps.started_on + norms.norm_days as norm_deadline,
        steps.completed_on - steps.started_on as days_taken,
        date_trunc('quarter', steps.started_on)::date as quarter_start,
        horizon.as_of_date

    from steps

    inner join horizon
        on steps.municipality_code = horizon.municipality_code

    left join norms
        on steps.law = norms.law
        and steps.step = norms.step

)

select * from final
