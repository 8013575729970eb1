-- One row per CBS region per regio-indeling year it appears in (any CBS dataset): the history
-- behind dim_region. A wijk code that exists only in a newer indeling is kept for the years
-- that have it, never dropped.

with

observations as (

    select * from {{ ref('stg_cbs__observations') }}

),

named as (

    select
        region_code,
        year as indeling_year,
        -- one name per region and year: the newest load's
        (array_agg(region_name order by (region_name is null), loaded_at desc))[1] as region_name

    from observations
    group by region_code, year

),

final as (

    select
        region_code::text as region_code,
        left(region_code, 2)::text as region_level,
        indeling_year::integer as indeling_year,
        region_name::text as region_name,
        ('GM' || substr(region_code, 3, 4))::text as municipality_code,
        case
            when region_code like 'WK%' then region_code
            when region_code like 'BU%' then 'WK' || substr(region_code, 3, 6)
        end::text as district_code,
        (min(indeling_year) over (partition by region_code))::integer as first_year,
        (max(indeling_year) over (partition by region_code))::integer as last_year

    from named

)

select * from final
