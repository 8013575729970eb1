-- Budget realisation per municipality x begrotingsjaar x report_version x budget_line: the
-- budget file's figures (latest loaded file per version), the measures of
-- macros/budget_measures.sql, and for care lines the accepted euros of the declarations that
-- the seed care_spend_budget_lines maps to the line. Accepted spend that no line of the
-- version takes (its category has no seed row, or the seed's line is not in the version's
-- file) is reported on one extra row per version, budget_line 'NIET_GEKOPPELD', so the
-- version's declaration spend adds up to the care marts' accepted euros.

with

budget_lines as (

    select * from {{ ref('int_budget_lines_latest_version') }}

),

care_spend as (

    select * from {{ ref('int_care_spend_by_budget_line') }}

),

taakvelden as (

    select * from {{ ref('iv3_taakvelden') }}

),

care_lines as (

    select distinct budget_line from {{ ref('care_spend_budget_lines') }}

),

versions as (

    select distinct
        municipality_code,
        begrotingsjaar,
        report_version,
        peildatum

    from budget_lines

),

-- Per version, the accepted euros of the lines of its budget year that begin
-- (ProductPeriode/Begindatum) on or before its peildatum, per mapped budget line (null: none).
version_spend as (

    select
        versions.municipality_code,
        versions.begrotingsjaar,
        versions.report_version,
        care_spend.budget_line,
        sum(care_spend.accepted_amount_eur) as declaration_spend_eur

    from versions

    inner join care_spend
        on versions.municipality_code = care_spend.municipality_code
        and make_date(versions.begrotingsjaar, 1, 1) <= care_spend.period_start
        and make_date(versions.begrotingsjaar + 1, 1, 1) > care_spend.period_start
        and versions.peildatum >= care_spend.period_start

    group by
        versions.municipality_code,
        versions.begrotingsjaar,
        versions.report_version,
        care_spend.budget_line

),

file_rows as (

    select
        budget_lines.municipality_code,
        budget_lines.begrotingsjaar,
        budget_lines.report_version,
        budget_lines.peildatum,
        budget_lines.budget_line,
        budget_lines.budget_line_name,
        budget_lines.taakveld,
        budget_lines.programma,
        budget_lines.project,
        budget_lines.kostenplaats,
        budget_lines.primitive_budget_eur,
        budget_lines.amendments_eur,
        budget_lines.carry_over_eur,
        budget_lines.spent_eur,
        budget_lines.committed_eur,
        budget_lines.forecast_eur,
        care_lines.budget_line is not null as is_care_line,
        case
            when care_lines.budget_line is not null
                then coalesce(version_spend.declaration_spend_eur, 0)
        end as declaration_spend_eur

    from budget_lines

    left join care_lines
        on budget_lines.budget_line = care_lines.budget_line

    left join version_spend
        on budget_lines.municipality_code = version_spend.municipality_code
        and budget_lines.begrotingsjaar = version_spend.begrotingsjaar
        and budget_lines.report_version = version_spend.report_version
        and budget_lines.budget_line = version_spend.budget_line

),

unlinked_spend as (

    select
        version_spend.municipality_code,
        version_spend.begrotingsjaar,
        version_spend.report_version,
        sum(version_spend.declaration_spend_eur) as declaration_spend_eur

    from version_spend

    left join budget_lines
        on version_spend.municipality_code = budget_lines.municipality_code
        and version_spend.begrotingsjaar = budget_lines.begrotingsjaar
        and version_spend.report_version = budget_lines.report_version
        and version_spend.budget_line = budget_lines.budget_line

    where budget_lines.budget_line is null

    group by
        version_spend.municipality_code,
        version_spend.begrotingsjaar,
        version_spend.report_version

),

unlinked_rows as (

    select
        versions.municipality_code,
        versions.begrotingsjaar,
        versions.report_version,
        versions.peildatum,
        'NIET_GEKOPPELD' as budget_line,
        'Declaraties zonder begrotingspost' as budget_line_name,
        null::text as taakveld,
        null::text as programma,
        null::text as project,
        null::text as kostenplaats,
        null::numeric(14, 2) as primitive_budget_eur,
        null::numeric(14, 2) as amendments_eur,
        null::numeric(14, 2) as carry_over_eur,
        null::numeric(14, 2) as spent_eur,
        null::numeric(14, 2) as committed_eur,
        null::numeric(14, 2) as forecast_eur,
        true as is_care_line,
        unlinked_spend.declaration_spend_eur

    from unlinked_spend

    inner join versions
        on unlinked_spend.municipality_code = versions.municipality_code
        and unlinked_spend.begrotingsjaar = versions.begrotingsjaar
        and unlinked_spend.report_version = versions.report_version

),

all_rows as (

    select * from file_rows
    union all
    select * from unlinked_rows

),

named as (

    select
        all_rows.*,
        taakvelden.name as taakveld_name

    from all_rows

    left join taakvelden
        on all_rows.taakveld = taakvelden.taakveld

)

{{ budget_measures('named') }}
