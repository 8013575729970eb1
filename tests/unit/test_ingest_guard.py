"""The ingest core's promises for every source (``sdw.ingest.guard``, ``sdw.ingest.sealed``,
``sdw.pseudonym``): file names are data from outside, no clear BSN in any text of any source,
no mask that reads as a BSN, and a path that survives XCom. Every hostile input is written here
from literals; 123456782 and 111222333 pass the elfproef (worked out by hand:
1*9+2*8+3*7+4*6+5*5+6*4+7*3+8*2-2*1 = 154 = 14*11; 1*9+1*8+1*7+2*6+2*5+2*4+3*3+3*2-3 = 66)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sdw.ingest.contract import INGEST_ERROR
from sdw.ingest.guard import NAME_LIMIT, display_name, read, read_file, storable
from sdw.ingest.sealed import seal, unseal
from sdw.pseudonym import BsnScrubber, Pseudonymiser, mask_bsns
from tests.mutation.oracle import context

BSN = "123456782"
OTHER = "111222333"
PSEUDO = Pseudonymiser(b"guard-test-key-0123456789abcdef0")
NINE = re.compile(r"[0-9]{9}")


def _clear(text: str) -> bool:
    return BSN in text or OTHER in text


# -- file names ---------------------------------------------------------------------------------


def test_a_name_that_is_not_utf8_is_shown_with_escapes() -> None:
    assert display_name(b"wmo_307_\xff\xfe_not_utf8.xml", PSEUDO) == (
        "wmo_307_\\xff\\xfe_not_utf8.xml"
    )
    # as Path gives it (surrogate escapes): the same display form, which UTF-8 can encode
    shown = display_name(Path("wmo_307_\udcff\udcfe_not_utf8.xml").name, PSEUDO)
    assert shown == "wmo_307_\\xff\\xfe_not_utf8.xml"
    shown.encode("utf-8")


@pytest.mark.parametrize(
    "name",
    [
        "wmo_325_client_123456782.xml",
        "123456782.csv",
        "begroting \u0301123456782.csv",  # a combining mark before it
        "begroting 1234\u200b56782.csv",  # a zero-width space inside it
        "begroting \u0661\u0662\u0663123456782.csv",  # Arabic-Indic digits before it
        "begroting \u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0662.csv",  # in Arabic-Indic
        "x\n123456782\t.csv",  # control characters around it
        b"\x12" + b"3456782.csv",  # an escape's digits that join the run: \x12 + 3456782
    ],
)
def test_no_bsn_survives_in_a_name(name: str | bytes) -> None:
    shown = display_name(name, PSEUDO)
    assert BSN not in shown and "[bsn:" in shown
    assert shown.isprintable()
    assert display_name(shown, PSEUDO) == shown  # idempotent: stored names are shown as such


def test_a_long_name_keeps_its_start_and_end() -> None:
    shown = display_name("a" * 1000 + "_wmo_323.xml", PSEUDO)
    assert len(shown) == NAME_LIMIT and shown.startswith("aaaa") and shown.endswith("_wmo_323.xml")


def test_a_sealed_path_survives_json_and_holds_no_digit(tmp_path: Path) -> None:
    key = b"k" * 32
    path = str(tmp_path / "wmo_325_client_123456782_\udcff.xml")
    sealed = seal(path, key)
    assert json.loads(json.dumps(sealed)) == sealed
    assert not any(c.isdigit() for c in sealed) and BSN not in sealed
    assert unseal(sealed, key) == path
    with pytest.raises(Exception):  # noqa: B017 - any key but the right one is refused
        unseal(sealed, b"j" * 32)


# -- masks and the scrubber ---------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=32), st.text(max_size=20))
def test_no_mask_can_hold_a_run_of_nine_digits(key: bytes, value: str) -> None:
    mask = Pseudonymiser(key).mask(value)
    assert re.fullmatch(r"\[bsn:[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}\]", mask)
    assert not NINE.search(mask)


@pytest.mark.parametrize(
    ("text", "known"),
    [
        ("id \u0661\u0662\u0663123456782", ()),  # the run is 12 long only with other scripts
        ("\u0301123456782", ()),
        ("tel 1234\u200b56782", ()),
        ("\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff12", ()),  # full-width
        ("ref 99123456782", ("123456782",)),  # the message's own BSN inside a longer run
        ("ref 99111222333 and 123456782", ("111222333",)),
    ],
)
def test_mask_bsns_finds_bsns_as_a_reader_sees_them(text: str, known: tuple[str, ...]) -> None:
    out = mask_bsns(text, PSEUDO, known)
    assert not _clear(out)
    assert "[bsn:" in out
    assert mask_bsns(out, PSEUDO, known) == out


def test_mask_bsns_keeps_what_is_no_bsn() -> None:
    text = "ref 123456789 and R9912345678 and \u0661\u0662\u0663"  # fails the elfproef; 10 long
    assert mask_bsns(text, PSEUDO) == text


def test_scrubber_treats_a_bsn_behind_an_invisible_mark_as_the_bsn() -> None:
    scrub = BsnScrubber(PSEUDO, set())
    assert scrub.value("\u0301123456782") == PSEUDO(BSN)
    assert scrub.value("\u200b123456782\u200b") == PSEUDO(BSN)
    assert scrub.value("R000000012X") == "R000000012X"  # an identifier keeps its digits


def test_storable_text_escapes_nul_and_lone_surrogates() -> None:
    assert storable("a\x00b") == "a\\x00b"
    assert storable("a\ud800b") == "a\\ud800b"
    assert storable("gewoon €") == "gewoon €"


# -- every source's text, through the core ------------------------------------------------------

_BUDGET = (
    "Gemeentecode;Begrotingsjaar;Peildatum;Rapportageversie;Begrotingspost;Omschrijving;Taakveld;"
    "Programma;Project;Kostenplaats;Primitieve begroting;Begrotingswijzigingen;Overheveling;"
    "Realisatie;Verplichtingen;Prognose\n"
    "GM0999;2024;31-12-2024;2024-Q4;TERUGVORDERING;Terugvordering BSN 123456782;6.3;Inkomen;"
    "dossier 123456782;KP-123456782;€ 1.000,00;-;-;€ 500,00;-;€ 900,00\n"
    "GM0999;2024;31-12-2024;2024-Q4;111222333;post met bsn als code;6.3;Inkomen;123456782;;"
    "€ 1.000,00;-;-;€ 500,00;-;€ 900,00\n"
)


def _texts(parsed) -> list[str]:  # type: ignore[no-untyped-def]
    out = [parsed.report.source_file, parsed.report.reason or ""]
    for _cols, rows in parsed.tables.values():
        out += [v for row in rows for v in row if isinstance(v, str)]
    for q in parsed.quarantine:
        out += [q.reason, q.original_fragment]
    return out


def test_a_budget_files_free_text_and_name_are_masked(tmp_path: Path) -> None:
    path = tmp_path / "begroting_client_123456782.csv"
    path.write_text(_BUDGET, encoding="utf-8")
    parsed = read_file(path, "h" * 64, "budget_csv", context())
    assert parsed.report.lines_loaded == 2
    texts = _texts(parsed)
    assert not [t for t in texts if _clear(t)]
    assert parsed.report.source_file.startswith("begroting_client_[bsn:")


def test_a_parser_that_raises_ends_as_the_files_quarantine(tmp_path: Path) -> None:
    path = tmp_path / "wmo_123456782.xml"
    path.write_bytes(b"<x/>")

    def boom():  # type: ignore[no-untyped-def]
        raise ValueError("a reader bug quoting 123456782")

    parsed = read(boom, path, "h" * 64, "istandaarden", context(), {})
    assert parsed.report.status == "quarantined" and parsed.report.reason_code == INGEST_ERROR
    assert not [t for t in _texts(parsed) if _clear(t)]


# -- bytes to text: one bad byte costs its line, not the file -----------------------------------


def test_a_bom_file_with_one_bad_byte_loses_only_that_line(tmp_path: Path) -> None:
    path = tmp_path / "begroting.csv"
    header, good = _BUDGET.encode("utf-8").split(b"\n")[:2]
    bad = good.replace(b"Inkomen", b"Inkomen \xe9").replace(b"TERUGVORDERING", b"ANDERE")
    path.write_bytes(b"\xef\xbb\xbf" + header + b"\n" + good + b"\n" + bad + b"\n")
    parsed = read_file(path, "h" * 64, "budget_csv", context())
    assert (parsed.report.lines_loaded, parsed.report.lines_quarantined) == (1, 1)
    (q,) = parsed.quarantine
    assert q.reason.startswith("Line 3: bytes that are not text")
    q.original_fragment.encode("utf-8")  # storable


def test_decode_follows_one_rule() -> None:
    from sdw.ingest.text import decode, undecodable

    assert decode(b"\xef\xbb\xbfa\xe9") == "a\udce9" and undecodable("a\udce9")
    assert decode("é".encode()) == "é" and not undecodable("é")
    assert decode(b"caf\xe9") == "café"  # Windows-1252 without a mark
    assert decode(b"caf\xe9", fallback=None) == "caf\udce9"  # a UTF-8 contract


def test_a_name_that_is_not_utf8_keeps_its_readable_parts_for_the_parser(tmp_path: Path) -> None:
    from sdw.ingest.guard import _encodable

    path = Path(os.fsdecode(os.fsencode(tmp_path) + b"/\xff\xfekwb-2024.csv"))
    path.write_bytes(b"x")
    with _encodable(path) as readable:
        assert readable.name == "__kwb-2024.csv" and readable.read_bytes() == b"x"


def test_a_corrupt_files_einval_is_the_files_not_the_disks() -> None:
    import errno

    from sdw.ingest.guard import disk_failure

    assert not disk_failure(OSError(errno.EINVAL, "Invalid argument"))
    assert disk_failure(OSError(errno.EIO, "Input/output error"))
    assert not disk_failure(OSError("no errno"))


def test_an_alert_masks_nine_digit_runs_as_a_reader_sees_them() -> None:
    from sdw.orchestration.callbacks import scrub

    assert scrub("client 123456782 failed") == "client ######### failed"
    assert BSN not in scrub("id \u0661\u0662\u0663123456782")  # 12 long only with other scripts
    assert BSN not in scrub("x 1234\u200b56782 y") and "#########" in scrub("x 1234\u200b56782 y")
