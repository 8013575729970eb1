-- Every loaded budget line of every budget file, renamed and typed; no version is chosen here
-- (intermediate/finance/int_budget_lines_latest_version does that). The Dutch terms that the
-- budget_realisation mart publishes (begrotingsjaar, peildatum, taakveld, programma,
-- kostenplaats) keep their names; the amounts get English names with their unit.
--
-- A row with an amount beyond the ingest bound (|amount| >= 10^11 euros, sdw.money.BOUND) is
-- left out: ingest refuses such a cell since the bound exists, so only a row loaded by an older
-- version can hold one. Kept, it would overflow the marts' types on every build, for ever;
-- the raw suite (expectations/raw_budgets.py) names its file, line and value as a warning.

with

source as (

    select * from {{ source('finance', 'budget_line') }}
    where
        coalesce(abs(primitieve_begroting), 0) < 100000000000
        and coalesce(abs(begrotingswijzigingen), 0) < 100000000000
        and coalesce(abs(overheveling), 0) < 100000000000
        and coalesce(abs(realisatie), 0) < 100000000000
        and coalesce(abs(verplichtingen), 0) < 100000000000
        and coalesce(abs(prognose), 0) < 100000000000

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
        -- numeric(14, 2) holds the bound; the mart's sums of a line's parts stay below 10^12
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
