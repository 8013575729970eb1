"""End to end: the real CLI runs the real Airflow DAGs (ingest_istandaarden, build_marts) on the
hand-written scenario in ``scenario.py``; the published marts must hold the values worked out by
hand below, and a second run on the same inbox must change nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from tests.e2e import scenario

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def sdw_run(
    inbox: Path, url: str, state: Path, *, docs: bool = False, expect: tuple[int, ...] = (0,)
) -> subprocess.CompletedProcess[str]:
    """One `sdw run` as a user starts it. dbt docs and GX Data Docs only where a test opens
    them (docs=True): they add about 50 s to a run and prove nothing about the marts.
    ``expect``: the exit codes the test allows (3: published, with files refused whole)."""
    env = {
        **os.environ,
        "WAREHOUSE_URL": url,
        "SDW_STATE_DIR": str(state),
        "SDW_PSEUDONYM_KEY": "e2e-test-key-" + "0" * 32,
        "NO_COLOR": "1",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "sdw.cli", "run", "--inbox", str(inbox)]
        + ([] if docs else ["--no-docs"]),
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode in expect, (
        f"sdw run exited {proc.returncode}:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
    )
    return proc


def rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture(scope="module")
def first_run(make_database, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    url = make_database("sdw_e2e")
    inbox = tmp_path_factory.mktemp("inbox")
    state = tmp_path_factory.mktemp("state")
    scenario.write(inbox)
    proc = sdw_run(inbox, url, state)
    return {"url": url, "inbox": inbox, "state": state, "stdout": proc.stdout}


D = Decimal


def test_care_usage_quarterly(first_run: dict) -> None:
    got = rows(
        first_run["url"],
        """
        SELECT municipality_code, law, product_category, quarter_start::text,
               declared_amount_eur, rejected_amount_eur, accepted_amount_eur, clients,
               delivered_volume, unit, amount_per_client_eur
        FROM marts.care_usage_quarterly ORDER BY law, quarter_start""",
    )
    assert got == [
        # Q1: declared 100 (RN1) + 50 (RN5 at A) + 100 (RN2) - 100 (RN3 credits RN2, lands in
        # February's quarter) + 120 (RN4 re-declares February) + 80 (RN5 at B) + 60 (RN7 at B)
        # = 410; rejected: A's DN1/RN5 = 50 (B's DN1/RN5 is another provider's line) -> 360;
        # clients with net accepted > 0: C1 (220), C3 (80), C5 (60); C2's only line was
        # rejected; C4's line failed the elfproef and never loaded. Volume of accepted lines
        # 10 + 10 - 10 + 12 + 8 + 6 = 36. 360 / 3 = 120.00.
        (
            "GM0999",
            "jeugdwet",
            "45",
            "2025-01-01",
            D("1000.00"),
            D("0.00"),
            D("1000.00"),
            5,
            10,
            "04",
            D("200.00"),
        ),
        (
            "GM0999",
            "wmo",
            "02",
            "2025-01-01",
            D("410.00"),
            D("50.00"),
            D("360.00"),
            3,
            36,
            "04",
            D("120.00"),
        ),
        # Q2: April line RN7 at A, 40.00, 4 units, one client.
        (
            "GM0999",
            "wmo",
            "02",
            "2025-04-01",
            D("40.00"),
            D("0.00"),
            D("40.00"),
            1,
            4,
            "04",
            D("40.00"),
        ),
    ]


def test_care_usage_by_district(first_run: dict) -> None:
    got = rows(
        first_run["url"],
        """
        SELECT law, district_code, quarter_start::text, declared_amount_eur,
               rejected_amount_eur, accepted_amount_eur, clients, amount_per_client_eur,
               suppressed
        FROM marts.care_usage_by_district_quarterly ORDER BY law, quarter_start, district_code""",
    )
    # Complementary suppression adds nothing: wmo Q1 has two small cells (UNKNOWN, WK099901)
    # beside a 0-client row, wmo Q2 a small cell alone, jeugdwet Q1 no small cell.
    assert got == [
        # five Jeugdwet clients at 1234AB 12 -> WK099902: shown
        (
            "jeugdwet",
            "WK099902",
            "2025-01-01",
            D("1000.00"),
            D("0.00"),
            D("1000.00"),
            5,
            D("200.00"),
            False,
        ),
        # C1's latest 301 (2025-01-15) puts toewijzing 1001 at 1234AB 10 -> WK099901; one
        # client -> suppressed (its correspondence address and relative's address are ignored)
        ("wmo", "UNKNOWN", "2025-01-01", None, None, None, None, None, True),
        ("wmo", "WK099901", "2025-01-01", None, None, None, None, None, True),
        # C2 at 5678CD 1 A (huisletter ignored) -> WK099902: all rejected, 0 clients, shown
        ("wmo", "WK099902", "2025-01-01", D("50.00"), D("50.00"), D("0.00"), 0, None, False),
        ("wmo", "WK099901", "2025-04-01", None, None, None, None, None, True),
    ]


def test_waiting_times(first_run: dict) -> None:
    """scenario.waiting_files, by hand (2025, Wmo, provider A; working days Mon-Fri).

    Q1 requests: VA1 (3 Jan -> 301 10 Jan: 7 days, due Fri 10 Jan: in time), VA2 (6 Jan, same
    day: 0, in time), VA3 (5 Feb, in onderzoek 7 Feb, 301 20 Mar: 43, due 12 Feb: late), VA4
    (5 Feb -> 319 afgewezen 12 Feb: 7, due 12 Feb: in time), VA5 (24 Mar, never decided), VA6
    (27 Mar -> 319 afgewezen, woonplaatsbeginsel, 3 Apr: 7, due Thu 3 Apr: in time).
    6 requests, 5 decided; days 0, 7, 7, 7, 43 -> median 7, p90 at 0.9 x 4 = 3.6: 7 + 0.6 x 36
    = 28.6; 4 of 5 in time = 80.00 %. Open at 31 Mar: VA5, VA6 -> 2.
    Assignment -> start, by Toewijzingsdatum quarter: 5001 10 Jan -> 20 Jan (10), 5002 6 Jan ->
    13 Jan (7), 5003 20 Mar -> 7 Apr (18): Q1 median 10. The 301s without a 315 (tnr 1001,
    1002, 1005, 2001-2005) are no requests and have no 305.
    Q2: VA7 14 Apr -> 22 Apr: 8 days, due Mon 21 Apr: late -> 0.00 %; open at 30 Jun: VA5.
    """
    assert rows(
        first_run["url"],
        "SELECT law, quarter_start::text, requests, decided, median_days_to_decision, "
        "p90_days_to_decision, pct_decided_within_5_workdays, open_at_quarter_end, "
        "median_days_assignment_to_start FROM marts.waiting_times_quarterly ORDER BY 1, 2",
    ) == [
        ("wmo", "2025-01-01", 6, 5, D("7"), D("28.6"), D("80.00"), 2, D("10")),
        ("wmo", "2025-04-01", 1, 1, D("8"), D("8"), D("0.00"), 1, None),
    ]
    # by Verwijzer (all huisarts) and category: VA4 is category 01, the rest 02
    assert rows(
        first_run["url"],
        "SELECT breakdown, breakdown_code, breakdown_name, requests, decided, "
        "open_at_quarter_end FROM marts.waiting_times_by_breakdown_quarterly "
        "WHERE quarter_start = '2025-01-01' ORDER BY 1, 2",
    ) == [
        ("product_category", "01", "Hulp bij het huishouden", 1, 1, 0),
        ("product_category", "02", "Begeleiding", 5, 4, 2),
        ("provider", scenario.A, None, 6, 5, 2),
        ("referrer_type", "02", "Huisarts", 6, 5, 2),
    ]


def test_message_norms(first_run: dict) -> None:
    """By hand; "today" is the newest message, 5 May (wmo323_A_apr).
    OP274_ANTWOORD Q1: first answers VA1 10 Jan, VA2 6 Jan, VA3 7 Feb (the 319 "in onderzoek",
    due 12 Feb), VA4 12 Feb, VA6 3 Apr: on time; VA5 due 31 Mar, nothing by 5 May: late,
    missing -> 5 of 6 = 83.33 %. Q2: VA7's 301 on 22 Apr, due 21 Apr: late.
    OP274_ONDERZOEK: VA3 7 Feb + 56 days = 4 Apr, decided 20 Mar: on time.
    OP271_START: 5001 starts Mon 20 Jan, 305 on 24 Jan (due 27 Jan): on time; 5002 starts Mon
    13 Jan, 305 Tue 21 Jan (due 20 Jan): late; 5003 (Q2) starts 7 Apr, 305 8 Apr: on time.
    OP272_STOP: 5001 ends Mon 31 Mar, 307 Wed 9 Apr (due Mon 7 Apr): late.
    """
    assert rows(
        first_run["url"],
        "SELECT norm_code, quarter_start::text, events, on_time, late, missing_past_norm, "
        "not_yet_due, pct_on_time FROM marts.message_norm_compliance_quarterly "
        "ORDER BY 1, 2",
    ) == [
        ("OP271_START", "2025-01-01", 2, 1, 1, 0, 0, D("50.00")),
        ("OP271_START", "2025-04-01", 1, 1, 0, 0, 0, D("100.00")),
        ("OP272_STOP", "2025-01-01", 1, 0, 1, 0, 0, D("0.00")),
        ("OP274_ANTWOORD", "2025-01-01", 6, 5, 1, 1, 0, D("83.33")),
        ("OP274_ANTWOORD", "2025-04-01", 1, 0, 1, 0, 0, D("0.00")),
        ("OP274_ONDERZOEK", "2025-01-01", 1, 1, 0, 0, 0, D("100.00")),
    ]


def test_ledger_quarantine_and_summary(first_run: dict) -> None:
    url = first_run["url"]
    # 17 + 17 waiting-time files: 33 distinct contents loaded (one with a quarantined line),
    # 1 duplicate
    assert rows(url, "SELECT outcome, count(*) FROM audit.file_delivery GROUP BY 1 ORDER BY 1") == [
        ("duplicate", 1),
        ("loaded", 33),
    ]
    assert rows(url, "SELECT reason_code, count(*) FROM quarantine.rejected_record GROUP BY 1") == [
        ("BSN_ELFPROEF", 1)
    ]
    assert rows(
        url,
        "SELECT lines_in, lines_loaded, lines_quarantined FROM audit.file_ledger "
        "WHERE source_file = 'wmo323_A_jan.xml'",
    ) == [(3, 2, 1)]
    assert rows(url, "SELECT bool_and(success), count(*) > 0 FROM audit.validation_result") == [
        (True, True)
    ]
    assert rows(url, "SELECT count(*) FROM audit.publication") == [(1,)]
    out = first_run["stdout"]
    assert "Lines:" in out and "quarantined" in out and "Connect a BI tool" in out
    assert "Wachttijden 2025-Q2" in out  # the latest quarter of waiting_times_quarterly
    assert "✓ ingest_istandaarden.ingest" in out and "✓ build_marts.publish" in out
    # neither the terminal nor the full run log (Airflow, dbt, GX output) shows a clear BSN
    logs = "".join(p.read_text() for p in (first_run["state"] / "logs").glob("*.log"))
    assert "build_marts" in logs
    for bsn in (scenario.C1, scenario.C2, scenario.C3, scenario.C4_BAD, *scenario.J):
        assert bsn not in out and bsn not in logs


def test_second_run_changes_nothing(first_run: dict) -> None:
    url = first_run["url"]
    marts = """SELECT * FROM marts.care_usage_quarterly ORDER BY 1, 2, 3, 4"""
    district = "SELECT * FROM marts.care_usage_by_district_quarterly ORDER BY 1, 2, 3, 4"
    raw = "SELECT count(*) FROM raw.istandaarden_323_prestatie"
    before = (rows(url, marts), rows(url, district), rows(url, raw))
    sdw_run(first_run["inbox"], url, first_run["state"])
    assert (rows(url, marts), rows(url, district), rows(url, raw)) == before
    assert rows(url, "SELECT count(*) FROM audit.publication") == [(2,)]


def test_failing_validation_publishes_nothing(first_run: dict, tmp_path: Path) -> None:
    """Runs last: it damages raw. A raw row that breaks an expectation stops build_marts at
    validate_raw; the marts BI reads stay as they were and the failure is in audit."""
    url = first_run["url"]
    marts = "SELECT * FROM marts.care_usage_quarterly ORDER BY 1, 2, 3, 4"
    before = rows(url, marts)
    with psycopg.connect(url) as conn:
        conn.execute(
            """INSERT INTO raw.istandaarden_323_prestatie
               SELECT wet, gemeentecode, aanbieder_agb, bericht_identificatie,
                      bericht_dagtekening, declaratienummer, 'not-a-pseudonym', 'RN99',
                      vorig_referentienummer, toewijzingnummer, productcategorie, productcode,
                      productperiode_begindatum, productperiode_einddatum, geleverd_volume,
                      eenheid, producttarief, ingediend_bedrag, debet_credit, _batch_id,
                      _source_file, _file_hash, _loaded_at
               FROM raw.istandaarden_323_prestatie LIMIT 1"""
        )
    inbox = tmp_path / "may"
    inbox.mkdir()
    (inbox / "wmo323_B_may.xml").write_text(
        scenario.msg_323(
            "wmo",
            scenario.B,
            "3230099",
            "2025-06-05",
            "DN9",
            ("2025-05-01", "2025-05-31"),
            [
                scenario.Line(
                    scenario.C3, "RN9", "1003", "02", "02A01", "2025-05-01", "2025-05-31", 1, 1000
                )
            ],
        ),
        encoding="utf-8",
    )
    env_url, state = url, first_run["state"]
    proc = subprocess.run(
        [sys.executable, "-m", "sdw.cli", "run", "--inbox", str(inbox)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        env={
            **os.environ,
            "WAREHOUSE_URL": env_url,
            "SDW_STATE_DIR": str(state),
            "SDW_PSEUDONYM_KEY": "e2e-test-key-" + "0" * 32,
            "NO_COLOR": "1",
        },
    )
    assert proc.returncode == 1
    assert "✗ build_marts.validate_raw" in proc.stdout
    assert "bsn_pseudoniem" in proc.stdout  # the summary names the failing column
    assert rows(url, marts) == before  # nothing published
    assert rows(url, "SELECT count(*) FROM audit.publication") == [(2,)]
    # the pseudonym format fails, and the extra line no longer matches its file's ledger count
    failed = "SELECT data_asset FROM audit.validation_result WHERE NOT success ORDER BY 1"
    assert rows(url, failed) == [("raw_323_file_totals_mismatch",), ("raw_323_prestatie",)]
