"""What the report shows, read from the published ``marts`` schema and the audit tables.

Only published data is read (never ``marts_candidate``): the report must show what a BI user
sees, with the publication and validation it belongs to. A mart that does not exist (yet) is
returned as ``None`` so the report can say so instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
import psycopg

LIVE_SCHEMA = "marts"


class NothingPublished(RuntimeError):
    """No publication in audit.publication: there is nothing validated to report on."""


@dataclass(frozen=True)
class SuiteStatus:
    """One validation suite of the publication's build run, as audit.validation_result holds it."""

    suite_name: str
    assets: int
    assets_failed: int
    evaluated: int
    failed: int
    warnings: int

    @property
    def success(self) -> bool:
        return self.assets_failed == 0


@dataclass(frozen=True)
class Publication:
    publication_id: int
    run_id: str
    published_at: datetime
    mart_rows: dict[str, int]
    suites: tuple[SuiteStatus, ...]
    validated_at: datetime | None

    @property
    def validated(self) -> bool:
        """Published marts passed by construction; this says the audit trail shows it too."""
        return bool(self.suites) and all(s.success for s in self.suites)

    @property
    def expectations(self) -> int:
        return sum(s.evaluated for s in self.suites)


@dataclass
class ReportData:
    publication: Publication
    marts: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    labels: dict[str, pd.DataFrame | None] = field(default_factory=dict)


# Each query reads one published mart; columns are named in the mart YAMLs under
# dbt_project/models/marts/. Ordered so that charts come out in a stable order.
MART_QUERIES: dict[str, str] = {
    "waiting_times_quarterly": """
        SELECT municipality_code, law, quarter_start, requests, decided,
               median_days_to_decision, pct_decided_within_5_workdays, open_at_quarter_end
        FROM marts.waiting_times_quarterly ORDER BY municipality_code, law, quarter_start""",
    "care_usage_quarterly": """
        SELECT municipality_code, law, product_category, quarter_start, clients,
               accepted_amount_eur
        FROM marts.care_usage_quarterly
        ORDER BY municipality_code, law, product_category, quarter_start""",
    "care_usage_by_district_quarterly": """
        SELECT municipality_code, district_code, law, quarter_start, clients,
               clients_per_1000_inhabitants, suppressed
        FROM marts.care_usage_by_district_quarterly
        ORDER BY municipality_code, law, district_code, quarter_start""",
    "population_by_district": """
        SELECT region_code, region_name, municipality_code, year, inhabitants
        FROM marts.population_by_district WHERE region_level = 'WK'
        ORDER BY region_code, year""",
    "ses_scores": """
        SELECT region_code, region_name, municipality_code, year, total_score, baseline_year,
               baseline_total_score, change_vs_baseline
        FROM marts.ses_scores WHERE region_level = 'WK' ORDER BY region_code, year""",
    "procedure_times_quarterly": """
        SELECT municipality_code, law, district_code, quarter_start, cases,
               median_days_melding_to_onderzoek, pct_onderzoek_within_norm,
               median_days_aanvraag_to_beschikking, pct_beschikking_within_norm, suppressed
        FROM marts.procedure_times_quarterly
        ORDER BY municipality_code, law, district_code, quarter_start""",
    "benefit_recipients": """
        SELECT municipality_code, district_code, period_type, period_start, benefit_type,
               source, recipients, recipients_per_1000_inhabitants, suppressed
        FROM marts.benefit_recipients
        ORDER BY municipality_code, source, benefit_type, district_code, period_start""",
    "subsidies_by_theme_year": """
        SELECT subsidy_year, theme, requests, grants, requested_eur, granted_eur, settled_eur
        FROM marts.subsidies_by_theme_year ORDER BY subsidy_year, theme""",
    "budget_realisation": """
        SELECT municipality_code, begrotingsjaar, report_version, peildatum, budget_line,
               budget_line_name, taakveld, current_budget_eur, spent_eur, committed_eur,
               available_eur, burn_rate_pct, is_care_line, declaration_spend_eur,
               difference_eur
        FROM marts.budget_realisation
        ORDER BY municipality_code, begrotingsjaar, peildatum, budget_line""",
}

# Dutch names of codes, from the seeds dbt loads into `reference` (the sources of the dimension
# marts); a missing table only costs the report its names, never its figures.
LABEL_QUERIES: dict[str, tuple[str, str]] = {
    "product_categories": (
        "reference",
        "SELECT law, product_category, name FROM reference.product_categories",
    ),
    "procedure_norms": (
        "reference",
        "SELECT law, step, norm_days, legal_basis FROM reference.procedure_norms",
    ),
}


def _table_exists(conn: psycopg.Connection, schema: str, table: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"{schema}.{table}",)).fetchone()
    return bool(row and row[0])


def _frame(conn: psycopg.Connection, query: str) -> pd.DataFrame:
    cur = conn.execute(query)
    columns = [c.name for c in cur.description or ()]
    return pd.DataFrame(cur.fetchall(), columns=columns, dtype=object)


def latest_publication(conn: psycopg.Connection) -> Publication:
    row = conn.execute(
        """SELECT publication_id, run_id, published_at, mart_rows
           FROM audit.publication ORDER BY publication_id DESC LIMIT 1"""
    ).fetchone()
    if row is None:
        raise NothingPublished(
            "No publication in audit.publication: run `sdw run` first; the report shows "
            "published, validated marts only."
        )
    publication_id, run_id, published_at, mart_rows = row
    suites = tuple(
        SuiteStatus(*r)
        for r in conn.execute(
            """SELECT suite_name, count(*), count(*) FILTER (WHERE NOT success),
                      sum(evaluated), sum(failed),
                      count(*) FILTER (WHERE success AND summary LIKE '%%WARNING%%')
               FROM audit.validation_result WHERE run_id = %s
               GROUP BY suite_name ORDER BY suite_name""",
            (run_id,),
        )
    )
    (validated_at,) = conn.execute(
        "SELECT max(validated_at) FROM audit.validation_result WHERE run_id = %s", (run_id,)
    ).fetchone()
    return Publication(publication_id, run_id, published_at, dict(mart_rows), suites, validated_at)


def load(url: str) -> ReportData:
    """Everything the report shows, in one read-only transaction (one publication's marts:
    a publish swaps schemas atomically, so one snapshot never mixes two publications)."""
    with psycopg.connect(url) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        data = ReportData(publication=latest_publication(conn))
        for mart, query in MART_QUERIES.items():
            data.marts[mart] = (
                _frame(conn, query) if _table_exists(conn, LIVE_SCHEMA, mart) else None
            )
        for name, (schema, query) in LABEL_QUERIES.items():
            data.labels[name] = _frame(conn, query) if _table_exists(conn, schema, name) else None
    return data


def as_float(value: Any) -> float | None:
    """A mart value for plotting: Decimal/int to float, SQL NULL (suppressed, secret) to None."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return float(value)
