-- The procedure-time measures per municipality x law x district x quarter, before small-cell
-- protection: each step's cohort (started in the quarter) and its backlog (overdue at the
-- quarter's end), pivoted into one column set per step, with the distinct cases behind the
-- row (the size that procedure_times_quarterly protects) and the day the backlog was measured.

with

steps as (

    select * from {{ ref('int_procedure_steps_unpivoted') }}

),

overdue as (

    select * from {{ ref('int_procedure_steps_overdue_by_quarter') }}

),

horizon as (

    select distinct
        municipality_code,
        as_of_date
    from steps

),

grain as (

    select
        municipality_code,
        law,
        district_code,
        quarter_start,
        case_pseudonym
    from steps

    union

    select
        municipality_code,
        law,
        district_code,
        quarter_start,
        case_pseudonym
    from overdue

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

    from steps
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

    from overdue
    group by municipality_code, law, district_code, quarter_start, step

),

-- One decimal is exact for percentile_cont over whole days (a multiple of 0.1).
pivoted as (

    select
        municipality_code,
        law,
        district_code,
        quarter_start,
        -- The loop strips its own whitespace, which SQLFluff cannot lay out.
        -- noqa: disable=LT02
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

    -- noqa: enable=LT02
    from step_measures
    group by municipality_code, law, district_code, quarter_start

),

final as (

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

)

select * from final
