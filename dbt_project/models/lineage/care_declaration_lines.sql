-- Lineage for controllers: every 323 line behind care_usage_quarterly and
-- care_usage_by_district_quarterly, with the mart row it counts in, its verdict and the 325
-- answer that gave it, and the file and batch it came from. Built into lineage_candidate and
-- published with the marts in one step, so it always explains the marts BI sees
-- (docs/lineage.md). Holds pseudonyms; the BI role cannot read it.

with

lines as (

    select * from {{ ref('int_declaration_lines_assessed') }}

),

-- One answer per line: a line can be listed by more than one 325 (the same key as in
-- int_declaration_lines_assessed, so a verdict here is the verdict the marts used).
answers as (

    select
        law,
        municipality_code,
        provider_agb,
        declaration_number,
        reference_number,
        string_agg(distinct return_codes, ';' order by return_codes) as answer_return_codes,
        string_agg(distinct source_file, ', ' order by source_file) as answer_source_files

    from {{ ref('stg_istandaarden__rejected_declaration_lines') }}
    group by law, municipality_code, provider_agb, declaration_number, reference_number

),

final as (

    select
        lines.municipality_code,
        lines.law,
        lines.product_category,
        lines.quarter_start,
        lines.district_code,
        lines.provider_agb,
        lines.declaration_number,
        lines.reference_number,
        lines.previous_reference_number,
        lines.message_id,
        lines.client_pseudonym,
        lines.assignment_number,
        lines.product_code,
        lines.period_start,
        lines.period_end,
        lines.unit,
        lines.debit_credit,
        lines.signed_submitted_amount_eur as declared_amount_eur,
        lines.accepted_amount_eur,
        lines.signed_delivered_volume as delivered_volume,
        lines.accepted_delivered_volume,
        case when lines.is_rejected then 'rejected' else 'accepted' end as verdict,
        answers.answer_return_codes,
        answers.answer_source_files,
        lines.source_file,
        lines.file_hash,
        lines.batch_id

    from lines

    left join answers
        on lines.law = answers.law
        and lines.municipality_code = answers.municipality_code
        and lines.provider_agb = answers.provider_agb
        and lines.declaration_number = answers.declaration_number
        and lines.reference_number = answers.reference_number

)

select * from final
