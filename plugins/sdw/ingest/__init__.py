"""Ingest: files in the inbox -> raw, quarantine and the audit ledger, one transaction per file."""
