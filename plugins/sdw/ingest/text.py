"""How a source's bytes become text, one rule for every source: a file is never lost for a few
bytes its encoding does not allow; the lines that hold them are.

- A UTF-8 byte order mark says UTF-8: the file is read as UTF-8 even where some bytes are not
  (reading it all as Windows-1252 instead turned the mark into ``ï»¿`` and lost the header).
- Without a mark, a file that is valid UTF-8 is UTF-8; otherwise the source's ``fallback``
  (Windows-1252 as Excel writes it, for the finance and case exports), or, for sources whose
  contract says UTF-8 (CBS), UTF-8 all the same.
- A byte that is not valid in the encoding read is kept as a lone surrogate
  (``surrogateescape``): ``undecodable`` finds it, the reader refuses that line with
  ``NOT_TEXT`` and keeps the rest. Nothing is guessed and nothing is silently replaced; what
  quarantine keeps of such a line is made storable by the core (``sdw.ingest.guard.storable``).
"""

from __future__ import annotations

import unicodedata

BOM = b"\xef\xbb\xbf"
NOT_TEXT = "bytes that are not text in the file's encoding (UTF-8, or Windows-1252 without a mark)"


def decode(data: bytes, fallback: str | None = "cp1252") -> str:
    """``data`` as text by the rule above (the byte order mark removed)."""
    if data.startswith(BOM):
        return data[len(BOM) :].decode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if fallback is None:
            return data.decode("utf-8", "surrogateescape")
        return data.decode(fallback, "surrogateescape")


def undecodable(text: str) -> bool:
    """True when ``text`` holds a byte its encoding did not allow (see ``decode``)."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def invisible(text: str) -> bool:
    """True when ``text`` holds a character a reader does not see (a combining mark, a
    zero-width space, a bidi mark): in a number or code it can hide digits
    (``1234<U+200B>56782`` reads as 123456782), so such a value is refused, not read."""
    return not text.isascii() and any(unicodedata.category(c) in ("Mn", "Me", "Cf") for c in text)
