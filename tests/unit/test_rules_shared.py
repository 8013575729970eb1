"""Rules that exist once and are used by ingest and the suites alike: the debit/credit sign
(the dbt macro ``signed`` is its SQL twin) and the product-category seed as Python reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdw.istandaarden.rules import signed
from sdw.seeds import product_categories


def test_sign_debit_positive_credit_negative_anything_else_none() -> None:
    assert signed(1250, "D") == 1250
    assert signed(1250, "C") == -1250
    # COD043 knows D and C only: an unknown indicator is no amount, never a silent debit.
    assert signed(1250, "X") is None
    assert signed(1250, None) is None
    assert signed(None, "D") is None


def test_seed_is_read_as_written(tmp_path: Path) -> None:
    seed = tmp_path / "product_categories.csv"
    seed.write_text("law,product_category,name\nwmo,01,HH\nwmo,02,Begeleiding\njeugdwet,45,A\n")
    assert product_categories(seed) == {
        "wmo": frozenset({"01", "02"}),
        "jeugdwet": frozenset({"45"}),
    }


@pytest.mark.parametrize("line", ["wmo,1,HH", "iwmo,01,HH", "WMO,01,HH"])
def test_a_seed_that_needs_repair_is_refused(tmp_path: Path, line: str) -> None:
    # dbt loads the seed as text and the marts join on it: padding or mapping it here would
    # make Python and the marts disagree, so it is refused, naming the line.
    seed = tmp_path / "product_categories.csv"
    seed.write_text(f"law,product_category,name\n{line}\n")
    with pytest.raises(ValueError, match="line 2"):
        product_categories(seed)


def test_the_project_seed() -> None:
    categories = product_categories()
    # iWmo WMO020 code 02 is Begeleiding; iJw JZ020 code 45 is Jeugdhulp ambulant.
    assert "02" in categories["wmo"] and "45" in categories["jeugdwet"]
    assert "45" not in categories["wmo"]
