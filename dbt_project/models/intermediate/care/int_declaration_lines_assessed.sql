-- Every loaded 323 line with what the marts need to know about it: the quarter it belongs to,
-- whether a 325 rejected it, its accepted share, and the district of its assignment.

with

declaration_lines as (

    select * from {{ ref('stg_istandaarden__declaration_lines') }}

),

-- A line can be listed by more than one 325 answer; deduplicate so a join cannot fan out.
-- The key is provider AGB + DeclaratieNummer + ReferentieNummer (DESIGN.md): both numbers are
-- the provider's own and repeat across providers. Law and municipality are implied by the
-- answer itself (a WMO325 from gemeente X answers a WMO323 sent to X) and are part of the join,
-- so a provider that numbers its Wmo and Jeugdwet declarations alike is not mismatched.
rejected_lines as (

    select distinct
        law,
        municipality_code,
        provider_agb,
        declaration_number,
        reference_number

    from {{ ref('stg_istandaarden__rejected_declaration_lines') }}

),

assignment_districts as (

    select * from {{ ref('int_assignments_mapped_to_districts') }}

),

assessed as (

    select
        declaration_lines.law,
        declaration_lines.municipality_code,
        declaration_lines.provider_agb,
        declaration_lines.declaration_number,
        declaration_lines.reference_number,
        declaration_lines.previous_reference_number,
        declaration_lines.client_pseudonym,
        declaration_lines.assignment_number,
        declaration_lines.product_category,
        declaration_lines.product_code,
        declaration_lines.period_start,
        declaration_lines.period_end,
        -- ProductPeriode/Begindatum decides the quarter, so a credit lands with its debit.
        date_trunc('quarter', declaration_lines.period_start)::date as quarter_start,
        declaration_lines.unit,
        declaration_lines.debit_credit,
        declaration_lines.signed_submitted_amount_eur,
        declaration_lines.signed_delivered_volume,
        rejected_lines.reference_number is not null as is_rejected,
        {{ district_or_unknown('assignment_districts.district_code') }} as district_code,
        declaration_lines.message_id,
        declaration_lines.source_file,
        declaration_lines.file_hash,
        declaration_lines.batch_id

    from declaration_lines

    left join rejected_lines
        on declaration_lines.law = rejected_lines.law
        and declaration_lines.municipality_code = rejected_lines.municipality_code
        and declaration_lines.provider_agb = rejected_lines.provider_agb
        and declaration_lines.declaration_number = rejected_lines.declaration_number
        and declaration_lines.reference_number = rejected_lines.reference_number

    left join assignment_districts
        on declaration_lines.law = assignment_districts.law
        and declaration_lines.municipality_code = assignment_districts.municipality_code
        and declaration_lines.assignment_number = assignment_districts.assignment_number

),

final as (

    select
        *,
        case
            when is_rejected then 0::numeric(14, 2)
            else signed_submitted_amount_eur
        end as accepted_amount_eur,
        case
            when is_rejected then 0::bigint
            else signed_delivered_volume
        end as accepted_delivered_volume

    from assessed

)

select * from final
