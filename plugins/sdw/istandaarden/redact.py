"""What of a rejected message may be kept for the people who fix it: its structure and business
content, never the personal data. Quarantine stores this instead of the original text.

Redacted: the content of every element that can hold personal data (names, birth date,
addresses and contacts, phone, e-mail, free-text comments, relatives), comments in the XML, and
every BSN, which becomes its masked pseudonym so the client can still be traced in the
warehouse. What stays: header, codes, numbers, amounts, product dates — what a sender needs to
correct and resend the message.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from sdw.pseudonym import Pseudonymiser, mask_bsns

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


def redact_element(root: etree._Element, pseudonymiser: Pseudonymiser) -> etree._Element:
    """Redact a (copy of a) tree in place and return it."""
    for comment in root.xpath("//comment()"):
        parent = comment.getparent()
        if parent is not None:
            parent.remove(comment)
    # A list first: clearing an element while iterating the tree would cut the iteration
    # short. Children removed on the way are detached: changing them changes nothing.
    for el in list(root.iter(etree.Element)):
        local = etree.QName(el).localname
        if local == "Bsn":
            el.text = pseudonymiser.mask((el.text or "").strip())
        elif local in PERSONAL_ELEMENTS:
            for child in list(el):
                el.remove(child)
            el.text = REMOVED
    return root


def redacted_fragment(element: etree._Element, pseudonymiser: Pseudonymiser) -> str:
    """A record's element as text, redacted (the live tree is left untouched)."""
    copy = etree.fromstring(etree.tostring(element))
    text = etree.tostring(redact_element(copy, pseudonymiser), encoding="unicode")
    return mask_bsns(text, pseudonymiser)


def redacted_file(path: Path, pseudonymiser: Pseudonymiser, limit: int) -> tuple[str, bool]:
    """The first ``limit`` bytes of a rejected file as redacted XML, and whether it was cut.

    Reads at most ``limit`` bytes (memory stays bounded whatever the file size) and lets lxml
    recover what it can of a cut or malformed document. Content that cannot be read as XML is
    not kept at all: there is no telling what personal data it holds.
    """
    size = path.stat().st_size
    with path.open("rb") as fh:
        data = fh.read(limit)
    truncated = size > limit
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, remove_comments=True
    )
    try:
        root = etree.fromstring(data, parser) if data.strip() else None
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return (
            f"[{size} bytes that cannot be read as XML; not kept here because they may hold "
            "personal data — the file itself stays in the inbox]",
            False,
        )
    text = etree.tostring(redact_element(root, pseudonymiser), encoding="unicode")
    return mask_bsns(text, pseudonymiser), truncated
