"""Fictional BSNs: nine digits that pass (or, on purpose, fail) the elfproef.

The elfproef weighs the digits 9..2 and the last one -1; a valid BSN sums to a multiple of 11.
The generator needs valid ones for its clients and a few invalid-but-well-formed ones, which
the XSD accepts and ingest must quarantine.
"""

from __future__ import annotations

import random

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def elfproef(bsn: str) -> bool:
    if len(bsn) != 9 or not bsn.isdigit():
        return False
    return sum(int(d) * w for d, w in zip(bsn, _WEIGHTS, strict=True)) % 11 == 0


def new_bsn(rng: random.Random, taken: set[str]) -> str:
    """A valid BSN not in ``taken`` (and added to it)."""
    while True:
        head = f"{rng.randrange(10_000_000, 70_000_000):08d}"
        check = sum(int(d) * w for d, w in zip(head, _WEIGHTS[:8], strict=True)) % 11
        if check > 9:  # no digit makes this prefix valid
            continue
        bsn = head + str(check)
        if bsn not in taken:
            taken.add(bsn)
            return bsn


def mistyped(bsn: str) -> str:
    """The BSN with its last digit off by one: still nine digits, never elfproef-valid.

    Changing only the check digit by +1 (9 -> 0, i.e. -9) shifts the weighted sum by -1 or
    +9, neither a multiple of 11.
    """
    last = (int(bsn[-1]) + 1) % 10
    return bsn[:-1] + str(last)
