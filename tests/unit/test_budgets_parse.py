"""The budget-file parser on small files written here (no database): Dutch notation, every
BUDGET_* reason with one mutated cell (only its row is quarantined, the file's euro totals
still add up), and the generator's budget files parsing completely with
available = current - spent - committed in .expected.json. Figures worked out by hand."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sdw.budgets.export import read_budget_file
from sdw.ingest.classify import classify
from sdw.money import Unreadable, parse_amount

D = Decimal
HEADER = (
    "Gemeentecode;Begrotingsjaar;Peildatum;Rapportageversie;Begrotingspost;Omschrijving;"
    "Taakveld;Programma;Project;Kostenplaats;Primitieve begroting;Begrotingswijzigingen;"
    "Overheveling;Realisatie;Verplichtingen;Prognose"
)
GOOD = "GM0363;2023;31-12-2023;;TF;Transformatiefonds;6.1;;;;€ 600.000;-;-;€ 3.520;€ 330.280;"


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("€ 1.234,56", D("1234.56")),
        ("1.234", D("1234.00")),
        ("1.234,-", D("1234.00")),
        ("-1.234", D("-1234.00")),
        ("(1.234,00)", D("-1234.00")),
        ("-€ 50.000", D("-50000.00")),
        ("€ -12,5", D("-12.50")),
        ("-", None),
        ("", None),
        ("€ -", None),
    ],
)
def test_dutch_notation(text: str, amount: Decimal | None) -> None:
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["12.5", "1,234.56", "abc", "(-5)", "1,234"])
def test_not_dutch_is_refused(text: str) -> None:
    with pytest.raises(Unreadable):
        parse_amount(text)


def _file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "begroting.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_good_row_and_normalisation(tmp_path: Path) -> None:
    path = _file(
        tmp_path, "363;2023;2023-12-31;;JW;J;6.72 Maatwerkdienstverlening 18-;;;;1;2;3;4;5;6"
    )
    assert classify(path) == "budget_csv"
    ((n, row),) = read_budget_file(path).rows
    assert (n, row["municipality_code"], row["taakveld"], row["report_version"]) == (
        2, "GM0363", "6.72", "2023-Q4",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("written", "valid"),
    [
        ("2023-12-31 00:00", True),
        ("2023-12-31T23:59:59", True),
        ("31-12-2023 9:05", True),
        ("2023-12-31 24:00", False),
        ("2023-12-31 23:60", False),
        ("2023-12-31 23:59:60", False),
        ("2023-12-31T25:61", False),
    ],
)
def test_a_trailing_time_must_be_a_time_of_day(written: str, valid: bool) -> None:
    from sdw.budgets.rules import peildatum
    from sdw.ingest.contract import Rejected

    if valid:
        assert peildatum(written, "Peildatum") == date(2023, 12, 31)
        return
    with pytest.raises(Rejected) as exc:
        peildatum(written, "Peildatum")
    assert exc.value.code == "BUDGET_PEILDATUM_INVALID"
    assert repr(written) in exc.value.reason


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ("GM03X3;2023;31-12-2023;;X;x;6.1;;;;€ 1;€ 2;-;€ 4;-;-", "BUDGET_MUNICIPALITY_INVALID"),
        ("GM0363;1999;31-12-1999;;X;x;6.1;;;;€ 1;€ 2;-;€ 4;-;-", "BUDGET_YEAR_INVALID"),
        ("GM0363;2023;31-12-2025;;X;x;6.1;;;;€ 1;€ 2;-;€ 4;-;-", "BUDGET_PEILDATUM_INVALID"),
        ("GM0363;2023;31-13-2023;;X;x;6.1;;;;€ 1;€ 2;-;€ 4;-;-", "BUDGET_PEILDATUM_INVALID"),
        # no time of day after the date: hour 25, minute 61 (it loaded as 2023-12-31)
        ("GM0363;2023;2023-12-31T25:61;;X;x;6.1;;;;€ 1;€ 2;-;€ 4;-;-", "BUDGET_PEILDATUM_INVALID"),
        ("GM0363;2023;31-12-2023;;;x;6.1;;;;€ 1;€ 2;-;€ 4;-;-", "BUDGET_LINE_MISSING"),
        ("GM0363;2023;31-12-2023;;X;x;Zorg;;;;€ 1;€ 2;-;€ 4;-;-", "BUDGET_TAAKVELD_INVALID"),
        ("GM0363;2023;31-12-2023;;X;x;6.1;;;;€ 1;€ 2;12.5;€ 4;-;-", "BUDGET_AMOUNT_INVALID"),
        ("GM0363;2023;31-12-2023;;TF;x;6.1;;;;€ 1;€ 2;-;€ 4;-;-", "BUDGET_DUPLICATE_LINE"),
        ("GM0363;2023;31-12-2023;;X;x;6.1;€ 1", "BUDGET_ROW_MALFORMED"),
    ],
)
def test_one_bad_cell_quarantines_only_its_row(tmp_path: Path, bad: str, code: str) -> None:
    budget = read_budget_file(_file(tmp_path, GOOD, bad))
    assert [n for n, _r in budget.rows] == [2]
    assert [(b.line_number, b.code) for b in budget.bad] == [(3, code)]
    # the good row's euros load; a bad row's readable cells are its quarantined euros
    e = budget.euros
    if code == "BUDGET_ROW_MALFORMED":  # a line that does not split has no cells
        assert e.file["primitieve_begroting"] == D("600000.00")
        assert e.quarantined["primitieve_begroting"] == D("0.00")
    else:
        assert (e.file["primitieve_begroting"], e.quarantined["primitieve_begroting"]) == (
            D("600001.00"), D("1.00"),
        )  # fmt: skip
        assert (e.file["realisatie"], e.quarantined["realisatie"]) == (D("3524.00"), D("4.00"))
    assert (e.file["verplichtingen"], e.quarantined["verplichtingen"]) == (
        D("330280.00"), D("0.00"),
    )  # fmt: skip


def test_generated_budget_files_parse_and_add_up(tmp_path: Path) -> None:
    from sdw.generate import generate

    generate(tmp_path, clients=40, months=12, seed=3)
    files = sorted(tmp_path.glob("begroting_*"))
    assert [f.suffix for f in files] == [".xlsx", ".csv"]  # Q2 as xlsx, Q4 as CSV
    for f in files:
        assert classify(f) in ("budget_csv", "budget_xlsx")
        budget = read_budget_file(f)
        assert budget.bad == [] and len(budget.rows) >= 4
    rows = json.loads((tmp_path / ".expected.json").read_text())["budget_realisation"]
    assert {r["report_version"] for r in rows} == {"2025-Q2", "2025-Q4"}

    def eur(value: str | None) -> D:  # a part the file leaves '-' is null, 0 in the sums
        return D(0) if value is None else D(value)

    for r in rows:
        current = eur(r["primitive_budget_eur"]) + eur(r["amendments_eur"])
        current += eur(r["carry_over_eur"])
        assert D(r["current_budget_eur"]) == current
        assert D(r["available_eur"]) == current - eur(r["spent_eur"]) - eur(r["committed_eur"])
        if r["declaration_spend_eur"] is not None:
            assert D(r["difference_eur"]) == D(r["declaration_spend_eur"]) - D(r["spent_eur"])
    tf = [r for r in rows if r["budget_line"] == "TRANSFORMATIEFONDS"]
    assert [(r["carry_over_eur"], r["spent_eur"]) for r in tf] == [
        ("120000.00", "3520.00"), ("120000.00", "250000.45"),
    ]  # fmt: skip
    assert any(r["amendments_eur"] is not None for r in rows if r["declaration_spend_eur"])
