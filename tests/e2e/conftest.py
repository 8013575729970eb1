"""The generated municipality's one full run, shared by every e2e module that reads it (marts
against the generator's model, the scorecard, the report in a browser): a `sdw run` costs
minutes, and these tests only read what it published."""

from __future__ import annotations

import json

import pytest

from sdw.generate import EXPECTED_FILE, generate
from tests.e2e.test_scenario import sdw_run


@pytest.fixture(scope="session")
def generated_run(make_database, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One generated municipality (60 clients, 6 months of 2025, seed 11) through one normal
    `sdw run` (every DAG, the report, dbt docs and GX Data Docs)."""
    inbox = tmp_path_factory.mktemp("inbox")
    summary = generate(inbox, clients=60, months=6, seed=11)
    expected = json.loads((inbox / EXPECTED_FILE).read_text())
    url = make_database("sdw_e2e_gen")
    state = tmp_path_factory.mktemp("state")
    proc = sdw_run(inbox, url, state, docs=True)
    return {
        "summary": summary,
        "expected": expected,
        "url": url,
        "stdout": proc.stdout,
        "report_dir": state / "report",
    }
