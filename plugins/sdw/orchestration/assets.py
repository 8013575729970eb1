"""Airflow Assets that connect ingest to builds: an ingest DAG's outlets, build_marts' schedule."""

from __future__ import annotations

from airflow.sdk import Asset

# Rows landed in raw.istandaarden_* and raw.cbs_adres_gebied.
RAW_ISTANDAARDEN = Asset(name="raw_istandaarden", uri="sdw://warehouse/raw/istandaarden")
# Rows landed in raw.cbs_observation and raw.cbs_municipal_benefit (ingest_cbs).
RAW_CBS = Asset(name="raw_cbs", uri="sdw://warehouse/raw/cbs")
# Rows landed in raw.case_procedure: the municipal case system's procedure dates (ingest_cases).
RAW_CASES = Asset(name="raw_cases", uri="sdw://warehouse/raw/cases")
# Rows landed in raw.subsidy_grant: subsidy registers (ingest_finance).
RAW_FINANCE = Asset(name="raw_finance", uri="sdw://warehouse/raw/finance")
# Every published mart: build_marts' publish swaps the whole marts schema at once (care, CBS,
# waiting and procedure marts alike), so one asset stands for all of them.
MARTS_PUBLISHED = Asset(name="marts_published", uri="sdw://warehouse/marts")
