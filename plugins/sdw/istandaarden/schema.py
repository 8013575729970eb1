"""Compile the hand-written message structures of ``spec.py`` into lxml XML Schemas.

Why compile to XML Schema instead of walking the tree in Python: libxml2 then validates while
``iterparse`` streams the file, in C, with bounded memory, and reports line numbers.
Each message type gets two generated documents (the law's basisschema and the message schema
importing it); the import is answered from memory by a resolver, nothing touches the disk.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from lxml import etree

from sdw.istandaarden import spec
from sdw.istandaarden.messages import MessageType, message_type_for_namespace
from sdw.istandaarden.reader import PARSER_OPTIONS, split_tag

XS = "http://www.w3.org/2001/XMLSchema"
_BASE_URL = "file:///sdw-generated/"


def _xs(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{XS}}}{tag}", attrs)


def _new_schema(target_namespace: str, nsmap: dict[str, str]) -> etree._Element:
    root = etree.Element(
        f"{{{XS}}}schema",
        {"targetNamespace": target_namespace, "elementFormDefault": "qualified"},
        nsmap={"xs": XS, **nsmap},
    )
    return root


def _simple_type(parent: etree._Element, name: str, stype: spec.SimpleType) -> None:
    simple = _xs(parent, "simpleType", name=name)
    if isinstance(stype, spec.Date):
        # xs:date checks the calendar; digits and '-' only rules out a time zone (Z, +hh:mm).
        restriction = _xs(simple, "restriction", base="xs:date")
        _xs(restriction, "pattern", value="[0-9\\-]+")
    elif isinstance(stype, spec.Time):
        restriction = _xs(simple, "restriction", base="xs:time")
        _xs(restriction, "pattern", value="[0-9:.]+")
    elif isinstance(stype, spec.Whole):
        restriction = _xs(simple, "restriction", base="xs:integer")
        _xs(restriction, "minInclusive", value=str(stype.minimum))
        _xs(restriction, "maxInclusive", value=str(stype.maximum))
        if stype.pattern:
            _xs(restriction, "pattern", value=stype.pattern)
    elif isinstance(stype, spec.Code):
        restriction = _xs(simple, "restriction", base="xs:string")
        for value in stype.values:
            _xs(restriction, "enumeration", value=value)
    elif isinstance(stype, spec.Text):
        restriction = _xs(simple, "restriction", base="xs:string")
        _xs(restriction, "minLength", value=str(stype.min_length))
        if stype.max_length is not None:
            _xs(restriction, "maxLength", value=str(stype.max_length))
        if stype.pattern:
            _xs(restriction, "pattern", value=stype.pattern)
    else:  # pragma: no cover - the spec only has the types above
        raise TypeError(f"unknown simple type {stype!r}")


def _occurs(element: spec.Element) -> dict[str, str]:
    attrs = {}
    if element.min_occurs != 1:
        attrs["minOccurs"] = str(element.min_occurs)
    if element.max_occurs != 1:
        attrs["maxOccurs"] = "unbounded" if element.max_occurs is None else str(element.max_occurs)
    return attrs


def basisschema_xsd(law: str) -> bytes:
    """The law's basisschema: all named simple types and the shared composites."""
    ns = spec_namespace = MessageType(law, "301").basis_namespace
    root = _new_schema(spec_namespace, {"b": ns})
    clash = set(spec.simple_types(law)) & set(spec.COMPOSITES)
    if clash:
        raise ValueError(f"type names used twice: {sorted(clash)}")
    for name, stype in spec.simple_types(law).items():
        _simple_type(root, name, stype)
    for name, children in spec.COMPOSITES.items():
        sequence = _xs(_xs(root, "complexType", name=name), "sequence")
        for child in children:
            if not isinstance(child.content, str):
                raise TypeError(f"composite {name}: {child.name} must name a type")
            _xs(sequence, "element", name=child.name, type=f"b:{child.content}", **_occurs(child))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def message_xsd(message_type: MessageType) -> bytes:
    """The message schema: the Bericht tree with its groups inline, importing the basisschema."""
    law = message_type.law
    root = _new_schema(
        message_type.namespace, {"m": message_type.namespace, "b": message_type.basis_namespace}
    )
    _xs(root, "import", namespace=message_type.basis_namespace, schemaLocation=_basis_location(law))
    known = set(spec.simple_types(law)) | set(spec.COMPOSITES)
    local_types: dict[str, spec.SimpleType] = {}

    def declare(parent: etree._Element, element: spec.Element, occurs: bool = True) -> None:
        attrs = _occurs(element) if occurs else {}
        if element.is_group:
            node = _xs(parent, "element", name=element.name, **attrs)
            sequence = _xs(_xs(node, "complexType"), "sequence")
            for child in element.children:
                declare(sequence, child)
        elif isinstance(element.content, str):
            if element.content not in known:
                raise KeyError(f"{element.name}: unknown type {element.content!r}")
            _xs(parent, "element", name=element.name, type=f"b:{element.content}", **attrs)
        else:
            # A rule only this element has (fixed BerichtCode, ...): a named type in the message
            # schema, named after the element so error messages can explain it.
            assert element.name not in local_types or local_types[element.name] == element.content
            local_types[element.name] = element.content
            _xs(parent, "element", name=element.name, type=f"m:{element.name}", **attrs)

    declare(root, spec.message(law, message_type.number), occurs=False)
    for name, stype in local_types.items():
        _simple_type(root, name, stype)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _basis_location(law: str) -> str:
    return f"basisschema-{law}.xsd"


class _GeneratedBasisschema(etree.Resolver):
    """Answers the message schema's xs:import with the generated basisschema."""

    def resolve(self, system_url, public_id, context):
        for law in ("wmo", "jeugdwet"):
            if system_url == _BASE_URL + _basis_location(law):
                return self.resolve_string(basisschema_xsd(law), context)
        return None


@cache
def schema_for(message_type: MessageType) -> etree.XMLSchema:
    """The compiled (and cached) schema of one message type."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_GeneratedBasisschema())
    document = etree.fromstring(
        message_xsd(message_type), parser, base_url=f"{_BASE_URL}{message_type.name}.xsd"
    )
    return etree.XMLSchema(etree.ElementTree(document))


# --------------------------------------------------------------------------------------------
# Readable errors for quarantine records
# --------------------------------------------------------------------------------------------


# What a named type means, for "is not <description>" messages.
@cache
def _type_descriptions() -> dict[str, str]:
    described: dict[str, str] = {}
    for law in ("wmo", "jeugdwet"):
        for name, stype in spec.simple_types(law).items():
            described[name] = stype.description
        for number in spec.MESSAGE_NUMBERS:
            _collect_local(spec.message(law, number), described)
    return described


@cache
def _pattern_descriptions() -> dict[str, str]:
    """What a pattern means, for facet errors (which do not name the type)."""
    described = {spec.NOT_BLANK: "a text with at least one non-blank character"}
    for law in ("wmo", "jeugdwet"):
        for stype in spec.simple_types(law).values():
            if getattr(stype, "pattern", None):
                described.setdefault(stype.pattern, stype.description)
        for number in spec.MESSAGE_NUMBERS:
            local: dict[str, str] = {}
            _collect_local(spec.message(law, number), local, by_pattern=True)
            for pattern, description in local.items():
                described.setdefault(pattern, description)
    return described


def _facet_reason(facet: str, rest: str) -> str:
    limit = m.group(1) if (m := _QUOTED_LAST.search(rest.strip())) else "?"
    if facet == "pattern":
        meaning = _pattern_descriptions().get(limit)
        return f"is not {meaning}" if meaning else f"does not match the pattern {limit}"
    if facet == "enumeration":
        codes = re.findall(r"'([^']*)'", rest[rest.find("{") :])
        shown = ", ".join(codes) if len(codes) <= 12 else f"{len(codes)} allowed codes"
        return f"is not one of the allowed codes ({shown})"
    if facet == "maxLength":
        return f"is longer than {limit} characters"
    if facet == "minLength":
        return f"is shorter than {limit} characters"
    if facet == "maxInclusive":
        return f"is more than the maximum {limit}"
    if facet == "minInclusive":
        return f"is less than the minimum {limit}"
    return f"breaks the {facet} rule"


def _collect_local(
    element: spec.Element, described: dict[str, str], by_pattern: bool = False
) -> None:
    if element.is_group:
        for child in element.children:
            _collect_local(child, described, by_pattern)
    elif not isinstance(element.content, str):
        key = getattr(element.content, "pattern", None) if by_pattern else element.name
        if key:
            described[key] = element.content.description


# A reason names the element always, but echoes its value only for these elements, which hold
# no personal data (codes, numbers, amounts, product dates). Every other value — BSN, names,
# birth date (Datum), postcode, phone, e-mail, free text — is withheld, because reasons are
# written to quarantine, logs and the run summary.
_ECHOED = frozenset(
    {
        "BerichtCode",
        "BerichtVersie",
        "BerichtSubversie",
        "Afzender",
        "Ontvanger",
        "Identificatie",
        "Dagtekening",
        "BasisschemaXsdVersie",
        "BerichtXsdVersie",
        "XsltVersie",
        "IdentificatieRetour",
        "DagtekeningRetour",
        "ToewijzingNummer",
        "ReferentieAanbieder",
        "BeschikkingNummer",
        "Categorie",
        "Code",
        "ProductCategorie",
        "ProductCode",
        "Toewijzingsdatum",
        "Toewijzingstijd",
        "Ingangsdatum",
        "Einddatum",
        "Begindatum",
        "ToewijzingIngangsdatum",
        "ToewijzingEinddatum",
        "BeschikkingIngangsdatum",
        "GewensteIngangsdatum",
        "RedenWijziging",
        "RedenBeeindiging",
        "RedenVerzoek",
        "VerzoekAntwoord",
        "RedenAfwijzingVerzoek",
        "StatusAanlevering",
        "Volume",
        "Eenheid",
        "Frequentie",
        "Budget",
        "GeleverdVolume",
        "ProductTarief",
        "Bedrag",
        "TotaalBedrag",
        "DebetCredit",
        "DeclaratieNummer",
        "ReferentieNummer",
        "VorigReferentieNummer",
        "RetourCode",
        "Raamcontract",
        "Type",
    }
)

_ELEMENT = re.compile(r"^Element '(?:\{[^}]*\})?(?P<name>[^']+)'(?:, attribute '[^']*')?: ")
_NOT_VALID = re.compile(
    r"^'(?P<value>.*)' is not a valid value of the [a-z ]*type '(?:\{[^}]*\})?"
    r"(?P<type>[^']+)'",
    re.S,
)
_FACET = re.compile(r"^\[facet '(?P<facet>[^']*)'\] The value (?:'(?P<value>.*?)' )?", re.S)
_QUOTED_LAST = re.compile(r"'([^']*)'\)?\.?$")
_EXPECTED = re.compile(r"Expected is (?:one of )?\( (?P<names>.*?) \)")
_NAMESPACE = re.compile(r"\{[^}]*\}")


def _messages(error: object) -> list[tuple[str, int | None]]:
    """(message, line) pairs behind an exception, an error log, or one log entry.

    For an exception only its own message counts: ``XMLSyntaxError.error_log`` can still hold
    entries of earlier parses in the same thread.
    """
    if isinstance(error, etree._LogEntry):
        return [(error.message, error.line)]
    if isinstance(error, etree._ListErrorLog):
        return [(entry.message, entry.line) for entry in error]
    if isinstance(error, etree.LxmlError) and getattr(error, "msg", None):
        return [(error.msg, getattr(error, "lineno", None))]
    return [(str(error), None)]


def _describe_entry(message: str, line: int | None) -> str:
    where = f"line {line}: " if line else ""
    match = _ELEMENT.match(message)
    if not match:
        return where + _NAMESPACE.sub("", message).rstrip(".")
    name, rest = match.group("name"), message[match.end() :]
    shown = (lambda v: f"'{v}'") if name in _ECHOED else (lambda value: "(value withheld)")
    if m := _NOT_VALID.match(rest):
        meaning = _type_descriptions().get(m.group("type"), f"a valid {m.group('type')}")
        return f"{where}{name} {shown(m.group('value'))} is not {meaning}"
    if m := _FACET.match(rest):
        value = "" if m.group("value") is None else f" {shown(m.group('value'))}"
        return f"{where}{name}{value} {_facet_reason(m.group('facet'), rest)}"
    expected = _EXPECTED.search(rest)
    wanted = _NAMESPACE.sub("", expected.group("names")) if expected else ""
    if rest.startswith("This element is not expected"):
        tail = f" (expected {wanted})" if wanted else ""
        return f"{where}{name} is not allowed at this position{tail}"
    if rest.startswith("Missing child element"):
        return f"{where}{name} is missing required child {wanted}".rstrip()
    return where + f"{name}: " + _NAMESPACE.sub("", rest).rstrip(".")


def describe_errors(error: object) -> list[str]:
    """Every distinct reason in ``error`` (see ``describe_error``), in document order."""
    reasons: dict[tuple[int | None, str], str] = {}
    for message, line in _messages(error):
        element = m.group("name") if (m := _ELEMENT.match(message)) else ""
        key = (line, element)
        # libxml2 reports a failed facet twice (facet, then type); the type names the meaning.
        names_type = bool(_NOT_VALID.match(_ELEMENT.sub("", message)))
        if key in reasons and not names_type:
            continue
        reasons[key] = _describe_entry(message, line)
    return list(reasons.values())


def describe_error(error: object) -> str:
    """A short reason for a quarantine record, e.g.
    ``line 23: ToewijzingEinddatum '2027-06-31' is not a valid date (YYYY-MM-DD)``.

    Accepts what validation produces: the exception raised by ``iterparse(schema=...)`` or
    ``assertValid``, an error log (``schema.error_log``), or one log entry. Streaming
    validation reports no line numbers; ``validate_file`` re-checks a failed file as a tree to
    add them. BSN values are never echoed.
    """
    reasons = describe_errors(error)
    return reasons[0] if reasons else str(error)


# Files up to this size are re-validated as a whole tree after a streaming failure, which is
# the only way libxml2 tells the line numbers; bigger files get the reason without a line.
_LINE_LOOKUP_MAX_BYTES = 64 * 1024 * 1024


def _without_path(error: Exception) -> str:
    """lxml repeats the file's name or full path; the reason belongs to the file already."""
    text = re.sub(r"^Error reading file '[^']*': ", "", str(error))
    return re.sub(r" \([^()]*, line [0-9]+\)$", "", text)


def validate_file(path: str | Path) -> list[str]:
    """Reasons the file is not a valid iWmo/iJw 3.2 message; empty when it is valid.

    The message type comes from the root element's namespace. Validation streams the file
    (iterparse), so a valid file is never held in memory as a whole.
    """
    path = Path(path)
    try:
        for _event, root in etree.iterparse(str(path), events=("start",), **PARSER_OPTIONS):
            namespace = split_tag(root.tag)[0]
            break
        else:  # pragma: no cover - an XML document always has a root
            return ["empty document"]
    except (etree.XMLSyntaxError, OSError) as error:
        return [f"not well-formed XML: {_without_path(error)}"]
    message_type = message_type_for_namespace(namespace)
    if message_type is None:
        return [f"root namespace {namespace!r} is not an iWmo/iJw 3.2 message"]
    schema = schema_for(message_type)
    events = etree.iterparse(str(path), events=("end",), schema=schema, **PARSER_OPTIONS)
    try:
        for _event, element in events:
            if element.getparent() is not None and element.getparent().getparent() is None:
                element.clear(keep_tail=True)  # a finished top-level part is no longer needed
    except etree.XMLSyntaxError as error:
        if path.stat().st_size <= _LINE_LOOKUP_MAX_BYTES:
            parser = etree.XMLParser(**PARSER_OPTIONS)
            try:
                tree = etree.parse(str(path), parser)
            except (etree.XMLSyntaxError, OSError) as syntax_error:
                # lxml reports bytes invalid in the declared encoding as OSError
                return [f"not well-formed XML: {_without_path(syntax_error)}"]
            if not schema.validate(tree):
                return describe_errors(schema.error_log)
        return describe_errors(error)
    return []
