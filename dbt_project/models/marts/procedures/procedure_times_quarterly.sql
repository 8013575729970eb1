-- Wmo/Jeugdwet procedure times from the municipal case system: one row per municipality x law
-- x district x quarter (definition in procedure_times_quarterly.yml and
-- docs/procedure-times.md). The steps, their backlog and their measures are built in
-- intermediate/procedures (int_procedure_steps_unpivoted -> int_procedure_steps_overdue_by_quarter
-- -> int_procedure_steps_aggregated_to_quarters); this mart protects the small cells, with their
-- complement per municipality x law x quarter (macros/small_cell_suppression), and fixes the
-- contract's types.

with

measured as (

    select * from {{ ref('int_procedure_steps_aggregated_to_quarters') }}

),

-- Small cells by cases (1 to 4), with their complement: the wijken of one municipality x law x
-- quarter add up to the municipality's counts. Every row has at least one case, so every
-- unsuppressed row can be the complement.
protected as (

    {{ small_cell_suppression('measured', ['municipality_code', 'law', 'quarter_start'], 'cases') }}

),

-- A suppressed row keeps its keys, its backlog day and the flag; every count and measure is null.
final as (

    select
        municipality_code::text as municipality_code,
        law::text as law,
        district_code::text as district_code,
        quarter_start::date as quarter_start,
        {%- for column, type in [
            ('cases', 'integer'),
            ('meldingen', 'integer'),
            ('onderzoeken_afgerond', 'integer'),
            ('median_days_melding_to_onderzoek', 'numeric(8, 1)'),
            ('p90_days_melding_to_onderzoek', 'numeric(8, 1)'),
            ('pct_onderzoek_within_norm', 'numeric(5, 2)'),
            ('onderzoeken_open_past_norm', 'integer'),
            ('aanvragen', 'integer'),
            ('beschikkingen', 'integer'),
            ('median_days_aanvraag_to_beschikking', 'numeric(8, 1)'),
            ('p90_days_aanvraag_to_beschikking', 'numeric(8, 1)'),
            ('pct_beschikking_within_norm', 'numeric(5, 2)'),
            ('aanvragen_open_past_norm', 'integer'),
        ] %}
            (case when not suppressed then {{ column }} end)::{{ type }} as {{ column }},
        {%- endfor %}
        backlog_measured_on::date as backlog_measured_on,
        suppressed::boolean as suppressed

    from protected

)

select * from final
