"""A BSN as a reader sees it, found independently of the code under test.

A BSN here is a run of exactly nine ASCII digits (no ASCII digit right before or after it) that
passes the elfproef: in the text as written, and again in the text as a reader sees it, with
combining marks and format characters (U+0301, zero-width space, bidi marks, soft hyphen)
dropped and every other script's decimal digits (Arabic-Indic U+0661.., full-width U+FF11..)
read as ASCII. So Arabic-Indic 123 before ``123456782`` holds a BSN (the ASCII run is nine
long) though Python's ``\\d`` makes it a run of twelve, and U+0301 before ``123456782`` holds one
behind its accent.

The project's masks (``[bsn:xxxx-xxxx-xxxx]``, ``[melding:…]``) are grouped so that they never
hold a run of nine digits; they are blanked before the scan all the same, so that digits on
either side of one are not joined into a run. Pseudonym and hash columns (64 hex digits, where
a run of nine decimal digits occurs by chance) are left out by their column, never by value.

The elfproef is written here again on purpose: the scan does not trust the code it checks.
"""

from __future__ import annotations

import re
import unicodedata

_NINE = re.compile(r"(?<![0-9])[0-9]{9}(?![0-9])")  # ASCII digits only, unlike \d
_MASK = re.compile(r"\[(?:bsn|melding):[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}\]")
_INVISIBLE = {"Mn", "Me", "Cf"}
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def elfproef(s: str) -> bool:
    """9*d1 + 8*d2 + ... + 2*d8 - d9 divisible by 11, and not 000000000."""
    return s != "000000000" and sum(int(d) * w for d, w in zip(s, _WEIGHTS, strict=True)) % 11 == 0


def as_seen(text: str) -> str:
    """``text`` as a reader sees its digits: invisible characters dropped, decimal digits of
    any script as ASCII digits."""
    out = []
    for c in text:
        if c.isascii():
            out.append(c)
        elif unicodedata.category(c) in _INVISIBLE:
            continue
        else:
            d = unicodedata.decimal(c, None)
            out.append(str(d) if d is not None else c)
    return "".join(out)


def bsns_seen(text: str) -> set[str]:
    """Every BSN in ``text``, as written or as a reader sees it (masks blanked first)."""
    text = _MASK.sub(" ", text)
    found = {run for run in _NINE.findall(text) if elfproef(run)}
    if not text.isascii():
        found |= {run for run in _NINE.findall(_MASK.sub(" ", as_seen(text))) if elfproef(run)}
    return found


def bsns_in_bytes(blob: bytes) -> set[str]:
    """``bsns_seen`` of bytes read as UTF-8 (an undecodable byte as U+FFFD, which joins no
    digits)."""
    return bsns_seen(blob.decode("utf-8", errors="replace"))


def is_pseudonym_column(column: str) -> bool:
    """Columns that hold 64-hex pseudonyms or file hashes by design (``bsn_pseudoniem``,
    ``_file_hash``, ``file_hash``, ``winning_hash``): left out of a scan by name."""
    name = column.lower()
    return "pseudoniem" in name or "pseudonym" in name or name.endswith("hash")
