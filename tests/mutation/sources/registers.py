"""Valid case exports (``sdw.cases.procedures``' contract) and municipal benefit files
(``sdw.cbs.benefits``' contract): the municipality's own registers, one row per case or per
wijk x month x regeling."""

from __future__ import annotations

import random
from datetime import timedelta

from tests.mutation.sources import values as v
from tests.mutation.sources.doc import CODE, COUNT, DATE, HOUSENUMBER, KEY, OTHER, Column, Doc
from tests.mutation.sources.finance import _csv_shape

CASE_COLUMNS = [
    Column("gemeentecode", CODE),
    Column("identificatie", KEY),
    Column("wet", OTHER),
    Column("datumMelding", DATE),
    Column("datumOnderzoekAfgerond", DATE),
    Column("datumStartAanvraag", DATE),
    Column("datumBeschikking", DATE),
    Column("datumAfhandeling", DATE),
    Column("resultaat", OTHER),
    Column("postcode", CODE),
    Column("huisnummer", HOUSENUMBER),
    # not strict: a row with an address ignores its wijkcode (the address wins)
    Column("wijkcode", OTHER),
]
LAWS = ("wmo", "Wmo", "WMO 2015", "iWmo", "Jeugdwet", "jeugd", "jw", "iJw")
_SNAKE = {
    "datumMelding": "datum_melding",
    "datumOnderzoekAfgerond": "datum_onderzoek_afgerond",
    "datumStartAanvraag": "datum_start_aanvraag",
    "datumBeschikking": "datum_beschikking",
    "datumAfhandeling": "datum_afhandeling",
}


def _case(rng: random.Random, gm: int, n: int) -> dict[str, str]:
    melding = v.day(rng, 2016, 2024)
    step = melding
    dates: dict[str, object] = dict.fromkeys(
        ("datumOnderzoekAfgerond", "datumStartAanvraag", "datumBeschikking", "datumAfhandeling")
    )
    outcome = rng.choice(["toegekend", "afgewezen", "ingetrokken", "lopend", ""])
    if rng.random() < 0.6:
        step = step + timedelta(days=rng.randrange(0, 60))
        dates["datumOnderzoekAfgerond"] = step
    if outcome in ("toegekend", "afgewezen") or (outcome == "lopend" and rng.random() < 0.5):
        step = step + timedelta(days=rng.randrange(0, 30))
        dates["datumStartAanvraag"] = step
    if outcome in ("toegekend", "afgewezen"):
        step = step + timedelta(days=rng.randrange(0, 60))
        dates["datumBeschikking"] = step
    if outcome == "ingetrokken" or (outcome in ("toegekend", "afgewezen") and rng.random() < 0.3):
        dates["datumAfhandeling"] = step + timedelta(days=rng.randrange(0, 30))
    shown = {
        "toegekend": rng.choice(["toegekend", "Toegewezen"]),
        "lopend": rng.choice(["lopend", "in behandeling"]),
    }.get(outcome, outcome)
    row = {
        "gemeentecode": v.gemeentecode(rng, gm),
        "identificatie": rng.choice([f"Z-{melding.year}-{n:04d}", f"MELD{n:05d}", f"{n}"]),
        "wet": rng.choice(LAWS),
        "datumMelding": v.nl_date(rng, melding),
        "resultaat": shown,
        "postcode": "",
        "huisnummer": "",
        "wijkcode": "",
    }
    for k, d in dates.items():
        row[k] = "" if d is None else v.nl_date(rng, d)  # type: ignore[arg-type]
    where = rng.randrange(3)
    if where == 0:
        row["postcode"] = rng.choice(["1011AB", "1011 ab", "9999ZZ", "2511 CV"])
        row["huisnummer"] = rng.choice(["1", "12", "12a", "12-2", "100 bis"])
    elif where == 1:
        wijk = gm * 100 + rng.randrange(1, 100)
        row["wijkcode"] = rng.choice([f"WK{wijk:06d}", str(wijk)])
    return row


def cases_csv(rng: random.Random) -> Doc:
    gm = rng.randrange(1, 2000)
    cols = list(CASE_COLUMNS)
    if rng.random() < 0.3:
        rng.shuffle(cols)
    rows = []
    for n in range(rng.randrange(1, 6)):
        case = _case(rng, gm, n + 1)
        rows.append([case[c.name] for c in cols])
    doc = Doc("csv", cols, rows, f"zaken_export_GM{gm:04d}.csv")
    doc = _csv_shape(rng, doc)
    doc.header = (
        [_SNAKE.get(c.name, c.name) for c in cols] if rng.random() < 0.3 else None
    )  # the spellings case systems use, not the budget layouts' variants
    return doc


BENEFIT_COLUMNS = [
    Column("gemeentecode", CODE),
    Column("wijkcode", CODE),
    Column("maand", DATE),
    Column("regeling", OTHER),
    Column("aantal_personen", COUNT),
]


def benefits_csv(rng: random.Random) -> Doc:
    gm = rng.randrange(1, 2000)
    rows = []
    seen = set()
    for _ in range(rng.randrange(1, 6)):
        wijk = f"WK{gm:04d}{rng.randrange(0, 100):02d}"
        month = f"{rng.randrange(2015, 2026)}-{rng.randrange(1, 13):02d}"
        regeling = rng.choice(["participatiewet", "ioaw", "ioaz", "bbz", "Participatiewet", "BBZ"])
        if (wijk, month, regeling.lower()) in seen:
            continue
        seen.add((wijk, month, regeling.lower()))
        count = rng.choice(["0", "5", "123", "999999", "000042"])
        rows.append([v.gemeentecode(rng, gm), wijk, month, regeling, count])
    doc = Doc("csv", list(BENEFIT_COLUMNS), rows, "uitkeringen_GM0999_2025.csv")
    doc.sep = rng.choice(";,")
    doc.bom = rng.random() < 0.5
    doc.crlf = rng.random() < 0.5
    doc.counting = "splitlines"
    if rng.random() < 0.3:
        doc.header = [c.name.upper() for c in doc.columns]
    return doc
