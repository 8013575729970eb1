-- ---------------------------------------------------------------- audit views: made last
-- Views over several sources' raw tables: this file sorts after every source's DDL, so the
-- tables exist; 00_drop_views.sql drops the views before that DDL runs (see there why).

-- Ambiguous deliveries: every set of two or more files of ONE delivery (ingest run, _batch_id)
-- that state the same version of something. The marts take one file of such a set by the one
-- rule of docs/budgets.md, "Which file wins" (the dbt models int_budget_lines_latest_version,
-- stg_subsidies__grants, stg_cases__procedures, stg_cbs__municipal_benefits and
-- stg_cbs__observations rank files the same way): between deliveries the later delivery wins
-- (a re-export corrects), so files of different deliveries are never listed here; within one
-- delivery the later stated date (budgets: Peildatum), then the file name that sorts last in
-- byte order (of its UTF-8 bytes). The order the workers committed in, or a file's hash, never
-- decides, except between two files with the same date and the same name (two folders of the
-- inbox): then decided_by says the rule could not decide. The run summary shows the sets of
-- its run.
--
-- Grain: source x batch_id x version_key. The version key is:
--   budget            municipality_code, begrotingsjaar, report_version
--   subsidy_register  subsidiejaar (a register is published whole per year)
--   case_export       gemeentecode: the files of the delivery stating a melding another of its
--                     files states too; lines = those meldingen per file
--   cbs_benefits      gemeentecode, maand: files stating the same wijk x regeling of the month
--   cbs_statistics    dataset, table_id, period: files of one edition stating the same region x
--                     measure of the period (a newer edition, a higher table_id, simply wins)
-- files, file_hashes, stated_dates and lines are in the rule's order: the chosen file first.
CREATE VIEW audit.ambiguous_delivery AS
-- A row is "shared" when another file of its delivery states the same key (min <> max hash).
-- Windows, not joins: a filter on batch_id reaches the raw tables through them.
WITH case_row AS (
    SELECT _batch_id, gemeentecode, melding_pseudoniem, _source_file, _file_hash,
           min(_file_hash) OVER k <> max(_file_hash) OVER k AS shared
    FROM raw.case_procedure
    WINDOW k AS (PARTITION BY _batch_id, gemeentecode, melding_pseudoniem)
),
benefit_row AS (
    SELECT _batch_id, gemeentecode, maand, _source_file, _file_hash,
           min(_file_hash) OVER k <> max(_file_hash) OVER k AS shared
    FROM raw.cbs_municipal_benefit
    WINDOW k AS (PARTITION BY _batch_id, gemeentecode, wijkcode, maand, regeling)
),
observation_row AS (
    SELECT _batch_id, dataset, table_id, period, _source_file, _file_hash,
           min(_file_hash) OVER k <> max(_file_hash) OVER k AS shared
    FROM raw.cbs_observation
    WINDOW k AS (PARTITION BY _batch_id, dataset, table_id, region_code, period, measure)
),
-- One row per file x version key it states, per delivery.
stated AS (
    SELECT 'budget'::text AS source,
           b._batch_id AS batch_id,
           jsonb_build_object('municipality_code', b.municipality_code,
                              'begrotingsjaar', b.begrotingsjaar,
                              'report_version', b.report_version) AS version_key,
           concat_ws(' ', b.municipality_code, b.begrotingsjaar, b.report_version) AS version,
           b._source_file AS source_file,
           b._file_hash AS file_hash,
           max(b.peildatum) AS stated_date,
           count(*) AS lines
    FROM raw.budget_line b
    GROUP BY b._batch_id, b.municipality_code, b.begrotingsjaar, b.report_version,
             b._source_file, b._file_hash
    UNION ALL
    SELECT 'subsidy_register', g._batch_id,
           jsonb_build_object('subsidiejaar', g.subsidiejaar),
           'subsidiejaar ' || g.subsidiejaar,
           g._source_file, g._file_hash, NULL::date, count(*)
    FROM raw.subsidy_grant g
    GROUP BY g._batch_id, g.subsidiejaar, g._source_file, g._file_hash
    UNION ALL
    SELECT 'case_export', c._batch_id,
           jsonb_build_object('gemeentecode', c.gemeentecode),
           c.gemeentecode || ' meldingen',
           c._source_file, c._file_hash, NULL::date,
           count(DISTINCT c.melding_pseudoniem) FILTER (WHERE c.shared)
    FROM case_row c
    GROUP BY c._batch_id, c.gemeentecode, c._source_file, c._file_hash
    HAVING bool_or(c.shared)
    UNION ALL
    SELECT 'cbs_benefits', m._batch_id,
           jsonb_build_object('gemeentecode', m.gemeentecode, 'maand', m.maand),
           m.gemeentecode || ' ' || m.maand,
           m._source_file, m._file_hash, NULL::date, count(*) FILTER (WHERE m.shared)
    FROM benefit_row m
    GROUP BY m._batch_id, m.gemeentecode, m.maand, m._source_file, m._file_hash
    HAVING bool_or(m.shared)
    UNION ALL
    SELECT 'cbs_statistics', o._batch_id,
           jsonb_build_object('dataset', o.dataset, 'table_id', o.table_id, 'period', o.period),
           concat_ws(' ', o.dataset, o.table_id, o.period),
           o._source_file, o._file_hash, NULL::date, count(*) FILTER (WHERE o.shared)
    FROM observation_row o
    GROUP BY o._batch_id, o.dataset, o.table_id, o.period, o._source_file, o._file_hash
    HAVING bool_or(o.shared)
),
ranked AS (
    SELECT stated.*,
           row_number() OVER (
               PARTITION BY source, batch_id, version_key
               ORDER BY stated_date DESC NULLS LAST, convert_to(source_file, 'UTF8') DESC,
                        file_hash DESC
           ) AS file_rank,
           count(*) OVER (PARTITION BY source, batch_id, version_key) AS files_in_set
    FROM stated
),
sets AS (
    SELECT source, batch_id, version_key, version,
           array_agg(source_file ORDER BY file_rank) AS files,
           array_agg(file_hash ORDER BY file_rank) AS file_hashes,
           array_agg(stated_date ORDER BY file_rank) AS stated_dates,
           array_agg(lines ORDER BY file_rank) AS lines
    FROM ranked
    WHERE files_in_set >= 2
    GROUP BY source, batch_id, version_key, version
)
SELECT source,
       batch_id,
       version_key,
       version,
       files,
       file_hashes,
       stated_dates,
       lines,
       files[1] AS chosen_file,
       file_hashes[1] AS chosen_file_hash,
       CASE
           WHEN stated_dates[1] > stated_dates[2] THEN 'the later Peildatum'
           WHEN convert_to(files[1], 'UTF8') > convert_to(files[2], 'UTF8') THEN 'the file name that sorts last'
           ELSE 'nothing in the rule (same date, same file name): the larger SHA-256 was '
                'used; rename one of the files and deliver both again'
       END AS decided_by,
       CASE source
           WHEN 'budget' THEN
               'Within one delivery the file with the later Peildatum wins each line it '
               'states, on an equal Peildatum the file whose name sorts last (byte order); '
               'a later delivery replaces both.'
           WHEN 'subsidy_register' THEN
               'Within one delivery the register file whose name sorts last (byte order) '
               'is the year''s register; a later delivery replaces it.'
           WHEN 'case_export' THEN
               'Within one delivery the file whose name sorts last (byte order) wins each '
               'melding it states; a later delivery replaces both.'
           WHEN 'cbs_benefits' THEN
               'Within one delivery the file whose name sorts last (byte order) wins each '
               'wijk x regeling of the month it states; a later delivery replaces both.'
           WHEN 'cbs_statistics' THEN
               'A newer edition (higher table id) wins; within one delivery and edition the '
               'file whose name sorts last (byte order) wins each region x measure it '
               'states; a later delivery replaces both.'
       END AS rule
FROM sets;
