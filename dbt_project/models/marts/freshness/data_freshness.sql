{{ config(materialized='view') }}

-- How fresh and how validated the published marts are, for the BI role, which may not read
-- audit.*. A view runs with its owner's rights (no security_invoker), and its owner is the
-- warehouse user that built it, so it reads audit.publication and audit.validation_result at
-- query time while BI may only select from it. It references the tables by OID, so it keeps
-- pointing at marts.data_freshness_sources after the publish step renames the schema.

with

publications as (

    select * from {{ source('audit', 'publication') }}

),

validation_results as (

    select * from {{ source('audit', 'validation_result') }}

),

sources as (

    select * from {{ ref('data_freshness_sources') }}

),

-- the publication in force: publish records it in the transaction that swaps the schema
latest_publication as (

    select
        publication_id,
        run_id,
        published_at,
        mart_rows

    from publications
    order by published_at desc, publication_id desc
    limit 1

),

published_marts as (

    select
        latest_publication.publication_id,
        latest_publication.run_id,
        latest_publication.published_at,
        mart.key as mart_name,
        mart.value::bigint as row_count

    from latest_publication
    cross join lateral jsonb_each_text(latest_publication.mart_rows) as mart (key, value)

),

validation as (

    select
        run_id,
        bool_and(success) as validation_passed,
        count(*) as validations,
        count(*) filter (where not success) as validations_failed,
        max(validated_at) as validated_at

    from validation_results
    where run_id in (select latest_publication.run_id from latest_publication)
    group by run_id

),

final as (

    select
        published_marts.mart_name::text as mart_name,
        published_marts.published_at::timestamptz as published_at,
        published_marts.publication_id::bigint as publication_id,
        published_marts.row_count::bigint as row_count,
        sources.source_name::text as source_name,
        sources.newest_message_date::date as newest_message_date,
        sources.newest_file::text as newest_file,
        sources.newest_file_loaded_at::timestamptz as newest_file_loaded_at,
        sources.source_files::integer as source_files,
        validation.validation_passed::boolean as validation_passed,
        coalesce(validation.validations, 0)::integer as validations,
        coalesce(validation.validations_failed, 0)::integer as validations_failed,
        validation.validated_at::timestamptz as validated_at

    from published_marts
    left join sources
        on published_marts.mart_name = sources.mart_name
    left join validation
        on published_marts.run_id = validation.run_id

)

select * from final
