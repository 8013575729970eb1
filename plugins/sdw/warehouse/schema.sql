-- Warehouse landing zone: raw (append-only source rows), quarantine (what was rejected and why),
-- audit (file ledger, validation and build results, publications).
-- Idempotent: safe to run on every start. dbt owns staging, intermediate, marts_candidate, marts.
--
-- Personal data: no raw table holds a BSN, name, birth date, phone number or address. Clients are
-- known by `bsn_pseudoniem` (HMAC-SHA256 hex of the BSN); a 301 address is reduced to the CBS
-- buurt/wijk codes at ingest.
--
-- Every raw row carries `_batch_id` (the ingest run), `_source_file` (file name as delivered),
-- `_file_hash` (sha256 of the file's bytes, the ledger key) and `_loaded_at`.
-- Message header columns are repeated on each detail row so staging needs no joins:
--   wet ('wmo' | 'jeugdwet', from the namespace), gemeentecode (4 digits, the municipality side of
--   the message), aanbieder_agb (8 digits, the provider side), bericht_identificatie,
--   bericht_dagtekening.

CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS quarantine;
CREATE SCHEMA IF NOT EXISTS audit;

-- ---------------------------------------------------------------- audit
CREATE TABLE IF NOT EXISTS audit.ingest_batch (
    batch_id        text PRIMARY KEY,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    inbox           text NOT NULL,
    files_seen      integer,
    files_loaded    integer,
    files_skipped   integer,
    files_quarantined integer
);

-- One row per distinct file content. Re-delivery of the same bytes (any name) is a no-op.
-- Lines are a file's line records: 323/325 Prestaties, 301/305/307/315 products, the 319 answer,
-- address rows. A message without line records (e.g. a 325 rejecting nothing, a 317) has 0;
-- a file rejected whole counts the line records found in it, at least 1.
CREATE TABLE IF NOT EXISTS audit.file_ledger (
    file_hash        text PRIMARY KEY,
    source_file      text NOT NULL,
    file_size        bigint NOT NULL,
    file_kind        text NOT NULL,          -- 'istandaarden' | 'cbs_adres' | 'unknown'
    bericht_type     text,                   -- '301', '323', ... for iStandaarden
    wet              text,
    status           text NOT NULL,          -- 'loaded' | 'loaded_with_rejections' | 'quarantined'
    reason_code      text,                   -- for a whole-file rejection
    lines_in         bigint NOT NULL,
    lines_loaded     bigint NOT NULL,
    lines_quarantined bigint NOT NULL,
    _batch_id        text NOT NULL,
    _loaded_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ledger_lines_reconcile CHECK (lines_in = lines_loaded + lines_quarantined)
);

-- Every time a file was offered, including re-deliveries skipped as duplicates.
CREATE TABLE IF NOT EXISTS audit.file_delivery (
    delivery_id  bigserial PRIMARY KEY,
    file_hash    text NOT NULL,
    source_file  text NOT NULL,
    outcome      text NOT NULL,              -- 'loaded' | 'duplicate' | 'quarantined'
    _batch_id    text NOT NULL,
    seen_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS audit.validation_result (
    validation_id   bigserial PRIMARY KEY,
    run_id          text NOT NULL,
    suite_name      text NOT NULL,
    data_asset      text NOT NULL,
    success         boolean NOT NULL,
    evaluated       integer NOT NULL,
    failed          integer NOT NULL,
    summary         text NOT NULL,
    result_json     jsonb NOT NULL,
    validated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS audit.dbt_run_result (
    run_id          text NOT NULL,
    unique_id       text NOT NULL,
    status          text NOT NULL,
    execution_s     double precision,
    rows_affected   bigint,
    message         text,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, unique_id)
);

-- One row per Airflow task that failed for good (after its retries), written by the tasks'
-- on_failure_callback (sdw.orchestration.callbacks): which task of which run, and the exception's
-- class and message, truncated and with nine-digit runs masked. Never data from the files.
CREATE TABLE IF NOT EXISTS audit.task_failure (
    failure_id       bigserial PRIMARY KEY,
    dag_id           text NOT NULL,
    task_id          text NOT NULL,
    run_id           text NOT NULL,
    map_index        integer NOT NULL DEFAULT -1,
    try_number       integer NOT NULL,
    exception_class  text NOT NULL,
    message          text NOT NULL,
    failed_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS audit.publication (
    publication_id  bigserial PRIMARY KEY,
    run_id          text NOT NULL,
    published_at    timestamptz NOT NULL DEFAULT now(),
    mart_rows       jsonb NOT NULL
);
-- What a publication holds: the ingest batches and the number of loaded files behind it (the
-- files themselves in audit.publication_file). Null on publications made before they existed.
ALTER TABLE audit.publication ADD COLUMN IF NOT EXISTS batch_ids text[];
ALTER TABLE audit.publication ADD COLUMN IF NOT EXISTS files integer;

-- One row per file a publication's marts were built from (the ledger's loaded files then).
CREATE TABLE IF NOT EXISTS audit.publication_file (
    publication_id  bigint NOT NULL REFERENCES audit.publication,
    file_hash       text NOT NULL,
    source_file     text NOT NULL,
    file_kind       text NOT NULL,
    bericht_type    text,
    wet             text,
    batch_id        text NOT NULL,
    lines_loaded    bigint NOT NULL,
    PRIMARY KEY (publication_id, file_hash)
);

-- What a publication could not carry over: an analyst's view on the marts that can no longer
-- be created (VIEW_NOT_RECREATED: a column it reads is gone), a dependent object that is not a
-- plain view (NOT_A_VIEW), anything else a DROP ... CASCADE of a superseded schema took along
-- (DROPPED_BY_CASCADE). `definition` keeps the view's SQL so it can be made again by hand.
CREATE TABLE IF NOT EXISTS audit.publication_dropped_object (
    publication_id  bigint NOT NULL REFERENCES audit.publication,
    object_name     text NOT NULL,
    object_kind     text NOT NULL,
    owner           text,
    definition      text,
    reason_code     text NOT NULL,
    reason          text NOT NULL,
    dropped_at      timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------- quarantine
CREATE TABLE IF NOT EXISTS quarantine.rejected_record (
    rejected_id     bigserial PRIMARY KEY,
    scope           text NOT NULL,           -- 'file' | 'record'
    reason_code     text NOT NULL,           -- e.g. NOT_XML, SCHEMA, BSN_ELFPROEF, TOTAL_MISMATCH
    reason          text NOT NULL,           -- readable explanation incl. what to do
    bericht_type    text,
    wet             text,
    record_path     text,                    -- e.g. 'Client[2]/Prestaties/Prestatie[3]'
    line_number     integer,                 -- source line of the fragment, when known
    original_fragment text NOT NULL,         -- the original text, every BSN masked
    fragment_truncated boolean NOT NULL DEFAULT false,
    _batch_id       text NOT NULL,
    _source_file    text NOT NULL,
    _file_hash      text NOT NULL,
    _loaded_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS rejected_record_file ON quarantine.rejected_record (_file_hash);

-- ---------------------------------------------------------------- raw: CBS address file
-- "Buurt, wijk en gemeente <jaar> voor postcode huisnummer": public reference data.
CREATE TABLE IF NOT EXISTS raw.cbs_adres_gebied (
    postcode      text NOT NULL,             -- PC6, e.g. '1234AB'
    huisnummer    integer NOT NULL,
    buurtcode     integer NOT NULL,          -- as in the file: 3630100 means BU03630100
    wijkcode      integer NOT NULL,          -- 36301 means WK036301
    gemeentecode  integer NOT NULL,          -- 363 means GM0363
    jaar          integer NOT NULL,          -- from the header (Buurt2024 -> 2024)
    _batch_id     text NOT NULL,
    _source_file  text NOT NULL,
    _file_hash    text NOT NULL,
    _loaded_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS cbs_adres_gebied_lookup ON raw.cbs_adres_gebied (postcode, huisnummer, jaar);

-- ---------------------------------------------------------------- raw: iStandaarden
CREATE TABLE IF NOT EXISTS raw.istandaarden_bericht (
    wet                   text NOT NULL,
    bericht_type          text NOT NULL,     -- '301', '305', ...
    berichtcode           text NOT NULL,
    afzender              text NOT NULL,
    ontvanger             text NOT NULL,
    gemeentecode          text NOT NULL,
    aanbieder_agb         text NOT NULL,
    bericht_identificatie text NOT NULL,
    bericht_dagtekening   date NOT NULL,
    _batch_id             text NOT NULL,
    _source_file          text NOT NULL,
    _file_hash            text NOT NULL,
    _loaded_at            timestamptz NOT NULL DEFAULT now()
);

-- 301 toewijzing: the client, reduced to the CBS area of its BRP address (Contact Soort 01).
CREATE TABLE IF NOT EXISTS raw.istandaarden_301_client (
    wet                   text NOT NULL,
    gemeentecode          text NOT NULL,
    aanbieder_agb         text NOT NULL,
    bericht_identificatie text NOT NULL,
    bericht_dagtekening   date NOT NULL,
    bsn_pseudoniem        text NOT NULL,
    adres_status          text NOT NULL,     -- 'matched' | 'not_found' | 'no_brp_address' | 'no_address_file'
    buurtcode             integer,           -- CBS codes as in the address file, null unless matched
    wijkcode              integer,
    adres_gemeentecode    integer,
    _batch_id             text NOT NULL,
    _source_file          text NOT NULL,
    _file_hash            text NOT NULL,
    _loaded_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS raw.istandaarden_301_product (
    wet                   text NOT NULL,
    gemeentecode          text NOT NULL,
    aanbieder_agb         text NOT NULL,
    bericht_identificatie text NOT NULL,
    bericht_dagtekening   date NOT NULL,
    bsn_pseudoniem        text NOT NULL,
    toewijzingnummer      text NOT NULL,
    referentie_aanbieder  text,
    productcategorie      text,
    productcode           text,
    toewijzingsdatum      date NOT NULL,
    toewijzingstijd       text NOT NULL,
    ingangsdatum          date NOT NULL,
    einddatum             date,
    reden_wijziging       text,
    omvang_volume         bigint,
    omvang_eenheid        text,
    omvang_frequentie     text,
    budget                bigint,
    _batch_id             text NOT NULL,
    _source_file          text NOT NULL,
    _file_hash            text NOT NULL,
    _loaded_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS raw.istandaarden_305_product (
    wet                   text NOT NULL,
    gemeentecode          text NOT NULL,
    aanbieder_agb         text NOT NULL,
    bericht_identificatie text NOT NULL,
    bericht_dagtekening   date NOT NULL,
    bsn_pseudoniem        text NOT NULL,
    toewijzingnummer      text,
    productcategorie      text,
    productcode           text,
    toewijzing_ingangsdatum date,
    begindatum            date NOT NULL,
    status_aanlevering    text NOT NULL,
    _batch_id             text NOT NULL,
    _source_file          text NOT NULL,
    _file_hash            text NOT NULL,
    _loaded_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS raw.istandaarden_307_product (
    wet                   text NOT NULL,
    gemeentecode          text NOT NULL,
    aanbieder_agb         text NOT NULL,
    bericht_identificatie text NOT NULL,
    bericht_dagtekening   date NOT NULL,
    bsn_pseudoniem        text NOT NULL,
    toewijzingnummer      text,
    productcategorie      text,
    productcode           text,
    toewijzing_ingangsdatum date,
    begindatum            date NOT NULL,
    reden_beeindiging     text NOT NULL,
    einddatum             date NOT NULL,
    status_aanlevering    text NOT NULL,
    _batch_id             text NOT NULL,
    _source_file          text NOT NULL,
    _file_hash            text NOT NULL,
    _loaded_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS raw.istandaarden_315_product (
    wet                   text NOT NULL,
    gemeentecode          text NOT NULL,
    aanbieder_agb         text NOT NULL,
    bericht_identificatie text NOT NULL,
    bericht_dagtekening   date NOT NULL,
    bsn_pseudoniem        text NOT NULL,
    referentie_aanbieder  text NOT NULL,
    beschikkingnummer     text,
    productcategorie      text,
    productcode           text,
    beschikking_ingangsdatum date,
    toewijzing_ingangsdatum date NOT NULL,
    toewijzing_einddatum  date,
    omvang_volume         bigint,
    omvang_eenheid        text,
    omvang_frequentie     text,
    budget                bigint,
    verwijzer_type        text NOT NULL,
    verwijzer_zorgverlenercode text,
    raamcontract          text,
    _batch_id             text NOT NULL,
    _source_file          text NOT NULL,
    _file_hash            text NOT NULL,
    _loaded_at            timestamptz NOT NULL DEFAULT now()
);

-- 317 verzoek om wijziging: one row per product the verzoek names (kept, to change, new).
CREATE TABLE IF NOT EXISTS raw.istandaarden_317_product (
    wet                   text NOT NULL,
    gemeentecode          text NOT NULL,
    aanbieder_agb         text NOT NULL,
    bericht_identificatie text NOT NULL,
    bericht_dagtekening   date NOT NULL,
    bsn_pseudoniem        text NOT NULL,
    referentie_aanbieder  text NOT NULL,
    reden_verzoek         text NOT NULL,
    soort_product         text NOT NULL,     -- 'ongewijzigd' | 'te_wijzigen' | 'nieuw'
    toewijzingnummer      text,              -- ongewijzigd / te_wijzigen
    productcategorie      text,
    productcode           text,
    gewenste_ingangsdatum date,
    einddatum             date,
    omvang_volume         bigint,
    omvang_eenheid        text,
    omvang_frequentie     text,
    budget                bigint,
    _batch_id             text NOT NULL,
    _source_file          text NOT NULL,
    _file_hash            text NOT NULL,
    _loaded_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS raw.istandaarden_319_antwoord (
    wet                   text NOT NULL,
    gemeentecode          text NOT NULL,
    aanbieder_agb         text NOT NULL,
    bericht_identificatie text NOT NULL,
    bericht_dagtekening   date NOT NULL,
    referentie_aanbieder  text NOT NULL,
    verzoek_antwoord      text NOT NULL,
    reden_afwijzing_verzoek text,
    woonplaatsbeginsel_gemeente text,        -- iJw: the municipality responsible instead
    _batch_id             text NOT NULL,
    _source_file          text NOT NULL,
    _file_hash            text NOT NULL,
    _loaded_at            timestamptz NOT NULL DEFAULT now()
);

-- Columns added after a table first shipped: existing warehouses get them here.
ALTER TABLE raw.istandaarden_319_antwoord ADD COLUMN IF NOT EXISTS woonplaatsbeginsel_gemeente text;

-- 323 declaratie: header totals (one row per message) and the lines (Prestatie).
CREATE TABLE IF NOT EXISTS raw.istandaarden_323_declaratie (
    wet                   text NOT NULL,
    gemeentecode          text NOT NULL,
    aanbieder_agb         text NOT NULL,
    bericht_identificatie text NOT NULL,
    bericht_dagtekening   date NOT NULL,
    declaratienummer      text NOT NULL,
    declaratieperiode_begindatum date NOT NULL,
    declaratieperiode_einddatum  date NOT NULL,
    declaratie_dagtekening date NOT NULL,
    totaal_ingediend_bedrag bigint NOT NULL,  -- eurocent, unsigned as in the message
    totaal_debet_credit   text NOT NULL,
    prestaties_in         integer NOT NULL,   -- lines in the message
    prestaties_loaded     integer NOT NULL,   -- lines loaded into istandaarden_323_prestatie
    _batch_id             text NOT NULL,
    _source_file          text NOT NULL,
    _file_hash            text NOT NULL,
    _loaded_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS raw.istandaarden_323_prestatie (
    wet                   text NOT NULL,
    gemeentecode          text NOT NULL,
    aanbieder_agb         text NOT NULL,
    bericht_identificatie text NOT NULL,
    bericht_dagtekening   date NOT NULL,
    declaratienummer      text NOT NULL,
    bsn_pseudoniem        text NOT NULL,
    referentienummer      text NOT NULL,
    vorig_referentienummer text,
    toewijzingnummer      text NOT NULL,
    productcategorie      text NOT NULL,
    productcode           text NOT NULL,
    productperiode_begindatum date NOT NULL,
    productperiode_einddatum  date NOT NULL,
    geleverd_volume       bigint NOT NULL,
    eenheid               text NOT NULL,
    producttarief         bigint,             -- eurocent
    ingediend_bedrag      bigint NOT NULL,    -- eurocent, unsigned as in the message
    debet_credit          text NOT NULL,      -- 'D' | 'C'
    _batch_id             text NOT NULL,
    _source_file          text NOT NULL,
    _file_hash            text NOT NULL,
    _loaded_at            timestamptz NOT NULL DEFAULT now()
);

-- OP283: a provider's ReferentieNummer is unique within a law. Ingest looks loaded numbers up
-- to quarantine re-sent lines; the unique index is what makes that hold when two ingest workers
-- write the same provider's files at once (the second waits for the first, fails, and reads its
-- files again: see sdw.ingest.worker). It replaces the plain look-up index of earlier versions.
DROP INDEX IF EXISTS raw.istandaarden_323_prestatie_referentie;
CREATE UNIQUE INDEX IF NOT EXISTS istandaarden_323_prestatie_op283
    ON raw.istandaarden_323_prestatie (aanbieder_agb, referentienummer, wet);

-- 325 declaratie-antwoord: the answer header and the lines it rejects.
CREATE TABLE IF NOT EXISTS raw.istandaarden_325_antwoord (
    wet                   text NOT NULL,
    gemeentecode          text NOT NULL,
    aanbieder_agb         text NOT NULL,
    bericht_identificatie text NOT NULL,
    bericht_dagtekening   date NOT NULL,
    declaratie_identificatie text NOT NULL,
    declaratienummer      text,               -- null when the whole declaration was rejected
    totaal_ingediend_bedrag bigint,
    totaal_ingediend_debet_credit text,
    totaal_toegekend_bedrag bigint,
    totaal_toegekend_debet_credit text,
    retourcodes           text NOT NULL,      -- header RetourCodes, comma-separated
    _batch_id             text NOT NULL,
    _source_file          text NOT NULL,
    _file_hash            text NOT NULL,
    _loaded_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS raw.istandaarden_325_prestatie (
    wet                   text NOT NULL,
    gemeentecode          text NOT NULL,
    aanbieder_agb         text NOT NULL,
    bericht_identificatie text NOT NULL,
    bericht_dagtekening   date NOT NULL,
    declaratienummer      text NOT NULL,
    bsn_pseudoniem        text NOT NULL,
    referentienummer      text NOT NULL,
    vorig_referentienummer text,
    toewijzingnummer      text NOT NULL,
    productcategorie      text NOT NULL,
    productcode           text NOT NULL,
    productperiode_begindatum date NOT NULL,
    productperiode_einddatum  date NOT NULL,
    geleverd_volume       bigint NOT NULL,
    eenheid               text NOT NULL,
    ingediend_bedrag      bigint NOT NULL,
    debet_credit          text NOT NULL,
    retourcodes           text NOT NULL,      -- the line's RetourCodes, comma-separated
    _batch_id             text NOT NULL,
    _source_file          text NOT NULL,
    _file_hash            text NOT NULL,
    _loaded_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS audit.reconciliation (
    reconciliation_id bigserial PRIMARY KEY,
    run_id          text NOT NULL,
    check_name      text NOT NULL,
    checked         integer NOT NULL,
    failed          integer NOT NULL,
    detail          text,
    checked_at      timestamptz NOT NULL DEFAULT now()
);

-- A file's own euro totals per amount column, as its source's parser added them up while
-- reading (sdw.ingest.euros): the sum of every readable amount cell, and the part of it in
-- quarantined lines. Written with the file's raw rows, in the same transaction; only sources
-- whose lines carry money (LineTable.amounts) write it.
CREATE TABLE IF NOT EXISTS raw.file_euro_total (
    amount_column    text NOT NULL,           -- the line table's column: 'realisatie', 'verleend_bedrag'
    file_eur         numeric(32, 2) NOT NULL, -- Σ readable cells of the column in the file
    quarantined_eur  numeric(32, 2) NOT NULL, -- the part of it in quarantined lines
    cells            integer NOT NULL,        -- cells that held an amount (absent '-' / empty not counted)
    _batch_id        text NOT NULL,
    _source_file     text NOT NULL,
    _file_hash       text NOT NULL,
    _loaded_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS file_euro_total_file ON raw.file_euro_total (_file_hash);

-- The euro reconciliation (sdw.ingest.reconcile.euro_mismatches), per file x amount column:
-- file_eur = loaded_eur + quarantined_eur, to the cent. One row per check of a run.
CREATE TABLE IF NOT EXISTS audit.euro_reconciliation (
    euro_reconciliation_id bigserial PRIMARY KEY,
    run_id           text NOT NULL,
    file_hash        text NOT NULL,
    source_file      text NOT NULL,
    file_kind        text NOT NULL,
    amount_column    text NOT NULL,
    file_eur         numeric(32, 2),          -- NULL: the file's totals are missing
    loaded_eur       numeric(32, 2) NOT NULL, -- Σ of the column in the kind's raw line table
    quarantined_eur  numeric(32, 2),
    reconciled       boolean NOT NULL,
    checked_at       timestamptz NOT NULL DEFAULT now()
);

-- Euro totals hold a whole file's sum: up to 10^11 per cell (sdw.money.BOUND) times any number of
-- cells, so numeric(32,2), not numeric(18,2) (a file of 100,000 cells at the bound overflowed it
-- and was refused whole). Widened in place once on warehouses made before; a no-op after.
DO $$
DECLARE c record;
BEGIN
    FOR c IN
        SELECT table_schema, table_name, column_name FROM information_schema.columns
        WHERE (table_schema, table_name) IN (('raw', 'file_euro_total'),
                                             ('audit', 'euro_reconciliation'))
          AND column_name IN ('file_eur', 'quarantined_eur', 'loaded_eur')
          AND numeric_precision < 32
    LOOP
        EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I TYPE numeric(32, 2)',
                       c.table_schema, c.table_name, c.column_name);
    END LOOP;
END $$;
