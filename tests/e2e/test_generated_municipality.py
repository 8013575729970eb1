"""End to end on the generator's fictional municipality: the published marts must equal the
generator's own model of the outcome (``.expected.json``, computed from its in-memory
trajectories, not from the files), row for row."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from sdw.generate import EXPECTED_FILE, generate
from tests.e2e.test_scenario import sdw_run

pytestmark = pytest.mark.e2e

MEASURES = (
    "declared_amount_eur",
    "rejected_amount_eur",
    "accepted_amount_eur",
    "clients",
    "delivered_volume",
    "unit",
    "amount_per_client_eur",
)


def _norm(value: object) -> object:
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value.as_tuple().exponent == -2 else int(value)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _mart(url: str, table: str, key: tuple[str, ...], extra: tuple[str, ...] = ()) -> list[dict]:
    cols = (*key, *MEASURES, *extra)
    with psycopg.connect(url) as conn:
        rows = conn.execute(f"SELECT {', '.join(cols)} FROM marts.{table}").fetchall()
    return sorted(
        ({c: _norm(v) for c, v in zip(cols, r, strict=True)} for r in rows),
        key=lambda r: tuple(str(r[k]) for k in key),
    )


def _expected(rows: list[dict], key: tuple[str, ...], extra: tuple[str, ...] = ()) -> list[dict]:
    cols = (*key, *MEASURES, *extra)
    return sorted(
        ({c: r[c] for c in cols} for r in rows), key=lambda r: tuple(str(r[k]) for k in key)
    )


def test_marts_equal_the_generators_model(make_database, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    summary = generate(inbox, clients=60, months=6, seed=11)
    expected = json.loads((inbox / EXPECTED_FILE).read_text())
    url = make_database("sdw_e2e_gen")
    sdw_run(inbox, url, tmp_path / "state")

    key = ("municipality_code", "law", "product_category", "quarter_start")
    assert _mart(url, "care_usage_quarterly", key) == _expected(
        expected["care_usage_quarterly"], key
    )
    dkey = ("municipality_code", "district_code", "law", "quarter_start")
    assert _mart(url, "care_usage_by_district_quarterly", dkey, ("suppressed",)) == _expected(
        expected["care_usage_by_district_quarterly"], dkey, ("suppressed",)
    )

    totals = expected["totals"]
    with psycopg.connect(url) as conn:
        (loaded,) = conn.execute("SELECT count(*) FROM raw.istandaarden_323_prestatie").fetchone()
        (bsn_rejected,) = conn.execute(
            "SELECT count(*) FROM quarantine.rejected_record WHERE reason_code = 'BSN_ELFPROEF' "
            "AND bericht_type = '323'"
        ).fetchone()
        (accepted,) = conn.execute(
            "SELECT sum(accepted_amount_eur) FROM marts.care_usage_quarterly"
        ).fetchone()
        (other_quarantine,) = conn.execute(
            "SELECT count(*) FROM quarantine.rejected_record WHERE reason_code <> 'BSN_ELFPROEF'"
        ).fetchone()
    assert summary.declaration_lines == totals["declaration_lines"] == loaded + bsn_rejected
    assert bsn_rejected == totals["declaration_lines_failing_bsn"] >= 1
    assert f"{accepted:.2f}" == totals["accepted_amount_eur"]
    assert other_quarantine == 0  # the generator writes only valid messages otherwise

    # CBS files of the generated municipality loaded: every unsuppressed row of a known wijk
    # has a rate per 1,000 inhabitants, and the CBS marts are published.
    with psycopg.connect(url) as conn:
        missing, filled = conn.execute(
            "SELECT count(*) FILTER (WHERE clients_per_1000_inhabitants IS NULL), "
            "count(*) FILTER (WHERE clients_per_1000_inhabitants IS NOT NULL) "
            "FROM marts.care_usage_by_district_quarterly "
            "WHERE NOT suppressed AND district_code <> 'UNKNOWN'"
        ).fetchone()
        (ses,) = conn.execute(
            "SELECT count(*) FROM marts.ses_scores WHERE region_code LIKE 'WK0999%'"
        ).fetchone()
        (benefits,) = conn.execute(
            "SELECT count(*) FROM marts.benefit_recipients "
            "WHERE recipients_per_1000_inhabitants IS NOT NULL"
        ).fetchone()
    assert missing == 0 and filled > 0
    assert ses == 10  # 5 wijken x (2021 baseline + the data year)
    assert benefits > 0
