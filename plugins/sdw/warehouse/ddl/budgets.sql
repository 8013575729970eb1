-- ---------------------------------------------------------------- raw: budget files
-- Loaded by the ingest_finance DAG (plugins/sdw/budgets/): one row per budget line of a budget
-- file exported by the financial system (CSV or xlsx; contract in docs/budgets.md). A file is
-- one report version (peildatum) of one or more budget years; every version is kept, never
-- overwritten: the marts choose per year x line x version. Amounts are parsed at ingest from
-- Dutch notation exactly to the cent; absent ('-', empty) is NULL, never 0, and a row with an
-- unreadable amount is quarantined with its reason.
CREATE TABLE IF NOT EXISTS raw.budget_line (
    layout                 text NOT NULL,    -- the layout file's stem: 'budget-csv', 'budget-xlsx', ...
    municipality_code      text NOT NULL,    -- 'GM' + 4 digits, normalised at ingest ('363' -> 'GM0363')
    begrotingsjaar         integer NOT NULL, -- the budget year
    peildatum              date NOT NULL,    -- the report version: the date the figures are as of
    report_version         text NOT NULL,    -- its label as the file gives it, else 'YYYY-Qn' of peildatum
    budget_line            text NOT NULL,    -- the budget line's code in the financial system (begrotingspost)
    budget_line_name       text,             -- its name (omschrijving)
    taakveld               text NOT NULL,    -- Iv3 taakveld code, normalised: '6.72'
    programma              text,
    project                text,
    kostenplaats           text,             -- cost centre
    primitieve_begroting   numeric(16, 2),   -- the budget as adopted (primitive), euros
    begrotingswijzigingen  numeric(16, 2),   -- budget amendments to date, euros (may be negative)
    overheveling           numeric(16, 2),   -- carry-over from the previous year, euros (may be negative)
    realisatie             numeric(16, 2),   -- spent to date according to the ledger, euros
    verplichtingen         numeric(16, 2),   -- committed, not yet spent, euros
    prognose               numeric(16, 2),   -- forecast of year-end realisation, euros
    line_number            integer NOT NULL, -- CSV: the line (header = 1); xlsx: the sheet row
    _batch_id              text NOT NULL,
    _source_file           text NOT NULL,
    _file_hash             text NOT NULL,
    _loaded_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS budget_line_file ON raw.budget_line (_file_hash);
