"""Correctness: the marts built from the benchmark's files must equal the generator's own model
(``.expected.json``): 323 lines loaded + lines failing the elfproef = lines generated, accepted
euros equal, nothing else quarantined, and ``care_usage_quarterly`` equal row for row."""

from __future__ import annotations

from decimal import Decimal

import psycopg

SCHEMA = "marts_candidate"  # dbt builds here; publish (not benchmarked) would swap it in
MEASURES = (
    "declared_amount_eur",
    "rejected_amount_eur",
    "accepted_amount_eur",
    "clients",
    "delivered_volume",
    "unit",
    "amount_per_client_eur",
)
KEY = ("municipality_code", "law", "product_category", "quarter_start")


def _norm(value: object) -> object:
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value.as_tuple().exponent == -2 else int(value)
    return value.isoformat() if hasattr(value, "isoformat") else value


def check(url: str, expected: dict) -> dict[str, object]:
    """Returns what was compared; raises AssertionError listing every difference."""
    totals = expected["totals"]
    problems: list[str] = []
    with psycopg.connect(url) as conn:
        (loaded,) = conn.execute("SELECT count(*) FROM raw.istandaarden_323_prestatie").fetchone()
        (bad_bsn,) = conn.execute(
            "SELECT count(*) FROM quarantine.rejected_record WHERE reason_code = 'BSN_ELFPROEF' "
            "AND bericht_type = '323'"
        ).fetchone()
        (other_q,) = conn.execute(
            "SELECT count(*) FROM quarantine.rejected_record WHERE reason_code <> 'BSN_ELFPROEF'"
        ).fetchone()
        (accepted,) = conn.execute(
            f"SELECT sum(accepted_amount_eur) FROM {SCHEMA}.care_usage_quarterly"
        ).fetchone()
        cols = (*KEY, *MEASURES)
        got_rows = conn.execute(
            f"SELECT {', '.join(cols)} FROM {SCHEMA}.care_usage_quarterly"
        ).fetchall()
    got = sorted(
        ({c: _norm(v) for c, v in zip(cols, r, strict=True)} for r in got_rows),
        key=lambda r: tuple(str(r[k]) for k in KEY),
    )
    want = sorted(
        ({c: r[c] for c in cols} for r in expected["care_usage_quarterly"]),
        key=lambda r: tuple(str(r[k]) for k in KEY),
    )
    if loaded + bad_bsn != totals["declaration_lines"]:
        problems.append(
            f"lines: loaded {loaded} + failing elfproef {bad_bsn} != generated "
            f"{totals['declaration_lines']}"
        )
    if bad_bsn != totals["declaration_lines_failing_bsn"]:
        problems.append(
            f"lines failing the elfproef: {bad_bsn} != {totals['declaration_lines_failing_bsn']}"
        )
    if accepted is None or f"{accepted:.2f}" != totals["accepted_amount_eur"]:
        problems.append(f"accepted euros: {accepted} != {totals['accepted_amount_eur']}")
    if other_q:
        problems.append(f"{other_q} quarantine records other than BSN_ELFPROEF")
    if got != want:
        diff = [(g, w) for g, w in zip(got, want, strict=False) if g != w][:3]
        problems.append(
            f"care_usage_quarterly differs: {len(got)} rows vs {len(want)} expected; first "
            f"differences {diff}"
        )
    if problems:
        raise AssertionError("marts differ from the generator's model:\n- " + "\n- ".join(problems))
    return {
        "lines_loaded": loaded,
        "lines_failing_bsn": bad_bsn,
        "accepted_amount_eur": f"{accepted:.2f}",
        "care_usage_quarterly_rows": len(got),
        "ok": True,
    }
