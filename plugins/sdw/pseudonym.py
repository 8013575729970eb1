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
from collections.abc import Collection, Sequence

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
# A mask already in the text (a BSN's, or a case number's pseudonym prefix) is matched first and
# left alone, so masking twice changes nothing (its hex digits could hold a nine-digit run).
_MASK_OR_NINE_DIGITS = re.compile(r"\[(?:bsn|melding):[0-9a-f]{12}\]|(?<!\d)\d{9}(?!\d)")


def mask_bsns(text: str, pseudonymiser: Pseudonymiser, known: Collection[str] = ()) -> str:
    """Replace every BSN in a text (the content of any ``Bsn`` element, any free-standing 9-digit
    number that passes the elfproef, and any of the ``known`` BSNs of the message, which may
    fail it) by its masked pseudonym: what reasons, fragments and logs may show."""
    text = _BSN_ELEMENT.sub(lambda m: m[1] + pseudonymiser.mask(m[2]) + m[3], text)
    return _MASK_OR_NINE_DIGITS.sub(
        lambda m: (
            pseudonymiser.mask(m[0])
            if m[0][0] != "[" and (m[0] in known or passes_elfproef(m[0]))
            else m[0]
        ),
        text,
    )


def bsn_values(text: str) -> set[str]:
    """The content of every ``Bsn`` element in an XML text (whatever else the text is)."""
    return {m[2] for m in _BSN_ELEMENT.finditer(text) if m[2]}


class BsnScrubber:
    """Replaces a BSN that stands where no BSN belongs (providers do put the client's BSN in
    ReferentieNummer or BerichtIdentificatie) before a value is written.

    A value that is one of the message's BSNs, or exactly nine digits passing the elfproef,
    becomes the pseudonym itself, so that equal values stay equal across messages and such a
    value still links to the client's ``bsn_pseudoniem``. A longer value holding one of the
    message's BSNs keeps its shape with the BSN masked. The price: a genuine nine-digit number
    that passes the elfproef by chance (about 1 in 11) is stored pseudonymised too, the same way
    everywhere, so joins on it still hold."""

    def __init__(self, pseudonymiser: Pseudonymiser, bsns: Collection[str]) -> None:
        self._pseudo = pseudonymiser
        self._bsns = frozenset(bsns)

    def value(self, v: str) -> str:
        if len(v) < 9:
            return v
        s = v.strip()
        if s in self._bsns or (len(s) == 9 and passes_elfproef(s)):
            return self._pseudo(s)
        if self._bsns and any(
            m[0] in self._bsns for m in _MASK_OR_NINE_DIGITS.finditer(v) if m[0][0] != "["
        ):
            return _MASK_OR_NINE_DIGITS.sub(
                lambda m: self._pseudo.mask(m[0]) if m[0] in self._bsns else m[0], v
            )
        return v

    def rows(
        self, columns: Sequence[str], rows: list[list[object]], skip: Collection[str] = ()
    ) -> None:
        """Scrub every text value of ``rows`` in place, except the pseudonym columns and
        ``skip`` (numbers held as text). Values repeat down a message (its header's on every
        line), so each distinct one is looked at once."""
        at = [i for i, c in enumerate(columns) if c != "bsn_pseudoniem" and c not in skip]
        seen: dict[str, str] = {}
        for row in rows:
            for i in at:
                v = row[i]
                if type(v) is str and len(v) >= 9:
                    out = seen.get(v)
                    if out is None:
                        out = seen[v] = self.value(v)
                    row[i] = out
