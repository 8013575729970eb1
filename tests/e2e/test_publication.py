"""Write-audit-publish, proven end to end: a BI analyst queries the marts as ``sdw_bi_reader``
in a loop while the real ``sdw run`` (Airflow DAGs, dbt, GX, publish) first builds new marts
that fail validation and then builds and publishes them.

Two versions of the marts, told apart by what they hold: A is the hand-written scenario
(tests/e2e/scenario.py); B adds one Jeugdwet 323 of provider B for April 2025 (two lines,
150.00 + 50.00), which adds a jeugdwet 45 Q2 2025 row to care_usage_quarterly and a (suppressed)
one to care_usage_by_district_quarterly. Each loop iteration reads both marts and an
analyst's view on them in one transaction (with think time between the statements), then one
statement on its own. Every iteration must see A or B whole, never an error, never a mix; the
failed build must leave A in place; the view must survive and show B; the lineage must name the
two lines behind the new row.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from sdw.summary import bi_url
from tests.e2e import scenario

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
D = Decimal
PROVIDER_B = "22222222"

# A marts suite that finds a discrepancy: the candidate holds a jeugdwet row for Q2 2025.
FAILING_SUITE = """
from sdw.validation.spec import SuiteBuilder, resolve_schemas, table_query


def build_suite(overrides=None, **options):
    s = resolve_schemas(overrides)["marts_candidate"]
    builder = SuiteBuilder("e2e_failing_marts")
    builder.no_rows(
        "no_jeugdwet_q2_2025",
        table_query(s, "care_usage_quarterly", "law AS discrepancy",
                    "law = 'jeugdwet' AND quarter_start = DATE '2025-04-01'"),
    )
    return builder.definition()
"""


def extra_declaration(inbox: Path) -> None:
    """Version B's one extra file: provider B declares two Jeugdwet lines for April 2025."""
    lines = [
        scenario.Line(scenario.J[0], "JB1", "2901", "45", "45A01", *scenario.APR, 3, 15000),
        scenario.Line(scenario.J[1], "JB2", "2902", "45", "45A01", *scenario.APR, 1, 5000),
    ]
    text = scenario.msg_323(
        "jeugdwet", PROVIDER_B, "3232001", "2025-05-06", "JDB1", scenario.APR, lines
    )
    (inbox / "jw323_B_apr.xml").write_text(text, encoding="utf-8")


def sdw_run(inbox: Path, url: str, state: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sdw.cli", "run", "--inbox", str(inbox)],
        cwd=REPO,
        env={
            **os.environ,
            "WAREHOUSE_URL": url,
            "SDW_STATE_DIR": str(state),
            "SDW_PSEUDONYM_KEY": "e2e-test-key-" + "0" * 32,
            "NO_COLOR": "1",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=900,
    )


def fetch(url: str, query: str, params: tuple | None = None) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


TRANSACTION = (
    "SELECT count(*), sum(declared_amount_eur) FROM marts.care_usage_quarterly",
    "SELECT count(*), sum(declared_amount_eur) FROM marts.care_usage_by_district_quarterly",
    "SELECT count(*), sum(declared_amount_eur) FROM bi_sandbox.jeugdwet_45",
)
SINGLE = "SELECT count(*), sum(declared_amount_eur) FROM marts.care_usage_quarterly"


class QueryLoop(threading.Thread):
    """The analyst: one BI connection, transactions of three statements, then one alone."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.transactions: list[tuple[float, tuple]] = []
        self.singles: list[tuple[float, tuple]] = []
        self.errors: list[str] = []

    def run(self) -> None:
        with psycopg.connect(self.url, application_name="e2e-bi-loop") as conn:
            while not self.stop.is_set():
                try:
                    with conn.transaction():
                        seen = []
                        for statement in TRANSACTION:
                            seen.append(conn.execute(statement).fetchone())
                            time.sleep(0.05)  # think time: the swap may come in between
                    self.transactions.append((time.monotonic(), tuple(seen)))
                    with conn.transaction():
                        self.singles.append((time.monotonic(), conn.execute(SINGLE).fetchone()))
                except psycopg.Error as exc:  # recorded, and the test fails on it
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                    time.sleep(0.1)


@pytest.fixture(scope="module")
def warehouse(make_database, tmp_path_factory: pytest.TempPathFactory) -> dict:
    url = make_database("sdw_e2e_wap")
    inbox = tmp_path_factory.mktemp("inbox")
    state = tmp_path_factory.mktemp("state")
    scenario.write(inbox)
    first = sdw_run(inbox, url, state)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    return {"url": url, "inbox": inbox, "state": state}


def version(url: str) -> tuple:
    with psycopg.connect(url) as conn:
        return tuple(conn.execute(s).fetchone() for s in TRANSACTION)


def test_bi_sees_one_whole_version_across_a_failed_and_a_good_build(
    warehouse: dict, tmp_path: Path
) -> None:
    url, inbox, state = warehouse["url"], warehouse["inbox"], warehouse["state"]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA bi_sandbox AUTHORIZATION sdw_bi_reader")
    with psycopg.connect(bi_url(url), autocommit=True) as bi:
        bi.execute(
            """CREATE VIEW bi_sandbox.jeugdwet_45 AS
               SELECT quarter_start, declared_amount_eur FROM marts.care_usage_quarterly
               WHERE law = 'jeugdwet' AND product_category = '45'"""
        )
    version_a = version(url)
    # A: jeugdwet 45 holds only March 2025, five clients at 200.00 each.
    assert version_a[2] == (1, D("1000.00"))

    expectations = tmp_path / "expectations"
    shutil.copytree(REPO / "expectations", expectations)
    (expectations / "e2e_failing_marts.py").write_text(FAILING_SUITE)
    extra_declaration(inbox)

    loop = QueryLoop(bi_url(url))
    loop.start()
    time.sleep(1)
    failed_started = time.monotonic()
    failed = sdw_run(inbox, url, state, SDW_EXPECTATIONS_DIR=str(expectations))
    failed_ended = time.monotonic()
    assert failed.returncode == 1, failed.stdout[-4000:]
    assert "sdw: build_marts.validate_marts failed:" in failed.stdout
    # The failed build made version B in marts_candidate; BI still has A.
    assert fetch(url, "SELECT count(*) FROM audit.publication") == [(1,)]
    candidate = fetch(
        url,
        "SELECT count(*), sum(declared_amount_eur) FROM marts_candidate.care_usage_quarterly",
    )
    assert candidate != [version_a[0]]

    good_started = time.monotonic()
    good = sdw_run(inbox, url, state)
    good_ended = time.monotonic()
    assert good.returncode == 0, good.stdout[-4000:] + good.stderr[-4000:]
    time.sleep(1)
    loop.stop.set()
    loop.join(timeout=30)

    version_b = version(url)
    assert version_b[0] == candidate[0]
    # B adds the jeugdwet 45 row of Q2 2025: 150.00 + 50.00 = 200.00; the view shows it.
    assert version_b[2] == (2, D("1200.00"))
    # By district one new row, jeugdwet UNKNOWN Q2 (no 301 for 2901/2902): 2 clients, so
    # suppressed; its euros are hidden and the shown total stays the same.
    assert version_b[1] == (version_a[1][0] + 1, version_a[1][1])
    assert fetch(
        url,
        "SELECT quarter_start::text, declared_amount_eur FROM bi_sandbox.jeugdwet_45 ORDER BY 1",
    ) == [("2025-01-01", D("1000.00")), ("2025-04-01", D("200.00"))]

    assert loop.errors == []
    mixed = [seen for _, seen in loop.transactions if seen not in (version_a, version_b)]
    assert mixed == []
    assert {seen for _, seen in loop.singles} <= {version_a[0], version_b[0]}
    during_failed = [seen for t, seen in loop.transactions if failed_started <= t <= failed_ended]
    during_good = [seen for t, seen in loop.transactions if good_started <= t <= good_ended]
    # The loop ran through both builds, and saw the swap happen during the good one.
    assert len(during_failed) > 20 and set(during_failed) == {version_a}
    assert during_good.count(version_a) > 0 and during_good.count(version_b) > 0
    first_b = next(i for i, seen in enumerate(during_good) if seen == version_b)
    assert set(during_good[first_b:]) == {version_b}  # once B, never A again
    print(
        f"\nBI loop: {len(loop.transactions)} transactions, {len(loop.singles)} single "
        f"statements; during the failed build {len(during_failed)} (all A); during the good "
        f"build {during_good.count(version_a)} A then {during_good.count(version_b)} B"
    )

    # The publication says what it holds: one more file than the first, the new 323.
    pubs = fetch(
        url,
        """SELECT p.files, bool_or(f.source_file = 'jw323_B_apr.xml')
           FROM audit.publication p JOIN audit.publication_file f USING (publication_id)
           GROUP BY p.publication_id, p.files ORDER BY p.publication_id""",
    )
    assert len(pubs) == 2 and pubs[1][0] == pubs[0][0] + 1
    assert [p[1] for p in pubs] == [False, True]


def test_lineage_names_the_lines_behind_a_mart_row(warehouse: dict) -> None:
    """Which declarations make up Jeugdwet category 45, Q2 2025? (after the test above)"""
    url = warehouse["url"]
    lines = fetch(
        url,
        """SELECT provider_agb, declaration_number, reference_number, source_file,
                  declared_amount_eur, accepted_amount_eur, verdict, length(client_pseudonym)
           FROM lineage.care_declaration_lines
           WHERE municipality_code = 'GM0999' AND law = 'jeugdwet' AND product_category = '45'
             AND quarter_start = '2025-04-01'
           ORDER BY reference_number""",
    )
    assert lines == [
        (PROVIDER_B, "JDB1", "JB1", "jw323_B_apr.xml", D("150.00"), D("150.00"), "accepted", 64),
        (PROVIDER_B, "JDB1", "JB2", "jw323_B_apr.xml", D("50.00"), D("50.00"), "accepted", 64),
    ]
    assert fetch(
        url,
        """SELECT declared_amount_eur FROM marts.care_usage_quarterly
           WHERE law = 'jeugdwet' AND product_category = '45' AND quarter_start = '2025-04-01'""",
    ) == [(D("200.00"),)]
    # No clear BSN of the scenario anywhere in the lineage.
    bsns = [scenario.C1, scenario.C2, scenario.C3, scenario.C5, scenario.C4_BAD, *scenario.J]
    assert fetch(
        url,
        "SELECT count(*) FROM lineage.care_declaration_lines t WHERE t::text LIKE ANY(%s)",
        ([f"%{b}%" for b in bsns],),
    ) == [(0,)]
    # BI reads the marts, not the lineage.
    with psycopg.connect(bi_url(url)) as bi, pytest.raises(psycopg.errors.InsufficientPrivilege):
        bi.execute("SELECT 1 FROM lineage.care_declaration_lines")
