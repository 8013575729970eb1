"""Declaration lines (323) in bulk: one validated tree per file, one compiled XSLT, text out.

Declaration lines are nearly all of what a municipality receives, and a Python loop that visits
each Prestatie's elements costs about twice what libxml2 needs to parse and validate the whole
file. Here the file is parsed and validated in one call (C), a stylesheet compiled once per
message type writes every line's fields as separated text (C), and Python only splits it: the
fields arrive as strings, exactly as the message spells them.

The price is memory: the whole tree is held, about five times the file. iStandaarden files are
at most 25 MB (OP179), so a worker holds at most ~150 MB; a larger file is read by the
streaming reader in ``parse.read_message`` instead (see ``BULK_MAX_BYTES``). Both readers give
the same rows: ``tests/integration/test_ingest.py`` loads the same files through each.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from sdw.istandaarden.messages import MessageType
from sdw.istandaarden.parse import PRESTATIE_FIELDS, Reader, declaratie_row, header_row

# Files up to this size are read whole (OP179 allows 25 MB; a little slack for senders that
# count differently); larger ones stream, so memory stays bounded whatever arrives.
BULK_MAX_BYTES = 32_000_000

# Separators that no iStandaarden value uses (XML 1.0 cannot carry control characters, so
# these visible symbols stand in). A value that does contain one is detected by the field count
# and the file is read by the streaming reader instead.
_FIELD = "\u241f"  # SYMBOL FOR UNIT SEPARATOR
_LINE = "\u241e"  # SYMBOL FOR RECORD SEPARATOR


class NeedsStreaming(Exception):
    """The file cannot be read in bulk (a value holds a separator); stream it instead."""


@dataclass
class Declaration:
    """One 323, read. ``lines`` holds per Prestatie: client position, Prestatie position within
    its client, the clear BSN, then the fields of ``Reader.prestatie_keys`` as text ('' when
    absent)."""

    header: dict[str, object]
    declaratie: dict[str, object]
    lines: list[list[str]]
    tree: etree._ElementTree
    reader: Reader

    def prestatie(self, client: int, position: int) -> etree._Element:
        """The Prestatie element of a line (for quarantine: its redacted original text)."""
        m = self.reader.ns
        found = self.tree.xpath(
            "/m:Bericht/m:Declaratie/m:Clienten/m:Client[$c]/m:Prestaties/*[$p]",
            namespaces=m,
            c=client,
            p=position,
        )
        return found[0]


def _field_paths() -> list[str]:
    """XPath of each Prestatie field relative to the Prestatie, in ``prestatie_keys`` order."""
    paths = []
    for tag, spec in PRESTATIE_FIELDS.items():
        if isinstance(spec, dict):
            paths += [f"m:{tag}/b:{leaf}" for leaf in spec]
        else:
            paths.append(f"m:{tag}")
    return paths


@cache
def _stylesheet(mt: MessageType) -> etree.XSLT:
    values = "".join(
        f'<xsl:text>{_FIELD}</xsl:text><xsl:value-of select="{path}"/>' for path in _field_paths()
    )
    xsl = f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
        xmlns:m="{mt.namespace}" xmlns:b="{mt.basis_namespace}">
      <xsl:output method="text" encoding="UTF-8"/>
      <xsl:template match="/">
        <xsl:for-each select="m:Bericht/m:Declaratie/m:Clienten/m:Client">
          <xsl:variable name="client" select="position()"/>
          <xsl:variable name="bsn" select="string(m:Bsn)"/>
          <xsl:for-each select="m:Prestaties/*">
            <xsl:value-of select="$client"/><xsl:text>{_FIELD}</xsl:text>
            <xsl:value-of select="position()"/><xsl:text>{_FIELD}</xsl:text>
            <xsl:value-of select="$bsn"/>{values}<xsl:text>{_LINE}</xsl:text>
          </xsl:for-each>
        </xsl:for-each>
      </xsl:template>
    </xsl:stylesheet>"""
    return etree.XSLT(etree.XML(xsl.encode()))


@cache
def _parser(schema: etree.XMLSchema) -> etree.XMLParser:
    return etree.XMLParser(
        schema=schema, remove_blank_text=True, resolve_entities=False, no_network=True
    )


def read_declaration(path: Path, mt: MessageType, schema: etree.XMLSchema) -> Declaration:
    """Parse and validate a whole 323, then extract its lines. Raises
    ``etree.XMLSyntaxError`` when the file is not well-formed or not valid (before anything is
    extracted), ``NeedsStreaming`` when a value holds a separator."""
    assert mt.number == "323", mt
    tree = _parse_validated(path, schema)
    r = Reader(mt)
    root = tree.getroot()
    header = header_row(r, root.find(r.m + "Header"))
    declaratie = declaratie_row(r, root.find(r.m + "Declaratie"), header)
    lines = _split_lines(_transform(tree, mt), 3 + len(r.prestatie_keys), path)
    return Declaration(header, declaratie, lines, tree, r)


# Three steps as functions of their own, so that a profile (bench/profile.py) names them.
def _parse_validated(path: Path, schema: etree.XMLSchema) -> etree._ElementTree:
    return etree.parse(str(path), _parser(schema))


def _transform(tree: etree._ElementTree, mt: MessageType) -> str:
    return str(_stylesheet(mt)(tree))


def _split_lines(text: str, width: int, path: Path) -> list[list[str]]:
    lines = [line.split(_FIELD) for line in text.split(_LINE)]
    lines.pop()  # after the last separator
    if any(len(f) != width for f in lines):
        raise NeedsStreaming(f"{path.name}: a value holds {_FIELD!r} or {_LINE!r}")
    return lines
