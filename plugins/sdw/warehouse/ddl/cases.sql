-- ---------------------------------------------------------------- raw: municipal case export
-- Loaded by the ingest_cases DAG (plugins/sdw/cases/): the case system's Wmo/Jeugdwet procedure
-- dates per melding (contract in docs/procedure-times.md). No personal data: the melding's
-- identificatie is a keyed pseudonym, the address only its CBS area (reduced at ingest with the
-- 301's lookup; postcode and huisnummer are never written). Dates are parsed at ingest (Dutch
-- dd-mm-jjjj or ISO), so a row here has passed the contract's date, order and outcome rules.
CREATE TABLE IF NOT EXISTS raw.case_procedure (
    gemeentecode             text NOT NULL,   -- GM0999
    melding_pseudoniem       text NOT NULL,   -- HMAC-SHA256 hex of 'melding:<gemeentecode>:<identificatie>'
    wet                      text NOT NULL,   -- 'wmo' | 'jeugdwet' (normalised from the file's spelling)
    datum_melding            date NOT NULL,
    datum_onderzoek_afgerond date,
    datum_start_aanvraag     date,
    datum_beschikking        date,
    datum_afhandeling        date,            -- closed without a beschikking (ingetrokken)
    resultaat                text NOT NULL,   -- 'toegekend' | 'afgewezen' | 'ingetrokken' | 'lopend'
    adres_status             text NOT NULL,   -- 'matched' | 'not_found' (CBS lookup) | 'wijkcode' (given) | 'no_address'
    buurtcode                integer,         -- CBS integers as in the address file; null unless matched
    wijkcode                 integer,         -- 99901 means WK099901; null unless matched or given
    adres_gemeentecode       integer,
    line_number              integer NOT NULL, -- data row in the file (header = line 1)
    _batch_id                text NOT NULL,
    _source_file             text NOT NULL,
    _file_hash               text NOT NULL,
    _loaded_at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS case_procedure_file ON raw.case_procedure (_file_hash);
CREATE INDEX IF NOT EXISTS case_procedure_melding ON raw.case_procedure (gemeentecode, melding_pseudoniem);
