"""Every message reproducer in ``../shared/repro/reliability/`` (inputs that once stopped a
delivery, leaked a BSN or split the two 323 readers) ends with the outcome chosen for its class:
a named reason, or loaded exactly as written. The table below was decided file by file against
the README there; the values checked further down were read off the files by hand.

Classes and the outcome chosen:
- invalid bytes for the declared encoding -> ENCODING (the file, never the run);
- a DOCTYPE (external entity, expansion bomb) -> DTD: no entity is ever expanded;
- XML broken so far that lxml's own recovery fails (bad character references, undeclared
  prefixes, broken attributes) -> NOT_XML; structure the schema forbids (a Client before the
  Header, a 325 without one) -> SCHEMA with the schema's own words, not INGEST_ERROR;
- schema-valid dates with surrounding whitespace -> loaded, as the date they spell; a year the
  warehouse cannot hold (12025, -2025) -> that line (or, in a header, the file)
  VALUE_OUT_OF_RANGE, never NULL;
- a comment inside Prestaties -> loaded like the same message without it;
- a BSN in another field -> stored as its pseudonym; reasons quote only its mask.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sdw.ingest.contract import ParsedFile, masked
from sdw.istandaarden.parse import parse_message_file
from sdw.pseudonym import Pseudonymiser
from tests.mutation.oracle import check, comparable, context

REPRO = Path(__file__).resolve().parents[2].parent / "shared" / "repro" / "reliability"
# 123456782: 9*1+8*2+7*3+6*4+5*5+4*6+3*7+2*8-1*2 = 154 = 14*11, passes the elfproef
TEST_BSN = "123456782"

# file -> (status, file reason code, record reason codes)
OUTCOMES: dict[str, tuple[str, str | None, list[str]]] = {
    "diff_1_jeugdwet_323_x.xml": ("loaded_with_rejections", None, ["VALUE_OUT_OF_RANGE"]),
    "diff_2_jeugdwet_323_x.xml": (
        "loaded_with_rejections",
        None,
        ["DUPLICATE_LINE", "VALUE_OUT_OF_RANGE"],
    ),
    "diff_3_wmo_323_x.xml": ("loaded", None, []),
    "diff_4_wmo_323_x.xml": ("loaded", None, []),
    "fuzz_AssertionError_parse_415_jeugdwet_325_ref.xml": ("quarantined", "SCHEMA", []),
    "fuzz_AssertionError_parse_415_wmo_315_98414002_000000002.xml": ("quarantined", "SCHEMA", []),
    "fuzz_AssertionError_parse_425_jeugdwet_319_98861168_000000035.xml": (
        "quarantined",
        "SCHEMA",
        [],
    ),
    "fuzz_AssertionError_parse_441_jeugdwet_325_98861168_000000068.xml": (
        "quarantined",
        "SCHEMA",
        [],
    ),
    "fuzz_AttributeError_parse_101_wmo_325_98414002_000000056.xml": ("quarantined", "SCHEMA", []),
    "fuzz_OSError_declarations_202_jeugdwet_323_98861168_000000019.xml": (
        "quarantined",
        "ENCODING",
        [],
    ),
    "fuzz_OSError_declarations_202_jeugdwet_323_ref.xml": ("quarantined", "ENCODING", []),
    "fuzz_OSError_schema_388_wmo_305_75993908_000000006.xml": ("quarantined", "ENCODING", []),
    "fuzz_OSError_schema_388_wmo_315_98414002_000000002.xml": ("quarantined", "ENCODING", []),
    "fuzz_UnicodeDecodeError_redact_48_wmo_323_98414002_000000018.xml": (
        "quarantined",
        "NOT_XML",
        [],
    ),
    "fuzz_UnicodeDecodeError_redact_87_wmo_315_98414002_000000002.xml": (
        "quarantined",
        "NOT_XML",
        [],
    ),
    "fuzz_ValueError_parse_118_wmo_305_ref.xml": ("quarantined", "NOT_XML", []),
    "fuzz_ValueError_redact_46_wmo_305_ref.xml": ("quarantined", "NOT_XML", []),
    "fuzz_ValueError_redact_46_wmo_319_75993908_000000004.xml": ("quarantined", "NOT_XML", []),
    "fuzz_db_NotNullViolation_10_wmo_301_ref.xml": ("loaded", None, []),
    "fuzz_db_NotNullViolation_1_wmo_325_98414002_000000056.xml": (
        "quarantined",
        "VALUE_OUT_OF_RANGE",
        [],
    ),
    "fuzz_db_NotNullViolation_2_wmo_307_75993908_000000013.xml": ("loaded", None, []),
    "fuzz_db_NotNullViolation_3_jeugdwet_323_98861168_000000019.xml": ("loaded", None, []),
    "fuzz_db_NotNullViolation_4_wmo_301_75993908_000000002.xml": ("loaded", None, []),
    "fuzz_db_NotNullViolation_5_wmo_325_98414002_000000056.xml": (
        "loaded_with_rejections",
        None,
        ["PERIOD_INVALID"],
    ),
    "fuzz_db_NotNullViolation_6_wmo_305_75993908_000000006.xml": (
        "loaded_with_rejections",
        None,
        ["VALUE_OUT_OF_RANGE"],
    ),
    "fuzz_db_NotNullViolation_7_jeugdwet_323_98861168_000000019.xml": ("loaded", None, []),
    "fuzz_db_NotNullViolation_8_wmo_325_98414002_000000056.xml": (
        "loaded_with_rejections",
        None,
        ["VALUE_OUT_OF_RANGE"],
    ),
    "fuzz_db_NotNullViolation_9_jeugdwet_315_75993908_000000032.xml": (
        "loaded_with_rejections",
        None,
        ["VALUE_OUT_OF_RANGE"],
    ),
    "fuzz_diff_1_jeugdwet_323_ref.xml": ("loaded_with_rejections", None, ["VALUE_OUT_OF_RANGE"]),
    "fuzz_diff_1_wmo_323_98414002_000000016.xml": ("loaded", None, []),
    "fuzz_diff_2_jeugdwet_323_98861168_000000019.xml": (
        "loaded_with_rejections",
        None,
        ["VALUE_OUT_OF_RANGE"],
    ),
    "fuzz_diff_2_wmo_323_98414002_000000016.xml": (
        "loaded_with_rejections",
        None,
        ["VALUE_OUT_OF_RANGE"],
    ),
    "fuzz_diff_3_jeugdwet_323_98861168_000000019.xml": ("loaded", None, []),
    # the official JW323 declares RN004 twice: OP283 rejects the second
    "fuzz_diff_4_jeugdwet_323_ref.xml": ("loaded_with_rejections", None, ["DUPLICATE_LINE"]),
    # a BSN copied into other fields: the outcome of the message itself; the invariant test
    # below proves no clear BSN is kept
    "fuzz_leak_10_jeugdwet_319_98861168_000000035.xml": ("loaded", None, []),
    "fuzz_leak_11_jeugdwet_323_ref.xml": ("loaded_with_rejections", None, ["DUPLICATE_LINE"]),
    "fuzz_leak_12_jeugdwet_307_41050631_000000009.xml": ("loaded", None, []),
    "fuzz_leak_13_wmo_323_98414002_000000016.xml": ("loaded", None, []),
    "fuzz_leak_14_wmo_305_ref.xml": ("loaded", None, []),
    "fuzz_leak_15_wmo_319_75993908_000000004.xml": ("loaded", None, []),
    "fuzz_leak_16_wmo_323_98414002_000000016.xml": ("loaded", None, []),
    "fuzz_leak_17_wmo_317_ref.xml": ("loaded", None, []),
    "fuzz_leak_18_jeugdwet_325_98861168_000000068.xml": ("loaded", None, []),
    "fuzz_leak_19_wmo_323_98414002_000000016.xml": ("loaded", None, []),
    "fuzz_leak_1_wmo_315_98414002_000000002.xml": ("quarantined", "SCHEMA", []),
    "fuzz_leak_1_wmo_323_98414002_000000016.xml": ("quarantined", "SCHEMA", []),
    "fuzz_leak_20_jeugdwet_325_98861168_000000068.xml": ("loaded", None, []),
    "fuzz_leak_21_wmo_307_75993908_000000013.xml": ("loaded", None, []),
    "fuzz_leak_22_jeugdwet_323_ref.xml": (
        "loaded_with_rejections",
        None,
        ["DUPLICATE_LINE", "PERIOD_SPANS_MONTHS"],
    ),
    "fuzz_leak_23_jeugdwet_325_98861168_000000068.xml": ("loaded", None, []),
    "fuzz_leak_24_jeugdwet_307_41050631_000000009.xml": (
        "loaded_with_rejections",
        None,
        ["BSN_ELFPROEF"],
    ),
    "fuzz_leak_25_jeugdwet_315_75993908_000000032.xml": ("loaded", None, []),
    "fuzz_leak_26_jeugdwet_301_41050631_000000028.xml": ("loaded", None, []),
    "fuzz_leak_27_jeugdwet_325_ref.xml": ("loaded", None, []),
    "fuzz_leak_28_jeugdwet_317_ref.xml": ("loaded", None, []),
    "fuzz_leak_29_wmo_325_98414002_000000056.xml": ("loaded", None, []),
    "fuzz_leak_2_jeugdwet_319_98861168_000000035.xml": ("loaded", None, []),
    "fuzz_leak_2_jeugdwet_325_ref.xml": ("loaded", None, []),
    "fuzz_leak_30_jeugdwet_323_ref.xml": ("loaded_with_rejections", None, ["DUPLICATE_LINE"]),
    "fuzz_leak_31_jeugdwet_301_41050631_000000028.xml": ("loaded", None, []),
    "fuzz_leak_3_jeugdwet_323_98861168_000000019.xml": ("loaded", None, []),
    "fuzz_leak_3_wmo_315_98414002_000000002.xml": ("loaded", None, []),
    "fuzz_leak_4_jeugdwet_325_ref.xml": ("loaded_with_rejections", None, ["PERIOD_SPANS_MONTHS"]),
    "fuzz_leak_5_jeugdwet_317_ref.xml": ("loaded", None, []),
    "fuzz_leak_6_jeugdwet_325_98861168_000000068.xml": ("loaded", None, []),
    "fuzz_leak_7_jeugdwet_325_ref.xml": ("loaded", None, []),
    "fuzz_leak_8_wmo_305_ref.xml": ("loaded", None, []),
    "fuzz_leak_9_jeugdwet_325_98861168_000000068.xml": ("loaded", None, []),
    "p1_billion_laughs_323.xml": ("quarantined", "DTD", []),
    "p1_xxe_external_entity_323.xml": ("quarantined", "DTD", []),
    "p2_latin1_bytes_in_utf8_301.xml": ("quarantined", "ENCODING", []),
    "p3_325_comment_in_prestaties.xml": ("loaded", None, []),
    "p3_325_orig.xml": ("loaded", None, []),
    "p3_whitespace_date_305.xml": ("loaded", None, []),
    "p4_bsn_as_identificatie_319.xml": ("loaded", None, []),
    # two clients' lines both carry ReferentieNummer 123456782: OP283 rejects the second
    "p4_bsn_as_referentienummer_323.xml": ("loaded_with_rejections", None, ["DUPLICATE_LINE"]),
    "p4_bsn_in_afzender_305.xml": ("quarantined", "SCHEMA", []),
    "p4_bsn_in_productcategorie_323.xml": ("quarantined", "SCHEMA", []),
}


def _repro(name: str) -> Path:
    path = REPRO / name
    if not path.is_file():
        pytest.skip(f"reproducer {path} not present (../shared/repro sits beside the checkout)")
    return path


def _parse(path: Path) -> ParsedFile:
    ctx = context()
    return masked(parse_message_file(path, "h", ctx), ctx.pseudonymiser)


def _row(parsed: ParsedFile, table: str, n: int = 0) -> dict[str, object]:
    columns, rows = parsed.tables[table]
    return dict(zip(columns, rows[n], strict=True))


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_reproducer_outcome(name: str) -> None:
    path = _repro(name)
    parsed = _parse(path)
    codes = sorted({q.reason_code for q in parsed.quarantine if q.scope == "record"})
    assert (parsed.report.status, parsed.report.reason_code, codes) == OUTCOMES[name]


def test_every_message_reproducer_is_in_the_table() -> None:
    if not REPRO.is_dir():
        pytest.skip(f"{REPRO} not present")
    assert sorted(p.name for p in REPRO.glob("*.xml")) == sorted(OUTCOMES)


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_reproducer_holds_every_invariant(name: str) -> None:
    """Nothing escapes, no INGEST_ERROR, both 323 readers agree, no clear BSN anywhere."""
    assert check(_repro(name)).problems == []


def test_whitespace_around_a_date_loads_the_date_it_spells() -> None:
    parsed = _parse(_repro("p3_whitespace_date_305.xml"))
    # <Begindatum>\n\t\t\t\t2024-05-28\n\t\t\t</Begindatum>
    assert _row(parsed, "istandaarden_305_product")["begindatum"] == date(2024, 5, 28)


def test_a_comment_inside_prestaties_changes_nothing() -> None:
    orig = comparable(_parse(_repro("p3_325_orig.xml")))
    commented = comparable(_parse(_repro("p3_325_comment_in_prestaties.xml")))
    assert commented == orig
    line = _row(_parse(_repro("p3_325_orig.xml")), "istandaarden_325_prestatie")
    assert line["ingediend_bedrag"] == 31450  # <iwmo:Bedrag>31450</iwmo:Bedrag>


def test_a_bsn_in_another_field_is_stored_as_its_pseudonym() -> None:
    pseudo = Pseudonymiser(b"mutation-key-0123456789abcdef012")  # the oracle's context key
    parsed = _parse(_repro("p4_bsn_as_identificatie_319.xml"))
    assert _row(parsed, "istandaarden_319_antwoord")["bericht_identificatie"] == pseudo(TEST_BSN)
    assert _row(parsed, "istandaarden_bericht")["bericht_identificatie"] == pseudo(TEST_BSN)

    parsed = _parse(_repro("p4_bsn_as_referentienummer_323.xml"))
    assert _row(parsed, "istandaarden_323_prestatie")["referentienummer"] == pseudo(TEST_BSN)
    duplicate = next(q for q in parsed.quarantine if q.reason_code == "DUPLICATE_LINE")
    assert TEST_BSN not in duplicate.reason
    assert pseudo.mask(TEST_BSN) in duplicate.reason


@pytest.mark.parametrize(
    "name", ["p4_bsn_in_afzender_305.xml", "p4_bsn_in_productcategorie_323.xml"]
)
def test_a_schema_reason_quotes_only_the_mask_of_a_bsn(name: str) -> None:
    pseudo = Pseudonymiser(b"mutation-key-0123456789abcdef012")
    parsed = _parse(_repro(name))
    texts = [parsed.report.reason or ""] + [
        t for q in parsed.quarantine for t in (q.reason, q.original_fragment)
    ]
    assert all(TEST_BSN not in t for t in texts)
    assert pseudo.mask(TEST_BSN) in (parsed.report.reason or "")


def test_a_year_the_warehouse_cannot_hold_names_the_value() -> None:
    parsed = _parse(_repro("fuzz_db_NotNullViolation_6_wmo_305_75993908_000000006.xml"))
    (q,) = parsed.quarantine
    assert q.reason_code == "VALUE_OUT_OF_RANGE"
    assert "'12025-01-01'" in q.reason and "year 12025" in q.reason


def test_entities_are_never_expanded() -> None:
    for name in ("p1_xxe_external_entity_323.xml", "p1_billion_laughs_323.xml"):
        parsed = _parse(_repro(name))
        assert parsed.tables == {}
        assert "DOCTYPE" in (parsed.report.reason or "")
