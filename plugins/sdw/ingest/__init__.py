"""The ingest core: files in the inbox -> raw, quarantine and the audit ledger, one transaction
per file. It knows no source: the sources it loads are listed in ``sdw.sources`` and speak to
it through ``sdw.ingest.contract``."""
