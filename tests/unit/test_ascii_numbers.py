"""Numbers from files are read in ASCII digits only, in every source.

Python's ``\\d`` (without ``re.ASCII``), ``int()``, ``Decimal()`` and ``str.isdigit()`` also
take Arabic-Indic (U+0660-0669), extended Arabic-Indic, full-width (U+FF10-FF19) and other
digits: ``int("\u0661\u0662\u0663") == 123``. No contract names those, so a code, year,
date, count or amount written in them must be refused with a reason naming it, never read as
the number it might mean. Two halves:

- a scan of every module of the ``sdw`` package: a string literal with ``\\d`` or ``\\D`` is a
  failure unless it is the pattern of an ``re`` call with ``re.ASCII`` (docstrings excepted),
  so a future source cannot regress. Modules other engineers own that still hold one are
  listed in ``PENDING`` with their owner's reason; the test also fails once such a module is
  clean, so the list cannot go stale;
- behaviour per source, with literal inputs (Arabic-Indic and full-width digits, ``12 3,45``).
"""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from sdw.budgets import rules as budget_rules
from sdw.cases.procedures import parse_row as case_row
from sdw.cbs import adres, benefits, kwb, odata
from sdw.cbs.observations import normalise_period, parse_value, region_code
from sdw.cbs.parse import _table_id
from sdw.cbs.rules import FileRefused
from sdw.ingest.contract import Rejected
from sdw.money import Unreadable, foreign_digits, parse_year

PACKAGE = Path(__file__).resolve().parents[2] / "plugins" / "sdw"
RE_CALLS = {
    "compile",
    "match",
    "fullmatch",
    "search",
    "sub",
    "subn",
    "findall",
    "finditer",
    "split",
}
# module (relative to plugins/sdw) -> why it may still hold a \d: each is another engineer's
# file, reported to the lead; remove the entry when the module is swept (all are, now).
PENDING: dict[str, str] = {}

ARABIC = "\u0661\u0662\u0663"  # \u0661\u0662\u0663
FULLWIDTH = "\uff11\uff12\uff13"  # \uff11\uff12\uff13


def _ascii_flag(call: ast.Call) -> bool:
    flags = [*call.args[1:], *(k.value for k in call.keywords if k.arg == "flags")]
    return any(
        isinstance(n, ast.Attribute) and n.attr in ("ASCII", "A")
        for f in flags
        for n in ast.walk(f)
    )


def digit_classes(source: str) -> list[int]:
    """Lines of string literals holding ``\\d`` or ``\\D`` outside an ASCII ``re`` call."""
    tree = ast.parse(source)
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            allowed.add(id(node.value))  # a docstring describes, it matches nothing
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RE_CALLS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.args
            and _ascii_flag(node)
        ):
            allowed.update(id(n) for n in ast.walk(node.args[0]))
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str | bytes)
        and id(node) not in allowed
        and any(
            c in node.value
            for c in ((r"\d", r"\D") if isinstance(node.value, str) else (rb"\d", rb"\D"))
        )
    )


def test_the_scan_finds_what_it_must() -> None:
    assert digit_classes('import re\nX = re.compile(r"^\\d{4}$")\n') == [2]
    assert digit_classes('import re\nX = re.compile(r"^\\D$", re.IGNORECASE)\n') == [2]
    assert digit_classes('SHAPE = r"^\\d\\.\\d$"\n') == [1]  # a pattern for later use
    assert digit_classes('import re\nX = re.compile(rb"\\d+")\n') == [2]
    assert digit_classes('import re\nX = re.compile(r"\\d", re.ASCII)\n') == []
    assert digit_classes('import re\nX = re.compile(r"\\d", flags=re.I | re.A)\n') == []
    assert digit_classes('"""Docs may say \\\\d."""\nX = r"[0-9]"\n') == []


def test_no_source_reads_digits_with_backslash_d() -> None:
    found = {
        str(p.relative_to(PACKAGE)): lines
        for p in sorted(PACKAGE.rglob("*.py"))
        if (lines := digit_classes(p.read_text(encoding="utf-8")))
    }
    unexpected = {m: lines for m, lines in found.items() if m not in PENDING}
    assert not unexpected, (
        f"\\d without re.ASCII (also matches {ARABIC} and {FULLWIDTH}): use [0-9]: {unexpected}"
    )
    swept = sorted(set(PENDING) - set(found))
    assert not swept, f"no \\d left in {swept}: remove them from PENDING"


# ------------------------------------------------------------------ money and years


@pytest.mark.parametrize(
    "text", [ARABIC, FULLWIDTH, "2\u06f0\u06f1\u06f6", "\u0968\u0966\u0967\u096c"]
)
def test_foreign_digits(text: str) -> None:
    assert foreign_digits(text)
    assert not foreign_digits("2016 #DIV/0! ½")  # ASCII digits, or not digits at all
    assert foreign_digits("10²")  # str.isdigit(): a superscript is a digit too


@pytest.mark.parametrize(
    "text", ["\u0662\u0660\u0661\u0666", "\uff12\uff10\uff11\uff16", "2\u066016"]
)
def test_a_year_in_other_digits_is_refused(text: str) -> None:
    with pytest.raises(Unreadable, match=repr(text)):
        parse_year(text)
    assert parse_year("2016") == 2016


# ------------------------------------------------------------------ budget files


@pytest.mark.parametrize(
    "text", ["GM\u0660\u0663\u0666\u0663", "\u0663\u0666\u0663", "GM\uff10\uff13\uff16\uff13"]
)
def test_budget_municipality_code(text: str) -> None:
    with pytest.raises(Rejected, match=r"not a municipality code") as e:
        budget_rules.municipality_code(text, "Gemeentecode")
    assert repr(text) in e.value.reason


@pytest.mark.parametrize(
    "text",
    [
        "\u0663\u0661-\u0661\u0662-\u0662\u0660\u0662\u0663",
        "\uff12\uff10\uff12\uff13-\uff11\uff12-\uff13\uff11",
        "2023-12-3\u0661",
    ],
)
def test_budget_peildatum(text: str) -> None:
    with pytest.raises(Rejected) as e:
        budget_rules.peildatum(text, "Peildatum")
    assert e.value.code == budget_rules.PEILDATUM_INVALID and repr(text) in e.value.reason


@pytest.mark.parametrize("text", ["\u0666.\u0667\u0662", "\uff16.\uff17\uff12 Maatwerk"])
def test_budget_taakveld(text: str) -> None:
    with pytest.raises(Rejected) as e:
        budget_rules.taakveld(text, "Taakveld")
    assert e.value.code == budget_rules.TAAKVELD_INVALID and repr(text) in e.value.reason


def test_the_taakveld_shape_the_raw_suite_uses_is_ascii() -> None:
    assert budget_rules.TAAKVELD_SHAPE == r"^[0-9]\.[0-9]{1,2}$"


# ------------------------------------------------------------------ case exports

CASE = {
    "gemeentecode": "GM0999",
    "identificatie": "Z-1",
    "wet": "Wmo",
    "datumMelding": "06-01-2025",
    "datumOnderzoekAfgerond": "17-02-2025",
    "datumStartAanvraag": "17-02-2025",
    "datumBeschikking": "03-03-2025",
    "datumAfhandeling": "",
    "resultaat": "toegekend",
    "postcode": "",
    "huisnummer": "",
    "wijkcode": "WK099901",
}


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("gemeentecode", "\u0660\u0669\u0669\u0669", True),
        ("gemeentecode", "GM\uff10\uff19\uff19\uff19", True),
        ("datumMelding", "\u0660\u0666-\u0660\u0661-\u0662\u0660\u0662\u0665", True),
        ("datumMelding", "\uff12\uff10\uff12\uff15-\uff10\uff11-\uff10\uff16", True),
        ("wijkcode", "WK\u0660\u0669\u0669\u0669\u0660\u0661", True),
        ("wijkcode", "\uff19\uff19\uff19\uff10\uff11", True),
    ],
)
def test_case_fields_in_other_digits(field: str, value: str, named: bool) -> None:
    with pytest.raises(Rejected) as e:
        case_row({**CASE, field: value})
    assert repr(value) in e.value.reason


@pytest.mark.parametrize("huisnummer", ["\u0661\u0662", "\uff11\uff12", "12\u0663"])
def test_case_huisnummer_in_other_digits(huisnummer: str) -> None:
    with pytest.raises(Rejected) as e:
        case_row({**CASE, "wijkcode": "", "postcode": "9991AA", "huisnummer": huisnummer})
    assert e.value.code == "CASE_ADDRESS_INVALID" or "ADDRESS" in e.value.code
    assert huisnummer not in e.value.reason  # an address is personal data: never named
    assert case_row({**CASE, "postcode": "9991AA", "huisnummer": "12a"}).huisnummer == 12


# ------------------------------------------------------------------ CBS


@pytest.mark.parametrize(
    "text",
    [
        ARABIC,
        "\u0661\u0662\u0663,\u0664",
        "\uff11\uff12\uff13,\uff14\uff15",
        "12 3,45",
        "12 3",
        "1e3",
        "1_000",
        "Infinity",
        "NaN",
    ],
)
def test_cbs_value_in_other_notations(text: str) -> None:
    with pytest.raises(ValueError, match="'" + text.replace("+", "\\+") + "'"):
        parse_value(text)


def test_cbs_value_notations_kept() -> None:
    assert parse_value(' "12 345"'.strip(' "')) == (Decimal("12345"), "12 345")  # KWB grouping
    assert parse_value("2,1") == (Decimal("2.1"), "2,1")
    assert parse_value("  -0.100") == (Decimal("-0.100"), "-0.100")
    assert parse_value(1.9) == (Decimal("1.9"), "1.9")
    with pytest.raises(ValueError, match="'inf'"):
        parse_value(float("inf"))
    with pytest.raises(ValueError, match="'1E\\+400'"):
        parse_value(Decimal("1E+400"))


@pytest.mark.parametrize(
    "text",
    [
        "GM\u0660\u0663\u0666\u0663",
        "WK\uff10\uff13\uff16\uff13\uff10\uff10",
        "BU\u0660\u0663\u0666\u0663\u0660\u0660\u0660\u0660",
    ],
)
def test_cbs_region_code(text: str) -> None:
    with pytest.raises(ValueError, match=repr(text)):
        region_code(text)


@pytest.mark.parametrize(
    "text",
    [
        "\u0662\u0660\u0661\u0669",
        "\uff12\uff10\uff12\uff13KW02",
        "2024MM\u0660\u0663",
        "\u0662\u0660\u0662\u0663 maart",
    ],
)
def test_cbs_period(text: str) -> None:
    with pytest.raises(ValueError, match=repr(text)):
        normalise_period(text)


def test_cbs_table_id_from_a_file_name() -> None:
    assert _table_id("ses_85163NED.csv") == "85163NED"
    assert _table_id("ses_\u0668\u0665\u0661\u0666\u0663NED.csv") is None


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        (
            ["\u0660\u0669\u0669\u0669", "WK099901", "2025-01", "bbz", "1"],
            "gemeentecode '\u0660\u0669\u0669\u0669'",
        ),
        (
            ["GM0999", "WK\u0660\u0669\u0669\u0669\u0660\u0661", "2025-01", "bbz", "1"],
            "wijkcode 'WK\u0660\u0669\u0669\u0669\u0660\u0661'",
        ),
        (
            ["GM0999", "WK099901", "\u0662\u0660\u0662\u0665-01", "bbz", "1"],
            "maand '\u0662\u0660\u0662\u0665-01'",
        ),
        (
            ["GM0999", "WK099901", "2025-01", "bbz", "\u0661\u0662\u0663"],
            "aantal_personen '\u0661\u0662\u0663'",
        ),
        (
            ["GM0999", "WK099901", "2025-01", "bbz", "\uff11\uff12\uff13"],
            "aantal_personen '\uff11\uff12\uff13'",
        ),
    ],
)
def test_benefits_row_in_other_digits(fields: list[str], named: str) -> None:
    with pytest.raises(ValueError) as e:
        benefits.parse_row(fields)
    assert named in str(e.value)


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("9991AA;\u0661\u0662;9990101;99901;999", "huisnummer '\u0661\u0662'"),
        (
            "9991AA;12;\u0669\u0669\u0669\u0660\u0661\u0660\u0661;99901;999",
            "buurt '\u0669\u0669\u0669\u0660\u0661\u0660\u0661'",
        ),
        (
            "9991AA;12;9990101;\uff19\uff19\uff19\uff10\uff11;999",
            "wijk '\uff19\uff19\uff19\uff10\uff11'",
        ),
        ("9991AA;+12;9990101;99901;999", "huisnummer '+12'"),  # int() takes a sign
        ("9991AA;1_2;9990101;99901;999", "huisnummer '1_2'"),  # and an underscore
    ],
)
def test_address_file_row_in_other_digits(line: str, named: str) -> None:
    with pytest.raises(ValueError) as e:
        adres.parse_line(line, ";")
    assert named in str(e.value)
    assert adres.parse_line("9991AA;12;9990101;99901;999", ";").buurtcode == 9990101


@pytest.mark.parametrize("stated", ["\u0664", "\uff14", 3.9, True, "5"])
def test_odata_version_is_3_or_4(stated: object) -> None:
    with pytest.raises(FileRefused, match="odata_version"):
        odata.odata_version({"odata_version": stated, "Observations": []})
    assert odata.odata_version({"odata_version": "4"}) == 4
    assert odata.odata_version({"Observations": []}) == 4
    assert odata.odata_version({"TypedDataSet": []}) == 3


def test_odata_record_with_a_huge_number_is_one_refused_record(tmp_path: Path) -> None:
    """A 5,000-digit JSON integer: Python's int() refuses it for the whole file; here only
    its record is refused, named, and the other record loads."""
    path = tmp_path / "85163NED.json"
    path.write_text(
        '{"table_id": "85163NED", "odata_version": 4, "Observations": ['
        '{"WijkenEnBuurten": "GM0363", "Perioden": "2019JJ00", "Measure": "M1", "Value": 5},'
        '{"WijkenEnBuurten": "GM0344", "Perioden": "2019JJ00", "Measure": "M1", "Value": '
        + "9" * 5000
        + "}]}",
        encoding="utf-8",
    )
    _table, version, obs, bad, n = odata.read_odata(path)
    assert (version, n, [(o.region_code, o.value) for o in obs]) == (4, 2, [("GM0363", 5)])
    ((line, reason, _text),) = bad
    assert line == 2 and "beyond any CBS statistic" in reason


# ------------------------------------------------------------------ KWB years

KWB_CSV_HEADER = "gwb_code_10;regio;jaar;a_inw;a_00_14;a_15_24;a_25_44;a_45_64;a_65_oo"


@pytest.mark.parametrize(
    ("jaar", "named"),
    [
        ("\u0662\u0660\u0662\u0664", "jaar '\u0662\u0660\u0662\u0664' is not a year of four"),
        ("\uff12\uff10\uff12\uff14", "jaar '\uff12\uff10\uff12\uff14' is not a year of four"),
        ("20211", "jaar '20211' is not a year of four digits 0-9"),
        ("+2024", "jaar '+2024' is not a year of four digits 0-9"),
        ("1850", "jaar 1850 is not a plausible KWB year (1990-2100)"),
    ],
)
def test_kwb_jaar_is_four_ascii_digits(tmp_path: Path, jaar: str, named: str) -> None:
    """Before: ``int(str(cell).strip())`` read ``٢٠٢٤`` as 2024 and ``20211`` as a year."""
    path = tmp_path / "kwb.csv"
    lines = [
        KWB_CSV_HEADER,
        "WK036301;Centrum;2024;5;1;1;1;1;1",
        f"WK036302;Oost;{jaar};5;1;1;1;1;1",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _year, obs, bad, n = kwb.read_kwb(path)
    assert n == 2 and {(o.region_code, o.period) for o in obs} == {("WK036301", "2024")}
    ((line, reason, _text),) = bad
    assert line == 3 and reason.startswith(named)


def test_kwb_year_from_a_name_is_four_digits_alone() -> None:
    assert kwb.year_from_name("kwb-2023") == 2023
    assert kwb.year_from_name("kwb-20231", "kwb_2022.xlsx") == 2022  # 20231 is no year
    assert kwb.year_from_name("kwb-1850.csv") is None
    assert kwb.year_cell(2024) == 2024 and kwb.year_cell(2024.0) == 2024
    with pytest.raises(ValueError, match="jaar 'True' is not a year"):
        kwb.year_cell(True)
