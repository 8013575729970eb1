-- One row per melding: the latest delivery of each case (a later export of the case system
-- replaces what an earlier one said about the same identificatie). Which file wins: the later
-- delivery (ingest run); within one delivery the file name that sorts last (byte order), as for
-- budgets and registers (docs/budgets.md, "Which file wins"); never the order in which the
-- workers happened to commit. audit.ambiguous_delivery lists two files of one delivery that
-- state the same melding.

with

source as (

    select * from {{ source('cases', 'case_procedure') }}

),

deliveries as (

    {{ deliveries('source') }}

),

ranked as (

    select
        source.*,
        row_number() over (
            partition by source.gemeentecode, source.melding_pseudoniem
            order by
                {{ which_file_wins('source') }}, source.line_number desc
        ) as delivery_rank

    from source
    inner join deliveries on source._batch_id = deliveries._batch_id

),

renamed as (

    select
        gemeentecode as municipality_code,
        melding_pseudoniem as case_pseudonym,
        wet as law,
        datum_melding as melding_date,
        datum_onderzoek_afgerond as onderzoek_completed_date,
        datum_start_aanvraag as aanvraag_date,
        datum_beschikking as beschikking_date,
        datum_afhandeling as closed_date,
        resultaat as outcome,
        adres_status as address_status,
        -- CBS codes arrive as integers without prefix: 9990101 is BU09990101, 99901 WK099901.
        'BU' || lpad(buurtcode::text, 8, '0') as neighbourhood_code,
        'WK' || lpad(wijkcode::text, 6, '0') as district_code,

        line_number,
        _batch_id as batch_id,
        _source_file as source_file,
        _file_hash as file_hash,
        _loaded_at as loaded_at

    from ranked
    where delivery_rank = 1

)

select * from renamed
