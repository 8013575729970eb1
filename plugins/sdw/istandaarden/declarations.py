"""Declaration lines (323) in bulk: validated while parsed, fields written out by one compiled
XSLT per chunk of clients, Python only splits text.

Declaration lines are nearly all of what a municipality receives, and a Python loop that visits
each Prestatie's elements costs about twice what libxml2 needs to parse and validate them. Here
libxml2 parses and validates (C), a stylesheet compiled once per message type writes the fields
of every line of a chunk of clients as separated text (C), and Python splits it: the fields
arrive as strings, exactly as the message spells them.

Memory stays bounded whatever the file size: a file up to ``WHOLE_FILE_MAX_BYTES`` is parsed
whole (a tree of about five times the file, and the fastest way: ``etree.parse`` validates in
one C call), a larger one streams (``iterparse``, ~20 % more CPU) and its clients go in chunks of
``CHUNK_CLIENTS``, removed from the tree once their lines have been used. The streaming
per-record reader in ``parse.read_message`` gives the same rows
(``tests/unit/test_declaration_readers.py`` holds the two to that) and is the fallback when a
value holds one of the separators.

libxml2 may report a schema error only at the end of the document, after chunks were yielded:
callers must treat everything of the file as void until the iterator is exhausted, and must not
trip over a value the schema is about to reject.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from sdw.istandaarden.messages import MessageType
from sdw.istandaarden.reader import (
    PARSER_OPTIONS,
    PRESTATIE_FIELDS,
    Reader,
    declaratie_row,
    header_row,
)

# Files up to this size are parsed whole (~40 MB of tree); larger ones stream in chunks.
WHOLE_FILE_MAX_BYTES = 8_000_000
# Clients per XSLT run when streaming: large enough that the per-run cost vanishes (~3 lines per
# client), small enough that a chunk's tree is a few MB.
CHUNK_CLIENTS = 1000

# Separators that no iStandaarden value uses (XML 1.0 cannot carry control characters, so
# these visible symbols stand in). A value that does contain one is detected by the field count
# and the file is read by the streaming reader instead.
_FIELD = "\u241f"  # SYMBOL FOR UNIT SEPARATOR
_LINE = "\u241e"  # SYMBOL FOR RECORD SEPARATOR


class NeedsStreaming(Exception):
    """The file cannot be read in bulk; read it with ``reader.read_message`` instead."""


# Where a chunk's line keeps what precedes the Prestatie's own fields.
CLIENT_AT, PRESTATIE_AT, BSN_AT, FIELDS_FROM = 0, 1, 2, 3


@dataclass
class Chunk:
    """The lines of consecutive clients. Per line: client position in the file (1-based),
    Prestatie position within its client, the clear BSN, then the fields of
    ``Reader.prestatie_keys`` as text ('' when absent). Valid until the next chunk is asked for."""

    lines: list[list[str]]
    clients: list[etree._Element]
    first_client: int
    prestaties_tag: str

    def prestatie(self, client: int, position: int) -> etree._Element:
        """The Prestatie element of a line (for quarantine: its redacted original text). A
        document shaped so that the stylesheet's numbering does not find it is one the schema
        rejects: read it again record by record, which says why."""
        at = client - self.first_client
        prestaties = (
            self.clients[at].find(self.prestaties_tag) if 0 <= at < len(self.clients) else None
        )
        if prestaties is None or not 0 < position <= len(prestaties):
            raise NeedsStreaming(f"line {client}/{position} is not where the chunk has it")
        return prestaties[position - 1]


class DeclarationReader:
    """One 323: ``header`` and ``declaratie`` (the istandaarden_323_declaratie row without its
    counts) are set before the first chunk is yielded."""

    def __init__(self, path: Path, mt: MessageType, schema: etree.XMLSchema) -> None:
        assert mt.number == "323", mt
        self.path, self.mt, self.schema = path, mt, schema
        self.reader = Reader(mt)
        self.header: dict[str, object] | None = None
        self.declaratie: dict[str, object] | None = None

    def chunks(self) -> Iterator[Chunk]:
        if self.path.stat().st_size <= WHOLE_FILE_MAX_BYTES:
            yield self._whole()
        else:
            yield from self._streamed()

    def _whole(self) -> Chunk:
        r = self.reader
        m = r.m
        root = _parse_validated(self.path, self.schema).getroot()
        header = root.find(m + "Header")
        clients = root.findall(f"{m}Declaratie/{m}Clienten/{m}Client")
        if header is None or not clients:  # not valid then; the streaming reader says why
            raise NeedsStreaming(f"{self.path.name}: no Header or no declared client")
        self.header = header_row(r, header)
        return self._chunk(clients, 0, 3 + len(r.prestatie_keys))

    def _streamed(self) -> Iterator[Chunk]:
        r = self.reader
        m = r.m
        clienten_tag, header_tag = m + "Clienten", m + "Header"
        width = 3 + len(r.prestatie_keys)
        pending: list[etree._Element] = []
        done = 0  # clients already yielded
        events = etree.iterparse(
            str(self.path),
            events=("end",),
            tag=(header_tag, m + "Client"),
            schema=self.schema,
            remove_blank_text=True,
            **PARSER_OPTIONS,
        )
        for _event, elem in events:
            if elem.tag == header_tag:
                self.header = header_row(r, elem)
                continue
            parent = elem.getparent()
            if parent is None or parent.tag != clienten_tag:
                continue  # not a declared client (the schema decides whether that is allowed)
            pending.append(elem)
            if len(pending) >= CHUNK_CLIENTS and self.header is not None:
                yield self._chunk(pending, done, width)
                done += len(pending)
                _release(pending)
                pending = []
        if self.header is None:
            raise NeedsStreaming(f"{self.path.name}: no Header")  # the streaming reader says why
        if pending:
            yield self._chunk(pending, done, width)
            _release(pending)
        elif self.declaratie is None:
            raise NeedsStreaming(f"{self.path.name}: no declared client")

    def _chunk(self, clients: list[etree._Element], done: int, width: int) -> Chunk:
        r = self.reader
        clienten = clients[0].getparent()
        if any(c.getparent() is not clienten for c in clients):
            # more than one Clienten (the schema allows one): the stylesheet would number the
            # clients per parent, so read it record by record
            raise NeedsStreaming(f"{self.path.name}: clients under more than one Clienten")
        if self.declaratie is None:
            assert self.header is not None
            self.declaratie = declaratie_row(r, clienten.getparent(), self.header)
        # The parser may have begun the next client already: only the first len(clients)
        # clients now in the tree (earlier chunks were removed) are complete.
        text = _transform(clienten, self.mt, len(clients), done)
        lines = _split_lines(text, width, self.path)
        return Chunk(lines, clients, done + 1, r.m + "Prestaties")


def _release(clients: list[etree._Element]) -> None:
    """Drop used clients from the tree (they are behind the parser, so this is safe)."""
    for c in clients:
        c.clear(keep_tail=False)
        parent = c.getparent()
        if parent is not None:
            parent.remove(c)


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
      <xsl:param name="clients"/>
      <xsl:param name="before"/>
      <xsl:template match="/">
        <xsl:for-each
            select="/m:Bericht/m:Declaratie/m:Clienten/m:Client[position() &lt;= $clients]">
          <xsl:variable name="client" select="position() + $before"/>
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
    return etree.XMLParser(schema=schema, remove_blank_text=True, **PARSER_OPTIONS)


# Steps as functions of their own, so that a profile (bench/profile.py) names them.
def _parse_validated(path: Path, schema: etree.XMLSchema) -> etree._ElementTree:
    return etree.parse(str(path), _parser(schema))


def _transform(clienten: etree._Element, mt: MessageType, clients: int, before: int) -> str:
    """The lines of the first ``clients`` clients in the tree, numbered after ``before``
    clients of earlier chunks."""
    return str(_stylesheet(mt)(clienten.getroottree(), clients=str(clients), before=str(before)))


def _split_lines(text: str, width: int, path: Path) -> list[list[str]]:
    lines = [line.split(_FIELD) for line in text.split(_LINE)]
    lines.pop()  # after the last separator
    if any(len(f) != width for f in lines):
        raise NeedsStreaming(f"{path.name}: a value holds {_FIELD!r} or {_LINE!r}")
    return lines


def read_declaration(path: Path, mt: MessageType, schema: etree.XMLSchema) -> DeclarationReader:
    return DeclarationReader(path, mt, schema)
