-- Inhabitants by CBS age band per region and year (int_population_pivoted_to_regions), as
-- published.

with

population as (

    select * from {{ ref('int_population_pivoted_to_regions') }}

),

final as (

    select
        region_code,
        region_level,
        region_name,
        municipality_code,
        district_code,
        year,
        inhabitants,
        age_00_14,
        age_15_24,
        age_25_44,
        age_45_64,
        age_65_plus,
        inhabitants_15_plus

    from population

)

select * from final
