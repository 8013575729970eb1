"""build_marts runs one ``dbt build`` per layer (sdw.orchestration.dbt_build.LAYERS). That is
only right while the layers are a partition of the project in build order: every model in
exactly one layer, no model reading a later layer, no test spanning two. These tests check that
on the project's own parsed manifest, so a new folder or a new ref cannot silently break it;
and the per-model log summary on a hand-written run_results."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sdw.config import dbt_project_dir
from sdw.orchestration.dbt_build import LAYERS, model_summary


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from dbt.cli.main import dbtRunner

    target = tmp_path_factory.mktemp("dbt-target")
    project = dbt_project_dir()
    os.environ.setdefault("SDW_PG_DATABASE", "warehouse")  # parse renders, never connects
    result = dbtRunner().invoke(
        ["parse", "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(target), "--quiet"]
    )  # fmt: skip
    assert result.success, result.exception
    return json.loads((target / "manifest.json").read_text())


def _layer(node: dict) -> str:
    """The layer whose selector (``path:models/<folder>``) covers the node's file."""
    path = Path(node["original_file_path"])
    owners = [
        layer
        for layer, selectors in LAYERS.items()
        for sel in selectors
        if path.is_relative_to(sel.removeprefix("path:"))
    ]
    assert len(owners) == 1, f"{node['unique_id']} is in {owners or 'no layer'}"
    return owners[0]


def test_every_model_is_in_exactly_one_layer_and_reads_no_later_one(manifest: dict) -> None:
    order = list(LAYERS)
    models = {u: n for u, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    assert len(models) > 40  # the project, not an empty parse
    for uid, node in models.items():
        for parent in node["depends_on"]["nodes"]:
            if parent in models:
                assert order.index(_layer(models[parent])) <= order.index(_layer(node)), (
                    f"{uid} ({_layer(node)}) reads {parent} ({_layer(models[parent])})"
                )


def test_no_test_spans_two_layers(manifest: dict) -> None:
    models = {u: n for u, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    tests += list(manifest.get("unit_tests", {}).values())
    for test in tests:
        layers = {_layer(models[p]) for p in test["depends_on"]["nodes"] if p in models}
        assert len(layers) <= 1, f"{test['unique_id']} spans {layers}"


def test_model_summary_one_line_per_model_then_what_failed() -> None:
    results = [
        {"unique_id": "model.p.b_mart", "status": "success", "execution_time": 1.25,
         "adapter_response": {"rows_affected": 40}},
        {"unique_id": "model.p.a_view", "status": "success", "execution_time": 0.04,
         "adapter_response": {"rows_affected": -1}},
        {"unique_id": "test.p.not_null_b_mart_x.1a2b", "status": "pass"},
        {"unique_id": "test.p.unique_b_mart_id.3c4d", "status": "fail"},
        {"unique_id": "unit_test.p.b_mart.sums_by_quarter", "status": "pass"},
        {"unique_id": "unit_test.p.a_view.renames", "status": "fail"},
        {"unique_id": "test.p.not_null_a_view_y.5e6f", "status": "pass"},
    ]  # fmt: skip
    tested = {
        "test.p.not_null_b_mart_x.1a2b": "model.p.b_mart",
        "test.p.unique_b_mart_id.3c4d": "model.p.b_mart",
        "unit_test.p.b_mart.sums_by_quarter": "model.p.b_mart",
        "test.p.not_null_a_view_y.5e6f": "model.p.a_view",
        "unit_test.p.a_view.renames": "model.p.a_view",
    }
    assert model_summary(results, tested) == [
        "model a_view: success in 0.0 s, tests 1/2 passed",
        "model b_mart: success in 1.2 s, 40 rows, tests 2/3 passed",
        "test unique_b_mart_id: fail",
        "unit_test a_view.renames: fail",
    ]
