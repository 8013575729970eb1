"""The one amount parser (sdw.money) is total and bounded: every input is either a Decimal to
the cent strictly within € 10^11 either way, or ``Unreadable`` whose reason names the value as
written; nothing else escapes. And one bad cell costs its row, never the file: a budget CSV, an
xlsx row (the float cells openpyxl hands over) and a subsidy register CSV/JSON with one good
and one bad row load the good one and quarantine the other with the value named, their euro
totals still adding up. Expected values are worked out by hand."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sdw.budgets.export import ROWS as BUDGET_ROWS
from sdw.budgets.export import BudgetFile, read_budget_file
from sdw.budgets.layouts import installed as budget_layouts
from sdw.money import Unreadable, parse_amount
from sdw.subsidies.register import read_register

D = Decimal
LARGEST = D("99999999999.99")  # € 99.999.999.999,99: the largest amount a source may state


# ------------------------------------------------------------------ the bound


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("€ 99.999.999.999,99", LARGEST),
        ("-99.999.999.999,99", -LARGEST),
        ("(99.999.999.999,99)", -LARGEST),
        ("99999999999.99", None),  # nl: a dot not grouping three digits is refused (below)
        (D("99999999999.99"), LARGEST),
        (99999999999, D("99999999999.00")),
        (99999999999.99, LARGEST),  # a spreadsheet's float
        (-0.0, D("0.00")),
    ],
)
def test_the_largest_amount_loads(value: object, amount: Decimal | None) -> None:
    if amount is None:
        with pytest.raises(Unreadable):
            parse_amount(value)
        assert parse_amount(value, "plain") == LARGEST
    else:
        assert parse_amount(value) == amount


@pytest.mark.parametrize(
    "value",
    [
        "€ 100.000.000.000,00",
        "-100.000.000.000,00",
        "(100.000.000.000,00)",
        "1.000.000.000.000,00",  # the repro's budget line
        "999.999.999.999.999,99",  # 15 digits: raw's numeric(16,2) refused the whole file
        "99.999.999.999.999,99",  # the repro's grant near 10^14
        "9" * 40,  # 27+ digits: decimal.InvalidOperation escaped the parser
        pytest.param("9" * 200_000, id="200000-digits"),  # beyond the context: no Overflow
        D("100000000000"),
        D("1E+300"),
        100_000_000_000,
        pytest.param(10**5000, id="int-of-5001-digits"),  # str() refuses > 4,300 digits
        1e300,
        12345678901234.5,  # the repro's xlsx cell
        -1e11,
    ],
)
def test_beyond_the_bound_is_refused_by_name(value: object) -> None:
    with pytest.raises(Unreadable, match="beyond the largest amount"):
        parse_amount(value)


def test_plain_layout_has_the_same_bound() -> None:
    assert parse_amount("99999999999.99", "plain") == LARGEST
    with pytest.raises(Unreadable, match=r"'100000000000\.00' is beyond"):
        parse_amount("100000000000.00", "plain")


@pytest.mark.parametrize(
    ("value", "named"),
    [
        (float("inf"), "'inf'"),
        (float("-inf"), "'-inf'"),
        (float("nan"), "'nan'"),
        (D("Infinity"), "'Infinity'"),
        (D("-Infinity"), "'-Infinity'"),
        (D("NaN"), "'NaN'"),
        (D("sNaN"), "'sNaN'"),
    ],
)
def test_not_a_finite_number(value: object, named: str) -> None:
    with pytest.raises(Unreadable, match="not a finite number") as caught:
        parse_amount(value)
    assert named in str(caught.value)


@pytest.mark.parametrize(
    "value", ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", " #n/a "]
)
def test_spreadsheet_error_cells_are_named(value: str) -> None:
    with pytest.raises(Unreadable, match="spreadsheet error") as caught:
        parse_amount(value)
    assert repr(value.strip()) in str(caught.value)


def test_a_long_value_is_named_but_not_copied_whole() -> None:
    with pytest.raises(Unreadable) as caught:
        parse_amount("x" * 10_000)
    reason = str(caught.value)
    assert "'" + "x" * 60 + "'... (10000 characters)" in reason
    assert len(reason) < 200


# ------------------------------------------------------------------ digits the contract names


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("\u0661\u0662\u0663", "digits other than 0-9"),  # Arabic-Indic: Decimal() reads 123
        ("€ \u0661\u066c\u0662\u0663\u0664,\u0665\u0666", "digits other than 0-9"),
        (
            "\uff11\uff12\uff13,\uff14\uff15",
            "digits other than 0-9",
        ),  # full-width: Decimal() reads 123.45
        ("12\u0663", "digits other than 0-9"),  # one Arabic-Indic digit among ASCII ones
        ("12 3,45", "a space does not group thousands"),  # was read as 123,45
        ("1 234,56", "a space does not group thousands"),  # not in docs/budgets.md
        ("1\u00a0234", "a space does not group thousands"),
        ("--5", "not an amount"),  # was read as -5
        ("+5", "not an amount"),
        ("1_000", "not an amount"),  # Decimal() reads 1000
    ],
)
def test_only_the_documented_notations(value: str, why: str) -> None:
    with pytest.raises(Unreadable, match=why) as caught:
        parse_amount(value)
    assert repr(value.strip()) in str(caught.value)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.one_of(
        st.text(max_size=30),
        st.text(alphabet="0123456789.,-()€ \u0661\uff12\u00a0E+eInfa#", max_size=30),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.none(),
        st.booleans(),
    ),
    st.sampled_from(["nl", "plain"]),
)
def test_the_parser_is_total_and_bounded(value: object, number_format: str) -> None:
    """Whatever a cell holds: a Decimal to the cent within the bound, None, or Unreadable."""
    try:
        amount = parse_amount(value, number_format)
    except Unreadable as exc:
        assert str(exc)
        return
    if amount is not None:
        assert abs(amount) <= LARGEST
        assert amount == amount.quantize(D("0.01"))
        assert amount.as_tuple().exponent == -2


# ------------------------------------------------------------------ one bad cell, one row

BUDGET_HEADER = (
    "Gemeentecode;Begrotingsjaar;Peildatum;Rapportageversie;Begrotingspost;Omschrijving;"
    "Taakveld;Programma;Project;Kostenplaats;Primitieve begroting;Begrotingswijzigingen;"
    "Overheveling;Realisatie;Verplichtingen;Prognose"
)
BUDGET_GOOD = "GM0363;2023;31-12-2023;;TF;Transformatiefonds;6.1;;;;€ 600.000;-;-;€ 3.520;-;-"
BAD_CELLS = [
    "€ 1.000.000.000.000,00",
    "999.999.999.999.999,99",
    "9999999999999999999999999999999999999999",
    "\u0661\u0662\u0663",
    "\uff11\uff12\uff13,\uff14\uff15",
    "12 3,45",
    "#DIV/0!",
]


@pytest.mark.parametrize("bad", BAD_CELLS)
def test_budget_csv_one_bad_cell(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "begroting.csv"
    row = f"GM0363;2023;31-12-2023;;JW;Jeugd;6.72;;;;€ 1.000;-;-;{bad};-;-"
    path.write_text("\n".join([BUDGET_HEADER, BUDGET_GOOD, row]) + "\n", encoding="utf-8")
    budget = read_budget_file(path)
    assert [n for n, _r in budget.rows] == [2]
    ((line, code, reason, _fields),) = [
        (b.line_number, b.code, b.reason, b.fields) for b in budget.bad
    ]
    assert (line, code) == (3, "BUDGET_AMOUNT_INVALID")
    assert reason.startswith(f"Realisatie {bad!r}")
    # the bad cell has no euros; the row's readable € 1.000 is quarantined euros
    e = budget.euros
    assert (e.file["primitieve_begroting"], e.quarantined["primitieve_begroting"]) == (
        D("601000.00"), D("1000.00"),
    )  # fmt: skip
    assert (e.file["realisatie"], e.quarantined["realisatie"], e.cells["realisatie"]) == (
        D("3520.00"), D("0.00"), 1,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("cell", "named"),
    [
        (float("inf"), "'inf'"),
        (float("nan"), "'nan'"),
        (1e300, "'1e+300'"),
        (12345678901234.5, "'12345678901234.5'"),
        ("#DIV/0!", "'#DIV/0!'"),
        ("#N/A", "'#N/A'"),
    ],
)
def test_budget_xlsx_row_one_bad_number_cell(cell: object, named: str) -> None:
    """The cells openpyxl hands over for an xlsx row (floats, an error cell as its text),
    through the reader's own per-row step."""
    layout = next(x for x in budget_layouts() if x.name == "budget-xlsx")
    budget = BudgetFile(BUDGET_ROWS, layout)
    common = {
        "municipality_code": 363.0,
        "begrotingsjaar": 2023.0,
        "peildatum": "2023-12-31",
        "taakveld": "6.1",
    }
    budget.take(2, {**common, "budget_line": "TF", "primitieve_begroting": 600000.0})
    budget.take(
        3, {**common, "budget_line": "JW", "primitieve_begroting": 10.5, "realisatie": cell}
    )
    assert [n for n, _r in budget.rows] == [2]
    ((bad,),) = [budget.bad]
    assert (bad.line_number, bad.code) == (3, "BUDGET_AMOUNT_INVALID")
    assert named in bad.reason
    e = budget.euros
    assert (e.file["primitieve_begroting"], e.quarantined["primitieve_begroting"]) == (
        D("600010.50"), D("10.50"),
    )  # fmt: skip
    assert (e.file["realisatie"], e.cells["realisatie"]) == (D("0.00"), 0)


REGISTER_HEADER = (
    "Subsidiejaar;Jaar van toekenning;Programma;Taakveld;Soort subsidie;Aanvrager/Ontvanger;"
    "Omschrijving;Regelmaat;Aangevraagd bedrag;Verleend bedrag;Vastgesteld bedrag"
)


@pytest.mark.parametrize("bad", BAD_CELLS)
def test_subsidy_csv_one_bad_cell(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "register.csv"
    lines = [
        REGISTER_HEADER,
        "2016;;Zorg;;;Stichting A;;Eenmalig;€ 1.000;€ 800;-",
        f"2016;;Zorg;;;Stichting B;;Eenmalig;€ 500;{bad};-",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    register = read_register(path)
    assert [n for n, _r in register.rows] == [2]
    ((bad_row,),) = [register.bad]
    assert (bad_row.line_number, bad_row.code) == (3, "SUBSIDY_AMOUNT_INVALID")
    assert bad_row.reason.startswith(f"verleend_bedrag {bad!r}")
    e = register.euros
    assert (e.file["aangevraagd_bedrag"], e.quarantined["aangevraagd_bedrag"]) == (
        D("1500.00"), D("500.00"),
    )  # fmt: skip
    assert (e.file["verleend_bedrag"], e.quarantined["verleend_bedrag"]) == (D("800.00"), D("0.00"))


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        ("99999999999999.99", "'99999999999999.99'"),  # a JSON number near 10^14
        ("1e400", "'1E+400'"),
        pytest.param("9" * 5000, "'9999", id="5000-digits"),  # int() refuses > 4,300 digits
        ("NaN", "'NaN'"),
        ("Infinity", "'Infinity'"),
        ('"\u0661\u0662\u0663"', "'\u0661\u0662\u0663'"),
        ('"€ 12 3,45"', "'€ 12 3,45'"),
    ],
)
def test_subsidy_json_one_bad_number(tmp_path: Path, bad: str, named: str) -> None:
    path = tmp_path / "register.json"
    path.write_text(
        "["
        + json.dumps(
            {"Naam": "Stichting A", "Jaar": 2016, "Aangevraagd": "€ 1.000", "Verleend": 800}
        )
        + ', {"Naam": "Stichting B", "Jaar": 2016, "Aangevraagd": "€ 500", "Verleend": '
        + bad
        + "}]",
        encoding="utf-8",
    )
    register = read_register(path)
    assert [(n, r["verleend_bedrag"]) for n, r in register.rows] == [(1, D("800.00"))]
    ((bad_row,),) = [register.bad]
    assert (bad_row.line_number, bad_row.code) == (2, "SUBSIDY_AMOUNT_INVALID")
    assert named in bad_row.reason
    e = register.euros
    assert (e.file["verleend_bedrag"], e.quarantined["verleend_bedrag"]) == (D("800.00"), D("0.00"))
    assert e.quarantined["aangevraagd_bedrag"] == D("500.00")


def test_staging_leaves_out_what_ingest_refuses() -> None:
    """dbt's staging filters raw with the same bound the parser keeps (written out in SQL):
    a raw row beyond it, loaded by an older version, never reaches a mart."""
    from sdw.money import BOUND

    assert D("100000000000") == BOUND  # 10^11: € 99.999.999.999,99 is the largest amount
    models = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "staging"
    budget = (models / "finance" / "stg_finance__budget_lines.sql").read_text()
    grants = (models / "subsidies" / "stg_subsidies__grants.sql").read_text()
    for column in (
        "primitieve_begroting", "begrotingswijzigingen", "overheveling", "realisatie",
        "verplichtingen", "prognose",
    ):  # fmt: skip
        assert f"coalesce(abs({column}), 0) < 100000000000" in budget
    for column in ("aangevraagd_bedrag", "verleend_bedrag", "vastgesteld_bedrag"):
        assert f"coalesce(abs({column}), 0) < 100000000000" in grants
