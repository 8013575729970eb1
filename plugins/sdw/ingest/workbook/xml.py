"""Every part of a workbook is parsed here, the same safe way: lxml's parser-target interface
(callbacks, no tree), fed a chunk at a time, so memory holds what a target keeps and never a
part; and no entity is ever expanded.

The parser runs with ``resolve_entities=False``, ``no_network=True``, ``load_dtd=False``,
``huge_tree=False``, and a part that declares a DTD is refused as soon as the parser meets it
(``Target.doctype``), before any declaration in it is read: OPC (ECMA-376 part 2) forbids
DTDs in a package, so no genuine xlsx has one, and an XXE or a billion laughs stops there.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator, Mapping

from lxml import etree

from sdw.ingest.workbook import limits
from sdw.ingest.workbook.errors import Done, WorkbookInvalid, WorkbookRefused, part_name


def local(tag: str) -> str:
    """An element's name without its namespace: transitional and Strict OOXML read alike."""
    return tag.rpartition("}")[2]


def parser(target: object) -> etree.XMLParser:
    return etree.XMLParser(
        target=target,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )


class Target:
    """What every parser target here shares: a DTD is refused where the parser meets it,
    before any declaration in it is read."""

    part = ""

    def doctype(self, *_declaration: object) -> None:
        raise WorkbookInvalid(
            f"part {part_name(self.part)} declares a DTD (<!DOCTYPE>), which no xlsx has; its "
            "entities were not expanded"
        )

    def data(self, _text: str) -> None:
        pass

    def close(self) -> None:
        return None


def feed(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    target: Target,
    budget: tuple[str, int] | None = None,
) -> Iterator[None]:
    """Feed a member's XML to ``target`` a chunk at a time, yielding after each chunk (the
    caller takes what the target completed). ``budget``: (limit, bytes) read at most.
    Stops quietly when the target raises ``Done``."""
    if info.flag_bits & 0x1:
        raise WorkbookInvalid(f"member {part_name(info.filename)} is encrypted")
    xml_parser = parser(target)
    chunk_bytes = limits.CHUNK
    fed = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(chunk_bytes):
                fed += len(chunk)
                if budget is not None and fed > budget[1]:
                    where = f"part {part_name(info.filename)}"
                    raise WorkbookRefused(budget[0], fed, budget[1], where)
                xml_parser.feed(chunk)
                yield
            xml_parser.close()
    except Done:
        return
    except etree.XMLSyntaxError as exc:
        raise WorkbookInvalid(
            f"part {part_name(info.filename)} is not well-formed XML ({exc.msg})"
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise WorkbookInvalid(f"member {part_name(info.filename)} is damaged ({exc})") from None
    yield


def drain(feeding: Iterator[None]) -> None:
    for _ in feeding:
        pass


class Elements(Target):
    """A small part's elements of interest, as (parent, tag) local names -> their attributes
    in document order; the rest is passed over."""

    def __init__(self, part: str, wanted: frozenset[tuple[str, str]]) -> None:
        self.part, self.wanted = part, wanted
        self.stack: list[str] = [""]
        self.found: list[tuple[str, dict[str, str]]] = []

    def start(self, tag: str, attrib: Mapping[str, str]) -> None:
        name = local(tag)
        if (self.stack[-1], name) in self.wanted:
            self.found.append((name, dict(attrib)))
        self.stack.append(name)

    def end(self, _tag: str) -> None:
        self.stack.pop()
