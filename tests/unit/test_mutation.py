"""Property and mutation tests of the message ingest: thousands of mutants of generated and
official messages (``tests/mutation/``), each held to the oracle — no exception escapes, every
file ends loaded / loaded with rejections / quarantined with a specific reason, the two 323
readers agree, no clear BSN is kept. Hypothesis drives the mutations (``st.randoms``), so a
failure shrinks to a small one and is replayed from its database. The long campaign
(``python -m tests.mutation.run --mutants 20000``) uses the same operators and oracle.
"""

from __future__ import annotations

import tempfile
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sdw.istandaarden import declarations
from sdw.istandaarden.values import Unreadable, as_date, as_int, date_text, int_text
from tests.mutation.corpus import seed_messages
from tests.mutation.mutate import mutate
from tests.mutation.oracle import check

MUTANTS = settings(
    max_examples=1500,
    deadline=None,
    derandomize=True,  # the same cases on every CI run; the campaign command explores further
    suppress_health_check=[HealthCheck.too_slow],
)


@cache
def _seeds() -> tuple[tuple[str, bytes], ...]:
    work = Path(tempfile.mkdtemp(prefix="sdw-mutation-seeds-"))
    return tuple((p.name, p.read_bytes()) for p in seed_messages(work))


@cache
def _declaration_seeds() -> tuple[tuple[str, bytes], ...]:
    return tuple((n, b) for n, b in _seeds() if "323" in n)


def _verdict(name: str, data: bytes) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return check(path).problems


@MUTANTS
@given(index=st.integers(min_value=0), rnd=st.randoms(use_true_random=False))
def test_no_mutant_escapes_or_leaks(index: int, rnd) -> None:  # type: ignore[no-untyped-def]
    seeds = _seeds()
    name, data = seeds[index % len(seeds)]
    mutant, ops = mutate(data, rnd)
    assert _verdict(name, mutant) == [], ops


@settings(max_examples=300, deadline=None, derandomize=True)
@given(index=st.integers(min_value=0), rnd=st.randoms(use_true_random=False))
def test_readers_agree_on_mutants_across_chunk_boundaries(index: int, rnd) -> None:  # type: ignore[no-untyped-def]
    """Large files stream in chunks of clients; with chunks of 2 every mutant has boundaries
    inside it, the parser already in the next client."""
    seeds = _declaration_seeds()
    name, data = seeds[index % len(seeds)]
    mutant, ops = mutate(data, rnd)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(declarations, "WHOLE_FILE_MAX_BYTES", 0)
        m.setattr(declarations, "CHUNK_CLIENTS", 2)
        assert _verdict(name, mutant) == [], ops


# --- values: what both readers do with a schema-valid spelling -----------------------------

_years = st.integers(min_value=-20000, max_value=20000)


@given(
    year=_years,
    month=st.integers(1, 12),
    day=st.integers(1, 28),
    pad=st.sampled_from(["", " ", "\n\t", "  \r\n"]),
    zone=st.sampled_from(["", "Z", "+02:00", "-11:30"]),
)
def test_a_date_is_the_day_it_names_or_unreadable(
    year: int, month: int, day: int, pad: str, zone: str
) -> None:
    spelled = f"{'-' if year < 0 else ''}{abs(year):04d}-{month:02d}-{day:02d}{zone}"
    text = f"{pad}{spelled}{pad}"
    got = as_date(text)
    if 1 <= year <= 9999:
        assert got == date(year, month, day)
        assert date_text(text) == f"{year:04d}-{month:02d}-{day:02d}"
    else:
        assert isinstance(got, Unreadable) and got.text == text
        assert date_text(text) == got


@given(n=st.integers(min_value=-(2**70), max_value=2**70), lead=st.sampled_from(["", "+", "00"]))
def test_an_integer_is_the_number_it_names_or_unreadable(n: int, lead: str) -> None:
    text = f" {'-' if n < 0 else lead}{abs(n)} "
    got = as_int(text)
    if -(2**63) <= n < 2**63:
        assert got == n
        assert int_text(text.strip()) == str(n)
    else:
        assert isinstance(got, Unreadable)
        assert isinstance(int_text(text.strip()), Unreadable)


def test_values_worked_out_by_hand() -> None:
    assert as_date(" 2024-05-28\n") == date(2024, 5, 28)
    assert as_date("2025-01-31+14:00") == date(2025, 1, 31)  # a zone is not a different day
    assert as_date("12025-01-01") == Unreadable("12025-01-01", "year 12025 is outside 0001-9999")
    assert as_date("-2025-01-01") == Unreadable("-2025-01-01", "year -2025 is outside 0001-9999")
    assert as_date("") is None and as_date(None) is None
    assert date_text("2025-01-01") == "2025-01-01"
    assert date_text("0000-01-01") == Unreadable("0000-01-01", "year 0 is outside 0001-9999")
    assert int_text("0999") == "999" and int_text("+5") == "5" and int_text("18900") == "18900"
    assert as_int("9223372036854775808") == Unreadable(
        "9223372036854775808", "too large for the warehouse (bigint)"
    )
