"""iStandaarden message classes: each a generated message (``seeds``) with one kind of damage.

Every builder takes the inbox to write into and the folder of generated seeds, and returns the
files it wrote. File names say the class and the message type; the change is described next to
each, with the seed's original value, so an outcome can be checked by hand.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from tests.hostile.seeds import cut_after, drop, edit, first_317, message, write

TEST_BSN = b"123456782"  # passes the elfproef (see the package docstring)


def invalid_bytes(inbox: Path, source: Path) -> list[Path]:
    """Bytes that are not UTF-8 in files that declare UTF-8: the file is quarantined
    (ENCODING), never the run stopped."""
    out = []
    data = message(source, "wmo_301_75993908_000000002.xml")
    bad = "Müller-Núñez".encode("latin-1")  # é, ñ, ú as single Latin-1 bytes
    out.append(
        write(inbox, "enc_latin1_name_wmo_301.xml", edit(data, b">Peters<", b">" + bad + b"<"))
    )
    data = message(source, "jeugdwet_323_98861168_000000019.xml")
    # a lead byte (0xD4) followed by '<': the sequence it opens never ends
    data = edit(data, b">41A01<", b">41A0\xd4<", nth=0)
    out.append(write(inbox, "enc_lone_lead_byte_jeugdwet_323.xml", data))
    data = message(source, "wmo_305_75993908_000000006.xml")
    data = edit(data, b"<iwmo:Categorie>", b"\xd5<iwmo:Categorie>")  # between two elements
    out.append(write(inbox, "enc_byte_between_elements_wmo_305.xml", data))
    data = message(source, "wmo_315_98414002_000000002.xml")
    data = edit(data, b">Bouzid<", b">B\xc8uzid<")
    out.append(write(inbox, "enc_lead_byte_in_name_wmo_315.xml", data))
    data = message(source, "wmo_319_75993908_000000004.xml")
    data = edit(data, b">VA0000017<", b">VA\xed\xa0\x800000017<")  # an encoded surrogate
    out.append(write(inbox, "enc_encoded_surrogate_wmo_319.xml", data))
    return out


def dates_and_years(inbox: Path, source: Path) -> list[Path]:
    """Schema-valid dates with white space around them load as the date they spell; a year the
    warehouse cannot hold (12025, -2025) is refused naming the value, never loaded as NULL."""
    wmo305_4 = message(source, "wmo_305_75993908_000000004.xml")
    wmo307 = message(source, "wmo_307_75993908_000000013.xml")
    jw323 = message(source, "jeugdwet_323_98861168_000000019.xml")
    wmo301 = message(source, "wmo_301_75993908_000000002.xml")
    wmo325 = message(source, "wmo_325_98414002_000000056.xml")
    wmo305_6 = message(source, "wmo_305_75993908_000000006.xml")
    jw315 = message(source, "jeugdwet_315_75993908_000000032.xml")
    period_325 = b"<iwmo:Begindatum>2025-02-17</iwmo:Begindatum><iwmo:Einddatum>2025-02-23<"
    variants = {
        "date_ws_begindatum_wmo_305.xml": edit(
            wmo305_4,
            b">2024-05-28</wmo305:Begindatum>",
            b">\n\t\t\t\t2024-05-28\n\t\t\t</wmo305:Begindatum>",
        ),
        "date_tab_einddatum_wmo_307.xml": edit(
            wmo307, b">2024-08-31</wmo307:Einddatum>", b">\t2024-08-31</wmo307:Einddatum>"
        ),
        # the declaration's period ends ' 2025-01-01 ' (was 2025-04-30): before it begins
        "date_ws_declaratieperiode_jeugdwet_323.xml": edit(
            jw323,
            b">2025-04-30</ijw:Einddatum></jw323:DeclaratiePeriode>",
            b"> 2025-01-01 </ijw:Einddatum></jw323:DeclaratiePeriode>",
        ),
        "date_newlines_ingangsdatum_wmo_301.xml": edit(
            wmo301, b">2024-05-17</wmo301:Ingangsdatum>", b">\n2025-01-31\n</wmo301:Ingangsdatum>"
        ),
        # a line's period 2025-02-17 .. ' 2025-01-01 ': ends before it begins
        "date_end_before_begin_wmo_325.xml": edit(
            wmo325,
            period_325,
            period_325.replace(b">2025-02-23<", b"> 2025-01-01 <"),
        ),
        "date_year_12025_begindatum_wmo_305.xml": edit(
            wmo305_6, b">2024-06-01</wmo305:Begindatum>", b">12025-01-01</wmo305:Begindatum>"
        ),
        "date_tab_dagtekening_jeugdwet_323.xml": edit(
            jw323,
            b">2025-05-03</jw323:DeclaratieDagtekening>",
            b">\t2025-05-03</jw323:DeclaratieDagtekening>",
        ),
        "date_negative_year_wmo_325.xml": edit(
            wmo325, period_325, period_325.replace(b">2025-02-17<", b">-2025-01-01<")
        ),
        "date_negative_year_jeugdwet_315.xml": edit(
            jw315,
            b">2025-01-14</jw315:ToewijzingIngangsdatum>",
            b">-2025-01-01</jw315:ToewijzingIngangsdatum>",
        ),
        # the header's Dagtekening: the whole file has no date to stand on
        "date_year_12025_header_wmo_325.xml": edit(
            wmo325, b">2025-03-12</iwmo:Dagtekening>", b">12025-01-01</iwmo:Dagtekening>", nth=0
        ),
    }
    return [write(inbox, name, data) for name, data in variants.items()]


def broken_for_redaction(inbox: Path, source: Path) -> list[Path]:
    """Files broken so that masking their text for a reason fails as well (a character
    reference to a lone surrogate, a file cut inside a tag): quarantined NOT_XML, the
    reason never raising out of the quarantine handler."""
    wmo323 = message(source, "wmo_323_98414002_000000018.xml")
    wmo315 = message(source, "wmo_315_98414002_000000002.xml")
    wmo319 = message(source, "wmo_319_75993908_000000004.xml")
    wmo305 = message(source, "wmo_305_75993908_000000004.xml")
    variants = {
        "redact_surrogate_ref_in_bsn_wmo_323.xml": edit(
            wmo323, b"<wmo323:Bsn>583638326<", b"<wmo323:Bsn>&#xD800;583638326<"
        ),
        "redact_surrogate_ref_in_geslacht_wmo_315.xml": edit(
            wmo315, b"<wmo315:Geslacht>2<", b"<wmo315:Geslacht>&#xD800;2<"
        ),
        "redact_cut_in_namespace_wmo_319.xml": cut_after(
            wmo319, b'xmlns:iwmo="http://www.istandaarden.nl/'
        ),
        "redact_cut_in_client_wmo_305.xml": cut_after(wmo305, b"<iwmo:Voornamen>Willem</iwmo:"),
    }
    return [write(inbox, name, data) for name, data in variants.items()]


def parse_errors(inbox: Path, source: Path) -> list[Path]:
    """XML broken so far that lxml's recovery fails: NOT_XML, raised out of nothing."""
    wmo305 = message(source, "wmo_305_75993908_000000004.xml")
    wmo301 = message(source, "wmo_301_75993908_000000002.xml")
    jw323 = message(source, "jeugdwet_323_98861168_000000019.xml")
    variants = {
        "parse_cut_in_root_tag_wmo_305.xml": cut_after(wmo305, b"<wmo305:B"),
        "parse_undeclared_prefix_wmo_301.xml": edit(
            wmo301, b"<iwmo:Voornamen>Willem</iwmo:Voornamen>", b"<x:Voornamen>Willem</x:Voornamen>"
        ),
        "parse_control_char_ref_jeugdwet_323.xml": edit(
            jw323, b">DCL0000005<", b">DCL&#1;0000005<"
        ),
        "parse_broken_attribute_wmo_305.xml": edit(
            wmo305, b"<wmo305:Client>", b'<wmo305:Client note="1>'
        ),
    }
    return [write(inbox, name, data) for name, data in variants.items()]


def odd_structures(inbox: Path, source: Path) -> list[Path]:
    """Well-formed XML in a structure the schema forbids (no Header, the Header after the
    content, another law's namespace): SCHEMA with the schema's words, not INGEST_ERROR."""
    wmo315 = message(source, "wmo_315_98414002_000000002.xml")
    jw319 = message(source, "jeugdwet_319_98861168_000000035.xml")
    jw325 = message(source, "jeugdwet_325_98861168_000000068.xml")
    wmo325 = message(source, "wmo_325_98414002_000000056.xml")
    header = wmo325[wmo325.index(b"<wmo325:Header>") : wmo325.index(b"</wmo325:Header>") + 16]
    variants = {
        "odd_no_header_other_namespace_wmo_315.xml": edit(
            drop(wmo315, b"wmo315:Header"),
            b"http://www.istandaarden.nl/iwmo/3_2/wmo315/schema",
            b"http://www.istandaarden.nl/ijw/3_2/jw315/schema",
        ),
        "odd_no_header_jeugdwet_319.xml": drop(jw319, b"jw319:Header"),
        "odd_no_header_jeugdwet_325.xml": drop(jw325, b"jw325:Header"),
        "odd_header_last_wmo_325.xml": edit(
            drop(wmo325, b"wmo325:Header"), b"</wmo325:Bericht>", header + b"\n</wmo325:Bericht>"
        ),
        "odd_namespace_of_a_301_jeugdwet_325.xml": edit(
            jw325,
            b'xmlns:jw325="http://www.istandaarden.nl/ijw/3_2/jw325/schema"',
            b'xmlns:jw325="http://www.istandaarden.nl/iwmo/3_2/wmo301/schema"',
        ),
    }
    return [write(inbox, name, data) for name, data in variants.items()]


def _duplicate_and_negative_year(data: bytes) -> bytes:
    """A 323 of three lines (R000000004..6): the second repeats the first's ReferentieNummer
    (a duplicate line) and the third ends in year -2025."""
    root = etree.fromstring(data)
    ns = {"jw": "http://www.istandaarden.nl/ijw/3_2/jw323/schema"}
    refs = root.findall(".//jw:Prestatie//{*}ReferentieNummer", ns)
    ends = root.findall(".//jw:Prestatie/jw:ProductPeriode/{*}Einddatum", ns)
    assert [r.text for r in refs] == ["R000000004", "R000000005", "R000000006"]
    refs[1].text = "R000000004"
    ends[2].text = "-2025-01-01"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def readers_disagreed(inbox: Path, source: Path) -> list[Path]:
    """323s on which the bulk and the streaming reader once gave different verdicts: white
    space and line ends around dates, years out of range, a duplicate line, swapped codes."""
    jw323 = message(source, "jeugdwet_323_98861168_000000019.xml")
    jw323_16 = message(source, "jeugdwet_323_98861168_000000016.xml")
    wmo323 = message(source, "wmo_323_98414002_000000016.xml")
    jw_period = b">2025-04-30</ijw:Einddatum></jw323:ProductPeriode>"
    variants = {
        "diff_year_12025_jeugdwet_323.xml": edit(
            jw323, jw_period, b">12025-01-01</ijw:Einddatum></jw323:ProductPeriode>", nth=0
        ),
        "diff_duplicate_and_negative_year_jeugdwet_323.xml": _duplicate_and_negative_year(jw323_16),
        "diff_ws_begin_wmo_323.xml": edit(
            wmo323,
            b">2025-01-30</iwmo:Begindatum><iwmo:Einddatum>2025-01-31<",
            b"> 2025-01-01 </iwmo:Begindatum><iwmo:Einddatum>2025-01-31<",
        ),
        "diff_crlf_end_wmo_323.xml": edit(
            wmo323,
            b">2025-01-18</iwmo:Begindatum><iwmo:Einddatum>2025-01-19<",
            b">2025-01-18</iwmo:Begindatum><iwmo:Einddatum>\r\n2025-01-19<",
        ),
        "diff_crlf_begin_wmo_323.xml": edit(
            wmo323,
            b">2025-01-30</iwmo:Begindatum><iwmo:Einddatum>2025-01-31<",
            b">\r\n2025-01-30</iwmo:Begindatum><iwmo:Einddatum>2025-01-31<",
        ),
        "diff_year_12025_wmo_323.xml": edit(
            wmo323,
            b">2025-01-27</iwmo:Begindatum><iwmo:Einddatum>2025-01-31<",
            b">2025-01-27</iwmo:Begindatum><iwmo:Einddatum>12025-01-01<",
            nth=1,
        ),
        # Ontvanger 0999 -> 8800 and the first ProductTarief 8800 -> 0999
        "diff_swapped_codes_jeugdwet_323.xml": edit(
            edit(jw323, b">0999</jw323:Ontvanger>", b">8800</jw323:Ontvanger>"),
            b">8800</jw323:ProductTarief>",
            b">0999</jw323:ProductTarief>",
            nth=0,
        ),
    }
    return [write(inbox, name, data) for name, data in variants.items()]


def comment_in_prestaties(inbox: Path, source: Path) -> list[Path]:
    """A comment inside Prestaties, as a tool that corrects a file by hand leaves one: loads
    exactly as the message without it (seeds wmo_325_75993908_000000050 and
    wmo_323_98414002_000000016)."""
    wmo325 = message(source, "wmo_325_75993908_000000050.xml")
    wmo323 = message(source, "wmo_323_98414002_000000016.xml")
    return [
        write(
            inbox,
            "comment_in_prestaties_wmo_325.xml",
            edit(wmo325, b"<wmo325:Prestaties>", b"<wmo325:Prestaties><!-- gecorrigeerd -->"),
        ),
        write(
            inbox,
            "comment_in_prestaties_wmo_323.xml",
            edit(
                wmo323,
                b"<wmo323:Prestaties>",
                b"<wmo323:Prestaties><!-- gecorrigeerd --><?tool x=1?>",
                nth=0,
            ),
        ),
    ]


_LAUGHS = b'<!ENTITY lol "lol">' + b"".join(
    b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
    for i in range(1, 10)
)


def doctypes(inbox: Path, source: Path) -> list[Path]:
    """A DOCTYPE of any kind (an external entity, an expansion bomb, a plain internal entity)
    is refused as DTD: no entity is ever expanded (seed wmo_323_98414002_000000017, whose
    first ReferentieNummer is R000000009)."""
    data = message(source, "wmo_323_98414002_000000017.xml")
    decl = b'<?xml version="1.0" encoding="UTF-8"?>\n'

    def with_doctype(subset: bytes, ref: bytes) -> bytes:
        body = edit(data, b">R000000009<", b">R" + ref + b"<")
        return edit(body, decl, decl + b"<!DOCTYPE wmo323:Bericht [" + subset + b"]>\n")

    variants = {
        "dtd_external_entity_wmo_323.xml": with_doctype(
            b'<!ENTITY x SYSTEM "file:///etc/hostname">', b"&x;"
        ),
        "dtd_billion_laughs_wmo_323.xml": with_doctype(_LAUGHS, b"&lol9;"),
        "dtd_internal_entity_wmo_323.xml": with_doctype(b'<!ENTITY e "000000009">', b"&e;"),
    }
    return [write(inbox, name, data) for name, data in variants.items()]


def bsn_in_other_fields(inbox: Path, source: Path) -> list[Path]:
    """A BSN (the test number, or the message's own client's) where no BSN belongs: stored as
    its pseudonym, quoted in a reason only as its mask, whatever the outcome of the message."""
    wmo319 = message(source, "wmo_319_75993908_000000004.xml")
    wmo323_53 = message(source, "wmo_323_75993908_000000053.xml")
    wmo305 = message(source, "wmo_305_75993908_000000008.xml")
    wmo323_51 = message(source, "wmo_323_75993908_000000051.xml")
    # clients of wmo_323_98414002_000000016: 569087223, 653913448, 127950461
    wmo323 = message(source, "wmo_323_98414002_000000016.xml")
    wmo307 = message(source, "wmo_307_75993908_000000013.xml")  # client 164215803
    jw301 = message(source, "jeugdwet_301_41050631_000000028.xml")  # client 650143218
    jw307 = message(source, "jeugdwet_307_41050631_000000009.xml")  # client 396810172
    jw325 = message(source, "jeugdwet_325_98861168_000000068.xml")
    jw315 = message(source, "jeugdwet_315_75993908_000000032.xml")  # client 269927840
    wmo315 = message(source, "wmo_315_98414002_000000002.xml")  # client 653913448
    name_317 = first_317(source)
    wmo317 = message(source, name_317)
    bsn_317 = wmo317.split(b"Bsn>", 2)[1].split(b"<")[0]
    variants = {
        "bsn_as_identificatie_wmo_319.xml": edit(wmo319, b">000000004<", b">" + TEST_BSN + b"<"),
        "bsn_as_referentienummer_twice_wmo_323.xml": edit(
            edit(wmo323_53, b">R000000013<", b">" + TEST_BSN + b"<"),
            b">R000000016<",
            b">" + TEST_BSN + b"<",
        ),
        "bsn_in_afzender_wmo_305.xml": edit(
            wmo305, b">75993908</wmo305:Afzender>", b">" + TEST_BSN + b"</wmo305:Afzender>"
        ),
        "bsn_in_productcategorie_wmo_323.xml": edit(
            wmo323_51,
            b">01</wmo323:ProductCategorie>",
            b">" + TEST_BSN + b"</wmo323:ProductCategorie>",
            nth=0,
        ),
        "bsn_own_in_declaratienummer_wmo_323.xml": edit(wmo323, b">DCL0000001<", b">569087223<"),
        "bsn_own_in_referentienummer_wmo_323.xml": edit(wmo323, b">R000000001<", b">569087223<"),
        "bsn_own_in_toewijzingnummer_wmo_307.xml": edit(
            wmo307, b">300037</wmo307:ToewijzingNummer>", b">164215803</wmo307:ToewijzingNummer>"
        ),
        "bsn_own_as_identificatie_jeugdwet_301.xml": edit(jw301, b">000000028<", b">650143218<"),
        # the BSN moves to the Identificatie, the Bsn element gets 000000009 (fails the
        # elfproef): the client's line is refused BSN_ELFPROEF
        "bsn_swapped_with_identificatie_jeugdwet_307.xml": edit(
            edit(jw307, b">000000009<", b">396810172<"),
            b"<jw307:Bsn>396810172<",
            b"<jw307:Bsn>000000009<",
        ),
        "bsn_in_totaalbedrag_jeugdwet_325.xml": edit(
            jw325,
            b"<jw325:TotaalToegekendBedrag><ijw:TotaalBedrag>199077<",
            b"<jw325:TotaalToegekendBedrag><ijw:TotaalBedrag>" + TEST_BSN + b"<",
        ),
        "bsn_in_declaratieidentificatie_jeugdwet_325.xml": edit(
            jw325, b">000000019<", b">" + TEST_BSN + b"<"
        ),
        "bsn_own_in_referentieaanbieder_jeugdwet_315.xml": edit(
            jw315, b">VA0000009<", b">269927840<"
        ),
        "bsn_own_in_xsdversie_wmo_315.xml": edit(
            edit(wmo315, b">0999</wmo315:Ontvanger>", b">%0999</wmo315:Ontvanger>"),
            b"<iwmo:BasisschemaXsdVersie>1.0.0<",
            b"<iwmo:BasisschemaXsdVersie>653913448<",
        ),
        "bsn_own_in_attribute_and_categorie_wmo_323.xml": edit(
            edit(
                wmo323,
                b"<wmo323:ProductReferentie><iwmo:ReferentieNummer>R000000003<",
                b'<wmo323:ProductReferentie note="127950461"><iwmo:ReferentieNummer>R000000003<',
            ),
            b">02</wmo323:ProductCategorie>",
            b">569087223</wmo323:ProductCategorie>",
            nth=0,
        ),
        "bsn_own_in_referentieaanbieder_wmo_317.xml": _317_with_bsn(wmo317, bsn_317),
    }
    return [write(inbox, name, data) for name, data in variants.items()]


def _317_with_bsn(data: bytes, bsn: bytes) -> bytes:
    root = etree.fromstring(data)
    (ref,) = root.findall(".//{*}ReferentieAanbieder")[:1]
    ref.text = bsn.decode()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def bsn_behind_marks_and_scripts(inbox: Path, source: Path) -> list[Path]:
    """A BSN a reader sees but a nine-ASCII-digit scan may not: behind a combining acute
    accent (U+0301) in a loaded 325's BerichtIdentificatie, and behind three Arabic-Indic
    digits (١٢٣, a \\d in Python's regex: the run looks twelve long) in a 325 quarantined as
    SCHEMA (its Header after the content), whose fragment quotes the value."""
    wmo325 = message(source, "wmo_325_98414002_000000056.xml")
    jw325 = message(source, "jeugdwet_325_98861168_000000068.xml")
    header = jw325[jw325.index(b"<jw325:Header>") : jw325.index(b"</jw325:Header>") + 15]
    moved = edit(drop(jw325, b"jw325:Header"), b"</jw325:Bericht>", header + b"\n</jw325:Bericht>")
    arabic = "١٢٣".encode() + TEST_BSN
    variants = {
        "bsn_behind_combining_mark_wmo_325.xml": edit(
            wmo325,
            b"<iwmo:Identificatie>000000056<",
            b"<iwmo:Identificatie>" + "\u0301".encode() + TEST_BSN + b"<",
        ),
        "bsn_behind_arabic_digits_quarantined_jeugdwet_325.xml": edit(
            moved,
            b"<ijw:BasisschemaXsdVersie>1.0.0<",
            b"<ijw:BasisschemaXsdVersie>" + arabic + b"<",
            nth=1,
        ),
    }
    return [write(inbox, name, data) for name, data in variants.items()]
