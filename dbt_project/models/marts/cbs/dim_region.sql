-- One row per CBS region code: its name and place in the newest regio-indeling that has it, so
-- a mart joins on region_code / district_code without multiplying rows. The per-year history
-- is dim_region_history.

with

history as (

    select * from {{ ref('dim_region_history') }}

),

newest_indeling as (

    select max(indeling_year) as indeling_year from history

),

final as (

    select
        history.region_code,
        history.region_level,
        history.region_name,
        history.municipality_code,
        history.district_code,
        history.first_year,
        history.last_year,
        (history.last_year = newest_indeling.indeling_year)::boolean as is_current

    from history
    cross join newest_indeling
    where history.indeling_year = history.last_year

)

select * from final
