"""The generated municipality's subsidy register loads whole through the real parser, and its
euros are those the generator's own model puts in .expected.json."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from sdw.generate import generate
from sdw.generate.subsidies import euros
from sdw.ingest.classify import by_name, classify
from sdw.ingest.contract import IngestContext
from sdw.pseudonym import Pseudonymiser


def test_dutch_notation() -> None:
    assert euros(Decimal("1234567.8")) == "€ 1.234.567,80"
    assert euros(Decimal("99.00")) == "€ 99,00"
    assert euros(None) == "-"


def test_generated_register_loads_whole(tmp_path: Path) -> None:
    generate(tmp_path, clients=15, months=3, seed=3)
    expected = json.loads((tmp_path / ".expected.json").read_text())["subsidy_register"]
    path = tmp_path / expected["file"]
    assert classify(path) == "subsidy_register_csv"
    ctx = IngestContext(
        Pseudonymiser(b"k" * 32), lambda *_: ("not_found", None, None, None), lambda: True,
        lambda *_: set(),
    )  # fmt: skip
    parsed = by_name()["subsidy_register_csv"].parse(path, "h" * 64, ctx)
    assert parsed.quarantine == []
    columns, rows = parsed.tables["subsidy_grant"]
    assert len(rows) == expected["rows"] == 16
    amounts = ("aangevraagd_bedrag", "verleend_bedrag", "vastgesteld_bedrag")
    total = {c: sum(r[columns.index(c)] or Decimal(0) for r in rows) for c in amounts}
    assert f"{total['aangevraagd_bedrag']:.2f}" == expected["requested_eur"]
    assert f"{total['verleend_bedrag']:.2f}" == expected["granted_eur"]
    assert f"{total['vastgesteld_bedrag']:.2f}" == expected["settled_eur"]
