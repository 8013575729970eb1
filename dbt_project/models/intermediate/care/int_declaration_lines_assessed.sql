-- Every loaded 323 line with what the marts need to know about it: the quarter it belongs to,
-- whether a 325 rejected it, its accepted share, and the district of its assignment.
--
-- Incremental (the care marts' heavy input, ~10M lines at the large benchmark scale): a build
-- re-assesses only the lines whose row is new or stale, and stamps them with `assessed_at`
-- so the care measure models recompute the quarters they fall in. A line's row depends on
-- its own raw row (raw is append-only: never changed), on whether a 325 rejects it (325s
-- only ever add rejections) and on its assignment's district (a newer 301 can move it). So
-- a row is stale exactly when
--   (a) its file is new: a 323 file (raw.istandaarden_323_declaratie, one row per file,
--       committed with its lines) none of whose lines is here yet;
--   (b) a 325 rejects it and its row says accepted (a late answer);
--   (c) its assignment's district now differs from the one on its row (a newer 301).
-- Each is found by comparing state, not by a load-time watermark, so a file whose ingest
-- transaction commits while dbt runs, a late 325 or an old file loaded late is picked up by
-- the next build whatever its _loaded_at. `dbt build --full-refresh` rebuilds it whole.

-- depends_on: {{ ref('stg_istandaarden__declarations') }}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['law', 'provider_agb', 'reference_number'],
    on_schema_change='fail',
    indexes=[
        {'columns': ['law', 'provider_agb', 'reference_number'], 'unique': True},
        {'columns': ['file_hash']},
        {'columns': ['law', 'municipality_code', 'assignment_number']},
        {'columns': ['assessed_at']},
    ],
) }}

with

-- A line can be listed by more than one 325 answer; deduplicate so a join cannot fan out. The key
-- is provider AGB + DeclaratieNummer + ReferentieNummer
-- (docs/kpi-definitions.md#care_usage_quarterly): both numbers are the provider's own and repeat
-- across providers. Law and municipality are implied by the answer itself (a WMO325 from gemeente X
-- answers a WMO323 sent to X) and are part of the join, so a provider that numbers its Wmo and
-- Jeugdwet declarations alike is not mismatched.
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

{% if is_incremental() %}
-- (a) 323 files none of whose lines has a row here: one index probe per file.
new_files as (

    select distinct declarations.file_hash
    from {{ ref('stg_istandaarden__declarations') }} as declarations
    where not exists (
        select 1 from {{ this }} as assessed_lines
        where assessed_lines.file_hash = declarations.file_hash
    )

),

-- (b) lines a 325 rejects whose row still says accepted (the answer came after the line).
late_rejections as (

    select assessed_lines.law, assessed_lines.provider_agb, assessed_lines.reference_number
    from rejected_lines
    inner join {{ this }} as assessed_lines
        on rejected_lines.law = assessed_lines.law
        and rejected_lines.municipality_code = assessed_lines.municipality_code
        and rejected_lines.provider_agb = assessed_lines.provider_agb
        and rejected_lines.declaration_number = assessed_lines.declaration_number
        and rejected_lines.reference_number = assessed_lines.reference_number
    where not assessed_lines.is_rejected

),

-- (c) assignments whose district differs from the one on some of their lines (a newer 301).
-- An assignment never leaves int_assignments_mapped_to_districts once a 301 holds it, so a
-- line without one stays UNKNOWN until its assignment appears here.
moved_assignments as (

    select
        assignment_districts.law,
        assignment_districts.municipality_code,
        assignment_districts.assignment_number

    from assignment_districts
    where exists (
        select 1 from {{ this }} as assessed_lines
        where assessed_lines.law = assignment_districts.law
            and assessed_lines.municipality_code = assignment_districts.municipality_code
            and assessed_lines.assignment_number = assignment_districts.assignment_number
            and assessed_lines.district_code
                <> {{ district_or_unknown('assignment_districts.district_code') }}
    )

),
{% endif %}

declaration_lines as (

    select * from {{ ref('stg_istandaarden__declaration_lines') }}
    {%- if is_incremental() %}
    -- (law, provider AGB, ReferentieNummer) is unique (OP283, the raw unique index), so it
    -- is the key delete+insert replaces rows by.
    where file_hash in (select file_hash from new_files)
        or (law, provider_agb, reference_number) in (
            select law, provider_agb, reference_number from late_rejections
        )
        or (law, municipality_code, assignment_number) in (
            select law, municipality_code, assignment_number from moved_assignments
        )
    {%- endif %}

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
        end as accepted_delivered_volume,
        -- When this row was (re)assessed: the start of the build's transaction. The care
        -- measure models recompute every quarter holding a line assessed after their last
        -- build (bookkeeping; no mart shows it).
        now() as assessed_at

    from assessed

)

select * from final
