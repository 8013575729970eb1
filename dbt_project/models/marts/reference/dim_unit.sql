-- Eenheid codes with their official Dutch names, to label `unit` of the care marts.

with

units as (

    select * from {{ ref('units') }}

),

final as (

    select
        unit::text as unit,
        name::text as unit_name

    from units

)

select * from final
