-- ---------------------------------------------------------------- raw: subsidy registers
-- Loaded by the ingest_finance DAG (plugins/sdw/subsidies/): one row per register row, read
-- through a layout of plugins/sdw/subsidies/layouts/ (docs/subsidies.md). Amounts are parsed
-- at ingest from Dutch notation exactly to the cent; absent ('-', empty) is NULL, never 0, and
-- a row with an unreadable amount is quarantined. Text is kept as the register publishes it
-- (a private person stays as anonymous as the register has them, e.g. '(Particulier)'), with
-- any BSN-like number masked.
CREATE TABLE IF NOT EXISTS raw.subsidy_grant (
    layout              text NOT NULL,    -- the layout file's stem: 'amsterdam-json', 'register-csv', ...
    subsidiejaar        integer NOT NULL, -- the year the subsidy is for
    jaar_toekenning     integer,          -- the year it was granted, where the register says
    programma           text,
    taakveld            text,             -- Iv3 taakveld as the register writes it (e.g. '6.1 Samenkracht ...')
    thema               text,
    regeling            text,             -- the subsidy scheme (regeling, verordening)
    soort_subsidie      text,
    organisatie         text,             -- the granting department or stadsdeel
    ontvanger           text NOT NULL,    -- aanvrager/ontvanger as published
    omschrijving        text,             -- project or activity
    regelmaat           text,             -- 'Eenmalig' | 'Periodiek' | 'Jaarlijks' ... as written
    aangevraagd_bedrag  numeric(16, 2),   -- requested, euros
    verleend_bedrag     numeric(16, 2),   -- granted, euros; 0 for a rejected request
    vastgesteld_bedrag  numeric(16, 2),   -- settled (vastgesteld), euros
    line_number         integer NOT NULL, -- CSV: the line (header = 1); JSON: position in the array (1 = first)
    _batch_id           text NOT NULL,
    _source_file        text NOT NULL,
    _file_hash          text NOT NULL,
    _loaded_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS subsidy_grant_file ON raw.subsidy_grant (_file_hash);
