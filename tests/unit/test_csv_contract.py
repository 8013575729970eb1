"""CSV contracts: a rejected row keeps only its contract fields with every BSN masked, and a
file recognisably of one kind but missing a required column is refused whole, naming it.

Each class is tested with its builder of ``tests.hostile`` (a generated file with the class's
row or column change) and with an input of this file's own. BSN-like numbers used: 123456782
(9*1+8*2+7*3+6*4+5*5+4*6+3*7+2*8-1*2 = 154 = 14*11) and 111222333 (9+8+7+12+10+8+9+6-3 = 66
= 6*11): both pass the elfproef.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sdw.ingest.classify import by_name, classify
from sdw.ingest.contract import IngestContext, ParsedFile, masked
from sdw.ingest.csv_contract import check_columns
from sdw.pseudonym import Pseudonymiser, mask_bsns
from tests.hostile import rows
from tests.hostile.seeds import generated

BSNS = ("123456782", "111222333")
ADDRESS_HEADER = "PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024"
BENEFITS_HEADER = "gemeentecode;wijkcode;maand;regeling;aantal_personen"
KWB_HEADER = (
    "gwb_code_10;gwb_code_8;regio;gm_naam;recs;a_inw;a_00_14;a_15_24;a_25_44;a_45_64;a_65_oo"
)
CASES_HEADER = (
    "gemeentecode;identificatie;wet;datumMelding;datumOnderzoekAfgerond;datumStartAanvraag;"
    "datumBeschikking;datumAfhandeling;resultaat;postcode;huisnummer;wijkcode"
)


def context() -> IngestContext:
    return IngestContext(
        Pseudonymiser(b"test-key-" + b"x" * 32),
        lambda _pc, _hn: ("matched", 999010101, 9990101, 999),
        lambda: True,
        lambda _w, _a, _n: set(),
    )


def ingest(path: Path) -> tuple[str, ParsedFile]:
    """The kind's parser and the masking the ingest worker applies to every file."""
    kind = classify(path)
    ctx = context()
    return kind, masked(by_name()[kind].parse(path, "hash", ctx), ctx.pseudonymiser)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated municipality's CBS files the row classes start from."""
    return generated(tmp_path_factory.mktemp("hostile"))


def kept_text(parsed: ParsedFile) -> str:
    """Everything quarantine and the ledger would keep of the file, as one text."""
    parts = [parsed.report.reason or ""]
    for q in parsed.quarantine:
        parts += [q.reason, q.original_fragment]
    return "\n".join(parts)


def assert_no_clear_bsn(text: str) -> None:
    for bsn in BSNS:
        assert bsn not in text


# ------------------------------------------------------------------ rejected rows redacted


def test_hostile_bsn_in_address_row_is_masked(source: Path, tmp_path: Path) -> None:
    (path,) = rows.bsn_in_address_row(tmp_path, source)
    kind, parsed = ingest(path)
    assert (kind, parsed.report.status) == ("cbs_adres", "loaded_with_rejections")
    (q,) = parsed.quarantine
    assert (q.reason_code, q.line_number) == ("CBS_ADRES_ROW", 1802)
    assert_no_clear_bsn(kept_text(parsed))
    # the contract's other fields stay, so the row can still be found and understood
    assert q.original_fragment.startswith("[bsn:") and q.original_fragment.endswith(
        ";1;9990101;99901;999"
    )
    assert "[bsn:" in q.reason


def test_hostile_bsn_in_benefits_row_is_masked(source: Path, tmp_path: Path) -> None:
    (path,) = rows.bsn_in_benefits_row(tmp_path, source)
    kind, parsed = ingest(path)
    assert (kind, parsed.report.lines_quarantined) == ("cbs_gemeente_uitkering", 1)
    (q,) = parsed.quarantine
    assert q.line_number == 82
    assert_no_clear_bsn(kept_text(parsed))
    assert q.original_fragment.startswith("GM0999;[bsn:")


def test_own_address_rows_bsn_and_extra_name(tmp_path: Path) -> None:
    path = tmp_path / "adressen.csv"
    path.write_text(
        f"{ADDRESS_HEADER}\n"
        "9991AA;1;9990101;99901;999\n"
        "111222333;2;9990101;99901;999\n"  # line 3: a BSN where the postcode goes
        "9991AA;3;9990101;99901;999;Jansen\n"  # line 4: a sixth field, a name
        "9991AA;4;9990101;99902;999\n",  # line 5: buurt outside its wijk, kept as is
        encoding="utf-8",
    )
    kind, parsed = ingest(path)
    assert kind == "cbs_adres"
    assert (parsed.report.lines_loaded, parsed.report.lines_quarantined) == (1, 3)
    text = kept_text(parsed)
    assert_no_clear_bsn(text)
    assert "Jansen" not in text
    frags = {q.line_number: q.original_fragment for q in parsed.quarantine}
    assert frags[4] == (
        "[6 fields where the contract has 5; the line is not kept: it may hold personal data]"
    )
    assert frags[5] == "9991AA;4;9990101;99902;999"


def test_own_benefits_rows_bsn_as_count_and_extra_field(tmp_path: Path) -> None:
    path = tmp_path / "uitkeringen.csv"
    path.write_text(
        f"{BENEFITS_HEADER}\n"
        "GM0999;WK099901;2025-01;bbz;7\n"
        "GM0999;WK099901;2025-01;ioaw;111222333\n"  # a BSN as a count: 9 digits, rejected
        "GM0999;WK099901;2025-02;bbz;5;de Vries\n",
        encoding="utf-8",
    )
    _kind, parsed = ingest(path)
    assert (parsed.report.lines_loaded, parsed.report.lines_quarantined) == (1, 2)
    text = kept_text(parsed)
    assert_no_clear_bsn(text)
    assert "de Vries" not in text
    assert "more than any wijk's population" in parsed.quarantine[0].reason


def test_own_kwb_and_statline_rows(tmp_path: Path) -> None:
    kwb = tmp_path / "kwb-2024.csv"
    kwb.write_text(
        f"{KWB_HEADER}\n"
        "GM0999;0999;Denkstede;Denkstede;Gemeente;100;20;20;20;20;20\n"
        "123456782;x;Wijk;Denkstede;Wijk;50;10;10;10;10;10\n",  # a BSN as the region code
        encoding="utf-8",
    )
    kind, parsed = ingest(kwb)
    assert (kind, parsed.report.lines_quarantined) == ("cbs_kwb", 1)
    assert_no_clear_bsn(kept_text(parsed))
    statline = tmp_path / "statline.csv"
    statline.write_text(
        '"Wijken en buurten";"Perioden";"Regioaanduiding/Codering (code)";"Inwoners (aantal)"\n'
        '"Denkstede";"2024JJ00";"GM0999    ";"100"\n'
        '"Centrum";"2024JJ00";"111222333";"50"\n'  # BSN as region code
        '"Centrum";"2024JJ00";"WK099901";"50";"Jansen"\n',  # a fifth field
        encoding="utf-8",
    )
    kind, parsed = ingest(statline)
    assert (kind, parsed.report.lines_quarantined) == ("cbs_statline", 2)
    text = kept_text(parsed)
    assert_no_clear_bsn(text)
    assert "Jansen" not in text


def test_masking_leaves_existing_masks_alone() -> None:
    pseudo = Pseudonymiser(b"k" * 32)
    # 12 hex digits of a mask may hold 9 decimal digits passing the elfproef; never re-masked
    assert mask_bsns("x [melding:111222333abc] 111222333", pseudo) == (
        f"x [melding:111222333abc] {pseudo.mask('111222333')}"
    )


# ------------------------------------------------------------------ missing columns


def test_hostile_kwb_without_a_inw_is_refused_naming_the_column(
    source: Path, tmp_path: Path
) -> None:
    (path,) = rows.kwb_without_population(tmp_path, source)
    kind, parsed = ingest(path)
    assert kind == "cbs_kwb"
    r = parsed.report
    # 18 data lines (GM, 5 wijken, 12 buurten), all quarantined with the file
    assert (r.status, r.reason_code, r.lines_in, r.lines_quarantined) == (
        "quarantined",
        "MISSING_COLUMN",
        18,
        18,
    )
    assert "a_inw" in r.reason and "KWB" in r.reason
    assert parsed.tables == {}


@pytest.mark.parametrize(
    ("header", "kind", "missing"),
    [
        # KWB: code + regio make it a KWB; a_inw and an age band are gone
        ("gwb_code_10;regio;recs;a_00_14;a_15_24;a_25_44;a_45_64", "cbs_kwb", "a_inw, a_65_oo"),
        # benefits: 4 of 5 columns
        ("gemeentecode;wijkcode;maand;regeling", "cbs_gemeente_uitkering", "aantal_personen"),
        # address file: 4 of 5, the year columns matched by name
        ("PC6;Huisnummer;Buurt2024;Wijk2024", "cbs_adres", "Gemeente<jaar>"),
        # case export: 11 of 12
        (CASES_HEADER.replace(";wijkcode", ""), "cases", "wijkcode"),
    ],
)
def test_own_file_missing_a_column(tmp_path: Path, header: str, kind: str, missing: str) -> None:
    path = tmp_path / "delivery.csv"
    path.write_text(f"{header}\n1;2;3;4\n5;6;7;8\n", encoding="utf-8")
    got, parsed = ingest(path)
    assert got == kind
    r = parsed.report
    assert (r.status, r.reason_code, r.lines_quarantined) == ("quarantined", "MISSING_COLUMN", 2)
    assert f"column{'s' if ', ' in missing else ''} {missing};" in r.reason
    (q,) = parsed.quarantine
    assert q.scope == "file" and q.original_fragment == f"header: {header}"


def test_too_little_in_common_stays_unknown(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    # 2 of the benefits file's 5 columns, 2 of the case export's 12: neither
    path.write_text("gemeentecode;wijkcode;naam\nGM0999;WK099901;x\n", encoding="utf-8")
    assert classify(path) == "unknown"


def test_more_than_half_is_the_threshold() -> None:
    sig = ("a", "b", "c", "d")
    assert check_columns("x", {"a", "b"}, sig, sig) is None  # 2 of 4: not more than half
    verdict = check_columns("x", {"a", "b", "c"}, sig, sig)
    assert verdict is not None and verdict.missing == ("d",)
