"""BSN handling: the elfproef, and the keyed pseudonym that replaces a BSN before any write.

The pseudonym is HMAC-SHA256(key, bsn) in hex. Keyed, so that nobody without the key can rebuild
the mapping by hashing all 10^9 possible BSNs; deterministic, so the same client links across
messages, files and loads.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re

PSEUDONYM_PATTERN = re.compile(r"^[0-9a-f]{64}$")
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


@functools.lru_cache(maxsize=1 << 16)  # a client's BSN repeats on every line of a file
def passes_elfproef(bsn: str) -> bool:
    """The BSN eleven test: 9 digits, weighted sum (9..2, -1) divisible by 11, not all zeros."""
    if len(bsn) != 9 or not bsn.isdigit() or bsn == "000000000":
        return False
    return sum(int(d) * w for d, w in zip(bsn, _WEIGHTS, strict=True)) % 11 == 0


class Pseudonymiser:
    """Maps BSN -> pseudonym, caching because one client appears on many lines of a file.

    The cache only has to span a file (a client's lines are together in it), so it is kept
    small: a cache as large as the municipality (a million clients, ~220 MB) made the ingest's
    memory grow with the input instead of staying flat (bench/, issue 5)."""

    CACHE_LIMIT = 1 << 16

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._cache: dict[str, str] = {}

    def __call__(self, bsn: str) -> str:
        p = self._cache.get(bsn)
        if p is None:
            p = hmac.new(self._key, bsn.encode(), hashlib.sha256).hexdigest()
            if len(self._cache) >= self.CACHE_LIMIT:
                self._cache.clear()
            self._cache[bsn] = p
        return p

    def mask(self, bsn: str) -> str:
        """What a person may see instead of a BSN: a short pseudonym prefix, enough to find the
        client's rows in the warehouse, useless without the warehouse."""
        return f"[bsn:{self(bsn)[:12]}]"


_BSN_ELEMENT = re.compile(r"(<(?:[\w.-]+:)?Bsn>)\s*([^<]*?)\s*(</(?:[\w.-]+:)?Bsn>)")
_NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")


def mask_bsns(text: str, pseudonymiser: Pseudonymiser) -> str:
    """Replace every BSN in an XML fragment (the content of any ``Bsn`` element, and any other
    free-standing 9-digit number that passes the elfproef) by its masked pseudonym."""
    text = _BSN_ELEMENT.sub(lambda m: m[1] + pseudonymiser.mask(m[2]) + m[3], text)
    return _NINE_DIGITS.sub(
        lambda m: pseudonymiser.mask(m[0]) if passes_elfproef(m[0]) else m[0], text
    )
