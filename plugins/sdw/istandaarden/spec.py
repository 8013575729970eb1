"""The structure of every iWmo 3.2 / iJw 3.2 message, written out in the project's own notation.

Why this exists: ingest must check structure, types and code lists with the project's own
rules, not by shipping someone else's XSD files. This module restates what the standard says
a message contains; ``schema.py`` compiles it into an XML Schema at run time so validation
still runs in libxml2 (fast, streaming, bounded memory).

How to read it
--------------
``E("Name", content)`` is one element. A suffix on the name gives the cardinality:
``"Name"`` exactly once, ``"Name?"`` optional, ``"Name+"`` one or more.
``content`` is either

* the name of a simple type (``"Datum"``, ``"Bsn"``; see ``simple_types``),
* the name of a basisschema composite (``"BedragMetDC"``; see ``COMPOSITES``), whose children
  live in the basisschema namespace (``iwmo:``/``ijw:``), or
* a list of ``E(...)``: a group whose children live in the message namespace.

Where the two laws differ (a few code lists, GezagsdragerBekend in 315/316, Woonplaatsbeginsel
in 319/320) the builders take the law as an argument; everything else is shared.

Retour messages (302, 306, 308, 316, 318, 320) are the heen message with extra header fields,
an optional body and a ``RetourCodes`` list at the end of every record (see ``retour``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Union

from sdw.istandaarden.messages import BERICHTCODES

# --------------------------------------------------------------------------------------------
# Notation
# --------------------------------------------------------------------------------------------

UNBOUNDED = None


@dataclass(frozen=True)
class Text:
    """A string. ``pattern`` uses XML Schema regex syntax and must match the whole value."""

    description: str
    min_length: int = 1
    max_length: int | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class Whole:
    """A whole number (xs:integer lexical rules: '+5' and '007' are numbers too)."""

    description: str
    maximum: int
    minimum: int = 0
    pattern: str | None = None  # a fixed spelling, used for BerichtVersie/BerichtSubversie


@dataclass(frozen=True)
class Code:
    """One value out of a code list (exact spelling, no surrounding blanks)."""

    description: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Date:
    """A calendar date YYYY-MM-DD that really exists (xs:date), without a time zone."""

    description: str = "a valid date (YYYY-MM-DD)"


@dataclass(frozen=True)
class Time:
    """A time of day hh:mm:ss (xs:time), without a time zone."""

    description: str = "a valid time (hh:mm:ss)"


SimpleType = Union[Text, Whole, Code, Date, Time]  # noqa: UP007 (readable in docs)


@dataclass(frozen=True)
class Element:
    name: str
    content: str | SimpleType | tuple[Element, ...]
    min_occurs: int = 1
    max_occurs: int | None = 1

    @property
    def is_group(self) -> bool:
        return isinstance(self.content, tuple)

    @property
    def children(self) -> tuple[Element, ...]:
        assert isinstance(self.content, tuple), self.name
        return self.content


def E(name: str, content: str | SimpleType | list[Element]) -> Element:
    """One element; ``?`` / ``+`` suffix on the name for optional / repeating."""
    min_occurs, max_occurs = 1, 1
    if name.endswith("?"):
        name, min_occurs = name[:-1], 0
    elif name.endswith("+"):
        name, max_occurs = name[:-1], UNBOUNDED
    if isinstance(content, list):
        content = tuple(content)
    return Element(name, content, min_occurs, max_occurs)


# --------------------------------------------------------------------------------------------
# Simple types (the standard's LDT_* rules, in our words)
# --------------------------------------------------------------------------------------------

# At least one non-blank character, on one line ('.' in XML Schema regex excludes newlines).
NOT_BLANK = r".*\S.*"


def _codes(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# ISO 3166-1 alpha-2 codes as listed in code list COD032 (Land).
_LANDCODES = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
VN VU WF WS YE YT ZA ZM ZW
"""

# Retourcodes a retour message may carry (WJ001 subset used by the 3.2 messages).
_RETOURCODES = """
0001 0200 0233 0611 8001 8017 8021 8187 8214 8848 9019 9056 9063 9069 9071 9074 9307 9308
9319 9321 9322 9326 9332 9333 9338 9339 9340 9341 9346 9347 9349 9350 9351 9355 9357 9359
9360 9361 9365 9366 9367 9369 9373 9374 9375 9379 9384 9385 9387 9388 9389 9390 9411 9412
9413 9414 9415 S300 S329
"""

# Law-specific code lists.
_PRODUCTCATEGORIE = {
    # Wmo productcategorieen 01 (hulp bij het huishouden) .. 18 (overige beschermd wonen en opvang).
    "wmo": _codes("01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18"),
    # JZ020: the 2015 categories 31-38 and the current 40-55.
    "jeugdwet": _codes("31 32 33 34 35 36 37 38 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55"),
}
_REDEN_BEEINDIGING = {
    "wmo": _codes("02 19 20 21 22 23 31 36 37 38 39"),
    "jeugdwet": _codes("02 20 31 32 33 34 35 36 37 38 39"),  # JZ588
}


def simple_types(law: str) -> dict[str, SimpleType]:
    """Every named simple type a message may use, for one law."""
    return {
        # dates, times, numbers
        "Datum": Date(),
        "Tijd": Time(),
        "Bedrag": Whole("an amount in eurocent (0..99999999)", 99_999_999),
        "TotaalBedrag": Whole("a total amount in eurocent (0..999999999999)", 999_999_999_999),
        "Budget": Whole("a budget in eurocent (0..99999999)", 99_999_999),
        "Volume": Whole("a volume (0..99999999)", 99_999_999),
        "Nummer": Whole("a number (0..999999999)", 999_999_999),
        "Huisnummer": Whole("a house number (0..99999)", 99_999),
        "RelatieVolgorde": Whole("an order number (0..99)", 99),
        # identifying digits
        "Bsn": Text("a BSN (9 digits)", pattern="[0-9]{9}"),
        "AgbCode": Text("an AGB code (8 digits)", pattern="[0-9]{8}"),
        "Gemeente": Text("a gemeentecode (4 digits)", pattern="[0-9]{4}"),
        "Telefoonnummer": Text("a phone number (up to 15 digits)", 1, 15, "[0-9]*"),
        "Versie": Text(
            "a version like 1.0.0", pattern=r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
        ),
        # free text with a maximum length
        "IdentificatieBericht": Text("an identification (1..12 chars)", 1, 12, NOT_BLANK),
        "IdentificatieDeclaratie": Text("a declaration number (1..12 chars)", 1, 12),
        "ReferentieNummer": Text("a reference number (1..20 chars)", 1, 20),
        "Referentie": Text("a reference (1..36 chars)", 1, 36, NOT_BLANK),
        "Persoonsid": Text("a person id (1..20 chars)", 1, 20, NOT_BLANK),
        "ProductCode": Text("a product code (1..5 chars)", 1, 5, NOT_BLANK),
        "Naam": Text("a name (1..200 chars)", 1, 200, NOT_BLANK),
        "Voorvoegsel": Text("a name prefix (1..10 chars)", 1, 10, NOT_BLANK),
        "Voorletters": Text("initials (1..6 letters)", 1, 6, "[a-zA-Z\u00c0-\u1ef3]+"),
        "NaamVerwijzer": Text("a referrer name (1..64 chars)", 1, 64, NOT_BLANK),
        "Organisatienaam": Text("an organisation name (1..35 chars)", 1, 35, NOT_BLANK),
        "Emailadres": Text("an e-mail address (1..80 chars)", 1, 80, NOT_BLANK),
        "Straatnaam": Text("a street name (1..24 chars)", 1, 24, NOT_BLANK),
        "Plaatsnaam": Text("a place name (1..80 chars)", 1, 80, NOT_BLANK),
        "Postcode": Text("a postcode (1..8 chars)", 1, 8, NOT_BLANK),
        "Huisletter": Text("a house letter (1 char)", 1, 1, NOT_BLANK),
        "HuisnummerToevoeging": Text("a house number addition (1..4 chars)", 1, 4, NOT_BLANK),
        "Landnummer": Text("a country calling code (1..4 chars)", 1, 4, NOT_BLANK),
        "Taal": Text("a language (1..25 chars)", 1, 25, NOT_BLANK),
        # any text with at least one non-blank character; newlines allowed
        "Commentaar": Text("a comment (not blank)", pattern=r"\s*\S[\s\S]*"),
        # code lists
        "DebetCredit": Code("D or C", _codes("D C")),
        "Eenheid": Code("an Eenheid code (WJ756)", _codes("01 04 14 16 82 83 84")),
        "Frequentie": Code("a Frequentie code", _codes("1 2 4 6")),
        "Geslacht": Code("a Geslacht code (COD046)", _codes("0 1 2")),
        "AdresSoort": Code("a Soort adres code (COD757)", _codes("01 02 03 04")),
        "AanduidingWoonadres": Code("a NUM061 code", _codes("AB BY TO WW")),
        "Communicatievorm": Code("a Communicatievorm code (COD747)", _codes("1 2 3")),
        "DatumGebruik": Code("a Datumgebruik code (COD170)", _codes("1 2 3")),
        "JaNee": Code("1 (ja) or 2 (nee)", _codes("1 2")),
        "JuridischeStatus": Code("a Juridische status code", _codes("01 02 03 04 05 11 12")),
        "WettelijkeVertegenwoordiging": Code("a WJ003 code", _codes("06 07 08 09 10")),
        "LandCode": Code("a country code (COD032)", _codes(_LANDCODES)),
        "NaamGebruik": Code("a Naamgebruik code (COD700)", _codes("1 2 3 4 5 6")),
        "SoortRelatie": Code(
            "a Soort relatie code (COD472)", tuple(f"{i:02d}" for i in range(3, 26))
        ),
        "TypeVerwijzer": Code("a Verwijzer code (COD327)", _codes("01 02 03 04 05 06 08")),
        "StatusAanlevering": Code("a Status aanlevering code (COD467)", _codes("1 2 3 9")),
        "RedenVerzoek": Code("a Reden verzoek code (WJ758)", _codes("1 2")),
        "VerzoekAntwoord": Code("a Verzoek antwoord code (WJ760)", _codes("1 2")),
        "RedenAfwijzingVerzoek": Code("a WJ759 code", _codes("1 2 3 4 5 6 7 8 9")),
        "RedenWijziging": Code("a Reden wijziging code", tuple(f"{i:02d}" for i in range(1, 15))),
        "RetourCode": Code("a retourcode", _codes(_RETOURCODES)),
        "ProductCategorie": Code("a productcategorie of this law", _PRODUCTCATEGORIE[law]),
        "RedenBeeindiging": Code("a reden beeindiging of this law", _REDEN_BEEINDIGING[law]),
    }


# --------------------------------------------------------------------------------------------
# Basisschema composites: shared building blocks, children in the basisschema namespace
# --------------------------------------------------------------------------------------------

COMPOSITES: dict[str, list[Element]] = {
    "BerichtIdentificatie": [E("Identificatie", "IdentificatieBericht"), E("Dagtekening", "Datum")],
    "XsdVersie": [E("BasisschemaXsdVersie", "Versie"), E("BerichtXsdVersie", "Versie")],
    "Geboortedatum": [E("Datum", "Datum"), E("DatumGebruik?", "DatumGebruik")],
    "Achternaam": [E("Achternaam", "Naam"), E("Voorvoegsel?", "Voorvoegsel")],
    "VerkorteNaam": [
        E("Geslachtsnaam", "Achternaam"),
        E("Voornamen?", "Naam"),
        E("Voorletters?", "Voorletters"),
    ],
    "VolledigeNaam": [
        E("Geslachtsnaam", "Achternaam"),
        E("Partnernaam?", "Achternaam"),
        E("Voornamen?", "Naam"),
        E("Voorletters?", "Voorletters"),
        E("NaamGebruik", "NaamGebruik"),
    ],
    "Communicatie": [E("Vorm", "Communicatievorm"), E("Taal?", "Taal")],
    "Huis": [
        E("Huisnummer", "Huisnummer"),
        E("Huisletter?", "Huisletter"),
        E("HuisnummerToevoeging?", "HuisnummerToevoeging"),
        E("AanduidingWoonadres?", "AanduidingWoonadres"),
    ],
    "Adres": [
        E("Huis?", "Huis"),
        E("Postcode?", "Postcode"),
        E("Straatnaam?", "Straatnaam"),
        E("Plaatsnaam?", "Plaatsnaam"),
        E("LandCode?", "LandCode"),
    ],
    "Telefoon": [E("Telefoonnummer", "Telefoonnummer"), E("Landnummer", "Landnummer")],
    "Telefoonnummers": [E("Telefoon01", "Telefoon"), E("Telefoon02?", "Telefoon")],
    "OpenPeriode": [E("Begindatum?", "Datum"), E("Einddatum?", "Datum")],
    "GeslotenPeriode": [E("Begindatum", "Datum"), E("Einddatum", "Datum")],
    "Product": [E("Categorie", "ProductCategorie"), E("Code?", "ProductCode")],
    "Omvang": [E("Volume", "Volume"), E("Eenheid", "Eenheid"), E("Frequentie", "Frequentie")],
    "Verwijzer": [
        E("Type", "TypeVerwijzer"),
        E("Naam?", "NaamVerwijzer"),
        E("ZorgverlenerCode?", "AgbCode"),
    ],
    "ProductReferentie": [
        E("ReferentieNummer", "ReferentieNummer"),
        E("VorigReferentieNummer?", "ReferentieNummer"),
    ],
    "BedragMetDC": [E("Bedrag", "Bedrag"), E("DebetCredit", "DebetCredit")],
    "TotaalBedragMetDC": [E("TotaalBedrag", "TotaalBedrag"), E("DebetCredit", "DebetCredit")],
}

# --------------------------------------------------------------------------------------------
# Message parts
# --------------------------------------------------------------------------------------------

RETOURCODES = E("RetourCodes", [E("RetourCode+", "RetourCode")])


def header(law: str, number: str, *, from_municipality: bool) -> list[Element]:
    """The header every message starts with; the BerichtCode is fixed per message and law."""
    sender, receiver = ("Gemeente", "AgbCode") if from_municipality else ("AgbCode", "Gemeente")
    code = BERICHTCODES[law][number]
    return [
        E("BerichtCode", Text(f"berichtcode {code}", 1, 3, code)),
        E("BerichtVersie", Whole("berichtversie 3", 99, pattern="3")),
        E("BerichtSubversie", Whole("berichtsubversie 2", 99, pattern="2")),
        E("Afzender", sender),
        E("Ontvanger", receiver),
        E("BerichtIdentificatie", "BerichtIdentificatie"),
        E("XsdVersie", "XsdVersie"),
    ]


def contact() -> list[Element]:
    return [
        E("Soort", "AdresSoort"),
        E("Adres?", "Adres"),
        E("Organisatie?", "Organisatienaam"),
        E("Telefoon?", "Telefoonnummers"),
        E("Emailadres?", "Emailadres"),
        E("Periode?", "OpenPeriode"),
    ]


def client_short() -> list[Element]:
    """Client identification used by the provider messages 305/307/315."""
    return [
        E("Bsn", "Bsn"),
        E("Geboortedatum", "Geboortedatum"),
        E("Geslacht", "Geslacht"),
        E("Naam", "VerkorteNaam"),
    ]


# Each builder below lists a message's records bottom-up: first the innermost record, last the
# body of the message. Read the ``return`` first for the overall shape.


def toewijzing_301() -> list[Element]:
    toegewezen_product = [
        E("ToewijzingNummer", "Nummer"),
        E("ReferentieAanbieder?", "Referentie"),
        E("Product?", "Product"),
        E("Toewijzingsdatum", "Datum"),
        E("Toewijzingstijd", "Tijd"),
        E("Ingangsdatum", "Datum"),
        E("Einddatum?", "Datum"),
        E("RedenWijziging?", "RedenWijziging"),
        E("Omvang?", "Omvang"),
        E("Budget?", "Budget"),
        E("Commentaar?", "Commentaar"),
    ]
    relatie = [
        E("Nummer", "Persoonsid"),
        E("Volgorde?", "RelatieVolgorde"),
        E("Soort", "SoortRelatie"),
        E("Geboortedatum?", "Geboortedatum"),
        E("Geslacht?", "Geslacht"),
        E("Naam", "VolledigeNaam"),
        E("Contact", contact()),
    ]
    client = [
        E("Bsn", "Bsn"),
        E("Geboortedatum", "Geboortedatum"),
        E("Geslacht", "Geslacht"),
        E("Naam", "VolledigeNaam"),
        E("Communicatie?", "Communicatie"),
        E("JuridischeStatus?", "JuridischeStatus"),
        E("WettelijkeVertegenwoordiging?", "WettelijkeVertegenwoordiging"),
        E("Commentaar?", "Commentaar"),
        E("Relaties?", [E("Relatie+", relatie)]),
        E("Contactgegevens", [E("Contact+", contact())]),
        E("ToegewezenProducten", [E("ToegewezenProduct+", toegewezen_product)]),
    ]
    return [E("Client", client)]


def start_305() -> list[Element]:
    start_product = [
        E("ToewijzingNummer?", "Nummer"),
        E("Product?", "Product"),
        E("ToewijzingIngangsdatum?", "Datum"),
        E("Begindatum", "Datum"),
        E("StatusAanlevering", "StatusAanlevering"),
    ]
    client = [*client_short(), E("StartProducten", [E("StartProduct+", start_product)])]
    return [E("Client", client)]


def stop_307() -> list[Element]:
    stop_product = [
        E("ToewijzingNummer?", "Nummer"),
        E("Product?", "Product"),
        E("ToewijzingIngangsdatum?", "Datum"),
        E("Begindatum", "Datum"),
        E("RedenBeeindiging", "RedenBeeindiging"),
        E("Einddatum", "Datum"),
        E("StatusAanlevering", "StatusAanlevering"),
    ]
    client = [*client_short(), E("StopProducten", [E("StopProduct+", stop_product)])]
    return [E("Client", client)]


def verzoek_om_toewijzing_315(law: str) -> list[Element]:
    aangevraagd_product = [
        E("ReferentieAanbieder", "Referentie"),
        E("BeschikkingNummer?", "Nummer"),
        E("Product?", "Product"),
        E("BeschikkingIngangsdatum?", "Datum"),
        E("ToewijzingIngangsdatum", "Datum"),
        E("ToewijzingEinddatum?", "Datum"),
        E("Omvang?", "Omvang"),
        E("Budget?", "Budget"),
        E("Verwijzer", "Verwijzer"),
        E("Raamcontract?", "JaNee"),
        E("Commentaar?", "Commentaar"),
    ]
    jeugdwet_only = [E("GezagsdragerBekend?", "JaNee")] if law == "jeugdwet" else []
    client = [
        *client_short(),
        *jeugdwet_only,
        E("Commentaar?", "Commentaar"),
        E("AangevraagdeProducten", [E("AangevraagdProduct+", aangevraagd_product)]),
    ]
    return [E("Client", client)]


def verzoek_om_wijziging_317() -> list[Element]:
    te_wijzigen_product = [
        E("ToewijzingNummer", "Nummer"),
        E("GewensteIngangsdatum", "Datum"),
        E("Einddatum?", "Datum"),
        E("Omvang?", "Omvang"),
        E("Budget?", "Budget"),
    ]
    nieuw_product = [
        E("Product?", "Product"),
        E("GewensteIngangsdatum", "Datum"),
        E("Einddatum?", "Datum"),
        E("Omvang?", "Omvang"),
        E("Budget?", "Budget"),
    ]
    verzoek = [
        E("ReferentieAanbieder", "Referentie"),
        E("RedenVerzoek", "RedenVerzoek"),
        E("OngewijzigdeProducten?", [E("OngewijzigdProduct+", [E("ToewijzingNummer", "Nummer")])]),
        E("TeWijzigenProducten?", [E("TeWijzigenProduct+", te_wijzigen_product)]),
        E("NieuweProducten?", [E("NieuwProduct+", nieuw_product)]),
    ]
    return [E("Client", [E("Bsn", "Bsn"), E("Verzoek", verzoek)])]


def antwoord_319(law: str) -> list[Element]:
    jeugdwet_only = (
        [E("Woonplaatsbeginsel?", [E("Gemeente", "Gemeente")])] if law == "jeugdwet" else []
    )
    antwoord = [
        E("ReferentieAanbieder", "Referentie"),
        E("VerzoekAntwoord", "VerzoekAntwoord"),
        E("RedenAfwijzingVerzoek?", "RedenAfwijzingVerzoek"),
        *jeugdwet_only,
    ]
    return [E("Antwoord", antwoord)]


def prestatie() -> list[Element]:
    """One declared line (323); the same fields come back in the 325 answer."""
    return [
        E("ProductReferentie", "ProductReferentie"),
        E("ToewijzingNummer", "Nummer"),
        E("ProductCategorie", "ProductCategorie"),
        E("ProductCode", "ProductCode"),
        E("ProductPeriode", "GeslotenPeriode"),
        E("GeleverdVolume", "Volume"),
        E("Eenheid", "Eenheid"),
        E("ProductTarief?", "Bedrag"),
        E("IngediendBedrag", "BedragMetDC"),
    ]


def declaratie_323() -> list[Element]:
    client = [
        E("Bsn", "Bsn"),
        E("Prestaties", [E("Prestatie+", prestatie())]),
    ]
    declaratienummer = Text("a declaration number (1..12 letters/digits)", 1, 12, "[a-zA-Z0-9]+")
    declaratie = [
        E("DeclaratieNummer", declaratienummer),
        E("DeclaratiePeriode", "GeslotenPeriode"),
        E("DeclaratieDagtekening", "Datum"),
        E("TotaalIngediendBedrag", "TotaalBedragMetDC"),
        E("Clienten", [E("Client+", client)]),
    ]
    return [E("Declaratie", declaratie)]


def declaratie_antwoord_325(law: str) -> tuple[list[Element], list[Element]]:
    """Header and body of the 325, which answers a 323 line by line (0001 = accepted)."""
    head = [
        *header(law, "325", from_municipality=True),
        E("DeclaratieIdentificatie", "BerichtIdentificatie"),
        E("XsltVersie?", "Versie"),
        E("XsdVersieDeclaratie", "XsdVersie"),
        RETOURCODES,
    ]
    client = [
        E("Bsn", "Bsn"),
        E("Prestaties", [E("Prestatie+", [*prestatie(), RETOURCODES])]),
        RETOURCODES,
    ]
    declaratie_antwoord = [
        E("DeclaratieNummer", "IdentificatieDeclaratie"),
        E("TotaalIngediendBedrag", "TotaalBedragMetDC"),
        E("TotaalToegekendBedrag", "TotaalBedragMetDC"),
        E("Clienten?", [E("Client+", client)]),
        RETOURCODES,
    ]
    return head, [E("DeclaratieAntwoord?", declaratie_antwoord)]


# --------------------------------------------------------------------------------------------
# Retour messages
# --------------------------------------------------------------------------------------------


def _is_list_wrapper(element: Element) -> bool:
    """A wrapper like ``StartProducten`` only holds a repeated child; it gets no RetourCodes."""
    kids = element.children
    return len(kids) == 1 and kids[0].max_occurs is UNBOUNDED


def _with_retourcodes(element: Element) -> Element:
    if not element.is_group:
        return element
    kids = [_with_retourcodes(kid) for kid in element.children]
    if not _is_list_wrapper(element):
        kids.append(RETOURCODES)
    return replace(element, content=tuple(kids))


def retour(heen_header: list[Element], heen_body: list[Element]) -> tuple[list, list]:
    """The retour on a heen message: header + retour identification, body optional, and every
    record (each group that is not a mere list wrapper) ends with its own RetourCodes."""
    head = [
        *heen_header,
        E("IdentificatieRetour", "IdentificatieBericht"),
        E("DagtekeningRetour", "Datum"),
        E("XsltVersie?", "Versie"),
        E("XsdVersieRetour", "XsdVersie"),
        E("RetourCodes?", RETOURCODES.content),  # type: ignore[arg-type]
    ]
    body = [replace(_with_retourcodes(part), min_occurs=0) for part in heen_body]
    return head, body


# --------------------------------------------------------------------------------------------
# All messages
# --------------------------------------------------------------------------------------------

# heen message number -> (sent by the municipality?, body builder taking the law)
_HEEN = {
    "301": (True, lambda law: toewijzing_301()),
    "305": (False, lambda law: start_305()),
    "307": (False, lambda law: stop_307()),
    "315": (False, verzoek_om_toewijzing_315),
    "317": (False, lambda law: verzoek_om_wijziging_317()),
    "319": (True, antwoord_319),
    "323": (False, lambda law: declaratie_323()),
}
# retour message number -> the heen message it answers
_RETOUR_ON = {"302": "301", "306": "305", "308": "307", "316": "315", "318": "317", "320": "319"}

MESSAGE_NUMBERS = tuple(sorted({*_HEEN, *_RETOUR_ON, "325"}))


def message(law: str, number: str) -> Element:
    """The root ``Bericht`` element of one message: a Header followed by the body."""
    if number == "325":
        head, body = declaratie_antwoord_325(law)
    elif number in _HEEN:
        from_municipality, build = _HEEN[number]
        head, body = header(law, number, from_municipality=from_municipality), build(law)
    elif number in _RETOUR_ON:
        heen = _RETOUR_ON[number]
        from_municipality, build = _HEEN[heen]
        # The retour keeps the heen message's Afzender/Ontvanger; only the BerichtCode changes.
        head, body = retour(header(law, number, from_municipality=from_municipality), build(law))
    else:
        raise KeyError(f"unknown message number {number!r}")
    return E("Bericht", [E("Header", head), *body])
