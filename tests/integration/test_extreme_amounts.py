"""The largest amounts ingest accepts go all the way into the finance marts, and a raw row beyond
them (loaded before the bound existed) never makes the build fail.

Through the real ingest and reconcile into a fresh PostgreSQL, then dbt's build of the finance
marts. The bound is € 99.999.999.999,99 either way (B below); every figure is worked out by
hand from the files written here:

- budget line MAX: primitive, amendments, carry-over B each -> current budget 3B =
  299.999.999.999,97; spent -B and committed -B -> available 3B + B + B = 499.999.999.999,95;
  burn 100 x -B / 3B = -33,333... -> -33.33.
- budget line TINY: primitive B, amendments -99.999.999.999,98 -> current 0,01; spent B ->
  available 0,01 - B = -99.999.999.999,98; burn 100 x B / 0,01 = 999.999.999.999.900,00.
- a budget line of € 100.000.000.000,00 and a grant of € 1.000.000.000.000,00: quarantined by
  name, their files' other rows load, euros reconcile.
- 1,500 grants of B to Stichting A in 2016 (one group): requested, granted and settled
  1500 x B = 149.999.999.999.985,00 each, share 1.0000 (the old numeric(16,2) held < 10^14).
- Stichting B: requested € 0,01, granted B -> share B / 0,01 = 9.999.999.999.999,0000 (the old
  numeric(9,4) held < 10^5); settled '-'.
- theme Zorg (all 1,501): requested 1500 x B + 0,01 = 149.999.999.999.985,01, granted 1501 x B
  = 150.099.999.999.984,99, settled 149.999.999.999.985,00, share 1.000666... -> 1.0007.
- raw poisoned as an older version could: a budget line POISON with realisatie
  1.000.000.000.000,00 and a 2017 grant of 99.999.999.999.999,99 inserted straight into raw.
  The build passes; neither is in a mart; the raw suites pass with a WARNING, and their
  finding names file and line.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from sdw.ingest.inbox import ingest_inbox
from sdw.orchestration import finance_tasks
from tests.conftest import dbt_build, insert_raw

pytestmark = pytest.mark.integration
KEY = b"test-key-" + b"x" * 32
D = Decimal
B = "99.999.999.999,99"

BUDGET_HEADER = (
    "Gemeentecode;Begrotingsjaar;Peildatum;Rapportageversie;Begrotingspost;Omschrijving;"
    "Taakveld;Programma;Project;Kostenplaats;Primitieve begroting;Begrotingswijzigingen;"
    "Overheveling;Realisatie;Verplichtingen;Prognose"
)
BUDGET = [
    BUDGET_HEADER,
    f"GM0363;2023;31-12-2023;2023-Q4;MAX;Max;6.1;;;;€ {B};€ {B};€ {B};-€ {B};(€ {B});€ {B}",
    f"GM0363;2023;31-12-2023;2023-Q4;TINY;Tiny;6.1;;;;€ {B};-99.999.999.999,98;-;€ {B};-;-",
    "GM0363;2023;31-12-2023;2023-Q4;TOO-BIG;x;6.1;;;;€ 1;-;-;€ 100.000.000.000,00;-;-",
]
REGISTER_HEADER = (
    "Subsidiejaar;Jaar van toekenning;Programma;Taakveld;Soort subsidie;Aanvrager/Ontvanger;"
    "Omschrijving;Regelmaat;Aangevraagd bedrag;Verleend bedrag;Vastgesteld bedrag"
)
REGISTER = [
    REGISTER_HEADER,
    *(f"2016;;Zorg;;;Stichting A;Project {n};Eenmalig;€ {B};€ {B};€ {B}" for n in range(1500)),
    f"2016;;Zorg;;;Stichting B;Typo;Eenmalig;€ 0,01;€ {B};-",
    "2016;;Zorg;;;Stichting C;Te groot;Eenmalig;€ 1;€ 1.000.000.000.000,00;-",
]


def write(path: Path, lines: list[str]) -> None:
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")


@pytest.fixture(scope="module")
def built(make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory) -> str:
    from sdw.warehouse.bootstrap import ensure_schema

    url = make_database("sdw_test_extreme")
    ensure_schema(url)
    inbox = tmp_path_factory.mktemp("finance")
    write(inbox / "begroting_2023_q4.csv", BUDGET)
    write(inbox / "subsidieregister_2016.csv", REGISTER)
    batch = f"test-{uuid.uuid4().hex[:8]}"
    report = ingest_inbox(inbox, url, KEY, batch, dag_id=finance_tasks.DAG_ID, keep_files=True)
    files = {f.source_file: f for f in report.files}
    budget, register = files["begroting_2023_q4.csv"], files["subsidieregister_2016.csv"]
    assert (budget.status, budget.lines_loaded, budget.lines_quarantined) == (
        "loaded_with_rejections", 2, 1,
    )  # fmt: skip
    assert (register.lines_loaded, register.lines_quarantined) == (1501, 1)
    assert finance_tasks.reconcile(batch, url)["files_checked"] == 2  # raises on any difference
    with psycopg.connect(url, autocommit=True) as conn:
        insert_raw(
            conn,
            "budget_line",
            [
                {
                    "layout": "budget-csv",
                    "municipality_code": "GM0363",
                    "begrotingsjaar": 2023,
                    "peildatum": date(2023, 12, 31),
                    "report_version": "2023-Q4",
                    "budget_line": "POISON",
                    "taakveld": "6.1",
                    "realisatie": D("1000000000000.00"),
                    "line_number": 7,
                    "_batch_id": "older-version",
                    "_source_file": "begroting_oud.csv",
                    "_file_hash": "f" * 64,
                }
            ],
        )
        insert_raw(
            conn,
            "subsidy_grant",
            [
                {
                    "layout": "register-csv",
                    "subsidiejaar": 2017,
                    "ontvanger": "Stichting D",
                    "verleend_bedrag": D("99999999999999.99"),
                    "line_number": 9,
                    "_batch_id": "older-version",
                    "_source_file": "subsidieregister_oud.csv",
                    "_file_hash": "e" * 64,
                }
            ],
        )
    dbt_build(
        url,
        tmp_path_factory.mktemp("dbt"),
        "+budget_realisation +subsidies_by_recipient_year +subsidies_by_theme_year "
        "product_categories units",
    )
    return url


def test_the_bound_is_refused_by_name_and_the_euros_reconcile(built: str) -> None:
    with psycopg.connect(built) as conn:
        reasons = conn.execute(
            "SELECT reason_code, reason FROM quarantine.rejected_record ORDER BY reason_code"
        ).fetchall()
        euros = conn.execute(
            """SELECT source_file, amount_column, file_eur, loaded_eur, quarantined_eur
               FROM audit.euro_reconciliation
               WHERE amount_column IN ('realisatie', 'verleend_bedrag') ORDER BY source_file"""
        ).fetchall()
    assert [code for code, _r in reasons] == ["BUDGET_AMOUNT_INVALID", "SUBSIDY_AMOUNT_INVALID"]
    assert "'€ 100.000.000.000,00' is beyond" in reasons[0][1]
    assert "'€ 1.000.000.000.000,00' is beyond" in reasons[1][1]
    assert euros == [
        # spent -B + B; the refused cell has no euros
        ("begroting_2023_q4.csv", "realisatie", D("0.00"), D("0.00"), D("0.00")),
        # 1501 x B loaded; line 1503's granted is no amount
        ("subsidieregister_2016.csv", "verleend_bedrag", D("150099999999984.99"),
         D("150099999999984.99"), D("0.00")),
    ]  # fmt: skip


def test_budget_mart_at_the_bound(built: str) -> None:
    with psycopg.connect(built) as conn:
        rows = conn.execute(
            """SELECT budget_line, primitive_budget_eur, current_budget_eur, spent_eur,
                      committed_eur, available_eur, forecast_eur, burn_rate_pct
               FROM marts_candidate.budget_realisation ORDER BY budget_line"""
        ).fetchall()
    assert rows == [
        ("MAX", D("99999999999.99"), D("299999999999.97"), D("-99999999999.99"),
         D("-99999999999.99"), D("499999999999.95"), D("99999999999.99"), D("-33.33")),
        ("TINY", D("99999999999.99"), D("0.01"), D("99999999999.99"), None,
         D("-99999999999.98"), None, D("999999999999900.00")),
    ]  # fmt: skip


def test_subsidy_marts_at_the_bound(built: str) -> None:
    columns = """requests, grants, requested_eur, granted_eur, settled_eur,
                 share_of_requests_granted, share_of_requested_eur_granted"""
    with psycopg.connect(built) as conn:
        by_recipient = conn.execute(
            f"""SELECT subsidy_year, recipient, {columns}
                FROM marts_candidate.subsidies_by_recipient_year ORDER BY recipient"""
        ).fetchall()
        by_theme = conn.execute(
            f"SELECT subsidy_year, theme, {columns} FROM marts_candidate.subsidies_by_theme_year"
        ).fetchall()
    assert by_recipient == [
        (2016, "Stichting A", 1500, 1500, D("149999999999985.00"), D("149999999999985.00"),
         D("149999999999985.00"), D("1.0000"), D("1.0000")),
        (2016, "Stichting B", 1, 1, D("0.01"), D("99999999999.99"), None, D("1.0000"),
         D("9999999999999.0000")),
    ]  # fmt: skip
    assert by_theme == [
        (2016, "Zorg", 1501, 1501, D("149999999999985.01"), D("150099999999984.99"),
         D("149999999999985.00"), D("1.0000"), D("1.0007")),
    ]  # fmt: skip


def test_raw_beyond_the_bound_is_left_out_and_named(built: str) -> None:
    from sdw.validation.runner import load_suite_module, run_suite

    with psycopg.connect(built) as conn:
        (poison,) = conn.execute(
            """SELECT count(*) FROM marts_candidate.budget_realisation
               WHERE budget_line = 'POISON'"""
        ).fetchone()
        (years,) = conn.execute(
            "SELECT array_agg(DISTINCT subsidy_year) FROM marts_candidate.subsidies_by_theme_year"
        ).fetchone()
    assert (poison, years) == (0, [2016])
    for suite, asset, named in [
        (
            "raw_budgets",
            "raw_budgets_amount_beyond_bound",
            "begroting_oud.csv line 7: realisatie 1000000000000.00 is beyond the ingest bound",
        ),
        (
            "raw_subsidies",
            "raw_subsidies_amount_beyond_bound",
            "subsidieregister_oud.csv line 9: verleend_bedrag 99999999999999.99 is beyond",
        ),
    ]:
        result = run_suite(suite, built, f"test-{uuid.uuid4().hex[:6]}")
        assert result.success, result.summary  # a warning: the build goes on
        assert f"WARNING {asset}" in result.summary
        assert named in result.summary  # the summary names the file, line and value
        check = next(
            c for c in load_suite_module(suite).build_suite().checks if c.asset_name == asset
        )
        with psycopg.connect(built) as conn:
            found = [r[0] for r in conn.execute(f"SELECT discrepancy FROM ({check.query}) AS q")]
        assert len(found) == 1 and found[0].startswith(named), found
