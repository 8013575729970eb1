-- ---------------------------------------------------------------- raw: CBS open data
-- Loaded by the ingest_cbs DAG (plugins/sdw/cbs/parse.py). Public statistics, no personal data.

-- Every CBS statistic in long format: SES-WOA (StatLine CSV, OData v3/v4), Kerncijfers wijken
-- en buurten (xlsx/CSV, OData), benefit recipients per wijk. One row per region x period x
-- measure as the file had it; a secret or missing cell ('.') has value NULL and its text.
CREATE TABLE IF NOT EXISTS raw.cbs_observation (
    dataset       text NOT NULL,             -- 'ses_woa' | 'kwb' | 'uitkeringen' | 'statline'
    table_id      text,                      -- StatLine table, e.g. '85163NED', when known
    file_format   text NOT NULL,             -- 'statline_csv' | 'kwb_xlsx' | 'kwb_csv' | 'odata_v3' | 'odata_v4'
    region_code   text NOT NULL,             -- trimmed: GM0363, WK036300, BU03630000
    region_name   text,
    period        text NOT NULL,             -- '2019' | '2023Q2' | '2024-03'
    measure       text NOT NULL,             -- meaning, stable across editions ('ses_total_score', 'a_inw')
    source_key    text NOT NULL,             -- the file's own column label or OData key
    value         numeric,                   -- NULL when secret/missing
    value_raw     text,                      -- the cell's text, trimmed
    line_number   integer NOT NULL,          -- data row in the file (OData: record number)
    _batch_id     text NOT NULL,
    _source_file  text NOT NULL,
    _file_hash    text NOT NULL,
    _loaded_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS cbs_observation_lookup
    ON raw.cbs_observation (dataset, measure, region_code, period);
CREATE INDEX IF NOT EXISTS cbs_observation_file ON raw.cbs_observation (_file_hash);

-- The municipality's monthly benefit counts per wijk and regulation (contract in docs/cbs.md and
-- plugins/sdw/cbs/benefits.py).
CREATE TABLE IF NOT EXISTS raw.cbs_municipal_benefit (
    gemeentecode    text NOT NULL,           -- GM0999
    wijkcode        text NOT NULL,           -- WK099901
    maand           text NOT NULL,           -- YYYY-MM
    regeling        text NOT NULL,           -- participatiewet | ioaw | ioaz | bbz
    aantal_personen integer NOT NULL,
    line_number     integer NOT NULL,
    _batch_id       text NOT NULL,
    _source_file    text NOT NULL,
    _file_hash      text NOT NULL,
    _loaded_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS cbs_municipal_benefit_file ON raw.cbs_municipal_benefit (_file_hash);
