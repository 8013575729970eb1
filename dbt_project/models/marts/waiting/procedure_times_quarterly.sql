-- Wmo/Jeugdwet procedure times from the municipal case system: one row per municipality x law
-- x district x quarter (definition in procedure_times_quarterly.yml and
-- docs/procedure-times.md). Two steps per melding: melding -> onderzoek afgerond and aanvraag ->
-- beschikking. A step belongs to the quarter of its start date (a cohort: an older quarter's
-- figures still change while its cases finish); the backlog (open past norm) is measured at
-- each quarter's end, whatever quarter the step started in. Small cells are suppressed, with
-- their complement per municipality x law x quarter (macros/small_cell_suppression).

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
        coalesce(district_code, 'UNKNOWN') as district_code,
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
        coalesce(district_code, 'UNKNOWN') as district_code,
        case_pseudonym,
        'aanvraag_to_beschikking' as step,
        aanvraag_date as started_on,
        beschikking_date as completed_on,
        least(beschikking_date, closed_date) as ended_on

    from cases
    where aanvraag_date is not null

),

steps_with_norm as (

    select
        steps.*,
        norms.norm_days,
        -- date + integer is a date: the last day on which the step is within its norm.
        steps.started_on + norms.norm_days as norm_deadline,
        steps.completed_on - steps.started_on as days_taken,
        date_trunc('quarter', steps.started_on)::date as quarter_start

    from steps

    left join norms
        on steps.law = norms.law
        and steps.step = norms.step

),

-- Every quarter, from the one holding the step's deadline up to the horizon, on whose last
-- day (or the horizon day) the step had started, was still open and its deadline had passed.
past_norm as (

    select
        open_steps.municipality_code,
        open_steps.law,
        open_steps.district_code,
        open_steps.case_pseudonym,
        open_steps.step,
        open_steps.quarter_start

    from (

        select
            steps_with_norm.municipality_code,
            steps_with_norm.law,
            steps_with_norm.district_code,
            steps_with_norm.case_pseudonym,
            steps_with_norm.step,
            steps_with_norm.norm_deadline,
            steps_with_norm.ended_on,
            quarters.quarter_start::date as quarter_start,
            least(
                (quarters.quarter_start + interval '3 months' - interval '1 day')::date,
                horizon.as_of_date
            ) as measured_on

        from steps_with_norm

        inner join horizon
            on steps_with_norm.municipality_code = horizon.municipality_code

        cross join lateral generate_series(
            date_trunc('quarter', steps_with_norm.norm_deadline::timestamp),
            date_trunc('quarter', horizon.as_of_date::timestamp),
            interval '3 months'
        ) as quarters (quarter_start)

        where steps_with_norm.norm_days is not null

    ) as open_steps

    where open_steps.norm_deadline < open_steps.measured_on
        and (open_steps.ended_on is null or open_steps.ended_on > open_steps.measured_on)

),

grain as (

    select municipality_code, law, district_code, quarter_start, case_pseudonym
    from steps_with_norm

    union

    select municipality_code, law, district_code, quarter_start, case_pseudonym
    from past_norm

),

row_cases as (

    select
        municipality_code,
        law,
        district_code,
        quarter_start,
        count(distinct case_pseudonym) as cases

    from grain
    group by municipality_code, law, district_code, quarter_start

),

-- Each step's measures once, per row and step: the cohort started in the quarter, and the
-- backlog open past norm at its end. The pivot below spreads them into the two steps' columns.
step_measures as (

    select
        municipality_code,
        law,
        district_code,
        quarter_start,
        step,
        count(*) as started,
        count(completed_on) as completed,
        percentile_cont(0.5) within group (order by days_taken) as median_days,
        percentile_cont(0.9) within group (order by days_taken) as p90_days,
        -- null without a norm (Jeugdwet has no legal onderzoek term) or without completions
        100.0 * count(*) filter (where completed_on <= norm_deadline)
            / nullif(count(completed_on) filter (where norm_days is not null), 0)
            as pct_within_norm,
        0 as open_past_norm

    from steps_with_norm
    group by municipality_code, law, district_code, quarter_start, step

    union all

    select
        municipality_code,
        law,
        district_code,
        quarter_start,
        step,
        0 as started,
        0 as completed,
        null as median_days,
        null as p90_days,
        null as pct_within_norm,
        count(*) as open_past_norm

    from past_norm
    group by municipality_code, law, district_code, quarter_start, step

),

-- One decimal is exact for percentile_cont over whole days (a multiple of 0.1).
pivoted as (

    select
        municipality_code,
        law,
        district_code,
        quarter_start,
        {%- for step, started, completed, pct, open in [
            ('melding_to_onderzoek', 'meldingen', 'onderzoeken_afgerond',
             'pct_onderzoek_within_norm', 'onderzoeken_open_past_norm'),
            ('aanvraag_to_beschikking', 'aanvragen', 'beschikkingen',
             'pct_beschikking_within_norm', 'aanvragen_open_past_norm'),
        ] %}
        {%- set this_step = "filter (where step = '" ~ step ~ "')" %}
        coalesce(sum(started) {{ this_step }}, 0) as {{ started }},
        coalesce(sum(completed) {{ this_step }}, 0) as {{ completed }},
        round(max(median_days) {{ this_step }}::numeric, 1) as median_days_{{ step }},
        round(max(p90_days) {{ this_step }}::numeric, 1) as p90_days_{{ step }},
        round(max(pct_within_norm) {{ this_step }}, 2) as {{ pct }},
        coalesce(sum(open_past_norm) {{ this_step }}, 0) as {{ open }}
        {{- ',' if not loop.last }}
        {%- endfor %}

    from step_measures
    group by municipality_code, law, district_code, quarter_start

),

measured as (

    select
        pivoted.*,
        row_cases.cases,
        least(
            (pivoted.quarter_start + interval '3 months' - interval '1 day')::date,
            horizon.as_of_date
        ) as backlog_measured_on

    from pivoted

    inner join row_cases
        on pivoted.municipality_code = row_cases.municipality_code
        and pivoted.law = row_cases.law
        and pivoted.district_code = row_cases.district_code
        and pivoted.quarter_start = row_cases.quarter_start

    inner join horizon
        on pivoted.municipality_code = horizon.municipality_code

),

-- Small cells by cases (1 to 4), with their complement: the wijken of one municipality x law x
-- quarter add up to the municipality's counts. Every row has at least one case, so every
-- unsuppressed row can be the complement.
protected as (

    {{ small_cell_suppression('measured', ['municipality_code', 'law', 'quarter_start'], 'cases') }}

),

-- A suppressed row keeps its keys, its backlog day and the flag; every count and measure is null.
final as (

    select
        municipality_code::text as municipality_code,
        law::text as law,
        district_code::text as district_code,
        quarter_start::date as quarter_start,
        {%- for column, type in [
            ('cases', 'integer'),
            ('meldingen', 'integer'),
            ('onderzoeken_afgerond', 'integer'),
            ('median_days_melding_to_onderzoek', 'numeric(8, 1)'),
            ('p90_days_melding_to_onderzoek', 'numeric(8, 1)'),
            ('pct_onderzoek_within_norm', 'numeric(5, 2)'),
            ('onderzoeken_open_past_norm', 'integer'),
            ('aanvragen', 'integer'),
            ('beschikkingen', 'integer'),
            ('median_days_aanvraag_to_beschikking', 'numeric(8, 1)'),
            ('p90_days_aanvraag_to_beschikking', 'numeric(8, 1)'),
            ('pct_beschikking_within_norm', 'numeric(5, 2)'),
            ('aanvragen_open_past_norm', 'integer'),
        ] %}
        (case when not suppressed then {{ column }} end)::{{ type }} as {{ column }},
        {%- endfor %}
        backlog_measured_on::date as backlog_measured_on,
        suppressed::boolean as suppressed

    from protected

)

select * from final
