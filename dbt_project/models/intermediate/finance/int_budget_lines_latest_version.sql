-- One row per municipality x begrotingsjaar x report_version x budget_line: the line as the
-- winning file of that version states it. Every report version of a year is kept (a
-- quarter's figures are never overwritten by the next quarter's); only a re-export of the
-- same version (a corrected file) replaces a line, and only the lines it contains. The
-- version's peildatum is that of its winning file, for every line of the version.
--
-- Which file wins (docs/budgets.md, "Which file wins"): the later delivery (ingest run); within
-- one delivery the later Peildatum; on an equal Peildatum the file name that sorts last (byte
-- order). Never the order in which the workers happened to commit. Only two files of one
-- delivery with the same Peildatum and the same name (two folders of the inbox) fall through
-- to the file hash; audit.ambiguous_delivery lists every such set and says what decided it.

with

budget_lines as (

    select * from {{ ref('stg_finance__budget_lines') }}

),

deliveries as (

    {{ deliveries('budget_lines', raw=false) }}

),

ranked as (

    select
        budget_lines.*,
        row_number() over (
            partition by
                budget_lines.municipality_code, budget_lines.begrotingsjaar,
                budget_lines.report_version, budget_lines.budget_line
            order by
                {{ which_file_wins('budget_lines', 'peildatum', raw=false) }},
                budget_lines.line_number desc
        ) as line_rank,
        first_value(budget_lines.peildatum) over (
            partition by
                budget_lines.municipality_code, budget_lines.begrotingsjaar,
                budget_lines.report_version
            order by
                {{ which_file_wins('budget_lines', 'peildatum', raw=false) }}
        ) as version_peildatum

    from budget_lines
    inner join deliveries on budget_lines.batch_id = deliveries.batch_id

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
