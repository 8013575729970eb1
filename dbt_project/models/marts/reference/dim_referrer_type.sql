-- Verwijzer Type codes with their official Dutch names, to label the `referrer_type`
-- breakdown of waiting_times_by_breakdown_quarterly.

with

referrers as (

    select * from {{ ref('referrer_types') }}

),

final as (

    select
        referrer_type::text as referrer_type,
        name::text as referrer_type_name

    from referrers

)

select * from final
