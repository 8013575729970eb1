"""What of a rejected message may be kept for the people who fix it: its structure and business
content, never the personal data. Quarantine stores this instead of the original text.

Redacted: the content of every element that can hold personal data (names, birth date,
addresses and contacts, phone, e-mail, free-text comments, relatives), comments in the XML, and
every BSN, which becomes its masked pseudonym so the client can still be traced in the
warehouse. What stays: header, codes, numbers, amounts, product dates — what a sender needs to
correct and resend the message.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from lxml import etree

from sdw.ingest.contract import RedactedFile
from sdw.ingest.writer import FRAGMENT_LIMIT
from sdw.istandaarden.reader import split_tag
from sdw.pseudonym import Pseudonymiser, bsn_values, mask_bsns

PERSONAL_ELEMENTS = frozenset(
    {
        "Naam",
        "Geboortedatum",
        "Contactgegevens",
        "Contact",
        "Relaties",
        "Relatie",
        "Adres",
        "Telefoon",
        "Emailadres",
        "Commentaar",
        "Communicatie",
    }
)
REMOVED = "[verwijderd: persoonsgegevens]"


def redact_element(
    root: etree._Element, pseudonymiser: Pseudonymiser, bsns: set[str] | None = None
) -> etree._Element:
    """Redact a (copy of a) tree in place and return it; the BSNs found are added to ``bsns``
    (the caller masks them wherever else they stand)."""
    for comment in root.xpath("//comment()"):
        parent = comment.getparent()
        if parent is not None:
            parent.remove(comment)
    # A list first: clearing an element while iterating the tree would cut the iteration
    # short. Children removed on the way are detached: changing them changes nothing.
    for el in list(root.iter(etree.Element)):
        local = split_tag(el.tag)[1]
        if local == "Bsn":
            bsn = (el.text or "").strip()
            if bsns is not None and bsn:
                bsns.add(bsn)
            el.text = pseudonymiser.mask(bsn)
        elif local in PERSONAL_ELEMENTS:
            for child in list(el):
                el.remove(child)
            el.text = REMOVED
    return root


def redacted_fragment(
    element: etree._Element, pseudonymiser: Pseudonymiser, known: Collection[str] = ()
) -> str:
    """A record's element as text, redacted (the live tree is left untouched); ``known`` are
    the message's BSNs, masked wherever they stand in the record."""
    copy = etree.fromstring(etree.tostring(element))
    text = etree.tostring(redact_element(copy, pseudonymiser), encoding="unicode")
    return mask_bsns(text, pseudonymiser, known)


_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_CHAR_REF = re.compile(r"&#(x[0-9A-Fa-f]+|[0-9]+);")
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _char_ref(m: re.Match[str]) -> str:
    ref = m[1]
    code = int(ref[1:], 16) if ref[0] == "x" else int(ref)
    return m[0] if _xml_char(code) else "\ufffd"


def _as_utf8(data: bytes) -> bytes:
    """The bytes as UTF-8 text without an XML declaration: bytes that are invalid in the
    declared encoding become U+FFFD, so a recovering parser can read the rest (lxml otherwise
    gives up at the first bad byte, or keeps text that cannot be written out); likewise
    characters XML cannot hold."""
    m = _DECLARED_ENCODING.match(data)
    encoding = m[1].decode("ascii") if m else "utf-8"
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:  # an encoding Python does not know
        text = data.decode("utf-8", errors="replace")
    text = _DECLARATION.sub("", text.lstrip("\ufeff"), count=1)
    # Characters XML cannot hold, raw or as references (a recovering parser keeps them, and
    # then cannot write the tree out).
    text = _CHAR_REF.sub(_char_ref, _NOT_XML_CHAR.sub("\ufffd", text))
    return text.encode("utf-8")


def redacted_file(path: Path, pseudonymiser: Pseudonymiser, limit: int) -> tuple[str, bool]:
    """The first ``limit`` bytes of a rejected file as redacted XML, and whether it was cut.

    Reads at most ``limit`` bytes (memory stays bounded whatever the file size) and lets lxml
    recover what it can of a cut or malformed document. Content that cannot be read as XML is
    not kept at all: there is no telling what personal data it holds. Whatever the bytes are,
    this returns: a file that cannot be redacted is kept as a note saying so, never quoted, and
    never stops the quarantine of the file.
    """
    size = path.stat().st_size
    with path.open("rb") as fh:
        data = fh.read(limit)
    truncated = size > limit
    unreadable = (
        f"[{size} bytes that cannot be read as XML; not kept here because they may hold "
        "personal data — the file itself stays in the inbox]"
    )
    parser = etree.XMLParser(
        recover=True,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        encoding="utf-8",
    )
    try:
        root = etree.fromstring(_as_utf8(data), parser) if data.strip() else None
        if root is None:
            return unreadable, False
        bsns: set[str] = set()
        text = etree.tostring(redact_element(root, pseudonymiser, bsns), encoding="unicode")
    except (etree.LxmlError, ValueError) as exc:
        # A recovered tree lxml cannot walk or write out: keep nothing of the content.
        return (
            f"[{size} bytes that could not be redacted ({type(exc).__name__}); not kept here "
            "because they may hold personal data — the file itself stays in the inbox]",
            False,
        )
    return mask_bsns(text, pseudonymiser, bsns), truncated


_LINE_TAG = re.compile(
    rb"<(?:[\w.-]+:)?(?:Prestatie|ToegewezenProduct|StartProduct|StopProduct|AangevraagdProduct"
    rb"|OngewijzigdProduct|TeWijzigenProduct|NieuwProduct|Antwoord)[\s>]"
)


def count_line_records(path: Path) -> int:
    """Line elements in a file, counted in chunks (bounded memory) and cut only before a '<',
    so no tag is split between chunks."""
    count, carry = 0, b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            buf = carry + chunk
            cut = buf.rfind(b"<")
            if cut <= 0:
                carry = buf
                continue
            count += len(_LINE_TAG.findall(buf, 0, cut))
            carry = buf[cut:]
    return count + len(_LINE_TAG.findall(carry))


def whole_file(path: Path, pseudonymiser: Pseudonymiser, reason: str) -> RedactedFile:
    """What a message refused whole keeps (the core's redaction hook for this source): its
    lines all count as quarantined, its text is redacted, and the reason — which may quote any
    value of the file — has every BSN of the file masked."""
    lines = max(1, count_line_records(path))
    text, truncated = redacted_file(path, pseudonymiser, FRAGMENT_LIMIT)
    bsns = bsn_values(path.read_bytes().decode("utf-8", errors="replace"))
    return RedactedFile(lines, text, truncated, mask_bsns(reason, pseudonymiser, bsns))
