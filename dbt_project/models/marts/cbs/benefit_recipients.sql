-- Benefit recipients per municipality x district x month x regulation from the municipality's
-- own file, with rates against CBS population (latest KWB year <= the month's year). Small
-- cells (1 to 4 recipients) are suppressed like the care marts.

with

benefits as (

    select * from {{ ref('stg_cbs__municipal_benefits') }}

),

population as (

    select * from {{ ref('population_by_district') }}
    where region_level = 'WK'

),

joined as (

    select
        benefits.*,
        (
            select p.inhabitants
            from population as p
            where p.region_code = benefits.district_code
                and p.year <= extract(year from benefits.month_start)
            order by p.year desc
            limit 1
        ) as inhabitants,
        (
            select p.inhabitants_15_plus
            from population as p
            where p.region_code = benefits.district_code
                and p.year <= extract(year from benefits.month_start)
            order by p.year desc
            limit 1
        ) as inhabitants_15_plus,
        recipients between 1 and 4 as suppressed

    from benefits

),

final as (

    select
        municipality_code::text as municipality_code,
        district_code::text as district_code,
        'month'::text as period_type,
        month_start::date as period_start,
        benefit_type::text as benefit_type,
        'municipality'::text as source,
        (case when not suppressed then recipients end)::integer as recipients,
        (case
            when not suppressed and inhabitants > 0
                then round(recipients * 1000.0 / inhabitants, 2)
        end)::numeric as recipients_per_1000_inhabitants,
        (case
            when not suppressed and inhabitants_15_plus > 0
                then round(recipients * 100.0 / inhabitants_15_plus, 1)
        end)::numeric as pct_inhabitants_15_plus,
        suppressed::boolean as suppressed

    from joined

)

select * from final
