"""Subsidy registers through the real ingest machinery, the one reconcile, dbt and the suites
on a fresh PostgreSQL. The real Amsterdam register must load with every row accounted for and
its granted total equal to the file's own sum (worked out here with json + Decimal, not by
the loader); a hand-written CSV register must give the marts worked out by hand below."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from sdw.ingest.inbox import ingest_inbox
from sdw.orchestration import finance_tasks
from tests.conftest import dbt_build

pytestmark = pytest.mark.integration
KEY = b"test-key-" + b"f" * 32
D = Decimal

HEADER = (
    "Subsidiejaar;Jaar van toekenning;Programma;Taakveld;Soort subsidie;Aanvrager/Ontvanger;"
    "Omschrijving;Regelmaat;Aangevraagd bedrag;Verleend bedrag;Vastgesteld bedrag"
)
REGISTER = "\r\n".join(
    [
        HEADER,
        # 2 Stichting A: asked 1.000, granted and settled 800,50
        "2024;2023;Welzijn;6.1 Samenkracht;Project;Stichting A;Buurtkamer;Eenmalig;"
        "€ 1.000;€ 800,50;€ 800,50",
        # 3 Stichting A: asked 2.000, rejected (0), nothing settled
        "2024;2023;Welzijn;6.1 Samenkracht;Project;Stichting A;Festival;Eenmalig;€ 2.000;0;-",
        # 4 a private person, granted 350 > requested 300 (a warning, not an error)
        "2024;2023;Welzijn;6.1 Samenkracht;Project;(Particulier);Buurtfeest;Eenmalig;€ 300;€ 350;",
        # 5 granted written with a letter O: quarantined, never 0
        "2024;2023;Sport;5.2 Sportaccommodaties;Exploitatie;Stichting B;Sporthal;Jaarlijks;"
        "€ 5.000,00;€ 4.5OO;",
        # 6 Stichting B: no request stated, granted 1.234,56
        "2024;2023;Sport;5.2 Sportaccommodaties;Exploitatie;Stichting B;Velden;Jaarlijks;"
        "-;€ 1.234,56;-",
    ]
)


def load(inbox: Path, url: str) -> dict:
    batch = f"test-{uuid.uuid4().hex[:8]}"
    report = ingest_inbox(inbox, url, KEY, batch, dag_id=finance_tasks.DAG_ID, keep_files=True)
    assert finance_tasks.reconcile(batch, url)["files_checked"] == len(report.files)
    return {f.source_file: f for f in report.files}


@pytest.fixture(scope="module")
def built(make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory) -> str:
    from sdw.warehouse.bootstrap import ensure_schema

    url = make_database("sdw_test_subsidies")
    ensure_schema(url)
    inbox = tmp_path_factory.mktemp("finance")
    (inbox / "subsidieregister_2024.csv").write_bytes(b"\xef\xbb\xbf" + REGISTER.encode())
    files = load(inbox, url)
    report = files["subsidieregister_2024.csv"]
    assert (report.lines_in, report.lines_loaded, report.lines_quarantined) == (5, 4, 1)
    dbt_build(
        url,
        tmp_path_factory.mktemp("dbt"),
        "+subsidies_by_recipient_year +subsidies_by_theme_year",
    )
    return url


def test_csv_register_euros_reconcile_to_the_cent(built: str) -> None:
    with psycopg.connect(built) as conn:
        loaded = conn.execute(
            "SELECT sum(aangevraagd_bedrag), sum(verleend_bedrag) FROM raw.subsidy_grant"
        ).fetchone()
        (code, fragment) = conn.execute(
            "SELECT reason_code, original_fragment FROM quarantine.rejected_record"
        ).fetchone()
    # requested in the file: 1.000 + 2.000 + 300 + 5.000,00 (line 5) = 8,300.00 (line 6: -)
    # loaded: 1,000 + 2,000 + 300 = 3,300.00; quarantined: line 5's 5,000.00 as written
    assert loaded == (D("3300.00"), D("2385.06"))  # granted 800.50 + 0 + 350 + 1,234.56
    assert code == "SUBSIDY_AMOUNT_INVALID"
    assert "aangevraagd_bedrag=€ 5.000,00" in fragment and "verleend_bedrag=€ 4.5OO" in fragment
    assert D("3300.00") + D("5000.00") == D("8300.00")


def test_csv_register_euro_reconciliation_in_audit(built: str) -> None:
    with psycopg.connect(built) as conn:
        rows = conn.execute(
            """SELECT amount_column, file_eur, loaded_eur, quarantined_eur, reconciled
               FROM audit.euro_reconciliation WHERE source_file = 'subsidieregister_2024.csv'
               ORDER BY amount_column"""
        ).fetchall()
    assert rows == [
        # 1.000 + 2.000 + 300 + 5.000,00 (line 5, quarantined); line 6 states none
        ("aangevraagd_bedrag", D("8300.00"), D("3300.00"), D("5000.00"), True),
        # line 5's 4.5OO is no amount: 800,50 + 0 + 350 + 1.234,56
        ("vastgesteld_bedrag", D("800.50"), D("800.50"), D("0.00"), True),
        ("verleend_bedrag", D("2385.06"), D("2385.06"), D("0.00"), True),
    ]


def test_marts_by_hand(built: str) -> None:
    with psycopg.connect(built) as conn:
        by_recipient = conn.execute(
            """SELECT recipient, requests, grants, requested_eur, granted_eur, settled_eur,
                      share_of_requests_granted, share_of_requested_eur_granted
               FROM marts_candidate.subsidies_by_recipient_year ORDER BY recipient"""
        ).fetchall()
        by_theme = conn.execute(
            """SELECT theme, requests, grants, requested_eur, granted_eur, settled_eur,
                      share_of_requests_granted, share_of_requested_eur_granted
               FROM marts_candidate.subsidies_by_theme_year ORDER BY theme"""
        ).fetchall()
    assert by_recipient == [
        # 1 of 1 granted; 350 / 300 = 1.16667 -> 1.1667
        ("(Particulier)", 1, 1, D("300.00"), D("350.00"), None, D("1.0000"), D("1.1667")),
        # lines 2 and 3: 1 of 2 granted; 800.50 / (1,000 + 2,000) = 0.26683 -> 0.2668
        ("Stichting A", 2, 1, D("3000.00"), D("800.50"), D("800.50"), D("0.5000"), D("0.2668")),
        # line 6 only (line 5 quarantined); no request stated, so no euro share
        ("Stichting B", 1, 1, None, D("1234.56"), None, D("1.0000"), None),
    ]
    assert by_theme == [
        ("Sport", 1, 1, None, D("1234.56"), None, D("1.0000"), None),
        # lines 2-4: 2 of 3 granted = 0.6667; (800.50 + 0 + 350) / 3,300 = 0.34864 -> 0.3486
        ("Welzijn", 3, 2, D("3300.00"), D("1150.50"), D("800.50"), D("0.6667"), D("0.3486")),
    ]


def test_suites_pass_and_granted_above_requested_only_warns(built: str) -> None:
    from sdw.validation.runner import run_suite

    raw = run_suite("raw_subsidies", built, f"test-{uuid.uuid4().hex[:6]}")
    assert raw.success, raw.summary
    assert "WARNING raw_subsidies_granted_above_requested" in raw.summary
    marts = run_suite("finance_marts", built, f"test-{uuid.uuid4().hex[:6]}")
    assert marts.success, marts.summary


def test_amsterdam_register_every_row_and_euro_accounted_for(
    reference_dir: Path, warehouse_db: str, tmp_path: Path
) -> None:
    source = reference_dir / "subsidies" / "amsterdam-subsidies-2016.json"
    if not source.is_file():
        pytest.skip(f"{source} is absent")
    records = json.loads(source.read_text(encoding="utf-8"), parse_float=Decimal)
    file_granted = sum((Decimal(r["Verleend"]) for r in records), Decimal(0))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(source, inbox / source.name)
    report = load(inbox, warehouse_db)[source.name]
    assert report.file_kind == "subsidy_register_json"
    assert report.lines_in == len(records)
    assert report.lines_in == report.lines_loaded + report.lines_quarantined
    with psycopg.connect(warehouse_db) as conn:
        (rows, granted) = conn.execute(
            "SELECT count(*), sum(verleend_bedrag) FROM raw.subsidy_grant"
        ).fetchone()
        (quarantined,) = conn.execute("SELECT count(*) FROM quarantine.rejected_record").fetchone()
    assert (rows, quarantined) == (report.lines_loaded, report.lines_quarantined)
    # Every row of the 2016 register is readable: nothing quarantined, so the file's own sum
    # of Verleend is the loaded sum, to the cent.
    assert quarantined == 0
    assert granted == file_granted
