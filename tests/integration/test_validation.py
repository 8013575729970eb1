"""The GX suites and runner against a real, fresh PostgreSQL database.

Good rows (worked out by hand below) must pass and leave one audit row per asset; each kind of
bad row must fail with a summary that names the expectation and column. Great Expectations is
imported once per test process (~11 s), so the cases are grouped into few runs.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from sdw.validation import ValidationFailed, run_suite, run_suite_or_raise
from sdw.warehouse.bootstrap import schema_sql

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]

MART_COLUMNS = """
    municipality_code text NOT NULL, law text NOT NULL, {extra} quarter_start date NOT NULL,
    declared_amount_eur numeric(14,2), rejected_amount_eur numeric(14,2),
    accepted_amount_eur numeric(14,2), clients integer, delivered_volume bigint, unit text,
    amount_per_client_eur numeric(14,2)
"""
CANDIDATE_DDL = """
CREATE SCHEMA IF NOT EXISTS {schema};
CREATE TABLE {schema}.care_usage_quarterly ({quarterly});
CREATE TABLE {schema}.care_usage_by_district_quarterly ({district},
    clients_per_1000_inhabitants numeric(10,2), suppressed boolean);
"""
# The test's own category list, so expectations do not depend on the seed's contents.
CATEGORIES_CSV = "law,product_category,name\nwmo,01,HH\nwmo,02,Begeleiding\njeugdwet,45,Ambulant\n"


def pseudonym(client: str) -> str:
    return hashlib.sha256(client.encode()).hexdigest()


@pytest.fixture(scope="module")
def warehouse(make_database: Callable[[str], str]) -> str:
    url = make_database("sdw_test_validation")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(schema_sql())  # the bootstrap's DDL: core + every source
        for schema in ("marts_candidate", "marts_other"):
            conn.execute(
                CANDIDATE_DDL.format(
                    schema=schema,
                    quarterly=MART_COLUMNS.format(extra="product_category text NOT NULL,"),
                    district=MART_COLUMNS.format(extra="district_code text NOT NULL,"),
                )
            )
    return url


@pytest.fixture
def categories_csv(tmp_path: Path) -> Path:
    path = tmp_path / "product_categories.csv"
    path.write_text(CATEGORIES_CSV)
    return path


@pytest.fixture
def clean(warehouse: str) -> str:
    with psycopg.connect(warehouse, autocommit=True) as conn:
        conn.execute(
            "TRUNCATE raw.istandaarden_323_declaratie, raw.istandaarden_323_prestatie,"
            " raw.istandaarden_325_prestatie, audit.validation_result,"
            " marts_candidate.care_usage_quarterly,"
            " marts_candidate.care_usage_by_district_quarterly,"
            " marts_other.care_usage_quarterly, marts_other.care_usage_by_district_quarterly"
        )
    return warehouse


def insert_declaratie(conn, wet, agb, nummer, file, total, dc, lines_in, lines_loaded):
    conn.execute(
        """INSERT INTO raw.istandaarden_323_declaratie VALUES
           (%s, '0363', %s, %s, '2024-05-01', %s, '2024-01-01', '2024-03-31',
            '2024-05-01', %s, %s, %s, %s, 'batch1', %s, %s)""",
        (wet, agb, f"B-{file}", nummer, total, dc, lines_in, lines_loaded, file, f"hash-{file}"),
    )


def insert_line(conn, table, wet, agb, nummer, ref, client, cat, begin, end, cents, dc, file):
    extra = ", NULL" if table.endswith("323_prestatie") else ", '8001'"
    # 323 has producttarief before ingediend_bedrag; 325 has retourcodes after debet_credit.
    if table.endswith("323_prestatie"):
        values = f"""(%s, '0363', %s, %s, '2024-05-01', %s, %s, %s, NULL, 'T1', %s,
                     'P1', %s, %s, 1, '14'{extra}, %s, %s, 'batch1', %s, %s)"""
    else:
        values = f"""(%s, '0363', %s, %s, '2024-05-01', %s, %s, %s, NULL, 'T1', %s,
                     'P1', %s, %s, 1, '14', %s, %s{extra}, 'batch1', %s, %s)"""
    conn.execute(
        f"INSERT INTO raw.{table} VALUES {values}",
        (
            wet,
            agb,
            f"B-{file}",
            nummer,
            client,
            ref,
            cat,
            begin,
            end,
            cents,
            dc,
            file,
            f"hash-{file}",
        ),
    )


def load_good_raw(conn) -> None:
    """Two 323 files; one line rejected by a 325.

    File f1 (wmo, AGB 12345678, D1): R1 +100.00 (cat 02, Jan), R2 +50.00 (cat 01, Feb),
    R3 -25.00 credit (cat 02, Jan): header 125.00 D. File f2 (jeugdwet, AGB 87654321, also D1):
    R1 +300.00 (cat 45, Apr). The 325 rejects f1's R2, plus an R1/D1 of another provider
    (99999999) that must not reject either R1.
    Accepted per municipality x law x quarter: GM0363 wmo 2024Q1 = 100 - 25 = 75.00;
    GM0363 jeugdwet 2024Q2 = 300.00.
    """
    insert_declaratie(conn, "wmo", "12345678", "D1", "f1", 12500, "D", 3, 3)
    insert_declaratie(conn, "jeugdwet", "87654321", "D1", "f2", 30000, "D", 1, 1)
    p323 = "istandaarden_323_prestatie"
    a, b, c = pseudonym("client-a"), pseudonym("client-b"), pseudonym("client-c")
    insert_line(
        conn,
        p323,
        "wmo",
        "12345678",
        "D1",
        "R1",
        a,
        "02",
        "2024-01-01",
        "2024-01-31",
        10000,
        "D",
        "f1",
    )
    insert_line(
        conn,
        p323,
        "wmo",
        "12345678",
        "D1",
        "R2",
        b,
        "01",
        "2024-02-01",
        "2024-02-29",
        5000,
        "D",
        "f1",
    )
    insert_line(
        conn,
        p323,
        "wmo",
        "12345678",
        "D1",
        "R3",
        a,
        "02",
        "2024-01-01",
        "2024-01-31",
        2500,
        "C",
        "f1",
    )
    insert_line(
        conn,
        p323,
        "jeugdwet",
        "87654321",
        "D1",
        "R1",
        c,
        "45",
        "2024-04-01",
        "2024-04-30",
        30000,
        "D",
        "f2",
    )
    p325 = "istandaarden_325_prestatie"
    insert_line(
        conn,
        p325,
        "wmo",
        "12345678",
        "D1",
        "R2",
        b,
        "01",
        "2024-02-01",
        "2024-02-29",
        5000,
        "D",
        "a1",
    )
    insert_line(
        conn,
        p325,
        "wmo",
        "99999999",
        "D1",
        "R1",
        a,
        "02",
        "2024-01-01",
        "2024-01-31",
        10000,
        "D",
        "a2",
    )


def load_good_marts(conn, schema: str = "marts_candidate") -> None:
    """Mart rows consistent with load_good_raw (accepted 0.00 + 75.00 wmo Q1, 300.00 jw Q2).

    wmo Q1 by district has two suppressed rows, so neither is the municipal total minus the
    rest; the 5-client row and the 0-client UNKNOWN row are shown."""
    conn.execute(
        f"""INSERT INTO {schema}.care_usage_quarterly VALUES
        ('GM0363', 'wmo', '01', '2024-01-01', 50.00, 50.00, 0.00, 0, 0, '14', NULL),
        ('GM0363', 'wmo', '02', '2024-01-01', 75.00, 0.00, 75.00, 1, 0, '14', 75.00),
        ('GM0363', 'jeugdwet', '45', '2024-04-01', 300.00, 0.00, 300.00, 1, 1, '14', 300.00)"""
    )
    conn.execute(
        f"""INSERT INTO {schema}.care_usage_by_district_quarterly VALUES
        ('GM0363', 'wmo', 'WK036301', '2024-01-01', NULL, NULL, NULL, NULL, 0, '14', NULL,
         NULL, true),
        ('GM0363', 'wmo', 'WK036303', '2024-01-01', NULL, NULL, NULL, NULL, 2, '14', NULL,
         NULL, true),
        ('GM0363', 'wmo', 'WK036302', '2024-01-01', 500.00, 0.00, 500.00, 5, 10, '14', 100.00,
         2.50, false),
        ('GM0363', 'wmo', 'UNKNOWN', '2024-01-01', 50.00, 50.00, 0.00, 0, 0, '14', NULL,
         NULL, false)"""
    )


def audit_rows(url: str, run_id: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT suite_name, data_asset, success, evaluated, failed, summary,"
            " result_json::text FROM audit.validation_result WHERE run_id = %s"
            " ORDER BY data_asset",
            (run_id,),
        ).fetchall()


def test_good_rows_pass_and_are_recorded(
    clean: str, categories_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with psycopg.connect(clean, autocommit=True) as conn:
        load_good_raw(conn)
        load_good_marts(conn)
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)

    raw = run_suite(
        "raw_istandaarden",
        clean,
        "run-good",
        suite_options={"product_categories_csv": categories_csv},
    )
    marts = run_suite("expectations.care_marts", clean, "run-good")

    assert raw.success, raw.summary
    assert marts.success, marts.summary
    assert raw.failed == 0 and raw.evaluated > 10
    rows = audit_rows(clean, "run-good")
    # raw: 323 + 325 lines, 2 laws x 2 category assets, 323 uniqueness, 323 header, file
    # totals, answers before their request = 10 assets; marts: 2 marts, suppressed,
    # unsuppressed, lone suppressed cell, reconciliation = 6 assets.
    assert len(rows) == 16
    assert {row[0] for row in rows} == {"raw_istandaarden", "care_marts"}
    assert all(row[2] and row[4] == 0 and row[3] > 0 for row in rows)
    assert "accepted_eur_vs_raw_mismatch" in {row[1] for row in rows}
    # GX left nothing behind: no gx/ project folder here or in the repository.
    assert list(workdir.iterdir()) == []
    assert not (REPO / "gx").exists()


def test_bad_raw_rows_fail_with_readable_summary(clean: str, categories_csv: Path) -> None:
    clear_bsn = "123456782"  # a loader bug writing a clear BSN must never be echoed
    with psycopg.connect(clean, autocommit=True) as conn:
        load_good_raw(conn)
        # f3: one line of 10.00 with a clear BSN, category 99, a period across two months,
        # while the header claims 20.00: four separate failures.
        insert_declaratie(conn, "wmo", "12345678", "D9", "f3", 2000, "D", 1, 1)
        insert_line(
            conn,
            "istandaarden_323_prestatie",
            "wmo",
            "12345678",
            "D9",
            "R9",
            clear_bsn,
            "99",
            "2024-03-15",
            "2024-04-14",
            1000,
            "D",
            "f3",
        )

    with pytest.raises(ValidationFailed) as raised:
        run_suite_or_raise(
            "raw_istandaarden",
            clean,
            "run-bad-raw",
            suite_options={"product_categories_csv": categories_csv},
        )
    summary = raised.value.summary
    text = str(raised.value)
    assert not summary.success
    assert summary.failed == 4
    assert "FAILED" in text.splitlines()[0]
    assert "raw_323_prestatie: expect_column_values_to_match_regex" in text
    assert "column=bsn_pseudoniem" in text
    assert "raw_323_prestatie_wmo_categories: expect_column_values_to_be_in_set" in text
    assert "column=productcategorie" in text and '"99"' in text
    assert "column_A=begin_month" in text and "2024-03" in text
    assert "raw_323_file_totals_mismatch" in text
    assert "file f3: lines sum to 1000 cent, header TotaalIngediendBedrag is 2000 cent" in text

    rows = audit_rows(clean, "run-bad-raw")
    failed_assets = {row[1] for row in rows if not row[2]}
    assert failed_assets == {
        "raw_323_prestatie",
        "raw_323_prestatie_wmo_categories",
        "raw_323_file_totals_mismatch",
    }
    assert clear_bsn not in text
    assert all(clear_bsn not in row[5] and clear_bsn not in row[6] for row in rows)


def test_bad_mart_rows_fail_and_overrides_pick_the_schema(clean: str) -> None:
    with psycopg.connect(clean, autocommit=True) as conn:
        load_good_raw(conn)
        load_good_marts(conn, "marts_other")
        # accepted 12.00 > declared 10.00, which also puts wmo 2024Q1 at 87.00 instead of 75.00;
        # a suppressed row that still shows 3 clients; an unsuppressed row showing 2 clients,
        # which also leaves the suppressed row alone in jeugdwet 2024-Q2.
        conn.execute(
            """INSERT INTO marts_other.care_usage_quarterly VALUES
            ('GM0363', 'wmo', '03', '2024-01-01', 10.00, 0.00, 12.00, 1, 1, '14', 12.00)"""
        )
        conn.execute(
            """INSERT INTO marts_other.care_usage_by_district_quarterly VALUES
            ('GM0363', 'jeugdwet', 'WK036301', '2024-04-01', NULL, NULL, NULL, 3, 1, '14',
             NULL, NULL, true),
            ('GM0363', 'jeugdwet', 'WK036302', '2024-04-01', 20.00, 0.00, 20.00, 2, 1, '14',
             10.00, 1.00, false)"""
        )

    # marts_candidate is empty, so the override is what makes the rows above visible.
    summary = run_suite(
        "care_marts", clean, "run-bad-marts", schema_overrides={"marts_candidate": "marts_other"}
    )
    text = summary.summary
    assert not summary.success
    assert "care_usage_quarterly: expect_column_pair_values_a_to_be_greater_than_b" in text
    assert "column_A=declared_amount_eur, column_B=accepted_amount_eur" in text
    assert "care_usage_by_district_quarterly_suppressed: expect_column_values_to_be_null" in text
    assert (
        "care_usage_by_district_quarterly_unsuppressed: expect_column_values_to_not_be_in_set"
        in text
    )
    assert "care_usage_by_district_quarterly_lone_suppressed_cell" in text
    assert "GM0363 wmo 2024-01-01: mart accepted EUR 87.00" in text
    assert "sum to EUR 75.00" in text
    assert summary.failed == 5


# Each district-level mart reduced to what the lone-suppressed-cell check reads: its additive
# group, district_code, its size column and suppressed; per suite: the table, the check's
# asset, the group's columns, the size column.
LONE_MARTS = {
    "care_marts": (
        "care_usage_by_district_quarterly",
        "care_usage_by_district_quarterly_lone_suppressed_cell",
        "municipality_code text, law text, quarter_start date",
        "clients",
    ),
    "procedure_marts": (
        "procedure_times_quarterly",
        "procedure_times_lone_suppressed_cell",
        "municipality_code text, law text, quarter_start date",
        "cases",
    ),
    "cbs_marts": (
        "benefit_recipients",
        "benefit_recipients_lone_suppressed_cell",
        "municipality_code text, source text, benefit_type text, period_type text,"
        " period_start date",
        "recipients",
    ),
}
GROUPS = {
    "care_marts": ("'GM0363', 'wmo', date '2024-01-01'", "'GM0363', 'wmo', date '2024-04-01'"),
    "procedure_marts": (
        "'GM0363', 'wmo', date '2024-01-01'",
        "'GM0363', 'jeugdwet', date '2024-01-01'",
    ),
    "cbs_marts": (
        "'GM0363', 'municipality', 'bbz', 'month', date '2025-01-01'",
        "'GM0363', 'cbs', 'ww', 'quarter', date '2025-01-01'",
    ),
}

# How each check names the first group in its discrepancy text.
LONE_LABELS = {
    "care_marts": "GM0363 wmo 2024-01-01",
    "procedure_marts": "GM0363 wmo 2024-01-01",
    "cbs_marts": "GM0363 municipality bbz month 2025-01-01",
}


def _lone_rows(first: str, second: str, lone: bool) -> str:
    """first: WK036301 suppressed beside WK036302 with 6 (lone) or suppressed too, and
    WK036303 with 7; second: one suppressed row beside a row of size 0 (nothing to hide)."""
    rows = [
        f"({first}, 'WK036301', NULL, true)",
        f"({first}, 'WK036302', 6, false)" if lone else f"({first}, 'WK036302', NULL, true)",
        f"({first}, 'WK036303', 7, false)",
        f"({second}, 'UNKNOWN', NULL, true)",
        f"({second}, 'WK036301', 0, false)",
    ]
    return ",\n".join(rows)


def test_a_lone_suppressed_cell_fails_in_every_district_mart(warehouse: str) -> None:
    """A group whose only suppressed row sits beside a shown row of size >= 1 fails; two
    suppressed rows pass, and so does a lone one beside only a 0 (no row could protect it)."""
    with psycopg.connect(warehouse, autocommit=True) as conn:
        for schema, lone in (("marts_lone", True), ("marts_protected", False)):
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
            for suite, (table, _asset, group, size) in LONE_MARTS.items():
                conn.execute(
                    f"CREATE TABLE {schema}.{table} ({group}, district_code text,"
                    f" {size} integer, suppressed boolean)"
                )
                conn.execute(
                    f"INSERT INTO {schema}.{table} VALUES {_lone_rows(*GROUPS[suite], lone)}"
                )
    for suite, (_table, asset, _group, size) in LONE_MARTS.items():
        for schema in ("marts_lone", "marts_protected"):
            # The suite's other assets read columns these tables lack and fail; only this
            # check is looked at.
            run_id = f"lone-{suite}-{schema}"
            summary = run_suite(
                suite, warehouse, run_id, schema_overrides={"marts_candidate": schema}
            )
            [passed] = [row[2] for row in audit_rows(warehouse, run_id) if row[1] == asset]
            assert passed == (schema == "marts_protected"), (suite, schema, summary.summary)
            if schema == "marts_lone":
                # The first group: WK036302 (6) and WK036303 (7) are shown beside it.
                assert (
                    f"{LONE_LABELS[suite]}: only WK036301 is suppressed while 2 row(s) with"
                    f" {size} >= 1" in summary.summary
                ), summary.summary


def test_schema_overrides_only_accept_plain_identifiers(warehouse: str) -> None:
    with pytest.raises(ValueError, match="plain lower-case identifier"):
        run_suite("care_marts", warehouse, "x", schema_overrides={"raw": "raw; DROP TABLE x"})
    with pytest.raises(ValueError, match="unknown schema"):
        run_suite("care_marts", warehouse, "x", schema_overrides={"staging": "s"})


def test_raw_suite_reads_the_product_category_seed() -> None:
    seed = REPO / "dbt_project" / "seeds" / "product_categories.csv"
    if not seed.is_file():
        pytest.skip(f"{seed} not written yet")
    from sdw.validation.runner import load_suite_module

    module = load_suite_module("raw_istandaarden")
    categories = module.load_product_categories()
    # iWmo WMO020 code 02 is Begeleiding; iJw JZ020 code 45 is Jeugdhulp ambulant.
    assert "02" in categories["wmo"]
    assert "45" in categories["jeugdwet"]
    assert "45" not in categories["wmo"]


def test_urls_use_psycopg3_and_the_package_imports_without_gx() -> None:
    from sdw.validation.runner import libpq_url, sqlalchemy_url

    assert sqlalchemy_url("postgresql://u@h:5/db") == "postgresql+psycopg://u@h:5/db"
    assert (
        sqlalchemy_url("postgres://u@h/db?sslmode=off") == "postgresql+psycopg://u@h/db?sslmode=off"
    )
    assert sqlalchemy_url("postgresql+psycopg2://u@h/db") == "postgresql+psycopg://u@h/db"
    assert libpq_url("postgresql+psycopg://u@h/db") == "postgresql://u@h/db"
    with pytest.raises(ValueError):
        sqlalchemy_url("mysql://u@h/db")
    # DAG files import the runner at parse time: it must not pull in GX (~11 s).
    probe = "import sys, sdw.validation; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
