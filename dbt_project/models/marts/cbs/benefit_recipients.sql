-- Benefit recipients per municipality x district x period x benefit type, from two sources
-- kept side by side (never added up: they count different regulations):
-- - the municipality's own monthly file (Participatiewet, IOAW, IOAZ, Bbz), source municipality;
-- - CBS's quarterly "Personen met een uitkering; soort uitkering, wijken en buurten" (WW,
--   bijstand, AO, AOW), source cbs. CBS counts persons on the last day of the quarter's last
--   month; its own relative measure (% of inhabitants 15+) is kept as CBS published it.
-- Rates use CBS population (latest KWB year <= the period's year). Small cells (1 to 4
-- recipients) are suppressed like the care marts, with their complement
-- (macros/small_cell_suppression).
-- recipients is bigint: a CBS count may be anything the CBS value parser admits (up to 10^15,
-- sdw.cbs.observations.VALUE_LIMIT); an integer cast failed the build from 2^31 on.

with

municipal as (

    select
        municipality_code,
        district_code,
        'month' as period_type,
        month_start as period_start,
        benefit_type,
        'municipality' as source,
        recipients,
        null::numeric as cbs_pct_15_plus

    from {{ ref('stg_cbs__municipal_benefits') }}

),

cbs_observations as (

    select
        municipality_code,
        district_code,
        period,
        split_part(measure, '_', 2) as benefit_type,
        case when measure like '%\_count' then value end as recipients,
        case when measure like '%\_pct\_15\_plus' then value end as pct_15_plus

    from {{ ref('stg_cbs__observations') }}
    where dataset = 'uitkeringen'
        and region_level = 'WK'
        and measure like 'benefit\_%'
        and period ~ '^[0-9]{4}(Q[1-4]|-[0-9]{2})$'

),

cbs_quarters as (

    select
        municipality_code,
        district_code,
        period,
        case
            when period like '%Q%'
                then make_date(left(period, 4)::int, 3 * right(period, 1)::int - 2, 1)
            else date_trunc('quarter', to_date(period, 'YYYY-MM'))::date
        end as quarter_start,
        benefit_type,
        max(recipients) as recipients,
        max(pct_15_plus) as pct_15_plus

    from cbs_observations
    group by municipality_code, district_code, period, benefit_type

),

cbs as (

    -- A quarterly table has one reference month per quarter; should a table give more, the
    -- latest month of the quarter stands for it.
    select distinct on (municipality_code, district_code, quarter_start, benefit_type)
        municipality_code,
        district_code,
        'quarter' as period_type,
        quarter_start as period_start,
        benefit_type,
        'cbs' as source,
        recipients::bigint as recipients,
        pct_15_plus as cbs_pct_15_plus

    from cbs_quarters
    where recipients is not null or pct_15_plus is not null
    order by
        municipality_code asc, district_code asc, quarter_start asc, benefit_type asc, period desc

),

benefits as (

    select * from municipal
    union all
    select * from cbs

),

population as (

    select * from {{ ref('int_population_pivoted_to_regions') }}
    where region_level = 'WK'

),

joined as (

    select
        benefits.*,
        (
            select p.inhabitants
            from population as p
            where p.region_code = benefits.district_code
                and p.year <= extract(year from benefits.period_start)
            order by p.year desc
            limit 1
        ) as inhabitants,
        (
            select p.inhabitants_15_plus
            from population as p
            where p.region_code = benefits.district_code
                and p.year <= extract(year from benefits.period_start)
            order by p.year desc
            limit 1
        ) as inhabitants_15_plus

    from benefits

),

-- Small cells by recipients, with their complement: the wijken of one municipality x source x
-- benefit type x period add up to the municipality's count. A count CBS kept secret (null) is
-- neither a small cell nor a complement.
protected as (

    {{ small_cell_suppression(
        'joined',
        ['municipality_code', 'source', 'benefit_type', 'period_type', 'period_start'],
        'recipients',
    ) }}

),

final as (

    select
        municipality_code::text as municipality_code,
        district_code::text as district_code,
        period_type::text as period_type,
        period_start::date as period_start,
        benefit_type::text as benefit_type,
        source::text as source,
        (case when not suppressed then recipients end)::bigint as recipients,
        (case
            when not suppressed and inhabitants > 0
                then round(recipients * 1000.0 / inhabitants, 2)
        end)::numeric as recipients_per_1000_inhabitants,
        (case
            when suppressed then null
            when cbs_pct_15_plus is not null then cbs_pct_15_plus
            when inhabitants_15_plus > 0 then round(recipients * 100.0 / inhabitants_15_plus, 1)
        end)::numeric as pct_inhabitants_15_plus,
        suppressed::boolean as suppressed

    from protected

)

select * from final
