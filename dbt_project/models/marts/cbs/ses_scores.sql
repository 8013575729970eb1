-- SES-WOA per region x year (KPI: "the score of our focus districts in 2026 is higher than
-- CBS's 2021 score"). Secret cells stay null, never 0; change against the baseline year is
-- null when either score is; rank 1 = highest score among the municipality's regions of the
-- same level (wijken with wijken, buurten with buurten) that year.
-- households is bigint: the CBS value parser admits counts up to 10^15
-- (sdw.cbs.observations.VALUE_LIMIT), and an integer cast failed the build from 2^31 on.

with

ses as (

    select * from {{ ref('stg_cbs__observations') }}
    where dataset = 'ses_woa' and period ~ '^[0-9]{4}$'

),

wide as (

    select
        region_code,
        region_level,
        municipality_code,
        year,
        max(table_id) as table_id,
        max(region_name) as region_name,
        max(value) filter (where measure = 'ses_total_score') as total_score,
        max(value) filter (where measure = 'ses_welvaart_score') as welvaart_score,
        max(value) filter (where measure = 'ses_opleidingsniveau_score')
            as opleidingsniveau_score,
        max(value) filter (where measure = 'ses_arbeidsverleden_score')
            as arbeidsverleden_score,
        max(value) filter (where measure = 'households') as households,
        max(value) filter (where measure = 'ses_spread_total') as spread_total

    from ses
    group by region_code, region_level, municipality_code, year

),

with_baseline as (

    select
        wide.*,
        {{ var('ses_baseline_year', 2021) }} as baseline_year,
        baseline.total_score as baseline_total_score

    from wide
    left join wide as baseline
        on wide.region_code = baseline.region_code
        and baseline.year = {{ var('ses_baseline_year', 2021) }}

),

final as (

    select
        region_code::text as region_code,
        region_level::text as region_level,
        region_name::text as region_name,
        municipality_code::text as municipality_code,
        year::integer as year,
        table_id::text as table_id,
        total_score::numeric as total_score,
        welvaart_score::numeric as welvaart_score,
        opleidingsniveau_score::numeric as opleidingsniveau_score,
        arbeidsverleden_score::numeric as arbeidsverleden_score,
        households::bigint as households,
        spread_total::numeric as spread_total,
        baseline_year::integer as baseline_year,
        baseline_total_score::numeric as baseline_total_score,
        (total_score - baseline_total_score)::numeric as change_vs_baseline,
        (case
            when total_score is not null and region_level <> 'GM' then
                rank() over (
                    partition by municipality_code, region_level, year, total_score is null
                    order by total_score desc
                )
        end)::integer as rank_in_municipality

    from with_baseline

)

select * from final
