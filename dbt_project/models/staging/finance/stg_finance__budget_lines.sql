-- Every loaded budget line of every budget file, renamed and typed; no version is chosen here
-- (intermediate/finance/int_budget_lines_latest_version does that). The Dutch terms that the
-- budget_realisation mart publishes (begrotingsjaar, peildatum, taakveld, programma,
-- kostenplaats) keep their names; the amounts get English names with their unit.

with

source as (

    select * from {{ source('finance', 'budget_line') }}

),

renamed as (

    select
        municipality_code,
        begrotingsjaar,
        peildatum,
        report_version,
        budget_line,
        budget_line_name,
        taakveld,
        programma,
        project,
        kostenplaats,
        primitieve_begroting::numeric(14, 2) as primitive_budget_eur,
        begrotingswijzigingen::numeric(14, 2) as amendments_eur,
        overheveling::numeric(14, 2) as carry_over_eur,
        realisatie::numeric(14, 2) as spent_eur,
        verplichtingen::numeric(14, 2) as committed_eur,
        prognose::numeric(14, 2) as forecast_eur,
        layout as budget_layout,

        line_number,
        _batch_id as batch_id,
        _source_file as source_file,
        _file_hash as file_hash,
        _loaded_at as loaded_at

    from source

)

select * from renamed
