-- What controllers and BI read (definition in kpi_scorecard.yml): the scorecard's figures with
-- the publication they belong to and when that build's marts passed validation. A view, so
-- both come from the audit tables as they are when it is read: the figures are built before
-- their validation and publication exist. It reads the audit tables directly, not through a
-- staging view: dbt replaces a view by dropping the old one with CASCADE, which would drop
-- this published view with it.
{{ config(materialized='view') }}

with

scorecard_values as (

    select * from {{ ref('kpi_scorecard_values') }}

),

publications as (

    select
        run_id,
        max(publication_id) as publication_id

    from {{ source('audit', 'publication') }}
    group by run_id

),

-- The marts stage of the build: every *_marts suite and the mart guard (mart_row_counts).
validations as (

    select
        run_id,
        max(validated_at) as validated_at,
        bool_and(success) as passed

    from {{ source('audit', 'validation_result') }}
    where suite_name like '%\_marts' or suite_name = 'mart_row_counts'
    group by run_id

),

final as (

    select
        scorecard_values.kpi_code,
        scorecard_values.kpi_family,
        scorecard_values.kpi_name_nl,
        scorecard_values.kpi_name_en,
        scorecard_values.kpi_description_nl,
        scorecard_values.kpi_description_en,
        scorecard_values.municipality_code,
        scorecard_values.region_code,
        scorecard_values.law,
        scorecard_values.product_category,
        scorecard_values.period_type,
        scorecard_values.period_start,
        scorecard_values.value,
        scorecard_values.unit,
        scorecard_values.norm_or_target,
        scorecard_values.target_direction,
        scorecard_values.target_source,
        scorecard_values.status,
        scorecard_values.previous_value,
        scorecard_values.run_id,
        (case when validations.passed then validations.validated_at end)::timestamptz
            as validated_at,
        publications.publication_id::bigint as publication_id

    from scorecard_values

    left join validations
        on scorecard_values.run_id = validations.run_id

    left join publications
        on scorecard_values.run_id = publications.run_id

)

select * from final
