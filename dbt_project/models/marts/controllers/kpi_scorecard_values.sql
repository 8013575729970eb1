-- The KPI scorecard's figures (definition in kpi_scorecard_values.yml): one row per KPI x
-- municipality x region x law x product category x period, each value taken as its mart
-- publishes it, so a suppressed cell stays null here and every figure equals its mart's. The
-- scorecard reads marts, unlike every other mart: it restates published KPIs against their
-- norms and computes no measure of its own. `kpi_scorecard` (a view) adds the publication.
{%- set run_id = env_var('SDW_RUN_ID', '') or 'dbt-' ~ invocation_id %}

with

definitions as (

    select * from {{ ref('kpi_definitions') }}

),

targets as (

    select * from {{ ref('kpi_targets') }}

),

legal_norms as (

    select * from {{ ref('procedure_norms') }}

),

care_usage as (

    select * from {{ ref('care_usage_quarterly') }}

),

care_by_district as (

    select * from {{ ref('care_usage_by_district_quarterly') }}
    -- UNKNOWN has no inhabitants, so never a rate
    where district_code <> 'UNKNOWN'

),

waiting as (

    select * from {{ ref('waiting_times_quarterly') }}

),

procedures as (

    select * from {{ ref('procedure_times_quarterly') }}

),

-- A benefit count is a stock: a quarter shows its latest month (CBS rows are quarters already,
-- the municipality's own file has months), as published, suppression included.
benefits as (

    select distinct on (municipality_code, district_code, benefit_type, quarter_start)
        municipality_code,
        district_code,
        benefit_type,
        date_trunc('quarter', period_start)::date as quarter_start,
        recipients_per_1000_inhabitants,
        suppressed

    from {{ ref('benefit_recipients') }}
    order by
        municipality_code asc,
        district_code asc,
        benefit_type asc,
        quarter_start asc,
        period_start desc

),

ses as (

    select * from {{ ref('ses_scores') }}
    where region_level in ('GM', 'WK')

),

-- A budget line's burn rate as its latest report version of the year states it (a version is a
-- quarter's figures to date; the latest is the one controllers sign off on).
budget as (

    select distinct on (municipality_code, begrotingsjaar, budget_line)
        municipality_code,
        begrotingsjaar,
        budget_line,
        burn_rate_pct

    from {{ ref('budget_realisation') }}
    order by
        municipality_code asc,
        begrotingsjaar asc,
        budget_line asc,
        peildatum desc,
        report_version desc

),


-- One row per KPI x cell, `value` as the mart publishes it; `suppressed` as the mart says.
measured as (

    select
        'care_clients' as kpi_code,
        municipality_code,
        municipality_code as region_code,
        law,
        product_category,
        'quarter' as period_type,
        quarter_start as period_start,
        clients::numeric as value,
        false as suppressed
    from care_usage

    union all

    select
        'care_accepted_eur' as kpi_code,
        municipality_code,
        municipality_code as region_code,
        law,
        product_category,
        'quarter' as period_type,
        quarter_start as period_start,
        accepted_amount_eur::numeric as value,
        false as suppressed
    from care_usage

    union all

    select
        'care_clients_per_1000' as kpi_code,
        municipality_code,
        district_code as region_code,
        law,
        'all' as product_category,
        'quarter' as period_type,
        quarter_start as period_start,
        clients_per_1000_inhabitants as value,
        suppressed
    from care_by_district

    union all

    select
        'waiting_median_days_to_decision' as kpi_code,
        municipality_code,
        municipality_code as region_code,
        law,
        'all' as product_category,
        'quarter' as period_type,
        quarter_start as period_start,
        median_days_to_decision as value,
        false as suppressed
    from waiting

    union all

    select
        'waiting_pct_decided_within_norm' as kpi_code,
        municipality_code,
        municipality_code as region_code,
        law,
        'all' as product_category,
        'quarter' as period_type,
        quarter_start as period_start,
        pct_decided_within_5_workdays::numeric as value,
        false as suppressed
    from waiting

    union all

    select
        'procedure_median_days_melding_to_onderzoek' as kpi_code,
        municipality_code,
        district_code as region_code,
        law,
        'all' as product_category,
        'quarter' as period_type,
        quarter_start as period_start,
        median_days_melding_to_onderzoek::numeric as value,
        suppressed
    from procedures

    union all

    -- Jeugdwet has no legal term for the onderzoek: the mart leaves its percentage null.
    select
        'procedure_pct_onderzoek_within_term' as kpi_code,
        municipality_code,
        district_code as region_code,
        law,
        'all' as product_category,
        'quarter' as period_type,
        quarter_start as period_start,
        pct_onderzoek_within_norm::numeric as value,
        suppressed
    from procedures
    where law = 'wmo'

    union all

    select
        'procedure_median_days_aanvraag_to_beschikking' as kpi_code,
        municipality_code,
        district_code as region_code,
        law,
        'all' as product_category,
        'quarter' as period_type,
        quarter_start as period_start,
        median_days_aanvraag_to_beschikking::numeric as value,
        suppressed
    from procedures

    union all

    select
        'procedure_pct_beschikking_within_term' as kpi_code,
        municipality_code,
        district_code as region_code,
        law,
        'all' as product_category,
        'quarter' as period_type,
        quarter_start as period_start,
        pct_beschikking_within_norm::numeric as value,
        suppressed
    from procedures

    union all

    -- `law` holds the regulation: participatiewet, ioaw, ioaz, bbz, ww, bijstand, ao, aow,
    -- totaal (the two sources' benefit types never overlap).
    select
        'benefit_recipients_per_1000' as kpi_code,
        municipality_code,
        district_code as region_code,
        benefit_type as law,
        'all' as product_category,
        'quarter' as period_type,
        quarter_start as period_start,
        recipients_per_1000_inhabitants as value,
        suppressed
    from benefits

    union all

    -- A score CBS keeps secret is CBS's suppression: shown as such, never as 0.
    select
        'ses_change_vs_baseline' as kpi_code,
        municipality_code,
        region_code,
        'all' as law,
        'all' as product_category,
        'year' as period_type,
        make_date(year, 1, 1) as period_start,
        change_vs_baseline as value,
        total_score is null as suppressed
    from ses

    union all

    -- `product_category` holds the budget line (begrotingspost); a year per row. A line
    -- without a current budget (NIET_GEKOPPELD) has no burn rate and so no row.
    select
        'budget_burn_rate' as kpi_code,
        municipality_code,
        municipality_code as region_code,
        'all' as law,
        budget_line as product_category,
        'year' as period_type,
        make_date(begrotingsjaar, 1, 1) as period_start,
        burn_rate_pct as value,
        false as suppressed
    from budget

),

-- A cell with nothing to measure (no decided request, no population, no baseline) is no KPI
-- row; a suppressed cell stays, without its value.
reported as (

    select * from measured
    where suppressed or value is not null

),

judged as (

    select
        reported.kpi_code,
        definitions.kpi_family,
        definitions.kpi_name_nl,
        definitions.kpi_name_en,
        definitions.kpi_description_nl,
        definitions.kpi_description_en,
        reported.municipality_code,
        reported.region_code,
        reported.law,
        reported.product_category,
        reported.period_type,
        reported.period_start,
        case when not reported.suppressed then reported.value end as value,
        definitions.unit,
        -- A controller's target (kpi_targets) comes first; else the legal term of the step
        -- (procedure_norms, in days: a ceiling for the median).
        coalesce(policy_target.target, legal_norms.norm_days) as norm_or_target,
        case
            when policy_target.target is not null then policy_target.direction
            when legal_norms.norm_days is not null then 'max'
        end as target_direction,
        case
            when policy_target.target is not null then 'kpi_targets'
            when legal_norms.norm_days is not null then 'procedure_norms'
        end as target_source,
        reported.suppressed

    from reported

    inner join definitions
        on reported.kpi_code = definitions.kpi_code

    left join lateral (
        select
            targets.target,
            targets.direction
        from targets
        where targets.kpi_code = reported.kpi_code
            and targets.law = reported.law
            and targets.valid_from <= reported.period_start
        order by targets.valid_from desc
        limit 1
    ) as policy_target on true

    left join legal_norms
        on definitions.legal_norm_step = legal_norms.step
        and reported.law = legal_norms.law

),

final as (

    select
        judged.kpi_code::text as kpi_code,
        judged.kpi_family::text as kpi_family,
        judged.kpi_name_nl::text as kpi_name_nl,
        judged.kpi_name_en::text as kpi_name_en,
        judged.kpi_description_nl::text as kpi_description_nl,
        judged.kpi_description_en::text as kpi_description_en,
        judged.municipality_code::text as municipality_code,
        judged.region_code::text as region_code,
        judged.law::text as law,
        judged.product_category::text as product_category,
        judged.period_type::text as period_type,
        judged.period_start::date as period_start,
        judged.value::numeric as value,
        judged.unit::text as unit,
        judged.norm_or_target::numeric as norm_or_target,
        judged.target_direction::text as target_direction,
        judged.target_source::text as target_source,
        ({{ kpi_status(
            'judged.value', 'judged.norm_or_target', 'judged.target_direction', 'judged.suppressed'
        ) }})::text as status,
        -- The same cell one period earlier, as it was published: null when that cell was
        -- suppressed or had nothing to measure, so no subtraction recovers a hidden value.
        previous.value::numeric as previous_value,
        '{{ run_id | replace("'", "''") }}'::text as run_id

    from judged

    left join judged as previous
        on judged.kpi_code = previous.kpi_code
        and judged.municipality_code = previous.municipality_code
        and judged.region_code = previous.region_code
        and judged.law = previous.law
        and judged.product_category = previous.product_category
        and judged.period_type = previous.period_type
        and previous.period_start = (
            judged.period_start
            - case judged.period_type
                when 'quarter' then interval '3 months' else interval '1 year'
            end
        )::date

)

select * from final
