"""Budget files through the real ingest machinery, the one reconcile (rows and euros) and the
raw suite on a fresh PostgreSQL. A hand-written file reproduces the council's quarterly table
(budget € 600.000, spent € 3.520, committed € 330.280 -> available € 266.200); the same rows as
xlsx load identically; a mutated file quarantines only its bad rows and its euros reconcile to
the cent; a later report version of the same year is kept beside the first. Every figure below
is worked out by hand from the file text."""

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

pytestmark = pytest.mark.integration
KEY = b"test-key-" + b"b" * 32
D = Decimal

HEADER = (
    "Gemeentecode;Begrotingsjaar;Peildatum;Rapportageversie;Begrotingspost;Omschrijving;"
    "Taakveld;Programma;Project;Kostenplaats;Primitieve begroting;Begrotingswijzigingen;"
    "Overheveling;Realisatie;Verplichtingen;Prognose"
)
ROWS = [
    # the council's table: budget 600.000, spent 3.520, committed 330.280
    "GM0363;2023;31-12-2023;2023-Q4;TRANSFORMATIEFONDS;Transformatiefonds;"
    "6.1 Samenkracht en burgerparticipatie;Sociaal domein;P-TF;KP-610;"
    "€ 600.000,00;-;-;€ 3.520,00;€ 330.280,00;€ 270.000,00",
    # current = 1.200.000 + 150.000 - 25.000 = 1.325.000; available = 2.549,25
    "0363;2023;2023-12-31;2023-Q4;JW-MET-VERBLIJF;Jeugdhulp met verblijf;"
    "6.72 Maatwerkdienstverlening 18-;Jeugd;;KP-672;"
    "€ 1.200.000;€ 150.000,00;(25.000,00);€ 1.310.450,75;€ 12.000;€ 1.330.000",
    # no version label: 2023-Q4 from the peildatum; current 770.000,50, available 69.900,40
    "363;2023;31-12-2023;;WMO-ONDERSTEUNING;Wmo ondersteuning;6.71;Zorg;;;"
    "€ 800.000;-€ 50.000;€ 20.000,50;€ 700.100,10;-;€ 760.000",
]
EXPECTED = [
    # line, gm, year, peildatum, version, line, name, taakveld, programma, project, kostenplaats,
    # primitive, amendments, carry-over, spent, committed, forecast
    (2, "GM0363", 2023, date(2023, 12, 31), "2023-Q4", "TRANSFORMATIEFONDS", "Transformatiefonds",
     "6.1", "Sociaal domein", "P-TF", "KP-610",
     D("600000.00"), None, None, D("3520.00"), D("330280.00"), D("270000.00")),
    (3, "GM0363", 2023, date(2023, 12, 31), "2023-Q4", "JW-MET-VERBLIJF",
     "Jeugdhulp met verblijf", "6.72", "Jeugd", None, "KP-672",
     D("1200000.00"), D("150000.00"), D("-25000.00"), D("1310450.75"), D("12000.00"),
     D("1330000.00")),
    (4, "GM0363", 2023, date(2023, 12, 31), "2023-Q4", "WMO-ONDERSTEUNING", "Wmo ondersteuning",
     "6.71", "Zorg", None, None,
     D("800000.00"), D("-50000.00"), D("20000.50"), D("700100.10"), None, D("760000.00")),
]  # fmt: skip
SELECT = """SELECT line_number, municipality_code, begrotingsjaar, peildatum, report_version,
                   budget_line, budget_line_name, taakveld, programma, project, kostenplaats,
                   primitieve_begroting, begrotingswijzigingen, overheveling, realisatie,
                   verplichtingen, prognose
            FROM raw.budget_line WHERE _source_file = %s ORDER BY line_number"""


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join([HEADER, *rows]).encode() + b"\r\n")
    return path


def write_xlsx(path: Path) -> Path:
    """The same three rows as a workbook: numbers as numbers, the peildatum a date cell."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(";"))
    ws.append(
        [
            363,
            2023,
            date(2023, 12, 31),
            "2023-Q4",
            "TRANSFORMATIEFONDS",
            "Transformatiefonds",
            "6.1 Samenkracht en burgerparticipatie",
            "Sociaal domein",
            "P-TF",
            "KP-610",
            600000,
            None,
            None,
            3520,
            330280,
            270000,
        ]
    )
    ws.append(
        [
            "GM0363",
            2023,
            date(2023, 12, 31),
            "2023-Q4",
            "JW-MET-VERBLIJF",
            "Jeugdhulp met verblijf",
            "6.72",
            "Jeugd",
            None,
            "KP-672",
            1200000,
            150000,
            -25000,
            1310450.75,
            12000,
            1330000,
        ]
    )
    ws.append(
        [
            "0363",
            "2023",
            "31-12-2023",
            None,
            "WMO-ONDERSTEUNING",
            "Wmo ondersteuning",
            "6.71",
            "Zorg",
            None,
            None,
            "€ 800.000",
            -50000,
            20000.5,
            700100.1,
            "-",
            760000,
        ]
    )
    wb.save(path)
    return path  # fmt: skip


def load(inbox: Path, url: str) -> tuple[str, dict]:
    batch = f"test-{uuid.uuid4().hex[:8]}"
    report = ingest_inbox(inbox, url, KEY, batch, dag_id=finance_tasks.DAG_ID, keep_files=True)
    result = finance_tasks.reconcile(batch, url)
    assert result["files_checked"] == len(report.files)
    return batch, {f.source_file: f for f in report.files}


@pytest.fixture(scope="module")
def loaded(
    make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str, dict]:
    from sdw.warehouse.bootstrap import ensure_schema

    url = make_database("sdw_test_budgets")
    ensure_schema(url)
    inbox = tmp_path_factory.mktemp("finance")
    write_csv(inbox / "begroting_2023_q4.csv", ROWS)
    write_xlsx(inbox / "begroting_2023_q4.xlsx")
    # Q2 of the same year: another report version, kept beside Q4
    write_csv(
        inbox / "begroting_2023_q2.csv",
        [
            "GM0363;2023;30-06-2023;;TRANSFORMATIEFONDS;Transformatiefonds;6.1;;;;"
            "€ 600.000,00;-;-;€ 1.000,00;€ 100.000,00;€ 250.000,00"
        ],
    )
    # mutated: line 3's Realisatie has a letter O; line 4 repeats line 2's budget line
    write_csv(
        inbox / "begroting_2024_q1.csv",
        [
            "GM0363;2024;31-03-2024;;WMO-VOORZIENINGEN;Voorzieningen;6.6;;;;"
            "€ 100.000;-;-;€ 10.000,00;€ 5.000;-",
            "GM0363;2024;31-03-2024;;WMO-BESCHERMD-WONEN;Beschermd wonen;6.81;;;;"
            "€ 200.000;€ 1.000;-;€ 2O.000;€ 7.000;-",
            "GM0363;2024;31-03-2024;;WMO-VOORZIENINGEN;dubbel;6.6;;;;€ 1,00;-;-;€ 2,00;-;-",
        ],
    )
    batch, files = load(inbox, url)
    return url, batch, files


def test_the_councils_table_loads_exactly(loaded: tuple[str, str, dict]) -> None:
    url, _batch, files = loaded
    report = files["begroting_2023_q4.csv"]
    assert (report.file_kind, report.lines_in, report.lines_loaded) == ("budget_csv", 3, 3)
    with psycopg.connect(url) as conn:
        assert conn.execute(SELECT, ("begroting_2023_q4.csv",)).fetchall() == EXPECTED
        (available,) = conn.execute(
            """SELECT primitieve_begroting + coalesce(begrotingswijzigingen, 0)
                      + coalesce(overheveling, 0) - realisatie - coalesce(verplichtingen, 0)
               FROM raw.budget_line
               WHERE _source_file = 'begroting_2023_q4.csv'
                 AND budget_line = 'TRANSFORMATIEFONDS'"""
        ).fetchone()
    # 600.000 - 3.520 - 330.280 = 266.200
    assert available == D("266200.00")


def test_xlsx_with_the_same_rows_loads_identically(loaded: tuple[str, str, dict]) -> None:
    url, _batch, files = loaded
    report = files["begroting_2023_q4.xlsx"]
    assert (report.file_kind, report.lines_in, report.lines_loaded) == ("budget_xlsx", 3, 3)
    with psycopg.connect(url) as conn:
        assert conn.execute(SELECT, ("begroting_2023_q4.xlsx",)).fetchall() == EXPECTED
        layouts = conn.execute(
            "SELECT DISTINCT _source_file, layout FROM raw.budget_line ORDER BY 1"
        ).fetchall()
    assert ("begroting_2023_q4.xlsx", "budget-xlsx") in layouts
    assert ("begroting_2023_q4.csv", "budget-csv") in layouts


def test_every_report_version_is_kept(loaded: tuple[str, str, dict]) -> None:
    url, _batch, _files = loaded
    with psycopg.connect(url) as conn:
        versions = conn.execute(
            """SELECT report_version, peildatum, realisatie FROM raw.budget_line
               WHERE budget_line = 'TRANSFORMATIEFONDS' AND _source_file LIKE '%.csv'
               ORDER BY peildatum"""
        ).fetchall()
    assert versions == [
        ("2023-Q2", date(2023, 6, 30), D("1000.00")),
        ("2023-Q4", date(2023, 12, 31), D("3520.00")),
    ]


def test_a_bad_cell_quarantines_only_its_row_and_euros_reconcile(
    loaded: tuple[str, str, dict],
) -> None:
    url, batch, files = loaded
    report = files["begroting_2024_q1.csv"]
    assert (report.lines_in, report.lines_loaded, report.lines_quarantined) == (3, 1, 2)
    with psycopg.connect(url) as conn:
        reasons = conn.execute(
            """SELECT line_number, reason_code, reason FROM quarantine.rejected_record
               WHERE _source_file = 'begroting_2024_q1.csv' ORDER BY line_number"""
        ).fetchall()
        euros = conn.execute(
            """SELECT amount_column, file_eur, loaded_eur, quarantined_eur, reconciled
               FROM audit.euro_reconciliation
               WHERE run_id = %s AND source_file = 'begroting_2024_q1.csv'
               ORDER BY amount_column""",
            (batch,),
        ).fetchall()
        checks = conn.execute(
            """SELECT check_name, checked, failed FROM audit.reconciliation
               WHERE run_id = %s ORDER BY check_name""",
            (batch,),
        ).fetchall()
    assert [(n, c) for n, c, _r in reasons] == [
        (3, "BUDGET_AMOUNT_INVALID"),
        (4, "BUDGET_DUPLICATE_LINE"),
    ]
    assert "Realisatie '€ 2O.000'" in reasons[0][2]
    # file: line 2 + line 3 + line 4 where readable; loaded: line 2; quarantined: lines 3, 4
    assert euros == [
        ("begrotingswijzigingen", D("1000.00"), D("0"), D("1000.00"), True),
        ("overheveling", D("0.00"), D("0"), D("0.00"), True),
        ("primitieve_begroting", D("300001.00"), D("100000.00"), D("200001.00"), True),
        ("prognose", D("0.00"), D("0"), D("0.00"), True),
        # line 3's 2O.000 is no amount: 10.000 + 2
        ("realisatie", D("10002.00"), D("10000.00"), D("2.00"), True),
        ("verplichtingen", D("12000.00"), D("5000.00"), D("7000.00"), True),
    ]
    # 4 files, 4 x 6 amount columns
    assert checks == [("finance_euros_vs_file", 24, 0), ("finance_ledger_vs_raw", 4, 0)]


def test_a_missing_required_column_refuses_the_file(warehouse_db: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "begroting.csv").write_text(
        HEADER.replace("Taakveld;", "") + "\nGM0363;2023;31-12-2023;;X;x;;;;€ 1;-;-;-;-;-\n",
        encoding="utf-8",
    )
    _batch, files = load(inbox, warehouse_db)
    report = files["begroting.csv"]
    assert (report.status, report.reason_code, report.lines_quarantined) == (
        "quarantined",
        "MISSING_COLUMN",
        1,
    )
    assert "Taakveld" in report.reason


def test_raw_suite_passes(loaded: tuple[str, str, dict]) -> None:
    from sdw.validation.runner import run_suite

    url, _batch, _files = loaded
    result = run_suite("raw_budgets", url, f"test-{uuid.uuid4().hex[:6]}")
    assert result.success, result.summary


def test_the_councils_table_from_a_hand_written_file_to_the_mart(
    make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The whole path a controller signs off on: the hand-written file above through the real
    ingest and dbt into marts_candidate.budget_realisation. Figures by hand from ROWS:
    - TRANSFORMATIEFONDS: 600.000 - 3.520 - 330.280 = 266.200; burn 3.520 / 600.000 = 0.59 %.
    - JW-MET-VERBLIJF: 1.200.000 + 150.000 - 25.000 = 1.325.000; 1.325.000 - 1.310.450,75 -
      12.000 = 2.549,25; burn 98.90 %. A care line (seed care_spend_budget_lines) without a
      single declaration: declaration spend 0.00, so 1.310.450,75 booked but never claimed.
    - WMO-ONDERSTEUNING: 800.000 - 50.000 + 20.000,50 = 770.000,50; committed '-' counts 0:
      available 69.900,40; burn 700.100,10 / 770.000,50 = 90.92 %.
    The peildatum 31-12-2023 ends the year: 100 % of it elapsed."""
    from sdw.warehouse.bootstrap import ensure_schema
    from tests.conftest import dbt_build

    url = make_database("sdw_test_budget_mart")
    ensure_schema(url)
    inbox = tmp_path_factory.mktemp("council")
    write_csv(inbox / "begroting_2023_q4.csv", ROWS)
    load(inbox, url)
    # the mart, everything upstream, and the seeds the upstream models' tests read
    dbt_build(
        url, tmp_path_factory.mktemp("dbt"), select="+budget_realisation product_categories units"
    )
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """SELECT budget_line, taakveld, current_budget_eur, spent_eur, committed_eur,
                      available_eur, burn_rate_pct, year_elapsed_pct, is_care_line,
                      declaration_spend_eur, difference_eur
               FROM marts_candidate.budget_realisation
               WHERE municipality_code = 'GM0363' AND begrotingsjaar = 2023
                 AND report_version = '2023-Q4'
               ORDER BY budget_line"""
        ).fetchall()
    assert rows == [
        ("JW-MET-VERBLIJF", "6.72", D("1325000.00"), D("1310450.75"), D("12000.00"),
         D("2549.25"), D("98.90"), D("100.00"), True, D("0.00"), D("-1310450.75")),
        ("TRANSFORMATIEFONDS", "6.1", D("600000.00"), D("3520.00"), D("330280.00"),
         D("266200.00"), D("0.59"), D("100.00"), False, None, None),
        ("WMO-ONDERSTEUNING", "6.71", D("770000.50"), D("700100.10"), None,
         D("69900.40"), D("90.92"), D("100.00"), True, D("0.00"), D("-700100.10")),
    ]  # fmt: skip

    # Published, the report draws the year's bars with the care lines' declarations beside
    # them (the report reads `marts`, which only a publication fills).
    from sdw.publish import publish
    from sdw.report import build_report

    publish(url, "test-council")
    report = build_report(url, tmp_path_factory.mktemp("report"), docs=False)
    html = report.report.read_text()
    assert 'id="begroting-GM0363-2023"' in html
    assert "Gedeclareerd (geaccepteerd)" in html
