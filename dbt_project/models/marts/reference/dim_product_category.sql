-- The national product categories per law with their official Dutch names, so a BI tool can
-- label `product_category` of the care and waiting marts (join on law + product_category).

with

categories as (

    select * from {{ ref('product_categories') }}

),

final as (

    select
        law::text as law,
        (case law when 'wmo' then 'Wmo 2015' when 'jeugdwet' then 'Jeugdwet' end)::text
            as law_name,
        product_category::text as product_category,
        name::text as product_category_name

    from categories

)

select * from final
