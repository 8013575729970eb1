-- Subsidy requests and grants per subsidy year x theme. The theme is the register's own
-- Thema, else its Programma, else its Taakveld: registers name their policy areas in one of
-- the three; `onbekend` when none is given.

with

themed as (

    select
        subsidy_year,
        requested_eur,
        granted_eur,
        settled_eur,
        coalesce(theme, programme, taakveld, 'onbekend') as theme

    from {{ ref('stg_subsidies__grants') }}

)

{{ subsidy_measures('themed', ['subsidy_year', 'theme']) }}
