"""Mutants of iStandaarden messages: the inputs nobody here wrote, made on purpose.

Each operator changes a message the way real deliveries and broken tools do — elements deleted,
duplicated, swapped or moved; digits and dates changed into spellings the schema may or may not
accept; control characters, invalid bytes, comments, processing instructions, a DOCTYPE with
entities; a BSN copied into another field; the file cut short. Operators work on the tree where
the document still parses and on the bytes where it no longer does, so mutations compose.

Everything is driven by one ``random.Random``: under Hypothesis that is ``st.randoms()``, which
Hypothesis controls and shrinks; the ``run`` command seeds it per mutant.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable

from lxml import etree

# A well-known test BSN (passes the elfproef); planted where no BSN belongs.
PLANTED_BSN = "123456782"

_BSN = re.compile(rb"<(?:[\w.-]+:)?Bsn>\s*(\d{9})\s*</")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def bsns_in(data: bytes) -> set[str]:
    """The nine-digit values of every Bsn element: the message's clients."""
    return {m.decode() for m in _BSN.findall(data)}


def _tree(data: bytes) -> etree._Element | None:
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    try:
        return etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _elements(root: etree._Element) -> list[etree._Element]:
    return [e for e in root.iter(etree.Element) if e is not root]


def _leaves(root: etree._Element) -> list[etree._Element]:
    return [e for e in _elements(root) if len(e) == 0]


# --- tree operators: (root, rng) -> None, changing the tree in place -------------------------


def delete_element(root: etree._Element, rng: random.Random) -> None:
    el = rng.choice(_elements(root))
    el.getparent().remove(el)


def duplicate_element(root: etree._Element, rng: random.Random) -> None:
    el = rng.choice(_elements(root))
    el.addnext(copy.deepcopy(el))


def swap_siblings(root: etree._Element, rng: random.Random) -> None:
    candidates = [e for e in _elements(root) if e.getnext() is not None]
    if candidates:
        el = rng.choice(candidates)
        el.getnext().addnext(el)


def move_element(root: etree._Element, rng: random.Random) -> None:
    el = rng.choice(_elements(root))
    targets = [e for e in root.iter(etree.Element) if e is not el and el not in e.iterancestors()]
    target = rng.choice(targets)
    if target is not el and not any(a is el for a in target.iterancestors()):
        target.append(el)


def empty_element(root: etree._Element, rng: random.Random) -> None:
    el = rng.choice(_elements(root))
    for child in list(el):
        el.remove(child)
    el.text = rng.choice(["", " ", None])


def change_digits(root: etree._Element, rng: random.Random) -> None:
    leaves = [e for e in _leaves(root) if e.text and any(c.isdigit() for c in e.text)]
    if not leaves:
        return
    el = rng.choice(leaves)
    text = el.text or ""
    at = rng.choice([i for i, c in enumerate(text) if c.isdigit()])
    how = rng.randrange(3)
    if how == 0:
        text = text[:at] + str(rng.randrange(10)) + text[at + 1 :]
    elif how == 1:
        text = text[:at] + str(rng.randrange(10)) + text[at:]
    else:
        text = text[:at] + text[at + 1 :]
    el.text = text


_DATE_SPELLINGS: list[Callable[[str], str]] = [
    lambda d: f" {d} ",
    lambda d: f"\n{d}",
    lambda d: f"1{d}",
    lambda d: f"-{d}",
    lambda d: f"0000{d[4:]}",
    lambda d: f"{d[:8]}31",
    lambda d: f"{d[:5]}02-30",
    lambda d: f"{d}Z",
    lambda d: f"{d}+02:00",
    lambda d: d.replace("-0", "-"),
    lambda d: "",
    lambda d: f"0001{d[4:]}",
    lambda d: f"9999{d[4:]}",
]


def change_date(root: etree._Element, rng: random.Random) -> None:
    leaves = [e for e in _leaves(root) if e.text and _DATE.fullmatch(e.text.strip())]
    if leaves:
        el = rng.choice(leaves)
        el.text = rng.choice(_DATE_SPELLINGS)((el.text or "").strip())


_INT_SPELLINGS: list[Callable[[str], str]] = [
    lambda n: f"+{n}",
    lambda n: f"00{n}",
    lambda n: f" {n} ",
    lambda n: f"-{n}",
    lambda n: "9" * 20,
    lambda n: f"{n}.0",
    lambda n: f"{n}e3",
    lambda n: "",
    lambda n: "0",
]


def change_number(root: etree._Element, rng: random.Random) -> None:
    leaves = [e for e in _leaves(root) if e.text and e.text.strip().isdigit()]
    if leaves:
        el = rng.choice(leaves)
        el.text = rng.choice(_INT_SPELLINGS)((el.text or "").strip())


def bsn_into_field(root: etree._Element, rng: random.Random) -> None:
    """A client's BSN (or the planted one) where no BSN belongs: alone, or inside a value."""
    own = [e.text.strip() for e in root.iter("{*}Bsn") if e.text and e.text.strip()]
    bsn = rng.choice([*own, PLANTED_BSN])
    leaves = [e for e in _leaves(root) if etree.QName(e).localname != "Bsn"]
    if not leaves:
        return
    el = rng.choice(leaves)
    el.text = rng.choice([bsn, f"R{bsn}", f"{bsn}-1", f" {bsn} "])


def insert_comment(root: etree._Element, rng: random.Random) -> None:
    el = rng.choice([root, *_elements(root)])
    comment = etree.Comment(rng.choice([" note ", f" client {PLANTED_BSN} ", " x "]))
    el.insert(rng.randrange(len(el) + 1), comment)


def insert_pi(root: etree._Element, rng: random.Random) -> None:
    el = rng.choice([root, *_elements(root)])
    el.insert(rng.randrange(len(el) + 1), etree.ProcessingInstruction("tool", "x=1"))


def add_attribute(root: etree._Element, rng: random.Random) -> None:
    el = rng.choice([root, *_elements(root)])
    el.set(rng.choice(["note", "id", "{http://www.w3.org/2001/XMLSchema-instance}nil"]), "1")


def rename_element(root: etree._Element, rng: random.Random) -> None:
    el = rng.choice(_elements(root))
    ns = etree.QName(el).namespace
    local = rng.choice(["Prestatie", "Client", "Bsn", "Header", "Onbekend", "Bedrag"])
    el.tag = f"{{{ns}}}{local}" if ns and rng.random() < 0.7 else local


TREE_OPERATORS: list[Callable[[etree._Element, random.Random], None]] = [
    delete_element,
    duplicate_element,
    swap_siblings,
    move_element,
    empty_element,
    change_digits,
    change_digits,
    change_date,
    change_date,
    change_number,
    bsn_into_field,
    bsn_into_field,
    insert_comment,
    insert_pi,
    add_attribute,
    rename_element,
]

# --- byte operators: (data, rng) -> data --------------------------------------------------


def _inside_text(data: bytes, rng: random.Random) -> int:
    """A position just after a '>' that is followed by text (inside an element's content)."""
    spots = [m.end() for m in re.finditer(rb">(?=[^<\s])", data)]
    return rng.choice(spots) if spots else rng.randrange(len(data) + 1)


def cut(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def invalid_bytes(data: bytes, rng: random.Random) -> bytes:
    at = _inside_text(data, rng)
    return data[:at] + rng.choice([b"\xe9", b"\xff\xfe", b"\xc3", b"\xed\xa0\x80"]) + data[at:]


def control_character(data: bytes, rng: random.Random) -> bytes:
    at = _inside_text(data, rng)
    return data[:at] + rng.choice([b"\x01", b"\x00", b"&#1;", b"&#xD800;", b"\x1b"]) + data[at:]


def doctype_entity(data: bytes, rng: random.Random) -> bytes:
    decl = rng.choice(
        [
            b'<!DOCTYPE x [<!ENTITY e "R">]>',
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>',
            b'<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY e "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
            b"<!DOCTYPE x>",
        ]
    )
    body = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data)
    at = _inside_text(body, rng)
    body = body[:at] + b"&e;" + body[at:] if b"ENTITY" in decl else body
    return b"<?xml version='1.0' encoding='UTF-8'?>\n" + decl + b"\n" + body


def undeclared_entity(data: bytes, rng: random.Random) -> bytes:
    at = _inside_text(data, rng)
    return data[:at] + b"&x;" + data[at:]


def declared_encoding(data: bytes, rng: random.Random) -> bytes:
    new = rng.choice([b"ISO-8859-1", b"UTF-16", b"bogus-8", b"US-ASCII"])
    return re.sub(rb"encoding=['\"][^'\"]*['\"]", b"encoding='" + new + b"'", data, count=1)


def byte_order_mark(data: bytes, rng: random.Random) -> bytes:
    return rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"  \n"]) + data


def flip_byte(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    at = rng.randrange(len(data))
    return data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]


BYTE_OPERATORS: list[Callable[[bytes, random.Random], bytes]] = [
    cut,
    invalid_bytes,
    control_character,
    doctype_entity,
    undeclared_entity,
    declared_encoding,
    byte_order_mark,
    flip_byte,
]


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    """One to three mutations of a message; mostly structural ones (they reach the rules),
    some of the bytes (they reach the parser)."""
    applied: list[str] = []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        root = _tree(data) if rng.random() < 0.8 else None
        if root is not None and _elements(root):
            op = rng.choice(TREE_OPERATORS)
            op(root, rng)
            data = _bytes(root)
        else:
            bop = rng.choice(BYTE_OPERATORS)
            data = bop(data, rng)
            applied.append(bop.__name__)
            continue
        applied.append(op.__name__)
    return data, applied
