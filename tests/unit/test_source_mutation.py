# ruff: noqa: RUF001
# (other scripts' digits, full-width and invisible characters are the point here)
"""Property and mutation tests of every source contract (issue 22: every source as hard as the
messages). Per contract, Hypothesis writes valid files from the contract
(``tests/mutation/sources/``: columns as the layouts name them, the documented notations,
irregular but legal shapes) and mutants of them (cells, amounts, digits in codes and dates,
encodings, BOMs, delimiters, quoting, columns, planted BSNs, file names, workbook internals),
each held to the source oracle: nothing escapes the guarded read, every file ends with a
specific reason, rows and euros reconcile, one bad row costs one row, a notation the contract
does not name is not taken, no clear BSN is kept.

Derandomized, so CI sees the same cases every run; the campaign command
(``python -m tests.mutation.sources --source all --mutants 20000``) explores further with the
same generators, operators and oracle.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.mutation.sources.contracts import CONTRACTS, Contract
from tests.mutation.sources.doc import Doc
from tests.mutation.sources.mutate import Mutant, mutate, unmutated
from tests.mutation.sources.oracle import check, clear_bsn, elfproef, normalised

VALID = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
MUTANTS = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,  # the same cases on every CI run; the campaign command explores further
    # No shrinking: a failing mutant names its operators in the assertion, and shrinking one
    # took minutes of CI (the oracle reads a file per step); the campaign keeps the files.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
NAMES = sorted(CONTRACTS)


@pytest.fixture(autouse=True)
def _quiet_guard() -> None:
    # The guard logs every quarantined traceback at ERROR; hundreds of them say nothing here.
    logging.getLogger("sdw").setLevel(logging.CRITICAL)


def _problems(contract: Contract, mutant: Mutant) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / mutant.name
        path.write_bytes(mutant.data)
        return check(path, contract, mutant).problems


@pytest.mark.parametrize("name", NAMES)
def test_a_valid_file_loads_whole(name: str) -> None:
    """Every file the strategy writes is valid: claimed by its kind, every row loaded. (This
    proves the strategies as much as the readers: a mutant is only a finding if its seed was
    valid.)"""
    contract = CONTRACTS[name]

    @VALID
    @given(doc=contract.files())
    def run(doc: Doc) -> None:
        assert _problems(contract, unmutated(doc)) == []

    run()


@pytest.mark.parametrize("name", NAMES)
def test_no_mutant_escapes_loses_rows_or_leaks(name: str) -> None:
    contract = CONTRACTS[name]

    @MUTANTS
    @given(doc=contract.files(), rnd=st.randoms(use_true_random=False))
    def run(doc: Doc, rnd) -> None:  # type: ignore[no-untyped-def]
        mutant = mutate(doc, rnd)
        assert _problems(contract, mutant) == [], (mutant.ops, repr(mutant.name))

    run()


# --- the oracle's own rules, by hand ------------------------------------------------------


def test_the_oracle_elfproef_worked_out_by_hand() -> None:
    # 1*9 + 2*8 + 3*7 + 4*6 + 5*5 + 6*4 + 7*3 + 8*2 - 2 = 154 = 14 * 11
    assert elfproef("123456782")
    assert not elfproef("123456789")  # 154 - 2 + 9 = 161, not a multiple of 11
    assert not elfproef("000000000")


def test_the_oracle_sees_a_bsn_behind_marks_and_in_other_scripts() -> None:
    assert clear_bsn("123456782")
    assert clear_bsn("client 123456782 zegt")
    assert clear_bsn("1234\u200b56782")  # a zero-width space inside
    assert clear_bsn("12345678\u03012")  # a combining mark inside
    assert clear_bsn("١٢٣٤٥٦٧٨٢")  # Arabic-Indic digits
    assert clear_bsn("１２３４５６７８２")  # full-width digits
    assert clear_bsn("١٢٣123456782")  # an ASCII run of nine inside a longer one
    assert normalised("١٢٣\u0301x") == "123x"


def test_the_oracle_leaves_masks_pseudonyms_and_identifiers_alone() -> None:
    assert not clear_bsn("[bsn:0a1b2c3d4e5f]")
    assert not clear_bsn("[melding:123456782abc]")  # a mask is the project's own
    assert not clear_bsn("a" * 64)
    assert not clear_bsn("9" * 64)  # 64 digits: no run of exactly nine
    assert not clear_bsn("R000000013")  # 1*2 - 3 = -1: fails the elfproef
    assert not clear_bsn("123456789")
    assert not clear_bsn("1123456782")  # ten ASCII digits: an identifier
