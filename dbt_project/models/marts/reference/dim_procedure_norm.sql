-- The legal terms of the Wmo and Jeugdwet procedure that procedure_times_quarterly measures,
-- with a Dutch name per step and the article that sets the term.

with

norms as (

    select * from {{ ref('procedure_norms') }}

),

final as (

    select
        law::text as law,
        (case law when 'wmo' then 'Wmo 2015' when 'jeugdwet' then 'Jeugdwet' end)::text
            as law_name,
        step::text as step,
        (
            case step
                when 'melding_to_onderzoek' then 'Melding tot afgerond onderzoek'
                when 'aanvraag_to_beschikking' then 'Aanvraag tot beschikking'
            end
        )::text as step_name,
        norm_days::integer as norm_days,
        legal_basis::text as legal_basis

    from norms

)

select * from final
