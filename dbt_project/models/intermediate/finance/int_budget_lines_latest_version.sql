-- One row per municipality x begrotingsjaar x report_version x budget_line: the line as the
-- latest loaded file of that version states it. Every report version of a year is kept (a
-- quarter's figures are never overwritten by the next quarter's); only a re-export of the
-- same version (a corrected file) replaces a line, and only the lines it contains. The
-- version's peildatum is that of its latest loaded file, for every line of the version.

with

budget_lines as (

    select * from {{ ref('stg_finance__budget_lines') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by municipality_code, begrotingsjaar, report_version, budget_line
            order by loaded_at desc, file_hash desc, line_number desc
        ) as line_rank,
        first_value(peildatum) over (
            partition by municipality_code, begrotingsjaar, report_version
            order by loaded_at desc, file_hash desc
        ) as version_peildatum

    from budget_lines

),

latest as (

    select
        municipality_code,
        begrotingsjaar,
        report_version,
        version_peildatum as peildatum,
        budget_line,
        budget_line_name,
        taakveld,
        programma,
        project,
        kostenplaats,
        primitive_budget_eur,
        amendments_eur,
        carry_over_eur,
        spent_eur,
        committed_eur,
        forecast_eur,
        source_file,
        file_hash,
        loaded_at

    from ranked
    where line_rank = 1

)

select * from latest
