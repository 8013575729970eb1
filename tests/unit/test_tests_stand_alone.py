"""A clone stands on its own (issue 23): no test reads the reproducer folder beside the checkout.
Every hostile-input class is built inside the tests (``tests.hostile``); only comparisons with
the official iStandaarden XSDs and example messages (and the compose-spec schema) may read
``../shared/reference``, and each of those skips with a reason when it is absent."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
# "shared" then "repro" as a path, however it is spelt: shared/repro, "shared" / "repro"
_REPRO = re.compile(r"""shared['"]?\s*/\s*['"]?repro""")
_REFERENCE = re.compile(r"""shared['"]?\s*/\s*['"]?reference""")


def _sources() -> dict[str, str]:
    return {
        p.relative_to(TESTS).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(TESTS.rglob("*.py"))
        if p.resolve() != Path(__file__).resolve()
    }


def test_no_test_reads_the_reproducer_folder() -> None:
    readers = [name for name, text in _sources().items() if _REPRO.search(text)]
    assert readers == []


def test_what_reads_the_reference_folder_skips_with_a_reason_or_only_adds_to_a_corpus() -> None:
    """Each file that builds a path to ../shared/reference has a skip with a reason (or, for the
    mutation corpus, only adds the official messages to its generated seeds when present)."""
    silent = [
        name
        for name, text in _sources().items()
        if _REFERENCE.search(text)
        and "pytest.skip(" not in text
        and "reason=" not in text
        and ".is_dir()" not in text
    ]
    assert silent == []


def test_the_hostile_classes_need_nothing_beside_the_checkout() -> None:
    hostile = [n for n in _sources() if n.startswith("hostile/")]
    assert hostile, "tests/hostile is missing"
    assert [n for n in hostile if "shared" in _sources()[n]] == []
