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
    ("wmo", "305"): "418",
    ("wmo", "307"): "420",
    ("wmo", "315"): "444",
    ("wmo", "319"): "482",
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
    referentie: str = "",
) -> str:
    opening, m, b = _head(law, "301")
    ref = f"<{m}:ReferentieAanbieder>{referentie}</{m}:ReferentieAanbieder>" if referentie else ""
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
        f"<{m}:ToewijzingNummer>{toewijzing}</{m}:ToewijzingNummer>{ref}<{m}:Product>"
        f"<{b}:Categorie>{cat}</{b}:Categorie></{m}:Product>"
        f"<{m}:Toewijzingsdatum>{dag}</{m}:Toewijzingsdatum>"
        f"<{m}:Toewijzingstijd>09:00:00</{m}:Toewijzingstijd>"
        f"<{m}:Ingangsdatum>2025-01-01</{m}:Ingangsdatum></{m}:ToegewezenProduct>"
        f"</{m}:ToegewezenProducten></{m}:Client></{m}:Bericht>"
    )


def _client_short(m: str, b: str, bsn: str) -> str:
    return (
        f"<{m}:Client><{m}:Bsn>{bsn}</{m}:Bsn><{m}:Geboortedatum><{b}:Datum>1980-01-01"
        f"</{b}:Datum></{m}:Geboortedatum><{m}:Geslacht>1</{m}:Geslacht><{m}:Naam>"
        f"<{b}:Geslachtsnaam><{b}:Achternaam>Fictief</{b}:Achternaam></{b}:Geslachtsnaam>"
        f"</{m}:Naam>"
    )


def msg_315(agb: str, ident: str, dag: str, bsn: str, products: list[tuple[str, str]]) -> str:
    """A Wmo verzoek om toewijzing; products: (ReferentieAanbieder, category), huisarts."""
    opening, m, b = _head("wmo", "315")
    aangevraagd = "".join(
        f"<{m}:AangevraagdProduct><{m}:ReferentieAanbieder>{ref}</{m}:ReferentieAanbieder>"
        f"<{m}:Product><{b}:Categorie>{cat}</{b}:Categorie></{m}:Product>"
        f"<{m}:ToewijzingIngangsdatum>{dag}</{m}:ToewijzingIngangsdatum>"
        f"<{m}:Verwijzer><{b}:Type>02</{b}:Type></{m}:Verwijzer></{m}:AangevraagdProduct>"
        for ref, cat in products
    )
    return (
        f"{opening}{_header(m, b, CODES[('wmo', '315')], agb, GEMEENTE, ident, dag)}</{m}:Header>"
        f"{_client_short(m, b, bsn)}<{m}:AangevraagdeProducten>{aangevraagd}"
        f"</{m}:AangevraagdeProducten></{m}:Client></{m}:Bericht>"
    )


def msg_319(agb: str, ident: str, dag: str, ref: str, antwoord: str, reden: str = "") -> str:
    opening, m, b = _head("wmo", "319")
    afwijzing = f"<{m}:RedenAfwijzingVerzoek>{reden}</{m}:RedenAfwijzingVerzoek>" if reden else ""
    return (
        f"{opening}{_header(m, b, CODES[('wmo', '319')], GEMEENTE, agb, ident, dag)}</{m}:Header>"
        f"<{m}:Antwoord><{m}:ReferentieAanbieder>{ref}</{m}:ReferentieAanbieder>"
        f"<{m}:VerzoekAntwoord>{antwoord}</{m}:VerzoekAntwoord>{afwijzing}</{m}:Antwoord>"
        f"</{m}:Bericht>"
    )


def msg_305_307(
    number: str, agb: str, ident: str, dag: str, bsn: str, toewijzing: str, begin: str,
    einde: str = "",
) -> str:  # fmt: skip
    """A Wmo start (305) or, with ``einde``, stop (307) of one assigned product."""
    opening, m, b = _head("wmo", number)
    tag = "StartProduct" if number == "305" else "StopProduct"
    stop = f"<{m}:RedenBeeindiging>19</{m}:RedenBeeindiging><{m}:Einddatum>{einde}</{m}:Einddatum>"
    return (
        f"{opening}{_header(m, b, CODES[('wmo', number)], agb, GEMEENTE, ident, dag)}"
        f"</{m}:Header>{_client_short(m, b, bsn)}<{m}:{tag}en><{m}:{tag}>"
        f"<{m}:ToewijzingNummer>{toewijzing}</{m}:ToewijzingNummer>"
        f"<{m}:Begindatum>{begin}</{m}:Begindatum>{stop if einde else ''}"
        f"<{m}:StatusAanlevering>1</{m}:StatusAanlevering></{m}:{tag}></{m}:{tag}en>"
        f"</{m}:Client></{m}:Bericht>"
    )


def waiting_files() -> dict[str, str]:
    """Provider A's Wmo requests, answers, starts and stops; worked out by hand in
    test_scenario.test_waiting_times and test_message_norms. (dates: 2025)"""
    w301 = (A, C2, "02", ("5678CD", 1, ""))
    return {
        # VA1: 315 Friday 3 Jan, 301 Friday 10 Jan (5th working day); start 20 Jan reported
        # 24 Jan; stop 31 Mar reported 9 Apr.
        "wmo315_va1.xml": msg_315(A, "3150001", "2025-01-03", C2, [("VA1", "02")]),
        "wmo301_va1.xml": msg_301(
            "wmo", A, "3010101", "2025-01-10", C2, "5001", "02", w301[3], referentie="VA1"
        ),
        "wmo305_5001.xml": msg_305_307("305", A, "3050001", "2025-01-24", C2, "5001", "2025-01-20"),
        "wmo307_5001.xml": msg_305_307(
            "307", A, "3070001", "2025-04-09", C2, "5001", "2025-01-20", "2025-03-31"
        ),
        # VA2: decided on its own day (Monday 6 Jan); start 13 Jan reported Tuesday 21 Jan.
        "wmo315_va2.xml": msg_315(A, "3150002", "2025-01-06", C2, [("VA2", "02")]),
        "wmo301_va2.xml": msg_301(
            "wmo", A, "3010102", "2025-01-06", C2, "5002", "02", w301[3], referentie="VA2"
        ),
        "wmo305_5002.xml": msg_305_307("305", A, "3050002", "2025-01-21", C2, "5002", "2025-01-13"),
        # VA3 + VA4: one 315 (Wednesday 5 Feb) with two products, decided apart. VA3 "in
        # onderzoek" on 7 Feb, assigned 20 Mar, started 7 Apr (reported 8 Apr). VA4 afgewezen
        # (reason 6) on 12 Feb.
        "wmo315_va3_va4.xml": msg_315(
            A, "3150003", "2025-02-05", C2, [("VA3", "02"), ("VA4", "01")]
        ),
        "wmo319_va3.xml": msg_319(A, "3190001", "2025-02-07", "VA3", "2"),
        "wmo319_va4.xml": msg_319(A, "3190002", "2025-02-12", "VA4", "1", "6"),
        "wmo301_va3.xml": msg_301(
            "wmo", A, "3010103", "2025-03-20", C2, "5003", "02", w301[3], referentie="VA3"
        ),
        "wmo305_5003.xml": msg_305_307("305", A, "3050003", "2025-04-08", C2, "5003", "2025-04-07"),
        # VA5: Monday 24 Mar, never answered. VA6: Thursday 27 Mar, rejected Thursday 3 Apr
        # for woonplaatsbeginsel (reason 8).
        "wmo315_va5.xml": msg_315(A, "3150005", "2025-03-24", C3, [("VA5", "02")]),
        "wmo315_va6.xml": msg_315(A, "3150006", "2025-03-27", C3, [("VA6", "02")]),
        "wmo319_va6.xml": msg_319(A, "3190003", "2025-04-03", "VA6", "1", "8"),
        # VA7: Monday 14 Apr, assigned Tuesday 22 Apr (6th working day).
        "wmo315_va7.xml": msg_315(A, "3150007", "2025-04-14", C3, [("VA7", "02")]),
        "wmo301_va7.xml": msg_301(
            "wmo", A, "3010107", "2025-04-22", C3, "5007", "02", w301[3], referentie="VA7"
        ),
    }


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
    files.update(waiting_files())
    inbox.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (inbox / name).write_text(text, encoding="utf-8")
    return files
