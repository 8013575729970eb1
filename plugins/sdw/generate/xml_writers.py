"""Serialisers for iWmo/iJw 3.2 messages, written as plain text.

Messages are built from string templates rather than element trees so that a 323 with tens
of thousands of lines costs little memory and time; element order follows the 3.2 XSDs (the
unit tests validate every generated file against them). Namespace prefixes follow the
standard's examples: ``iwmo``/``ijw`` for the basisschema, ``wmo323``/``jw323`` for the message.
"""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

from sdw.generate.addresses import Address
from sdw.generate.model import Assignment301, Client, Line, Person, Trajectory
from sdw.istandaarden.messages import MessageType

XSD_VERSIE = "1.0.0"
_BASIS_PREFIX = {"wmo": "iwmo", "jeugdwet": "ijw"}


def prefixes(law: str, number: str) -> tuple[str, str]:
    """(message prefix, basisschema prefix), e.g. ('jw323', 'ijw')."""
    return MessageType(law, number).name.lower(), _BASIS_PREFIX[law]


def header(
    law: str, number: str, afzender: str, ontvanger: str, identificatie: str, dagtekening: date
) -> str:
    mt = MessageType(law, number)
    p, b = prefixes(law, number)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{p}:Bericht xmlns:{b}="{mt.basis_namespace}" xmlns:{p}="{mt.namespace}">\n'
        f"\t<{p}:Header>\n"
        f"\t\t<{p}:BerichtCode>{mt.berichtcode}</{p}:BerichtCode>\n"
        f"\t\t<{p}:BerichtVersie>3</{p}:BerichtVersie>\n"
        f"\t\t<{p}:BerichtSubversie>2</{p}:BerichtSubversie>\n"
        f"\t\t<{p}:Afzender>{afzender}</{p}:Afzender>\n"
        f"\t\t<{p}:Ontvanger>{ontvanger}</{p}:Ontvanger>\n"
        f"\t\t<{p}:BerichtIdentificatie>\n"
        f"\t\t\t<{b}:Identificatie>{identificatie}</{b}:Identificatie>\n"
        f"\t\t\t<{b}:Dagtekening>{dagtekening.isoformat()}</{b}:Dagtekening>\n"
        f"\t\t</{p}:BerichtIdentificatie>\n"
        f"\t\t<{p}:XsdVersie>\n"
        f"\t\t\t<{b}:BasisschemaXsdVersie>{XSD_VERSIE}</{b}:BasisschemaXsdVersie>\n"
        f"\t\t\t<{b}:BerichtXsdVersie>{XSD_VERSIE}</{b}:BerichtXsdVersie>\n"
        f"\t\t</{p}:XsdVersie>\n"
    )


def _close_header(p: str) -> str:
    return f"\t</{p}:Header>\n"


def _footer(p: str) -> str:
    return f"</{p}:Bericht>\n"


def _geboortedatum(p: str, b: str, d: date, ind: str) -> str:
    return (
        f"{ind}<{p}:Geboortedatum>\n{ind}\t<{b}:Datum>{d.isoformat()}</{b}:Datum>\n"
        f"{ind}</{p}:Geboortedatum>\n"
    )


def _naam(p: str, b: str, person: Person, ind: str, *, volledig: bool) -> str:
    vv = (
        f"{ind}\t\t<{b}:Voorvoegsel>{escape(person.voorvoegsel)}</{b}:Voorvoegsel>\n"
        if person.voorvoegsel
        else ""
    )
    out = (
        f"{ind}<{p}:Naam>\n{ind}\t<{b}:Geslachtsnaam>\n"
        f"{ind}\t\t<{b}:Achternaam>{escape(person.achternaam)}</{b}:Achternaam>\n{vv}"
        f"{ind}\t</{b}:Geslachtsnaam>\n"
        f"{ind}\t<{b}:Voornamen>{escape(person.voornaam)}</{b}:Voornamen>\n"
        f"{ind}\t<{b}:Voorletters>{person.voorletters}</{b}:Voorletters>\n"
    )
    if volledig:
        out += f"{ind}\t<{b}:NaamGebruik>1</{b}:NaamGebruik>\n"
    return out + f"{ind}</{p}:Naam>\n"


def _client_head(p: str, b: str, client: Client, *, volledig: bool = False) -> str:
    person = client.person
    return (
        f"\t\t<{p}:Bsn>{client.bsn}</{p}:Bsn>\n"
        + _geboortedatum(p, b, person.geboortedatum, "\t\t")
        + f"\t\t<{p}:Geslacht>{person.geslacht}</{p}:Geslacht>\n"
        + _naam(p, b, person, "\t\t", volledig=volledig)
    )


def _product(p: str, b: str, t: Trajectory, ind: str, element: str = "Product") -> str:
    return (
        f"{ind}<{p}:{element}>\n{ind}\t<{b}:Categorie>{t.product.categorie}</{b}:Categorie>\n"
        f"{ind}\t<{b}:Code>{t.product.code}</{b}:Code>\n{ind}</{p}:{element}>\n"
    )


def _omvang(p: str, b: str, t: Trajectory, ind: str) -> str:
    return (
        f"{ind}<{p}:Omvang>\n{ind}\t<{b}:Volume>{t.monthly_volume}</{b}:Volume>\n"
        f"{ind}\t<{b}:Eenheid>{t.product.eenheid}</{b}:Eenheid>\n"
        f"{ind}\t<{b}:Frequentie>4</{b}:Frequentie>\n{ind}</{p}:Omvang>\n"
    )


def _adres(p: str, b: str, a: Address, ind: str) -> str:
    huis = f"{ind}\t\t<{b}:Huisnummer>{a.huisnummer}</{b}:Huisnummer>\n"
    if a.huisletter:
        huis += f"{ind}\t\t<{b}:Huisletter>{a.huisletter}</{b}:Huisletter>\n"
    if a.toevoeging:
        huis += f"{ind}\t\t<{b}:HuisnummerToevoeging>{a.toevoeging}</{b}:HuisnummerToevoeging>\n"
    return (
        f"{ind}<{p}:Adres>\n{ind}\t<{b}:Huis>\n{huis}{ind}\t</{b}:Huis>\n"
        f"{ind}\t<{b}:Postcode>{a.postcode}</{b}:Postcode>\n"
        f"{ind}\t<{b}:Straatnaam>{escape(a.straat)}</{b}:Straatnaam>\n"
        f"{ind}\t<{b}:Plaatsnaam>{escape(a.plaats)}</{b}:Plaatsnaam>\n"
        f"{ind}\t<{b}:LandCode>NL</{b}:LandCode>\n{ind}</{p}:Adres>\n"
    )


def _contact(p: str, b: str, soort: str, a: Address, ind: str) -> str:
    return (
        f"{ind}<{p}:Contact>\n{ind}\t<{p}:Soort>{soort}</{p}:Soort>\n"
        + _adres(p, b, a, ind + "\t")
        + f"{ind}</{p}:Contact>\n"
    )


def msg_301(a: Assignment301, gemeente: str, identificatie: str) -> str:
    law = a.law
    p, b = prefixes(law, "301")
    client = a.client
    out = [
        header(law, "301", gemeente, a.provider.agb, identificatie, a.dagtekening),
        _close_header(p),
        f"\t<{p}:Client>\n",
        _client_head(p, b, client, volledig=True),
    ]
    rel = client.relatie
    if rel is not None:
        out.append(
            f"\t\t<{p}:Relaties>\n\t\t\t<{p}:Relatie>\n"
            f"\t\t\t\t<{p}:Nummer>1</{p}:Nummer>\n\t\t\t\t<{p}:Volgorde>1</{p}:Volgorde>\n"
            f"\t\t\t\t<{p}:Soort>{rel.soort}</{p}:Soort>\n"
            + _geboortedatum(p, b, rel.person.geboortedatum, "\t\t\t\t")
            + f"\t\t\t\t<{p}:Geslacht>{rel.person.geslacht}</{p}:Geslacht>\n"
            + _naam(p, b, rel.person, "\t\t\t\t", volledig=True)
            + _contact(p, b, rel.contact_soort, rel.address, "\t\t\t\t")
            + f"\t\t\t</{p}:Relatie>\n\t\t</{p}:Relaties>\n"
        )
    out.append(f"\t\t<{p}:Contactgegevens>\n")
    out.append(_contact(p, b, a.address_soort, a.address, "\t\t\t"))
    if client.correspondence is not None:
        out.append(_contact(p, b, "02", client.correspondence, "\t\t\t"))
    out.append(f"\t\t</{p}:Contactgegevens>\n\t\t<{p}:ToegewezenProducten>\n")
    for t, toewijzingsdatum, einddatum, reden in a.products:
        assert t.ingang is not None
        out.append(
            f"\t\t\t<{p}:ToegewezenProduct>\n"
            f"\t\t\t\t<{p}:ToewijzingNummer>{t.toewijzingnummer}</{p}:ToewijzingNummer>\n"
        )
        if t.referentie:
            out.append(
                f"\t\t\t\t<{p}:ReferentieAanbieder>{t.referentie}</{p}:ReferentieAanbieder>\n"
            )
        out.append(_product(p, b, t, "\t\t\t\t"))
        out.append(
            f"\t\t\t\t<{p}:Toewijzingsdatum>{toewijzingsdatum.isoformat()}"
            f"</{p}:Toewijzingsdatum>\n"
            f"\t\t\t\t<{p}:Toewijzingstijd>{t.toewijzing_time}</{p}:Toewijzingstijd>\n"
            f"\t\t\t\t<{p}:Ingangsdatum>{t.ingang.isoformat()}</{p}:Ingangsdatum>\n"
        )
        if einddatum is not None:
            out.append(f"\t\t\t\t<{p}:Einddatum>{einddatum.isoformat()}</{p}:Einddatum>\n")
        if reden is not None:
            out.append(f"\t\t\t\t<{p}:RedenWijziging>{reden}</{p}:RedenWijziging>\n")
        out.append(_omvang(p, b, t, "\t\t\t\t"))
        out.append(f"\t\t\t</{p}:ToegewezenProduct>\n")
    out.append(f"\t\t</{p}:ToegewezenProducten>\n\t</{p}:Client>\n")
    out.append(_footer(p))
    return "".join(out)


def msg_315(t: Trajectory, gemeente: str, identificatie: str) -> str:
    law = t.law
    p, b = prefixes(law, "315")
    assert t.referentie is not None and t.ingang is not None
    einde = (
        f"\t\t\t\t<{p}:ToewijzingEinddatum>{t.einddatum.isoformat()}</{p}:ToewijzingEinddatum>\n"
        if t.einddatum
        else ""
    )
    verwijzer = "01" if law == "wmo" else ("02" if t.toewijzingnummer % 3 else "03")
    return "".join(
        (
            header(law, "315", t.provider.agb, gemeente, identificatie, t.request_date),
            _close_header(p),
            f"\t<{p}:Client>\n",
            _client_head(p, b, t.client),
            f"\t\t<{p}:AangevraagdeProducten>\n\t\t\t<{p}:AangevraagdProduct>\n",
            f"\t\t\t\t<{p}:ReferentieAanbieder>{t.referentie}</{p}:ReferentieAanbieder>\n",
            _product(p, b, t, "\t\t\t\t"),
            f"\t\t\t\t<{p}:ToewijzingIngangsdatum>{t.ingang.isoformat()}"
            f"</{p}:ToewijzingIngangsdatum>\n",
            einde,
            _omvang(p, b, t, "\t\t\t\t"),
            f"\t\t\t\t<{p}:Verwijzer>\n\t\t\t\t\t<{b}:Type>{verwijzer}</{b}:Type>\n"
            f"\t\t\t\t</{p}:Verwijzer>\n",
            f"\t\t\t</{p}:AangevraagdProduct>\n\t\t</{p}:AangevraagdeProducten>\n",
            f"\t</{p}:Client>\n",
            _footer(p),
        )
    )


def msg_319(
    t: Trajectory,
    gemeente: str,
    identificatie: str,
    dagtekening: date,
    antwoord: str,
    reden: str | None,
) -> str:
    law = t.law
    p, _b = prefixes(law, "319")
    reden_xml = (
        f"\t\t<{p}:RedenAfwijzingVerzoek>{reden}</{p}:RedenAfwijzingVerzoek>\n" if reden else ""
    )
    if law == "jeugdwet" and reden and t.woonplaats:
        reden_xml += (
            f"\t\t<{p}:Woonplaatsbeginsel>\n\t\t\t<{p}:Gemeente>{t.woonplaats}</{p}:Gemeente>\n"
            f"\t\t</{p}:Woonplaatsbeginsel>\n"
        )
    return "".join(
        (
            header(law, "319", gemeente, t.provider.agb, identificatie, dagtekening),
            _close_header(p),
            f"\t<{p}:Antwoord>\n",
            f"\t\t<{p}:ReferentieAanbieder>{t.referentie}</{p}:ReferentieAanbieder>\n",
            f"\t\t<{p}:VerzoekAntwoord>{antwoord}</{p}:VerzoekAntwoord>\n",
            reden_xml,
            f"\t</{p}:Antwoord>\n",
            _footer(p),
        )
    )


def _start_stop(
    t: Trajectory,
    number: str,
    gemeente: str,
    identificatie: str,
    dagtekening: date,
    begindatum: date | None = None,
    status: str = "1",
) -> str:
    law = t.law
    p, b = prefixes(law, number)
    begindatum = begindatum or t.start_date
    assert begindatum is not None
    outer, inner = (
        ("StartProducten", "StartProduct") if number == "305" else ("StopProducten", "StopProduct")
    )
    ingang = (
        f"\t\t\t\t<{p}:ToewijzingIngangsdatum>{t.ingang.isoformat()}</{p}:ToewijzingIngangsdatum>\n"
        if t.ingang
        else ""
    )
    stop = ""
    if number == "307":
        assert t.stop_date is not None
        stop = (
            f"\t\t\t\t<{p}:RedenBeeindiging>{t.stop_reason}</{p}:RedenBeeindiging>\n"
            f"\t\t\t\t<{p}:Einddatum>{t.stop_date.isoformat()}</{p}:Einddatum>\n"
        )
    return "".join(
        (
            header(law, number, t.provider.agb, gemeente, identificatie, dagtekening),
            _close_header(p),
            f"\t<{p}:Client>\n",
            _client_head(p, b, t.client),
            f"\t\t<{p}:{outer}>\n\t\t\t<{p}:{inner}>\n",
            f"\t\t\t\t<{p}:ToewijzingNummer>{t.toewijzingnummer}</{p}:ToewijzingNummer>\n",
            _product(p, b, t, "\t\t\t\t"),
            ingang,
            f"\t\t\t\t<{p}:Begindatum>{begindatum.isoformat()}</{p}:Begindatum>\n",
            stop,
            f"\t\t\t\t<{p}:StatusAanlevering>{status}</{p}:StatusAanlevering>\n",
            f"\t\t\t</{p}:{inner}>\n\t\t</{p}:{outer}>\n\t</{p}:Client>\n",
            _footer(p),
        )
    )


def msg_305(t: Trajectory, gemeente: str, identificatie: str) -> str:
    assert t.start_msg_date is not None
    return _start_stop(t, "305", gemeente, identificatie, t.start_msg_date, status=t.start_status)


def msg_305_extra(
    t: Trajectory, gemeente: str, identificatie: str, extra: tuple[date, date, str]
) -> str:
    """A 305 besides the start itself: a first one the provider later corrects, or a start
    it withdraws (StatusAanlevering 3)."""
    dagtekening, begindatum, status = extra
    return _start_stop(t, "305", gemeente, identificatie, dagtekening, begindatum, status)


def msg_317(t: Trajectory, gemeente: str, identificatie: str) -> str:
    """A verzoek om wijziging: the provider asks to extend the assignment to a new Einddatum."""
    assert t.change_request is not None
    dagtekening, referentie, einddatum = t.change_request
    law = t.law
    p, b = prefixes(law, "317")
    return "".join(
        (
            header(law, "317", t.provider.agb, gemeente, identificatie, dagtekening),
            _close_header(p),
            f"\t<{p}:Client>\n",
            f"\t\t<{p}:Bsn>{t.client.bsn}</{p}:Bsn>\n",
            f"\t\t<{p}:Verzoek>\n",
            f"\t\t\t<{p}:ReferentieAanbieder>{referentie}</{p}:ReferentieAanbieder>\n",
            f"\t\t\t<{p}:RedenVerzoek>{1 + t.toewijzingnummer % 2}</{p}:RedenVerzoek>\n",
            f"\t\t\t<{p}:TeWijzigenProducten>\n\t\t\t\t<{p}:TeWijzigenProduct>\n",
            f"\t\t\t\t\t<{p}:ToewijzingNummer>{t.toewijzingnummer}</{p}:ToewijzingNummer>\n",
            f"\t\t\t\t\t<{p}:GewensteIngangsdatum>{dagtekening.isoformat()}"
            f"</{p}:GewensteIngangsdatum>\n",
            f"\t\t\t\t\t<{p}:Einddatum>{einddatum.isoformat()}</{p}:Einddatum>\n",
            _omvang(p, b, t, "\t\t\t\t\t"),
            f"\t\t\t\t</{p}:TeWijzigenProduct>\n\t\t\t</{p}:TeWijzigenProducten>\n",
            f"\t\t</{p}:Verzoek>\n\t</{p}:Client>\n",
            _footer(p),
        )
    )


def msg_307(t: Trajectory, gemeente: str, identificatie: str) -> str:
    assert t.stop_msg_date is not None
    return _start_stop(t, "307", gemeente, identificatie, t.stop_msg_date)


def _totaal(b: str, signed: int) -> str:
    return (
        f"<{b}:TotaalBedrag>{abs(signed)}</{b}:TotaalBedrag>"
        f"<{b}:DebetCredit>{'C' if signed < 0 else 'D'}</{b}:DebetCredit>"
    )


def prestatie(p: str, b: str, ln: Line, *, retourcodes: tuple[str, ...] = ()) -> str:
    t = ln.traj
    vorig = f"<{b}:VorigReferentieNummer>{ln.vorig}</{b}:VorigReferentieNummer>" if ln.vorig else ""
    rc = ""
    if retourcodes:
        codes = "".join(f"<{p}:RetourCode>{c}</{p}:RetourCode>" for c in retourcodes)
        rc = f"\t\t\t\t\t\t<{p}:RetourCodes>{codes}</{p}:RetourCodes>\n"
    product = t.product
    return (
        f"\t\t\t\t\t<{p}:Prestatie>\n"
        f"\t\t\t\t\t\t<{p}:ProductReferentie><{b}:ReferentieNummer>{ln.ref}"
        f"</{b}:ReferentieNummer>{vorig}</{p}:ProductReferentie>\n"
        f"\t\t\t\t\t\t<{p}:ToewijzingNummer>{t.toewijzingnummer}</{p}:ToewijzingNummer>\n"
        f"\t\t\t\t\t\t<{p}:ProductCategorie>{product.categorie}</{p}:ProductCategorie>\n"
        f"\t\t\t\t\t\t<{p}:ProductCode>{product.code}</{p}:ProductCode>\n"
        f"\t\t\t\t\t\t<{p}:ProductPeriode><{b}:Begindatum>{ln.begin.isoformat()}"
        f"</{b}:Begindatum><{b}:Einddatum>{ln.end.isoformat()}</{b}:Einddatum>"
        f"</{p}:ProductPeriode>\n"
        f"\t\t\t\t\t\t<{p}:GeleverdVolume>{ln.volume}</{p}:GeleverdVolume>\n"
        f"\t\t\t\t\t\t<{p}:Eenheid>{product.eenheid}</{p}:Eenheid>\n"
        f"\t\t\t\t\t\t<{p}:ProductTarief>{product.tarief}</{p}:ProductTarief>\n"
        f"\t\t\t\t\t\t<{p}:IngediendBedrag><{b}:Bedrag>{ln.amount}</{b}:Bedrag>"
        f"<{b}:DebetCredit>{ln.dc}</{b}:DebetCredit></{p}:IngediendBedrag>\n{rc}"
        f"\t\t\t\t\t</{p}:Prestatie>\n"
    )


def client_block(p: str, bsn: str, prestaties: str, *, retour: bool = False) -> str:
    rc = f"\t\t\t\t<{p}:RetourCodes><{p}:RetourCode>0200</{p}:RetourCode></{p}:RetourCodes>\n"
    return (
        f"\t\t\t<{p}:Client>\n\t\t\t\t<{p}:Bsn>{bsn}</{p}:Bsn>\n"
        f"\t\t\t\t<{p}:Prestaties>\n{prestaties}\t\t\t\t</{p}:Prestaties>\n"
        f"{rc if retour else ''}\t\t\t</{p}:Client>\n"
    )


def head_323(
    law: str,
    agb: str,
    gemeente: str,
    identificatie: str,
    dagtekening: date,
    declaratienummer: str,
    periode: tuple[date, date],
    total: int,
) -> str:
    p, b = prefixes(law, "323")
    return (
        header(law, "323", agb, gemeente, identificatie, dagtekening)
        + _close_header(p)
        + f"\t<{p}:Declaratie>\n"
        f"\t\t<{p}:DeclaratieNummer>{declaratienummer}</{p}:DeclaratieNummer>\n"
        f"\t\t<{p}:DeclaratiePeriode><{b}:Begindatum>{periode[0].isoformat()}</{b}:Begindatum>"
        f"<{b}:Einddatum>{periode[1].isoformat()}</{b}:Einddatum></{p}:DeclaratiePeriode>\n"
        f"\t\t<{p}:DeclaratieDagtekening>{dagtekening.isoformat()}</{p}:DeclaratieDagtekening>\n"
        f"\t\t<{p}:TotaalIngediendBedrag>{_totaal(b, total)}</{p}:TotaalIngediendBedrag>\n"
        f"\t\t<{p}:Clienten>\n"
    )


def tail_323(law: str) -> str:
    p, _b = prefixes(law, "323")
    return f"\t\t</{p}:Clienten>\n\t</{p}:Declaratie>\n" + _footer(p)


def msg_325(
    law: str,
    agb: str,
    gemeente: str,
    identificatie: str,
    dagtekening: date,
    decl_identificatie: str,
    decl_dagtekening: date,
    declaratienummer: str,
    total: int,
    toegekend: int,
    rejected_blocks: str,
) -> str:
    p, b = prefixes(law, "325")
    clienten = (
        f"\t\t<{p}:Clienten>\n{rejected_blocks}\t\t</{p}:Clienten>\n" if rejected_blocks else ""
    )
    code = "0200" if rejected_blocks else "8001"
    return "".join(
        (
            header(law, "325", gemeente, agb, identificatie, dagtekening),
            f"\t\t<{p}:DeclaratieIdentificatie><{b}:Identificatie>{decl_identificatie}"
            f"</{b}:Identificatie><{b}:Dagtekening>{decl_dagtekening.isoformat()}</{b}:Dagtekening>"
            f"</{p}:DeclaratieIdentificatie>\n",
            f"\t\t<{p}:XsdVersieDeclaratie><{b}:BasisschemaXsdVersie>{XSD_VERSIE}"
            f"</{b}:BasisschemaXsdVersie><{b}:BerichtXsdVersie>{XSD_VERSIE}</{b}:BerichtXsdVersie>"
            f"</{p}:XsdVersieDeclaratie>\n",
            f"\t\t<{p}:RetourCodes><{p}:RetourCode>0200</{p}:RetourCode></{p}:RetourCodes>\n",
            _close_header(p),
            f"\t<{p}:DeclaratieAntwoord>\n",
            f"\t\t<{p}:DeclaratieNummer>{declaratienummer}</{p}:DeclaratieNummer>\n",
            f"\t\t<{p}:TotaalIngediendBedrag>{_totaal(b, total)}</{p}:TotaalIngediendBedrag>\n",
            f"\t\t<{p}:TotaalToegekendBedrag>{_totaal(b, toegekend)}</{p}:TotaalToegekendBedrag>\n",
            clienten,
            f"\t\t<{p}:RetourCodes><{p}:RetourCode>{code}</{p}:RetourCode></{p}:RetourCodes>\n",
            f"\t</{p}:DeclaratieAntwoord>\n",
            _footer(p),
        )
    )
