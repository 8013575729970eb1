-- The iStandaarden response-time norms that message_norm_compliance_quarterly measures, with
-- their rule in Dutch, so a BI tool can show what `norm_code` means and how many days it allows.

with

norms as (

    select * from {{ ref('message_norms') }}

),

final as (

    select
        norm_code::text as norm_code,
        rule::text as business_rule,
        clock_starts::text as clock_starts,
        clock_stops::text as clock_stops,
        norm_days::integer as norm_days,
        day_type::text as day_type,
        (
            case day_type when 'working' then 'werkdagen' when 'calendar' then 'kalenderdagen' end
        )::text as day_type_name,
        responsible::text as responsible,
        description::text as norm_description

    from norms

)

select * from final
