"""The mart guard on a real PostgreSQL: after a publication with rows, a candidate mart that
is empty or lost over half its rows fails the marts validation stage, with both counts in the
message and a row in audit.validation_result; the run's override lets it through."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from sdw.publish import publish
from sdw.validation import ValidationFailed
from sdw.validation.mart_guard import allowed_shrinks
from sdw.validation.runner import run_stage_or_raise
from sdw.warehouse.bootstrap import schema_sql

pytestmark = pytest.mark.integration

# A marts suite with no checks: the stage then runs the real GX runner and the guard only.
EMPTY_SUITE = """
from sdw.validation.spec import SuiteDefinition

def build_suite(overrides=None, **options):
    return SuiteDefinition("guard_test_marts", [])
"""


@pytest.fixture
def url(make_database: Callable[[str], str], tmp_path: Path, monkeypatch) -> str:
    url = make_database("sdw_test_guard")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(schema_sql())
    (tmp_path / "guard_test_marts.py").write_text(EMPTY_SUITE)
    monkeypatch.setenv("SDW_EXPECTATIONS_DIR", str(tmp_path))
    monkeypatch.delenv("SDW_ALLOW_SHRINK", raising=False)
    return url


def candidate(url: str, **rows: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS marts_candidate CASCADE")
        conn.execute("CREATE SCHEMA marts_candidate")
        for mart, n in rows.items():
            conn.execute(
                f"CREATE TABLE marts_candidate.{mart} AS "
                f"SELECT g AS id FROM generate_series(1, {n}) AS g"
            )


def results(url: str, run_id: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            """SELECT data_asset, success, failed FROM audit.validation_result
               WHERE run_id = %s AND suite_name = 'mart_row_counts' ORDER BY data_asset""",
            (run_id,),
        ).fetchall()


def test_empty_or_halved_mart_fails_unless_allowed(url: str, monkeypatch) -> None:
    # First publication: nothing to compare with, passes; published 18 and 10 rows.
    candidate(url, population_by_district=18, benefit_recipients=10)
    assert "no earlier publication" in run_stage_or_raise("marts", url, "run-1")
    assert publish(url, "run-1") == {"benefit_recipients": 10, "population_by_district": 18}

    # The KWB lost a_inw: population empty. benefits 6 of 10 lost 4 (under half): fine.
    candidate(url, population_by_district=0, benefit_recipients=6)
    with pytest.raises(ValidationFailed) as failed:
        run_stage_or_raise("marts", url, "run-2")
    message = str(failed.value)
    assert (
        "FAILED population_by_district: would be published empty (0 rows in marts_candidate, "
        "18 in the last publication, run run-1)" in message
    )
    assert "--allow-shrink population_by_district" in message
    assert "benefit_recipients" not in message
    assert results(url, "run-2") == [
        ("benefit_recipients", True, 0),
        ("population_by_district", False, 1),
    ]

    # The run says it is expected: passes, recorded as allowed.
    run_stage_or_raise("marts", url, "run-3", allow_shrink=["population_by_district"])
    assert results(url, "run-3") == [
        ("benefit_recipients", True, 0),
        ("population_by_district", True, 0),
    ]

    # Over half lost: 4 of 10 (4 * 2 = 8 < 10) fails; a table gone counts as empty.
    candidate(url, benefit_recipients=4)
    with pytest.raises(ValidationFailed) as failed:
        run_stage_or_raise("marts", url, "run-4")
    message = str(failed.value)
    assert "FAILED benefit_recipients: would lose over half its rows (4 rows" in message
    assert "FAILED population_by_district: would be published empty (0 rows" in message

    # Exactly half (5 of 10) is not over half; the environment allows the vanished mart.
    candidate(url, benefit_recipients=5)
    monkeypatch.setenv("SDW_ALLOW_SHRINK", "population_by_district")
    run_stage_or_raise("marts", url, "run-5")
    assert results(url, "run-5") == [
        ("benefit_recipients", True, 0),
        ("population_by_district", True, 0),
    ]


def test_allowed_shrinks_from_conf_and_environment(monkeypatch) -> None:
    monkeypatch.setenv("SDW_ALLOW_SHRINK", " b, c ,")
    assert allowed_shrinks({"allow_shrink": ["a"]}) == {"a", "b", "c"}
    monkeypatch.delenv("SDW_ALLOW_SHRINK")
    assert allowed_shrinks({"allow_shrink": "a,d"}) == {"a", "d"}
    assert allowed_shrinks(None) == frozenset()
