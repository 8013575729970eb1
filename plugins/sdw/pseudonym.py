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
import unicodedata
from collections.abc import Callable, Collection, Sequence

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
        client's rows in the warehouse, useless without the warehouse (see ``mask_form``)."""
        return mask_form("bsn", self(bsn))


def mask_form(label: str, pseudonym: str) -> str:
    """``[label:xxxx-xxxx-xxxx]``: the first 12 hex digits of a pseudonym in groups of four.
    Grouped so that a mask can never hold a run of nine digits: twelve hex digits in a row
    could (``[bsn:123456782abc]``), and a scanner, a person or this module's own scrubber
    would then take the mask for a BSN. To find the client, drop the dashes and match the
    prefix: ``bsn_pseudoniem LIKE '1a2b3c4d5e6f%'``."""
    p = pseudonym[:12]
    return f"[{label}:{p[:4]}-{p[4:8]}-{p[8:12]}]"


_BSN_ELEMENT = re.compile(r"(<(?:[\w.-]+:)?Bsn>)\s*([^<]*?)\s*(</(?:[\w.-]+:)?Bsn>)")
# A mask already in the text (a BSN's, or a case number's pseudonym prefix; the grouped form and
# the ungrouped one of earlier versions) is matched first and left alone, so masking twice
# changes nothing. Digits are ASCII digits: Python's \d also matches Arabic-Indic and
# full-width digits, and would make three Arabic-Indic digits before a BSN one run of twelve.
_MASK = r"\[(?:bsn|melding):(?:[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}|[0-9a-f]{12})\]"
_MASK_OR_NINE_DIGITS = re.compile(_MASK + r"|(?<![0-9])[0-9]{9}(?![0-9])")
_MASKS = re.compile(_MASK)
# Characters a reader does not see between or before digits: combining marks (U+0301) and
# format characters (zero-width space, joiners, bidi marks, soft hyphen, BOM).
_INVISIBLE = frozenset({"Mn", "Me", "Cf"})


def as_seen(text: str) -> tuple[str, list[int]]:
    """The text as a reader sees its digits: invisible characters dropped, every decimal digit
    of any script as its ASCII digit; with, per character kept, its index in ``text``."""
    chars: list[str] = []
    where: list[int] = []
    for i, c in enumerate(text):
        if not c.isascii():
            if unicodedata.category(c) in _INVISIBLE:
                continue
            d = unicodedata.decimal(c, None)
            if d is not None:
                c = str(d)
        chars.append(c)
        where.append(i)
    return "".join(chars), where


def mask_bsns(
    text: str,
    pseudonymiser: Pseudonymiser,
    known: Collection[str] = (),
    *,
    only_known: bool = False,
) -> str:
    """Replace every BSN in a text by its masked pseudonym: what reasons, fragments, file names,
    logs and free text may show. A BSN here is the content of any ``Bsn`` element; any run of
    exactly nine ASCII digits that passes the elfproef or is one of the ``known`` BSNs of the
    message (which may fail it); a ``known`` BSN anywhere, even inside a longer run of digits;
    and the same as a reader sees the text (``as_seen``: digits behind or between combining
    marks and invisible characters, digits of other scripts). With ``only_known`` only the
    ``known`` BSNs are masked (an identifier's other digits are kept: ``BsnScrubber``)."""

    def is_bsn(run: str) -> bool:
        return run in known or (not only_known and passes_elfproef(run))

    if "Bsn>" in text:
        text = _BSN_ELEMENT.sub(lambda m: m[1] + pseudonymiser.mask(m[2]) + m[3], text)
    text = _MASK_OR_NINE_DIGITS.sub(
        lambda m: pseudonymiser.mask(m[0]) if m[0][0] != "[" and is_bsn(m[0]) else m[0],
        text,
    )
    inside = [k for k in known if len(k) == 9 and k.isascii() and k.isdigit() and k in text]
    for k in inside:  # the message's own BSN inside a longer run of digits
        text = text.replace(k, pseudonymiser.mask(k))
    if text.isascii():
        return text
    return _mask_as_seen(text, pseudonymiser, is_bsn)


_NINE_RUN = re.compile(r"(?<![0-9])[0-9]{9}(?![0-9])")


def _mask_as_seen(text: str, pseudonymiser: Pseudonymiser, is_bsn: Callable[[str], bool]) -> str:
    """Mask the BSNs that only show once invisible characters are dropped and other scripts'
    digits read as ASCII; the rest of the text stays as written."""
    seen, where = as_seen(text)
    masks = [m.span() for m in _MASKS.finditer(seen)]
    spans: list[tuple[int, int, str]] = []
    for m in _NINE_RUN.finditer(seen):
        s, e = m.span()
        if any(a < e and s < b for a, b in masks) or not is_bsn(m[0]):
            continue
        spans.append((where[s], where[e - 1] + 1, m[0]))
    for start, end, run in reversed(spans):
        text = text[:start] + pseudonymiser.mask(run) + text[end:]
    return text


def visible(value: str) -> str:
    """A value as a reader sees it: surrounding white space and invisible characters dropped,
    other scripts' digits as ASCII digits (what ``BsnScrubber`` compares with a BSN)."""
    value = value.strip()
    return value if value.isascii() else as_seen(value)[0].strip()


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
        s = visible(v)
        if s in self._bsns or (len(s) == 9 and passes_elfproef(s)):
            return self._pseudo(s)
        if self._bsns and any(k in s for k in self._bsns if len(k) == 9 and k.isdigit()):
            # the message's own BSN anywhere in the value, even inside a longer digit run
            return mask_bsns(v, self._pseudo, self._bsns, only_known=True)
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
