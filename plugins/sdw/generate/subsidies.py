"""The generated municipality's subsidy register: one CSV for the window's first year, in the
columns Dutch registers publish (docs/subsidies.md), written as a municipality's website offers
it (``;``, BOM, CRLF, amounts ``€ 1.234,56``).

Welfare organisations ask for waarderings- and projectsubsidies under the programme of the
social domain and a few others; most requests are granted in full or in part, some rejected
(``0``), one granted above what was asked (the raw suite's warning), and a settled amount only
where the year has been closed (the other rows write ``-``). Every row is valid: the marts
must show the register whole.

A random generator of its own keeps every other generated file byte-identical. What
``.expected.json`` gains is computed from the in-memory rows, never from the file.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

HEADER = (
    "Subsidiejaar;Jaar van toekenning;Programma;Taakveld;Soort subsidie;Aanvrager/Ontvanger;"
    "Omschrijving;Regelmaat;Aangevraagd bedrag;Verleend bedrag;Vastgesteld bedrag"
)
RECIPIENTS = (
    ("Stichting Welzijn Centrum", "Sociaal domein", "6.1 Samenkracht en burgerparticipatie"),
    ("Stichting Mantelzorg Samen", "Sociaal domein", "6.1 Samenkracht en burgerparticipatie"),
    ("Vereniging Buurthuis De Brug", "Sociaal domein", "6.1 Samenkracht en burgerparticipatie"),
    ("Stichting Jongerenwerk Oost", "Jeugd", "6.1 Samenkracht en burgerparticipatie"),
    ("Humanitas afdeling", "Sociaal domein", "6.1 Samenkracht en burgerparticipatie"),
    ("Voedselbank", "Inkomen", "6.3 Inkomensregelingen"),
    ("Sportvereniging Vooruit", "Sport", "5.1 Sportbeleid en activering"),
    ("(Particulier)", "Sociaal domein", "6.1 Samenkracht en burgerparticipatie"),
)
ACTIVITIES = ("Inloopspreekuur", "Vrijwilligerswerk", "Buurtactiviteiten", "Ondersteuning")


@dataclass(frozen=True)
class Grant:
    recipient: str
    programme: str
    taakveld: str
    kind: str
    activity: str
    recurrence: str
    requested: Decimal
    granted: Decimal
    settled: Decimal | None


def euros(amount: Decimal | None) -> str:
    """Dutch notation as registers print it: ``€ 12.345,60``; ``-`` for no amount."""
    if amount is None:
        return "-"
    whole, cents = f"{amount:.2f}".split(".")
    return f"€ {int(whole):,}".replace(",", ".") + f",{cents}"


def build_grants(seed: int) -> list[Grant]:
    rng = random.Random(seed)
    grants: list[Grant] = []
    for i, (recipient, programme, taakveld) in enumerate(RECIPIENTS * 2):
        requested = Decimal(rng.randrange(5, 400) * 250) + Decimal(rng.choice((0, 50, 99))) / 100
        draw = rng.random()
        if i == 3:
            granted = requested + Decimal(500)  # granted above the request: a warning row
        elif draw < 0.15:
            granted = Decimal(0)  # rejected
        elif draw < 0.6:
            granted = requested
        else:
            granted = (requested * Decimal(rng.randrange(50, 100)) / 100).quantize(Decimal("0.01"))
        settled = granted if granted and rng.random() < 0.5 else None
        grants.append(
            Grant(
                recipient,
                programme,
                taakveld,
                "Projectsubsidie" if i % 3 else "Waarderingssubsidie",
                rng.choice(ACTIVITIES),
                "Eenmalig" if i % 3 else "Jaarlijks",
                requested,
                granted,
                settled,
            )
        )
    return grants


def write_subsidy_register(
    out_dir: Path, gemeentecode: str, year: int, seed: int
) -> dict[str, Any]:
    """Write the register; return what ``.expected.json`` gains: the file's rows and euros."""
    grants = build_grants(seed + 104729)
    lines = [HEADER] + [
        ";".join(
            [
                str(year),
                str(year - 1),
                g.programme,
                g.taakveld,
                g.kind,
                g.recipient,
                g.activity,
                g.recurrence,
                euros(g.requested),
                euros(g.granted),
                euros(g.settled),
            ]
        )
        for g in grants
    ]
    path = out_dir / f"subsidieregister_GM{gemeentecode}_{year}.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return {
        "file": path.name,
        "year": year,
        "rows": len(grants),
        "grants": sum(1 for g in grants if g.granted > 0),
        "requested_eur": f"{sum(g.requested for g in grants):.2f}",
        "granted_eur": f"{sum(g.granted for g in grants):.2f}",
        "settled_eur": f"{sum(g.settled or 0 for g in grants):.2f}",
    }
