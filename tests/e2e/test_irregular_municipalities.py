"""End to end on irregular inboxes (``sdw generate --shape irregular``): providers with one or
two clients that start or stop halfway, a category used in one quarter, a Jeugdwet quarter
with backlog and no requests, 317s, 319 reasons 5 and 8, corrected and withdrawn 305s, 325s
months late, December credits in January and two municipalities in one inbox. Each seed goes
through one normal ``sdw run`` (every DAG); it must publish, and the care and waiting-time
marts must equal the generator's own model (``.expected.json``) row for row."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import psycopg
import pytest

from sdw.generate import EXPECTED_FILE, generate
from tests.e2e.test_generated_municipality import _expected, _mart, _norm
from tests.e2e.test_scenario import rows, sdw_run

pytestmark = pytest.mark.e2e

# (seed, clients, months, start): one window across a year boundary, one of six months, one
# of a year starting in July (quiet quarter in the middle, December in the window).
SEEDS = (
    (101, 60, 9, date(2024, 10, 1)),
    (202, 40, 6, date(2025, 1, 1)),
    (303, 70, 12, date(2024, 7, 1)),
)


@pytest.fixture(scope="module", params=SEEDS, ids=lambda p: f"seed{p[0]}")
def irregular_run(request, make_database, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One generated irregular inbox through one `sdw run`, shared by the tests below."""
    seed, clients, months, start = request.param
    inbox = tmp_path_factory.mktemp(f"irregular{seed}")
    generate(inbox, clients=clients, months=months, seed=seed, start=start, shape="irregular")
    expected = json.loads((inbox / EXPECTED_FILE).read_text())
    url = make_database(f"sdw_e2e_irregular_{seed}")
    proc = sdw_run(inbox, url, tmp_path_factory.mktemp("state"))  # asserts exit code 0
    return {"expected": expected, "url": url, "stdout": proc.stdout}


def test_publishes_and_quarantines_only_the_deliberate_errors(irregular_run: dict) -> None:
    url, expected = irregular_run["url"], irregular_run["expected"]
    assert rows(url, "SELECT count(*) FROM audit.publication") == [(1,)]
    codes = expected["municipality_codes"]
    for table in ("care_usage_quarterly", "waiting_times_quarterly"):
        published = rows(url, f"SELECT DISTINCT municipality_code FROM marts.{table} ORDER BY 1")
        assert [c for (c,) in published] == codes, table
    quarantined = dict(
        rows(url, "SELECT reason_code, count(*) FROM quarantine.rejected_record GROUP BY 1")
    )
    # one deliberately bad row per case export; the mistyped BSNs of the declarations
    assert quarantined.pop("CASE_DATES_OUT_OF_ORDER") == len(codes)
    assert quarantined.pop("BSN_ELFPROEF") == expected["totals"]["declaration_lines_failing_bsn"]
    assert quarantined == {}


def test_care_marts_equal_the_generators_model(irregular_run: dict) -> None:
    url, expected = irregular_run["url"], irregular_run["expected"]
    key = ("municipality_code", "law", "product_category", "quarter_start")
    assert _mart(url, "care_usage_quarterly", key) == _expected(
        expected["care_usage_quarterly"], key
    )
    dkey = ("municipality_code", "district_code", "law", "quarter_start")
    assert _mart(url, "care_usage_by_district_quarterly", dkey, ("suppressed",)) == _expected(
        expected["care_usage_by_district_quarterly"], dkey, ("suppressed",)
    )
    (accepted,) = rows(url, "SELECT sum(accepted_amount_eur) FROM marts.care_usage_quarterly")[0]
    assert f"{accepted:.2f}" == expected["totals"]["accepted_amount_eur"]


def test_waiting_times_equal_the_generators_model(irregular_run: dict) -> None:
    url, expected = irregular_run["url"], irregular_run["expected"]
    with psycopg.connect(url) as conn:
        cur = conn.execute("SELECT * FROM marts.waiting_times_quarterly")
        cols = [c.name for c in cur.description]
        got = {
            tuple(_norm(v) for v in r[:3]): dict(zip(cols, r, strict=True)) for r in cur.fetchall()
        }
    wkey = ("municipality_code", "law", "quarter_start")
    want = {tuple(r[k] for k in wkey): r for r in expected["waiting_times_quarterly"]}
    assert set(got) == set(want)
    # the shape under test is really there: a quarter with backlog and no requests
    assert any(w["requests"] == 0 and w["open_at_quarter_end"] > 0 for w in want.values())
    for k, w in want.items():
        g = got[k]
        for col in ("requests", "decided", "open_at_quarter_end"):
            assert g[col] == w[col], (k, col)
        pct = g["pct_decided_within_5_workdays"]
        assert (None if pct is None else f"{pct:.2f}") == w["pct_decided_within_5_workdays"], k
        for col in ("median_days_to_decision", "p90_days_to_decision",
                    "median_days_assignment_to_start"):  # fmt: skip
            assert (g[col] is None) == (w[col] is None), (k, col)
            if g[col] is not None:
                assert abs(float(g[col]) - w[col]) < 1e-9, (k, col, g[col], w[col])


def test_every_breakdown_adds_up_to_the_headline(irregular_run: dict) -> None:
    """For each breakdown, the values' requests, decided and backlog sum to the headline's in
    every municipality x law x quarter the headline has, and to nothing elsewhere."""
    url, expected = irregular_run["url"], irregular_run["expected"]
    headline = {
        (r["municipality_code"], r["law"], r["quarter_start"]): (
            r["requests"],
            r["decided"],
            r["open_at_quarter_end"],
        )
        for r in expected["waiting_times_quarterly"]
    }
    sums = rows(
        url,
        """SELECT breakdown, municipality_code, law, quarter_start,
                  sum(requests), sum(decided), sum(open_at_quarter_end)
           FROM marts.waiting_times_by_breakdown_quarterly GROUP BY 1, 2, 3, 4""",
    )
    by_breakdown: dict[str, dict] = {"product_category": {}, "provider": {}, "referrer_type": {}}
    for breakdown, gm, law, q, requests, decided, backlog in sums:
        by_breakdown[breakdown][(gm, law, q.isoformat())] = (requests, decided, backlog)
    for breakdown, got in by_breakdown.items():
        for k, want in headline.items():
            assert got.get(k, (0, 0, 0)) == want, (breakdown, k)
        assert set(got) <= set(headline), breakdown


def test_procedure_times_equal_the_generators_model(irregular_run: dict) -> None:
    url, expected = irregular_run["url"], irregular_run["expected"]
    columns = list(expected["procedure_times_quarterly"][0])
    got = [
        {
            c: (str(v) if isinstance(v, Decimal) else _norm(v))
            for c, v in zip(columns, r, strict=True)
        }
        for r in rows(url, f"SELECT {', '.join(columns)} FROM marts.procedure_times_quarterly")
    ]

    def key(r: dict) -> tuple:
        return (r["municipality_code"], r["law"], r["district_code"], r["quarter_start"])

    assert sorted(got, key=key) == sorted(expected["procedure_times_quarterly"], key=key)
