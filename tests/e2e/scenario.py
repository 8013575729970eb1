"""A small municipality written by hand for the end-to-end tests, independent of the project's
generator: a few iWmo/iJw messages whose mart values are worked out by hand in the test.

Gemeente 0999. Address file: 1234AB 10 -> WK099901, 1234AB 12 and 5678CD 1 -> WK099902.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

NS = {"wmo": ("iwmo", "wmo"), "jeugdwet": ("ijw", "jw")}
CODES = {
    ("wmo", "301"): "414",
    ("wmo", "323"): "484",
    ("wmo", "325"): "485",
    ("jeugdwet", "301"): "436",
    ("jeugdwet", "323"): "490",
    ("jeugdwet", "325"): "491",
}
GEMEENTE = "0999"

# Clients (BSNs pass the elfproef unless said otherwise).
C1, C2, C3, C5 = "111111110", "123456782", "100000009", "100000010"
C4_BAD = "123456789"  # fails the elfproef: its line is quarantined
J = ["200000019", "200000020", "200000032", "200000044", "200000056"]


def elfproef(bsn: str) -> bool:
    w = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * x for d, x in zip(bsn, w, strict=True)) % 11 == 0


@dataclass
class Line:
    bsn: str
    ref: str
    toewijzing: str
    cat: str
    code: str
    begin: str
    end: str
    volume: int
    cents: int
    dc: str = "D"
    vorig: str | None = None
    unit: str = "04"


def _head(law: str, number: str) -> tuple[str, str, str]:
    std, prefix = NS[law]
    m = f"{prefix}{number}"
    opening = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{m}:Bericht '
        f'xmlns:{std}="http://www.istandaarden.nl/{std}/3_2/basisschema/schema" '
        f'xmlns:{m}="http://www.istandaarden.nl/{std}/3_2/{m}/schema">'
    )
    return opening, m, std


def _header(m: str, b: str, code: str, afzender: str, ontvanger: str, ident: str, dag: str) -> str:
    return (
        f"<{m}:Header><{m}:BerichtCode>{code}</{m}:BerichtCode><{m}:BerichtVersie>3"
        f"</{m}:BerichtVersie><{m}:BerichtSubversie>2</{m}:BerichtSubversie>"
        f"<{m}:Afzender>{afzender}</{m}:Afzender><{m}:Ontvanger>{ontvanger}</{m}:Ontvanger>"
        f"<{m}:BerichtIdentificatie><{b}:Identificatie>{ident}</{b}:Identificatie>"
        f"<{b}:Dagtekening>{dag}</{b}:Dagtekening></{m}:BerichtIdentificatie>"
        f"<{m}:XsdVersie><{b}:BasisschemaXsdVersie>1.0.0</{b}:BasisschemaXsdVersie>"
        f"<{b}:BerichtXsdVersie>1.0.0</{b}:BerichtXsdVersie></{m}:XsdVersie>"
    )


def _name(m: str, b: str, tag: str = "Naam") -> str:
    return (
        f"<{m}:{tag}><{b}:Geslachtsnaam><{b}:Achternaam>Fictief</{b}:Achternaam>"
        f"</{b}:Geslachtsnaam><{b}:NaamGebruik>1</{b}:NaamGebruik></{m}:{tag}>"
    )


def _contact(m: str, b: str, soort: str, postcode: str, huisnummer: int, letter: str = "") -> str:
    huisletter = f"<{b}:Huisletter>{letter}</{b}:Huisletter>" if letter else ""
    return (
        f"<{m}:Contact><{m}:Soort>{soort}</{m}:Soort><{m}:Adres><{b}:Huis>"
        f"<{b}:Huisnummer>{huisnummer}</{b}:Huisnummer>{huisletter}</{b}:Huis>"
        f"<{b}:Postcode>{postcode}</{b}:Postcode><{b}:Straatnaam>Dorpsstraat</{b}:Straatnaam>"
        f"<{b}:Plaatsnaam>Fictiefdorp</{b}:Plaatsnaam></{m}:Adres></{m}:Contact>"
    )


def msg_301(
    law: str,
    agb: str,
    ident: str,
    dag: str,
    bsn: str,
    toewijzing: str,
    cat: str,
    brp: tuple[str, int, str],
    extra_contacts: str = "",
    relatie: str = "",
) -> str:
    opening, m, b = _head(law, "301")
    relaties = ""
    if relatie:
        relaties = (
            f"<{m}:Relaties><{m}:Relatie><{m}:Nummer>1</{m}:Nummer><{m}:Soort>03</{m}:Soort>"
            f"{_name(m, b)}{relatie}</{m}:Relatie></{m}:Relaties>"
        )
    return (
        f"{opening}{_header(m, b, CODES[(law, '301')], GEMEENTE, agb, ident, dag)}</{m}:Header>"
        f"<{m}:Client><{m}:Bsn>{bsn}</{m}:Bsn><{m}:Geboortedatum><{b}:Datum>1980-01-01"
        f"</{b}:Datum></{m}:Geboortedatum><{m}:Geslacht>1</{m}:Geslacht>{_name(m, b)}"
        f"{relaties}<{m}:Contactgegevens>{_contact(m, b, '01', *brp)}{extra_contacts}"
        f"</{m}:Contactgegevens><{m}:ToegewezenProducten><{m}:ToegewezenProduct>"
        f"<{m}:ToewijzingNummer>{toewijzing}</{m}:ToewijzingNummer><{m}:Product>"
        f"<{b}:Categorie>{cat}</{b}:Categorie></{m}:Product>"
        f"<{m}:Toewijzingsdatum>{dag}</{m}:Toewijzingsdatum>"
        f"<{m}:Toewijzingstijd>09:00:00</{m}:Toewijzingstijd>"
        f"<{m}:Ingangsdatum>2025-01-01</{m}:Ingangsdatum></{m}:ToegewezenProduct>"
        f"</{m}:ToegewezenProducten></{m}:Client></{m}:Bericht>"
    )


def _prestatie(m: str, b: str, ln: Line, retour: str = "") -> str:
    vorig = f"<{b}:VorigReferentieNummer>{ln.vorig}</{b}:VorigReferentieNummer>" if ln.vorig else ""
    tarief = "" if retour else f"<{m}:ProductTarief>1000</{m}:ProductTarief>"
    return (
        f"<{m}:Prestatie><{m}:ProductReferentie><{b}:ReferentieNummer>{ln.ref}"
        f"</{b}:ReferentieNummer>{vorig}</{m}:ProductReferentie>"
        f"<{m}:ToewijzingNummer>{ln.toewijzing}</{m}:ToewijzingNummer>"
        f"<{m}:ProductCategorie>{ln.cat}</{m}:ProductCategorie>"
        f"<{m}:ProductCode>{ln.code}</{m}:ProductCode><{m}:ProductPeriode>"
        f"<{b}:Begindatum>{ln.begin}</{b}:Begindatum><{b}:Einddatum>{ln.end}</{b}:Einddatum>"
        f"</{m}:ProductPeriode><{m}:GeleverdVolume>{ln.volume}</{m}:GeleverdVolume>"
        f"<{m}:Eenheid>{ln.unit}</{m}:Eenheid>{tarief}<{m}:IngediendBedrag>"
        f"<{b}:Bedrag>{ln.cents}</{b}:Bedrag><{b}:DebetCredit>{ln.dc}</{b}:DebetCredit>"
        f"</{m}:IngediendBedrag>{retour}</{m}:Prestatie>"
    )


def _clients(m: str, b: str, lines: list[Line], retour: str = "") -> str:
    out, by_client = [], {}
    for ln in lines:
        by_client.setdefault(ln.bsn, []).append(ln)
    for bsn, ls in by_client.items():
        prest = "".join(_prestatie(m, b, ln, retour) for ln in ls)
        out.append(
            f"<{m}:Client><{m}:Bsn>{bsn}</{m}:Bsn><{m}:Prestaties>{prest}</{m}:Prestaties>"
            f"{retour}</{m}:Client>"
        )
    return f"<{m}:Clienten>{''.join(out)}</{m}:Clienten>"


def _total(b: str, tag: str, cents: int, m: str) -> str:
    return (
        f"<{m}:{tag}><{b}:TotaalBedrag>{abs(cents)}</{b}:TotaalBedrag><{b}:DebetCredit>"
        f"{'D' if cents >= 0 else 'C'}</{b}:DebetCredit></{m}:{tag}>"
    )


def signed_total(lines: list[Line]) -> int:
    return sum(ln.cents if ln.dc == "D" else -ln.cents for ln in lines)


def msg_323(
    law: str,
    agb: str,
    ident: str,
    dag: str,
    nummer: str,
    period: tuple[str, str],
    lines: list[Line],
) -> str:
    opening, m, b = _head(law, "323")
    return (
        f"{opening}{_header(m, b, CODES[(law, '323')], agb, GEMEENTE, ident, dag)}</{m}:Header>"
        f"<{m}:Declaratie><{m}:DeclaratieNummer>{nummer}</{m}:DeclaratieNummer>"
        f"<{m}:DeclaratiePeriode><{b}:Begindatum>{period[0]}</{b}:Begindatum><{b}:Einddatum>"
        f"{period[1]}</{b}:Einddatum></{m}:DeclaratiePeriode><{m}:DeclaratieDagtekening>{dag}"
        f"</{m}:DeclaratieDagtekening>{_total(b, 'TotaalIngediendBedrag', signed_total(lines), m)}"
        f"{_clients(m, b, lines)}</{m}:Declaratie></{m}:Bericht>"
    )


def msg_325(
    law: str,
    agb: str,
    ident: str,
    dag: str,
    decl_ident: str,
    nummer: str,
    declared_total: int,
    rejected: list[Line],
) -> str:
    opening, m, b = _head(law, "325")
    rc = f"<{m}:RetourCodes><{m}:RetourCode>0200</{m}:RetourCode></{m}:RetourCodes>"
    rc_line = f"<{m}:RetourCodes><{m}:RetourCode>8001</{m}:RetourCode></{m}:RetourCodes>"
    header = _header(m, b, CODES[(law, "325")], GEMEENTE, agb, ident, dag) + (
        f"<{m}:DeclaratieIdentificatie><{b}:Identificatie>{decl_ident}</{b}:Identificatie>"
        f"<{b}:Dagtekening>{dag}</{b}:Dagtekening></{m}:DeclaratieIdentificatie>"
        f"<{m}:XsdVersieDeclaratie><{b}:BasisschemaXsdVersie>1.0.0</{b}:BasisschemaXsdVersie>"
        f"<{b}:BerichtXsdVersie>1.0.0</{b}:BerichtXsdVersie></{m}:XsdVersieDeclaratie>{rc}"
    )
    granted = declared_total - signed_total(rejected)
    clients = _clients(m, b, rejected, rc_line).replace(
        f"{rc_line}</{m}:Client>", f"{rc}</{m}:Client>"
    )
    return (
        f"{opening}{header}</{m}:Header><{m}:DeclaratieAntwoord>"
        f"<{m}:DeclaratieNummer>{nummer}</{m}:DeclaratieNummer>"
        f"{_total(b, 'TotaalIngediendBedrag', declared_total, m)}"
        f"{_total(b, 'TotaalToegekendBedrag', granted, m)}{clients}{rc}"
        f"</{m}:DeclaratieAntwoord></{m}:Bericht>"
    )


ADDRESS_FILE = (
    "PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n"
    "1234AB;10;9990101;99901;999\n"
    "1234AB;12;9990201;99902;999\n"
    "5678CD;1;9990202;99902;999\n"
)

A, B = "11111111", "22222222"  # provider AGB codes
JAN, FEB, MAR, APR = (
    ("2025-01-01", "2025-01-31"),
    ("2025-02-01", "2025-02-28"),
    ("2025-03-01", "2025-03-31"),
    ("2025-04-01", "2025-04-30"),
)


def write(inbox: Path) -> dict[str, str]:
    """Write the scenario; returns file name -> text."""
    files: dict[str, str] = {"adressen_2024.csv": ADDRESS_FILE}
    # Client 1: first 301 at 5678CD 1 (WK099902), a later 301 moves the same toewijzing to
    # 1234AB 10 (WK099901) with a correspondence address and a relative elsewhere: the later
    # 301's own BRP address wins.
    files["wmo301_c1_old.xml"] = msg_301(
        "wmo", A, "3010001", "2024-12-01", C1, "1001", "02", ("5678CD", 1, "")
    )
    files["wmo301_c1_new.xml"] = msg_301(
        "wmo",
        A,
        "3010002",
        "2025-01-15",
        C1,
        "1001",
        "02",
        ("1234AB", 10, ""),
        extra_contacts=_contact("wmo301", "iwmo", "02", "5678CD", 1),
        relatie=_contact("wmo301", "iwmo", "01", "1234AB", 12),
    )
    # Client 2 lives at 5678CD 1 A (huisletter ignored) -> WK099902
    files["wmo301_c2.xml"] = msg_301(
        "wmo", A, "3010003", "2025-01-02", C2, "1002", "02", ("5678CD", 1, "A")
    )
    # Client 5 lives at an address the CBS file does not know -> UNKNOWN
    files["wmo301_c5.xml"] = msg_301(
        "wmo", B, "3010004", "2025-01-02", C5, "1005", "02", ("9999ZZ", 1, "")
    )
    # Client 3 has no 301 at all -> UNKNOWN
    a_jan = [
        Line(C1, "RN1", "1001", "02", "02A01", *JAN, 10, 10000),
        Line(C2, "RN5", "1002", "02", "02A01", *JAN, 5, 5000),
        Line(C4_BAD, "RN6", "1004", "02", "02A01", *JAN, 3, 3000),
    ]
    files["wmo323_A_jan.xml"] = msg_323("wmo", A, "3230001", "2025-02-05", "DN1", JAN, a_jan)
    files["wmo323_A_feb.xml"] = msg_323(
        "wmo",
        A,
        "3230002",
        "2025-03-05",
        "DN2",
        FEB,
        [Line(C1, "RN2", "1001", "02", "02A01", *FEB, 10, 10000)],
    )
    # April: credit RN2 (February), re-declare February at 120.00, and declare April.
    files["wmo323_A_apr.xml"] = msg_323(
        "wmo",
        A,
        "3230003",
        "2025-05-05",
        "DN3",
        APR,
        [
            Line(C1, "RN3", "1001", "02", "02A01", *FEB, 10, 10000, "C", vorig="RN2"),
            Line(C1, "RN4", "1001", "02", "02A01", *FEB, 12, 12000),
            Line(C1, "RN7", "1001", "02", "02A01", *APR, 4, 4000),
        ],
    )
    # Provider B uses the same DeclaratieNummer DN1 and ReferentieNummer RN5 as provider A.
    b_jan = [
        Line(C3, "RN5", "1003", "02", "02A01", *JAN, 8, 8000),
        Line(C5, "RN7", "1005", "02", "02A01", *JAN, 6, 6000),
    ]
    files["wmo323_B_jan.xml"] = msg_323("wmo", B, "3230004", "2025-02-06", "DN1", JAN, b_jan)
    # The municipality rejects provider A's DN1 line RN5 (client 2).
    files["wmo325_A_jan.xml"] = msg_325(
        "wmo", A, "3250001", "2025-02-10", "3230001", "DN1", signed_total(a_jan), [a_jan[1]]
    )
    # The same 323 delivered twice under another name: a duplicate, loaded once.
    files["wmo323_B_jan_resent.xml"] = files["wmo323_B_jan.xml"]
    # Jeugdwet: five clients at 1234AB 12 (WK099902), 200.00 each in March, category 45.
    for i, bsn in enumerate(J, 1):
        files[f"jw301_j{i}.xml"] = msg_301(
            "jeugdwet", A, f"30110{i}", "2025-02-20", bsn, f"200{i}", "45", ("1234AB", 12, "")
        )
    j_lines = [
        Line(bsn, f"JR{i}", f"200{i}", "45", "45A01", *MAR, 2, 20000) for i, bsn in enumerate(J, 1)
    ]
    files["jw323_A_mar.xml"] = msg_323("jeugdwet", A, "3231001", "2025-04-04", "JD1", MAR, j_lines)
    inbox.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (inbox / name).write_text(text, encoding="utf-8")
    return files
