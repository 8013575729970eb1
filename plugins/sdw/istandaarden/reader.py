"""Streaming extraction of iWmo/iJw 3.2 messages into raw-table rows.

One pass of ``lxml.etree.iterparse`` per file, validating against the message's schema while it
reads (libxml2 does that in C), yielding each record while its element is still alive so that the
caller can quarantine it with its original text, then freeing it: memory stays bounded by one
client's worth of XML, whatever the file size. Declarations (323) take the faster bulk reader
in ``declarations.py``, which builds on the field table and row helpers here; this reader is its
fallback and its reference.

Rows carry the source's own names (raw mirrors the message; staging renames). Fields that must
never be written — the clear BSN, the BRP address — are yielded under keys starting with ``_``
and are the caller's to transform (pseudonymise, reduce to a CBS area) and drop.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from sdw.istandaarden.messages import MessageType, message_type_for_namespace
from sdw.istandaarden.values import as_date, as_int


class NotAMessage(ValueError):
    """The file is XML but not an iWmo/iJw 3.2 message this project knows."""


@dataclass
class Record:
    """One extracted record. ``element`` is only valid until the next record is requested."""

    table: str
    row: dict[str, object]
    element: etree._Element
    record_path: str

    @property
    def sourceline(self) -> int | None:
        return self.element.sourceline

    def fragment(self) -> str:
        return etree.tostring(self.element, encoding="unicode")


@dataclass
class Header:
    message_type: MessageType
    row: dict[str, object] = field(default_factory=dict)


# libxml2 reports schema errors at the end of the document, after the records were yielded, so
# conversion must not trip over a value the schema is about to reject: such a value becomes
# ``Unreadable`` (see values.py) and the whole file is then rejected by the schema error; a
# schema-valid value that cannot be kept as written stays ``Unreadable`` for the record rules.
_d = as_date
_i = as_int


def split_tag(tag: object) -> tuple[str, str]:
    """(namespace, local name) of an element's tag, also for the odd tags a parser keeps for a
    prefix nobody declared (``wmo305:B``), where ``etree.QName`` raises; ('', '') for a
    comment or processing instruction."""
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag.rsplit(":", 1)[-1]


class MalformedMessage(ValueError):
    """The structure the schema requires is missing (a Client before its Header, a 325 without
    a Header). The schema error that follows says what; reading stops here."""


class HasDoctype(ValueError):
    """The file declares a DOCTYPE. iStandaarden messages have none, and a DTD is how entity
    tricks (external entities, expansion bombs) get into a document: never parsed further."""


# Every parser of a message: no DTD loaded, no network; comments and processing instructions are
# dropped (they are not content, and one inside Prestaties must not count as a line or shift the
# lines' positions). A file with a DOCTYPE never gets this far (``HasDoctype``), so no entity can
# be declared and entity expansion needs no switch. It must not be switched off either: with
# ``resolve_entities=False``, lxml's ``iterparse(schema=...)`` stops silently at a
# well-formedness error (lxml 6.1.3, libxml2 2.14.6), so a file cut short would load its first
# half as if it were whole.
PARSER_OPTIONS: dict[str, object] = {
    "load_dtd": False,
    "no_network": True,
    "remove_comments": True,
    "remove_pis": True,
}
# For the parsers that only look (root element, well-formedness), before the DOCTYPE check.
_LOOK_OPTIONS: dict[str, object] = {**PARSER_OPTIONS, "resolve_entities": False}


class Reader:
    """Finds fields of one message type: ``m`` is the message namespace, ``b`` the basisschema."""

    def __init__(self, mt: MessageType) -> None:
        self.mt = mt
        self.ns = {"m": mt.namespace, "b": mt.basis_namespace}
        self.m = "{" + mt.namespace + "}"
        b = "{" + mt.basis_namespace + "}"
        fields = dict(PRESTATIE_FIELDS)
        if mt.number != "323":
            del fields["ProductTarief"]  # a 325 echoes it; raw keeps the 323's
        self.prestatie_fields = _qualified(fields, self.m, b)
        # the row's columns, in the table's order: every field the table names
        leaves = [
            leaf
            for spec in fields.values()
            for leaf in (spec.values() if isinstance(spec, dict) else [spec])
        ]
        self.prestatie_keys = tuple(key for key, _conv in leaves)
        # the typed fields and their converter (as_date / as_int), for the bulk reader
        self.prestatie_converters = {key: conv for key, conv in leaves if conv is not None}
        self._declaratie: etree._Element | None = None
        self._declaratienummer: str | None = None

    def declaratienummer(self, declaratie: etree._Element) -> str | None:
        """Looked up once per Declaratie, not once per client."""
        if declaratie is not self._declaratie:
            self._declaratie = declaratie
            self._declaratienummer = self.t(declaratie, "m:DeclaratieNummer")
        return self._declaratienummer

    def t(self, elem: etree._Element, path: str) -> str | None:
        return elem.findtext(path, namespaces=self.ns)

    def all(self, elem: etree._Element, path: str) -> list[etree._Element]:
        return elem.findall(path, namespaces=self.ns)


def detect_message_type(path: Path) -> MessageType:
    """Reads only up to the root element. Raises ``etree.XMLSyntaxError`` for non-XML and
    ``NotAMessage`` for XML that is not a known iStandaarden message."""
    # Fast path: read the root start tag from the first bytes (most files of a delivery are
    # small messages, and setting up a parser per file costs more than parsing them). Anything
    # unusual falls through to the parser below.
    with path.open("rb") as fh:
        mt = _root_message_type(fh.read(16384))
    if mt is not None:
        return mt
    for _event, elem in etree.iterparse(str(path), events=("start",), **_LOOK_OPTIONS):
        if elem.getroottree().docinfo.doctype:
            raise HasDoctype("the file declares a DOCTYPE")
        namespace, local = split_tag(elem.tag)
        mt = message_type_for_namespace(namespace)
        if mt is None or local != "Bericht":
            _check_well_formed(path)  # malformed XML is NOT_XML, whatever its first tag
            raise NotAMessage(f"root element {{{namespace}}}{local} is not an iWmo/iJw 3.2 Bericht")
        return mt
    raise NotAMessage("empty document")


_PROLOG = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)
_DOCTYPE = re.compile(rb"\s*<!DOCTYPE")
_START_TAG = re.compile(rb"\s*<([A-Za-z_][\w.-]*)(?::([A-Za-z_][\w.-]*))?(\s[^<>]*)?>")
_XMLNS = re.compile(rb"""xmlns(?::([\w.-]+))?\s*=\s*["']([^"']*)["']""")


def _root_message_type(head: bytes) -> MessageType | None:
    """The message type from the root start tag, or None when the head is anything but a
    plain ``<prefix:Bericht xmlns:prefix="...">`` (the full parser then decides). Raises
    ``HasDoctype`` for a DOCTYPE before the root."""
    pos = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while m := _PROLOG.match(head, pos):
        pos = m.end()
    if _DOCTYPE.match(head, pos):
        raise HasDoctype("the file declares a DOCTYPE")
    tag = _START_TAG.match(head, pos)
    if tag is None:
        return None
    prefix, local = (tag[1], tag[2]) if tag[2] else (None, tag[1])
    if local != b"Bericht":
        return None
    declared = {p: ns for p, ns in _XMLNS.findall(tag[3] or b"")}
    namespace = declared.get(prefix if prefix else b"")
    if namespace is None:
        return None
    return message_type_for_namespace(namespace.decode("utf-8", "replace"))


def _check_well_formed(path: Path) -> None:
    for _event, elem in etree.iterparse(str(path), events=("end",), **_LOOK_OPTIONS):
        elem.clear(keep_tail=True)


def header_row(r: Reader, header: etree._Element) -> dict[str, object]:
    mt = r.mt
    afzender, ontvanger = r.t(header, "m:Afzender"), r.t(header, "m:Ontvanger")
    gemeente, agb = (afzender, ontvanger) if mt.municipality_is_sender else (ontvanger, afzender)
    return {
        "wet": mt.law,
        "bericht_type": mt.number,
        "berichtcode": r.t(header, "m:BerichtCode"),
        "afzender": afzender,
        "ontvanger": ontvanger,
        "gemeentecode": gemeente,
        "aanbieder_agb": agb,
        "bericht_identificatie": r.t(header, "m:BerichtIdentificatie/b:Identificatie"),
        "bericht_dagtekening": _d(r.t(header, "m:BerichtIdentificatie/b:Dagtekening")),
    }


HEADER_KEYS = (
    "wet",
    "gemeentecode",
    "aanbieder_agb",
    "bericht_identificatie",
    "bericht_dagtekening",
)


def _common(header: dict[str, object]) -> dict[str, object]:
    return {k: header[k] for k in HEADER_KEYS}


def _product(r: Reader, elem: etree._Element) -> dict[str, object]:
    return {
        "productcategorie": r.t(elem, "m:Product/b:Categorie"),
        "productcode": r.t(elem, "m:Product/b:Code"),
    }


def _omvang(r: Reader, elem: etree._Element) -> dict[str, object]:
    return {
        "omvang_volume": _i(r.t(elem, "m:Omvang/b:Volume")),
        "omvang_eenheid": r.t(elem, "m:Omvang/b:Eenheid"),
        "omvang_frequentie": r.t(elem, "m:Omvang/b:Frequentie"),
        "budget": _i(r.t(elem, "m:Budget")),
    }


# A Prestatie's fields by child element: one pass over its children instead of a findtext per
# field (the hot path: declaration lines are most of any delivery). (field, converter) for a
# leaf; a dict of the same for a group such as ProductPeriode.
PRESTATIE_FIELDS: dict[str, object] = {
    "ProductReferentie": {
        "ReferentieNummer": ("referentienummer", None),
        "VorigReferentieNummer": ("vorig_referentienummer", None),
    },
    "ToewijzingNummer": ("toewijzingnummer", None),
    "ProductCategorie": ("productcategorie", None),
    "ProductCode": ("productcode", None),
    "ProductPeriode": {
        "Begindatum": ("productperiode_begindatum", _d),
        "Einddatum": ("productperiode_einddatum", _d),
    },
    "GeleverdVolume": ("geleverd_volume", _i),
    "Eenheid": ("eenheid", None),
    "IngediendBedrag": {
        "Bedrag": ("ingediend_bedrag", _i),
        "DebetCredit": ("debet_credit", None),
    },
    "ProductTarief": ("producttarief", _i),  # 323 only
}


def _qualified(fields: dict[str, object], m: str, b: str) -> dict[str, object]:
    """The field table keyed by qualified tags: message namespace for the record's own
    children, basisschema namespace inside a group (as the iStandaarden schemas have it)."""
    return {
        m + tag: ({b + t: v for t, v in spec.items()} if isinstance(spec, dict) else spec)
        for tag, spec in fields.items()
    }


def _prestatie(r: Reader, p: etree._Element) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(r.prestatie_keys)
    fields = r.prestatie_fields
    for child in p:
        spec = fields.get(child.tag)
        if spec is None:
            continue
        if type(spec) is dict:
            for leaf in child:
                sub = spec.get(leaf.tag)
                if sub is not None:
                    key, conv = sub
                    row[key] = conv(leaf.text) if conv else leaf.text
        else:
            key, conv = spec  # type: ignore[misc]
            row[key] = conv(child.text) if conv else child.text
    return row


def _brp_address(r: Reader, client: etree._Element) -> tuple[str | None, int | None, bool]:
    """The client's own BRP address (Contact Soort 01 under Client/Contactgegevens), never a
    correspondence address and never a Relatie's contact. Returns (postcode, huisnummer, found)."""
    for contact in r.all(client, "m:Contactgegevens/m:Contact"):
        if r.t(contact, "m:Soort") == "01":
            postcode = r.t(contact, "m:Adres/b:Postcode")
            huisnummer = _i(r.t(contact, "m:Adres/b:Huis/b:Huisnummer"))
            if postcode and isinstance(huisnummer, int):
                return postcode.replace(" ", "").upper(), huisnummer, True
    return None, None, False


def _client_records(
    r: Reader, client: etree._Element, header: dict[str, object], client_index: int
) -> Iterator[Record]:
    mt, common = r.mt, _common(header)
    bsn = r.t(client, "m:Bsn")
    base = f"Client[{client_index}]"
    n = mt.number
    if n == "301":
        postcode, huisnummer, found = _brp_address(r, client)
        row = dict(common, _bsn=bsn, _postcode=postcode, _huisnummer=huisnummer, _has_brp=found)
        yield Record("istandaarden_301_client", row, client, base)
        for i, p in enumerate(r.all(client, "m:ToegewezenProducten/m:ToegewezenProduct"), 1):
            row = dict(
                common,
                _bsn=bsn,
                toewijzingnummer=r.t(p, "m:ToewijzingNummer"),
                referentie_aanbieder=r.t(p, "m:ReferentieAanbieder"),
                **_product(r, p),
                toewijzingsdatum=_d(r.t(p, "m:Toewijzingsdatum")),
                toewijzingstijd=r.t(p, "m:Toewijzingstijd"),
                ingangsdatum=_d(r.t(p, "m:Ingangsdatum")),
                einddatum=_d(r.t(p, "m:Einddatum")),
                reden_wijziging=r.t(p, "m:RedenWijziging"),
                **_omvang(r, p),
            )
            yield Record("istandaarden_301_product", row, p, f"{base}/ToegewezenProduct[{i}]")
    elif n in ("305", "307"):
        tag = "StartProduct" if n == "305" else "StopProduct"
        for i, p in enumerate(r.all(client, f"m:{tag}en/m:{tag}"), 1):
            row = dict(
                common,
                _bsn=bsn,
                toewijzingnummer=r.t(p, "m:ToewijzingNummer"),
                **_product(r, p),
                toewijzing_ingangsdatum=_d(r.t(p, "m:ToewijzingIngangsdatum")),
                begindatum=_d(r.t(p, "m:Begindatum")),
            )
            if n == "307":
                row["reden_beeindiging"] = r.t(p, "m:RedenBeeindiging")
                row["einddatum"] = _d(r.t(p, "m:Einddatum"))
            row["status_aanlevering"] = r.t(p, "m:StatusAanlevering")
            yield Record(f"istandaarden_{n}_product", row, p, f"{base}/{tag}[{i}]")
    elif n == "315":
        for i, p in enumerate(r.all(client, "m:AangevraagdeProducten/m:AangevraagdProduct"), 1):
            row = dict(
                common,
                _bsn=bsn,
                referentie_aanbieder=r.t(p, "m:ReferentieAanbieder"),
                beschikkingnummer=r.t(p, "m:BeschikkingNummer"),
                **_product(r, p),
                beschikking_ingangsdatum=_d(r.t(p, "m:BeschikkingIngangsdatum")),
                toewijzing_ingangsdatum=_d(r.t(p, "m:ToewijzingIngangsdatum")),
                toewijzing_einddatum=_d(r.t(p, "m:ToewijzingEinddatum")),
                **_omvang(r, p),
                verwijzer_type=r.t(p, "m:Verwijzer/b:Type"),
                verwijzer_zorgverlenercode=r.t(p, "m:Verwijzer/b:ZorgverlenerCode"),
                raamcontract=r.t(p, "m:Raamcontract"),
            )
            yield Record("istandaarden_315_product", row, p, f"{base}/AangevraagdProduct[{i}]")
    elif n == "317":
        # One row per product named in the verzoek om wijziging: kept unchanged, to change (by
        # ToewijzingNummer) or new. The verzoek's ReferentieAanbieder is what a 319 or 301
        # answers, so every row carries it.
        verzoek = client.find("m:Verzoek", namespaces=r.ns)
        if verzoek is None:
            return
        common317 = dict(
            common,
            _bsn=bsn,
            referentie_aanbieder=r.t(verzoek, "m:ReferentieAanbieder"),
            reden_verzoek=r.t(verzoek, "m:RedenVerzoek"),
        )
        kinds = (
            ("ongewijzigd", "m:OngewijzigdeProducten/m:OngewijzigdProduct"),
            ("te_wijzigen", "m:TeWijzigenProducten/m:TeWijzigenProduct"),
            ("nieuw", "m:NieuweProducten/m:NieuwProduct"),
        )
        i = 0
        for kind, path in kinds:
            for p in r.all(verzoek, path):
                i += 1
                row = dict(
                    common317,
                    soort_product=kind,
                    toewijzingnummer=r.t(p, "m:ToewijzingNummer"),
                    **_product(r, p),
                    gewenste_ingangsdatum=_d(r.t(p, "m:GewensteIngangsdatum")),
                    einddatum=_d(r.t(p, "m:Einddatum")),
                    **_omvang(r, p),
                )
                yield Record("istandaarden_317_product", row, p, f"{base}/Verzoek/Product[{i}]")
    elif n in ("323", "325"):
        declaratie = client.getparent().getparent()
        declaratienummer = r.declaratienummer(declaratie)
        common = dict(common, declaratienummer=declaratienummer, _bsn=bsn)
        prestaties = client.find(r.m + "Prestaties")
        for i, p in enumerate(prestaties if prestaties is not None else (), 1):
            row = dict(common, **_prestatie(r, p))
            if n == "325":
                row["retourcodes"] = ",".join(
                    x.text or "" for x in r.all(p, "m:RetourCodes/m:RetourCode")
                )
            yield Record(f"istandaarden_{n}_prestatie", row, p, f"{base}/Prestatie[{i}]")


def declaratie_row(r: Reader, elem: etree._Element, header: dict[str, object]) -> dict[str, object]:
    """The istandaarden_323_declaratie row of a 323's Declaratie element."""
    return dict(
        _common(header),
        declaratienummer=r.t(elem, "m:DeclaratieNummer"),
        declaratieperiode_begindatum=_d(r.t(elem, "m:DeclaratiePeriode/b:Begindatum")),
        declaratieperiode_einddatum=_d(r.t(elem, "m:DeclaratiePeriode/b:Einddatum")),
        declaratie_dagtekening=_d(r.t(elem, "m:DeclaratieDagtekening")),
        totaal_ingediend_bedrag=_i(r.t(elem, "m:TotaalIngediendBedrag/b:TotaalBedrag")),
        totaal_debet_credit=r.t(elem, "m:TotaalIngediendBedrag/b:DebetCredit"),
    )


# Message numbers whose clients we extract; all others are validated and ledgered only.
_CLIENT_MESSAGES = frozenset({"301", "305", "307", "315", "317", "323", "325"})


def read_message(
    path: Path, mt: MessageType, schema: etree.XMLSchema | None
) -> Iterator[Header | Record]:
    """Yield the header, then each record, then (for 323/325/319) the message-level record.

    Raises ``etree.XMLSyntaxError`` (not well-formed or schema-invalid: lxml reports both that
    way when validating while parsing), possibly only after the last record: callers must treat
    anything already yielded from this file as void until the generator is exhausted.
    """
    r = Reader(mt)
    m = r.m
    tags = [m + "Header", m + "Client", m + "Declaratie", m + "Antwoord", m + "Bericht"]
    header: dict[str, object] | None = None
    client_index = 0
    kwargs: dict[str, object] = {
        "events": ("end",),
        "tag": tags,
        "remove_blank_text": True,
        **PARSER_OPTIONS,
    }
    if schema is not None:
        kwargs["schema"] = schema
    for _event, elem in etree.iterparse(str(path), **kwargs):
        local = elem.tag[len(m) :]
        if local == "Header":
            header = header_row(r, elem)
            yield Header(mt, header)
        elif local == "Client" and mt.number in _CLIENT_MESSAGES:
            if header is None:
                raise MalformedMessage("a Client before the Header")
            parent = elem.getparent()
            if mt.number in ("323", "325") and split_tag(parent.tag)[1] != "Clienten":
                continue
            client_index += 1
            yield from _client_records(r, elem, header, client_index)
            elem.clear(keep_tail=True)
            while elem.getprevious() is not None:
                del parent[0]
        elif local == "Antwoord" and mt.number == "319":
            if header is None:
                raise MalformedMessage("an Antwoord before the Header")
            row = dict(
                _common(header),
                referentie_aanbieder=r.t(elem, "m:ReferentieAanbieder"),
                verzoek_antwoord=r.t(elem, "m:VerzoekAntwoord"),
                reden_afwijzing_verzoek=r.t(elem, "m:RedenAfwijzingVerzoek"),
                # iJw only: the municipality that is responsible instead (woonplaatsbeginsel)
                woonplaatsbeginsel_gemeente=r.t(elem, "m:Woonplaatsbeginsel/m:Gemeente"),
            )
            yield Record("istandaarden_319_antwoord", row, elem, "Antwoord")
        elif local == "Declaratie" and mt.number == "323":
            if header is None:
                raise MalformedMessage("a Declaratie before the Header")
            yield Record(
                "istandaarden_323_declaratie", declaratie_row(r, elem, header), elem, "Declaratie"
            )
        elif local == "Bericht" and mt.number == "325":
            ha = elem.find("m:Header", namespaces=r.ns)
            da = elem.find("m:DeclaratieAntwoord", namespaces=r.ns)
            if header is None or ha is None:
                raise MalformedMessage("a 325 without its Header")
            row = dict(
                _common(header),
                declaratie_identificatie=r.t(ha, "m:DeclaratieIdentificatie/b:Identificatie"),
                declaratienummer=None,
                totaal_ingediend_bedrag=None,
                totaal_ingediend_debet_credit=None,
                totaal_toegekend_bedrag=None,
                totaal_toegekend_debet_credit=None,
                retourcodes=",".join(x.text or "" for x in r.all(ha, "m:RetourCodes/m:RetourCode")),
            )
            if da is not None:
                row.update(
                    declaratienummer=r.t(da, "m:DeclaratieNummer"),
                    totaal_ingediend_bedrag=_i(r.t(da, "m:TotaalIngediendBedrag/b:TotaalBedrag")),
                    totaal_ingediend_debet_credit=r.t(da, "m:TotaalIngediendBedrag/b:DebetCredit"),
                    totaal_toegekend_bedrag=_i(r.t(da, "m:TotaalToegekendBedrag/b:TotaalBedrag")),
                    totaal_toegekend_debet_credit=r.t(da, "m:TotaalToegekendBedrag/b:DebetCredit"),
                )
            yield Record("istandaarden_325_antwoord", row, elem, "DeclaratieAntwoord")
