"""End to end on the generator's fictional municipality: the published marts must equal the
generator's own model of the outcome (``.expected.json``, computed from its in-memory
trajectories, not from the files), row for row."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

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


def test_marts_equal_the_generators_model(generated_run: dict) -> None:
    summary, expected, url = (generated_run[k] for k in ("summary", "expected", "url"))

    key = ("municipality_code", "law", "product_category", "quarter_start")
    assert _mart(url, "care_usage_quarterly", key) == _expected(
        expected["care_usage_quarterly"], key
    )
    dkey = ("municipality_code", "district_code", "law", "quarter_start")
    assert _mart(url, "care_usage_by_district_quarterly", dkey, ("suppressed",)) == _expected(
        expected["care_usage_by_district_quarterly"], dkey, ("suppressed",)
    )

    # waiting times: the generator's own model (sdw.generate.waiting), percentiles to 1e-9
    wkey = ("municipality_code", "law", "quarter_start")
    with psycopg.connect(url) as conn:
        cur = conn.execute("SELECT * FROM marts.waiting_times_quarterly")
        cols = [c.name for c in cur.description]
        got = {
            tuple(_norm(v) for v in r[:3]): dict(zip(cols, r, strict=True)) for r in cur.fetchall()
        }
    want = {tuple(r[k] for k in wkey): r for r in expected["waiting_times_quarterly"]}
    assert set(got) == set(want) and len(want) >= 4
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
            "SELECT count(*) FROM quarantine.rejected_record WHERE reason_code <> 'BSN_ELFPROEF' "
            "AND reason_code NOT LIKE 'CASE%'"  # the case export's one bad row: own test below
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


def test_kpi_scorecard_covers_every_family(generated_run: dict) -> None:
    """marts.kpi_scorecard on the generated municipality: a row for every KPI family, care and
    waiting figures equal to the generator's model, suppressed district cells hidden, every row
    tied to the run's publication."""
    expected, url = generated_run["expected"], generated_run["url"]
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT kpi_code, kpi_family, region_code, law, product_category, period_start, "
            "value, status, validated_at, publication_id FROM marts.kpi_scorecard"
        ).fetchall()
        (last_publication,) = conn.execute(
            "SELECT max(publication_id) FROM audit.publication"
        ).fetchone()
    got = {(r[0], r[2], r[3], r[4], _norm(r[5])): (r[6], r[7]) for r in rows}
    assert {r[1] for r in rows} == {
        "care_usage", "waiting_times", "procedure_times", "benefits", "ses", "budget"
    }  # fmt: skip
    assert {r[9] for r in rows} == {last_publication} and all(r[8] is not None for r in rows)

    for e in expected["care_usage_quarterly"]:
        cell = (e["municipality_code"], e["law"], e["product_category"], e["quarter_start"])
        assert got[("care_clients", *cell)] == (e["clients"], "geen_norm"), cell
        value, _ = got[("care_accepted_eur", *cell)]
        assert f"{value:.2f}" == e["accepted_amount_eur"], cell

    # % within 5 working days against the seeded target 95 (a floor).
    for e in expected["waiting_times_quarterly"]:
        cell = ("waiting_pct_decided_within_norm", e["municipality_code"], e["law"], "all",
                e["quarter_start"])  # fmt: skip
        pct = e["pct_decided_within_5_workdays"]
        if pct is None:
            assert cell not in got
            continue
        value, status = got[cell]
        assert f"{value:.2f}" == pct
        assert status == ("op_koers" if Decimal(pct) >= 95 else "afwijking"), cell

    # A district cell the generator suppresses is onderdrukt, without a value.
    for e in expected["care_usage_by_district_quarterly"]:
        cell = ("care_clients_per_1000", e["district_code"], e["law"], "all", e["quarter_start"])
        if e["district_code"] != "UNKNOWN" and e["suppressed"]:
            assert got[cell] == (None, "onderdrukt"), cell
    for e in expected["procedure_times_quarterly"]:
        cell = ("procedure_pct_beschikking_within_term", e["district_code"], e["law"], "all",
                e["quarter_start"])  # fmt: skip
        if e["suppressed"]:
            assert got[cell] == (None, "onderdrukt"), cell
        elif e["pct_beschikking_within_norm"] is not None:
            assert str(got[cell][0]) == e["pct_beschikking_within_norm"], cell


BUDGET_COLUMNS = (
    "municipality_code",
    "begrotingsjaar",
    "report_version",
    "peildatum",
    "budget_line",
    "taakveld",
    "primitive_budget_eur",
    "amendments_eur",
    "carry_over_eur",
    "current_budget_eur",
    "spent_eur",
    "committed_eur",
    "available_eur",
    "forecast_eur",
    "declaration_spend_eur",
    "difference_eur",
)


def test_budget_realisation_equals_the_generators_model(generated_run: dict) -> None:
    """The generated budget files through ingest_finance and build_marts: the published
    budget_realisation equals the generator's model row for row (care lines with the
    declaration spend beside the ledger's). Skipped while the generator writes no budgets."""
    expected, url = generated_run["expected"], generated_run["url"]
    if "budget_realisation" not in expected:
        pytest.skip(
            "this generator writes no budget files (.expected.json has no budget_realisation)"
        )
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            f"SELECT {', '.join(BUDGET_COLUMNS)} FROM marts.budget_realisation"
        ).fetchall()
    got = [{c: _norm(v) for c, v in zip(BUDGET_COLUMNS, r, strict=True)} for r in rows]
    want = [{c: r[c] for c in BUDGET_COLUMNS} for r in expected["budget_realisation"]]

    def key(r: dict) -> tuple:
        return tuple(str(r[k]) for k in BUDGET_COLUMNS[:5])

    assert sorted(got, key=key) == sorted(want, key=key)
    assert any(r["declaration_spend_eur"] is not None for r in got)


def test_procedure_times_equal_the_generators_model(generated_run: dict) -> None:
    """The case export goes through ingest_cases in the normal run; the published
    procedure_times_quarterly equals the generator's model (sdw.generate.cases) row for row,
    and the export's one deliberately bad row is in quarantine with its line."""
    expected, url = generated_run["expected"], generated_run["url"]
    assert "✓ ingest_cases.ingest" in generated_run["stdout"]

    columns = list(expected["procedure_times_quarterly"][0])
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            f"SELECT {', '.join(columns)} FROM marts.procedure_times_quarterly"
        ).fetchall()
        ledger = conn.execute(
            "SELECT lines_in, lines_loaded, lines_quarantined FROM audit.file_ledger "
            "WHERE file_kind = 'cases'"
        ).fetchall()
        rejected = conn.execute(
            "SELECT reason_code, count(*) FROM quarantine.rejected_record "
            "WHERE reason_code LIKE 'CASE%' GROUP BY 1"
        ).fetchall()
    got = [
        {
            c: (str(v) if isinstance(v, Decimal) else _norm(v))
            for c, v in zip(columns, r, strict=True)
        }
        for r in rows
    ]

    def key(r: dict) -> tuple:
        return (r["law"], r["district_code"], r["quarter_start"])

    assert sorted(got, key=key) == sorted(expected["procedure_times_quarterly"], key=key)
    export = expected["case_export"]
    assert ledger == [(export["rows"], export["rows_loaded"], 1)]
    assert dict(rejected) == export["rows_quarantined"]
