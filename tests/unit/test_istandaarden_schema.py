"""Our own iWmo/iJw 3.2 validator must accept exactly what the official XSDs accept.

The official XSDs and example messages are read from ../shared/reference (never copied into
the project). Every valid example is mutated in many small ways (element removed, duplicated,
swapped, unknown element added, bad values) and for every mutant our verdict must equal the
official one.
"""

from __future__ import annotations

import copy
import string
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from sdw.istandaarden.messages import MessageType, message_type_for_namespace
from sdw.istandaarden.schema import describe_error, describe_errors, schema_for, validate_file

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "istandaarden"
LAW_DIRS = {"wmo": "iwmo-3.2", "jeugdwet": "ijw-3.2"}

needs_reference = pytest.mark.skipif(
    not REFERENCE.is_dir(),
    reason=f"reference iStandaarden folder {REFERENCE} is absent (it sits next to the checkout)",
)


def _examples() -> list[Path]:
    if not REFERENCE.is_dir():
        return []
    return sorted(REFERENCE.glob("*-3.2/berichten/*.xml"))


EXAMPLES = _examples()
EXAMPLE_IDS = [path.stem for path in EXAMPLES]


@cache
def official_schema(law: str, name: str) -> etree.XMLSchema | None:
    xsd = REFERENCE / LAW_DIRS[law] / "xsd" / f"{name}.xsd"
    return etree.XMLSchema(etree.parse(str(xsd))) if xsd.is_file() else None


def message_type_of(tree: etree._ElementTree) -> MessageType:
    found = message_type_for_namespace(etree.QName(tree.getroot()).namespace or "")
    assert found is not None
    return found


def verdicts(tree: etree._ElementTree, official: etree.XMLSchema) -> tuple[bool, bool]:
    ours = schema_for(message_type_of(tree))
    return ours.validate(tree), official.validate(tree)


def load(path: Path) -> etree._ElementTree:
    return etree.parse(str(path), etree.XMLParser(remove_blank_text=True))


# --------------------------------------------------------------------------------------------
# (1) the reference examples
# --------------------------------------------------------------------------------------------


@needs_reference
@pytest.mark.parametrize("path", EXAMPLES, ids=EXAMPLE_IDS)
def test_example_verdict_equals_official(path: Path) -> None:
    tree = load(path)
    mtype = message_type_of(tree)
    official = official_schema(mtype.law, mtype.name)
    assert official is not None
    ours, theirs = verdicts(tree, official)
    assert ours == theirs, f"{path.name}: ours={ours} official={theirs}"
    # The streaming path (what ingest uses) agrees with the tree path.
    assert (validate_file(path) == []) == theirs


@needs_reference
def test_jw315_impossible_date_rejected_with_clear_reason() -> None:
    path = REFERENCE / "ijw-3.2" / "berichten" / "JW315.xml"
    assert not official_schema("jeugdwet", "JW315").validate(etree.parse(str(path)))
    reasons = validate_file(path)
    assert reasons, "JW315 holds 2027-06-31 and must be rejected"
    # The example has the bad date on line 44 (checked by reading the file).
    assert (
        reasons[0] == "line 44: ToewijzingEinddatum '2027-06-31' is not a valid date (YYYY-MM-DD)"
    )


@needs_reference
def test_jw318_misplaced_retourcode_rejected_with_clear_reason() -> None:
    path = REFERENCE / "ijw-3.2" / "berichten" / "JW318.xml"
    assert not official_schema("jeugdwet", "JW318").validate(etree.parse(str(path)))
    reasons = validate_file(path)
    assert len(reasons) == 1
    assert reasons[0].startswith("line 33: RetourCode is not allowed at this position")
    assert "OngewijzigdeProducten" in reasons[0]


@needs_reference
def test_streaming_iterparse_raises_and_is_described() -> None:
    """What ingest does: iterparse with the schema; the exception is turned into a reason."""
    path = REFERENCE / "ijw-3.2" / "berichten" / "JW315.xml"
    schema = schema_for(MessageType("jeugdwet", "315"))
    with pytest.raises(etree.XMLSyntaxError) as caught:
        for _ in etree.iterparse(str(path), events=("end",), schema=schema):
            pass
    assert describe_error(caught.value) == (
        "ToewijzingEinddatum '2027-06-31' is not a valid date (YYYY-MM-DD)"
    )


# --------------------------------------------------------------------------------------------
# (2) mutation tests
# --------------------------------------------------------------------------------------------

VALID_EXAMPLES = [p for p in EXAMPLES if p.stem not in {"JW315", "JW318"}]
VALID_IDS = [p.stem for p in VALID_EXAMPLES]

BAD_DATES = [
    "2027-06-31",
    "2026-02-29",
    "2026-13-01",
    "20260101",
    "2026-1-01",
    "2026-01-01Z",
    "2026-01-01+01:00",
    "2026-01-01T00:00:00",
    "",
    "2024-02-29",
    "12026-01-01",
    " 2026-01-01",
]
BAD_DIGITS = [
    "",
    "12345678",
    "1234567890",
    "12345678a",
    "123 56789",
    "-12345678",
    "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17",  # full-width digits,
]
BAD_NUMBERS = [
    "",
    "-1",
    "+5",
    "007",
    "1.5",
    "1e3",
    "abc",
    "100000000",
    "999999999999",
    "1000000000000",
    " 42 ",
    "0",
    "1" * 15,
    "1" * 16,
    "99999",
    "100000",
    "-0",
]
BAD_CODES = [
    "",
    " ",
    "X",
    "0",
    "00",
    "01",
    "02",
    "1",
    "2",
    "9",
    "10",
    "19",
    "21",
    "45",
    "99",
    "D",
    "C",
    "d",
    "AB",
    "NL",
    "XX",
    "0001",
    "9350",
    "9999",
    "S300",
    "0200 ",
    "011",
]
# Lengths on both sides of every maximum length the standard uses.
TEXT_LENGTHS = [
    1,
    2,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    15,
    16,
    20,
    21,
    24,
    25,
    26,
    35,
    36,
    37,
    64,
    65,
    80,
    81,
    200,
    201,
]
BAD_TEXT = [
    "",
    " ",
    "x\ny",
    " \n x",
    "ÀB",
    "\u1ef3",
    "\u1ef4",
    "A.B",
    "1.0",
    "1.0.0.0",
    "01.0.0",
    "DN 1",
    *("a" * n for n in TEXT_LENGTHS),
]


def _leaves(tree: etree._ElementTree) -> list[etree._Element]:
    return [el for el in tree.iter() if isinstance(el.tag, str) and len(el) == 0]


def _values_for(value: str) -> list[str]:
    """Bad (and some borderline good) values suited to what the original looks like."""
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        return BAD_DATES
    if len(value) in (4, 8, 9) and value.isdigit():
        return BAD_DIGITS + BAD_NUMBERS[:3]
    if (value.isdigit() and len(value) <= 2) or value in {"D", "C"}:
        return BAD_CODES
    if value.isdigit():
        return BAD_NUMBERS
    return BAD_TEXT


_DIGIT_CODES = [str(i) for i in range(10)] + [f"{i:02d}" for i in range(100)]
_LETTER_CODES = [a + b for a in string.ascii_uppercase for b in string.ascii_uppercase]
# The neighbourhood of the retourcodes in use (each code and the numbers next to it).
_RETOUR_CODES = [
    f"{i:04d}"
    for i in sorted(
        {
            n + d
            for n in (
                1,
                200,
                233,
                611,
                8001,
                8017,
                8021,
                8187,
                8214,
                8848,
                9019,
                9056,
                9063,
                9069,
                9071,
                9074,
                9999,
            )
            for d in (-1, 0, 1)
        }
        | set(range(9300, 9420))
    )
] + ["S300", "S329", "S301", "S000"]


def _code_space(value: str) -> list[str]:
    if (value.isdigit() and len(value) <= 2) or value in {"D", "C"}:
        return [*_DIGIT_CODES, "D", "C", "A"]
    if len(value) == 2 and value.isalpha() and value.isupper():
        return _LETTER_CODES
    if len(value) == 4 and (value.isdigit() or value.startswith("S")) and value[0] in "089S":
        return _RETOUR_CODES
    return []


def _nth(tree: etree._ElementTree, index: int) -> etree._Element:
    """Elements are addressed by document-order index, which survives deepcopy."""
    return [el for el in tree.iter() if isinstance(el.tag, str)][index]


def _with_texts(tree: etree._ElementTree, index: int, path: str, texts: list[str]):
    """Value mutants, made in place (no copy) and undone after the consumer has validated."""
    target = _nth(tree, index)
    original = target.text
    try:
        for text in texts:
            target.text = text
            yield f"{path} = {text!r}", tree
    finally:
        target.text = original


def _mutants(tree: etree._ElementTree, kind: str):
    """Yield (description, mutated tree) pairs of one kind."""
    root_ns = etree.QName(tree.getroot()).namespace
    seen_names: set[str] = set()
    size = len([el for el in tree.iter() if isinstance(el.tag, str)])
    for index in range(1, size):
        path = etree.QName(_nth(tree, index)).localname + f"#{index}"
        # Structural kinds change a copy; the value kinds change ``tree`` in place and undo it.
        mutant = copy.deepcopy(tree) if kind in {"remove", "duplicate", "swap", "empty"} else tree
        el = _nth(mutant, index)
        parent = el.getparent()
        if kind == "remove":
            parent.remove(el)
            yield f"remove {path}", mutant
        elif kind == "duplicate":
            el.addnext(copy.deepcopy(el))
            yield f"duplicate {path}", mutant
        elif kind == "swap":
            nxt = el.getnext()
            if nxt is not None and nxt.tag != el.tag:
                el.addprevious(nxt)
                yield f"swap {path} with next", mutant
        elif kind == "unknown":
            if len(el) > 0:
                basis = next(iter(el)).tag.split("}")[0][1:]
                for ns in {root_ns, basis}:
                    for where in ("first", "last"):
                        m2 = copy.deepcopy(tree)
                        target = _nth(m2, index)
                        extra = etree.Element(f"{{{ns}}}Onbekend")
                        extra.text = "1"
                        target.insert(0 if where == "first" else len(target), extra)
                        yield f"unknown {ns} element {where} in {path}", m2
                # A known basis element name, but in the message namespace (and vice versa).
                m3 = copy.deepcopy(tree)
                target = _nth(m3, index)
                first = next(iter(target))
                qn = etree.QName(first)
                other = basis if qn.namespace == root_ns else root_ns
                first.tag = f"{{{other}}}{qn.localname}"
                yield f"wrong namespace for first child of {path}", m3
        elif kind == "values":
            # Once per position in the structure (a repeated Prestatie adds nothing new).
            shape = "/".join(etree.QName(a).localname for a in [*el.iterancestors(), el])
            if len(el) == 0 and shape not in seen_names:
                seen_names.add(shape)
                yield from _with_texts(tree, index, path, _values_for(el.text or ""))
        elif kind == "codes":
            # Every candidate spelling of a code, once per distinct element name, so the code
            # lists themselves (not just a few wrong values) are compared with the official ones.
            name = etree.QName(el).localname
            if len(el) == 0 and name not in seen_names and _code_space(el.text or ""):
                seen_names.add(name)
                yield from _with_texts(tree, index, path, _code_space(el.text or ""))
        elif kind == "empty" and len(el) > 0:
            for child in list(el):
                el.remove(child)
            yield f"empty {path}", mutant


MUTATION_KINDS = ["remove", "duplicate", "swap", "unknown", "values", "empty", "codes"]


@needs_reference
@pytest.mark.parametrize("kind", MUTATION_KINDS)
@pytest.mark.parametrize("path", VALID_EXAMPLES, ids=VALID_IDS)
def test_mutants_verdict_equals_official(path: Path, kind: str) -> None:
    tree = load(path)
    mtype = message_type_of(tree)
    official = official_schema(mtype.law, mtype.name)
    assert official is not None
    count, mismatches, rejected = 0, [], 0
    for description, mutant in _mutants(tree, kind):
        count += 1
        ours, theirs = verdicts(mutant, official)
        rejected += not theirs
        if ours != theirs:
            mismatches.append(f"{description}: ours={ours} official={theirs}")
    assert count > 0
    assert not mismatches, f"{len(mismatches)}/{count} differ:\n" + "\n".join(mismatches[:20])
    if kind in {"remove", "unknown", "values"}:
        assert rejected > 0, "the mutations should include invalid documents"


def _convert(tree: etree._ElementTree, to_law: str) -> etree._ElementTree:
    """The same message under the other law: namespaces, prefixes and berichtcode swapped."""
    mtype = message_type_of(tree)
    target = MessageType(to_law, mtype.number)
    mapping = {mtype.namespace: target.namespace, mtype.basis_namespace: target.basis_namespace}
    text = etree.tostring(tree, encoding="unicode")
    for old, new in mapping.items():
        text = text.replace(old, new)
    converted = etree.ElementTree(etree.fromstring(text, etree.XMLParser(remove_blank_text=True)))
    (code,) = converted.xpath("/*/*[local-name()='Header']/*[local-name()='BerichtCode']")
    code.text = target.berichtcode
    return converted


@needs_reference
@pytest.mark.parametrize("path", VALID_EXAMPLES, ids=VALID_IDS)
def test_example_under_other_law_verdict_equals_official(path: Path) -> None:
    """Code lists differ per law (ProductCategorie, RedenBeeindiging), elements too (315, 319)."""
    tree = load(path)
    mtype = message_type_of(tree)
    other = "wmo" if mtype.law == "jeugdwet" else "jeugdwet"
    official = official_schema(other, MessageType(other, mtype.number).name)
    if official is None:
        pytest.skip(f"no official {other} XSD for {mtype.number} in the reference")
    converted = _convert(tree, other)
    ours, theirs = verdicts(converted, official)
    assert ours == theirs


# --------------------------------------------------------------------------------------------
# WMO messages without an official XSD in the reference
# --------------------------------------------------------------------------------------------

JEUGDWET_ONLY = ("GezagsdragerBekend", "Woonplaatsbeginsel")


@needs_reference
@pytest.mark.parametrize("number", ["302", "306", "308", "316", "320", "325"])
def test_wmo_variant_without_official_xsd_is_accepted(number: str) -> None:
    """Built from the iJw example: same structure, iwmo namespaces, berichtcode and Wmo codes."""
    tree = _convert(load(REFERENCE / "ijw-3.2" / "berichten" / f"JW{number}.xml"), "wmo")
    for el in list(tree.iter()):
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el).localname
        if name in JEUGDWET_ONLY:
            el.getparent().remove(el)
        elif name in ("ProductCategorie", "Categorie"):
            el.text = "02"  # Begeleiding: a Wmo category, not a Jeugdwet one
        elif name == "RedenBeeindiging":
            el.text = "21"  # Wmo only
    schema = schema_for(MessageType("wmo", number))
    assert schema.validate(tree), describe_errors(schema.error_log)
    assert (
        tree.getroot().tag == f"{{http://www.istandaarden.nl/iwmo/3_2/wmo{number}/schema}}Bericht"
    )
    # ... and a Jeugdwet-only category is refused under the Wmo.
    for el in tree.iter("{*}ProductCategorie", "{*}Categorie"):
        el.text = "45"
    if any(True for _ in tree.iter("{*}ProductCategorie", "{*}Categorie")):
        assert not schema.validate(tree)


def test_wmo325_is_answered_by_berichtcode_485() -> None:
    minimal = (
        '<m:Bericht xmlns:m="http://www.istandaarden.nl/iwmo/3_2/wmo325/schema" '
        'xmlns:b="http://www.istandaarden.nl/iwmo/3_2/basisschema/schema"><m:Header>'
        "<m:BerichtCode>{code}</m:BerichtCode><m:BerichtVersie>3</m:BerichtVersie>"
        "<m:BerichtSubversie>2</m:BerichtSubversie><m:Afzender>0363</m:Afzender>"
        "<m:Ontvanger>12345678</m:Ontvanger><m:BerichtIdentificatie><b:Identificatie>A1"
        "</b:Identificatie><b:Dagtekening>2026-01-31</b:Dagtekening></m:BerichtIdentificatie>"
        "<m:XsdVersie><b:BasisschemaXsdVersie>1.0.0</b:BasisschemaXsdVersie><b:BerichtXsdVersie>"
        "1.0.0</b:BerichtXsdVersie></m:XsdVersie><m:DeclaratieIdentificatie><b:Identificatie>D1"
        "</b:Identificatie><b:Dagtekening>2026-01-30</b:Dagtekening></m:DeclaratieIdentificatie>"
        "<m:XsdVersieDeclaratie><b:BasisschemaXsdVersie>1.0.0</b:BasisschemaXsdVersie>"
        "<b:BerichtXsdVersie>1.0.0</b:BerichtXsdVersie></m:XsdVersieDeclaratie><m:RetourCodes>"
        "<m:RetourCode>0001</m:RetourCode></m:RetourCodes></m:Header></m:Bericht>"
    )
    schema = schema_for(MessageType("wmo", "325"))
    assert schema.validate(etree.fromstring(minimal.format(code="485")))
    assert not schema.validate(etree.fromstring(minimal.format(code="491")))


# --------------------------------------------------------------------------------------------
# API details
# --------------------------------------------------------------------------------------------


def test_schema_for_is_cached_and_covers_all_messages() -> None:
    numbers = [
        "301",
        "302",
        "305",
        "306",
        "307",
        "308",
        "315",
        "316",
        "317",
        "318",
        "319",
        "320",
        "323",
        "325",
    ]
    for law in ("wmo", "jeugdwet"):
        for number in numbers:
            mtype = MessageType(law, number)
            assert schema_for(mtype) is schema_for(MessageType(law, number))


@needs_reference
def test_bsn_value_never_appears_in_reason(tmp_path: Path) -> None:
    source = (REFERENCE / "ijw-3.2" / "berichten" / "JW323.xml").read_text(encoding="utf-8")
    bad = source.replace("<jw323:Bsn>999900006</jw323:Bsn>", "<jw323:Bsn>99990000</jw323:Bsn>")
    assert bad != source
    path = tmp_path / "bad_bsn.xml"
    path.write_text(bad, encoding="utf-8")
    reasons = validate_file(path)
    assert len(reasons) == 1
    assert "99990000" not in reasons[0]
    assert reasons[0].startswith("line ") and "Bsn (value withheld) is not a BSN" in reasons[0]


@needs_reference
def test_missing_element_reason_names_what_was_expected(tmp_path: Path) -> None:
    source = (REFERENCE / "ijw-3.2" / "berichten" / "JW323.xml").read_text(encoding="utf-8")
    bad = source.replace("<jw323:Eenheid>04</jw323:Eenheid>", "", 1)
    path = tmp_path / "no_eenheid.xml"
    path.write_text(bad, encoding="utf-8")
    (reason,) = validate_file(path)
    assert "ProductTarief is not allowed at this position (expected Eenheid)" in reason


def test_validate_file_unknown_namespace_and_broken_xml(tmp_path: Path) -> None:
    other = tmp_path / "other.xml"
    other.write_text('<Bericht xmlns="urn:something-else"/>', encoding="utf-8")
    assert validate_file(other) == [
        "root namespace 'urn:something-else' is not an iWmo/iJw 3.2 message"
    ]
    broken = tmp_path / "broken.xml"
    broken.write_text(
        '<m:Bericht xmlns:m="http://www.istandaarden.nl/ijw/3_2/jw301/schema"><m:Header>'
        "</m:Bericht>",
        encoding="utf-8",
    )
    (reason,) = validate_file(broken)
    assert reason.startswith("not well-formed XML")
