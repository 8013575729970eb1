"""Valid budget files (CSV, xlsx) and subsidy registers (CSV, JSON), from the contracts in
docs/budgets.md and docs/subsidies.md and the installed layouts
(``plugins/sdw/*/layouts/*.json``): the column names below are the layouts', written here
again so that a renamed column is noticed, not followed."""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal

from tests.mutation.sources import values as v
from tests.mutation.sources.doc import (
    AMOUNT,
    CODE,
    DATE,
    KEY,
    TEXT,
    YEAR,
    Column,
    Doc,
)
from tests.mutation.sources.workbook import SheetOptions

BUDGET_REQUIRED = [
    Column("Gemeentecode", CODE),
    Column("Begrotingsjaar", YEAR),
    Column("Peildatum", DATE),
    Column("Begrotingspost", KEY),
    Column("Taakveld", CODE),
]
BUDGET_OPTIONAL = [
    Column("Rapportageversie", TEXT),
    Column("Omschrijving", TEXT),
    Column("Programma", TEXT),
    Column("Project", TEXT),
    Column("Kostenplaats", TEXT),
]
BUDGET_AMOUNTS = [
    Column("Primitieve begroting", AMOUNT),
    Column("Begrotingswijzigingen", AMOUNT),
    Column("Overheveling", AMOUNT),
    Column("Realisatie", AMOUNT),
    Column("Verplichtingen", AMOUNT),
    Column("Prognose", AMOUNT),
]
# raw.budget_line's euro columns, by the file's column name
BUDGET_AMOUNT_FIELDS = {
    "Primitieve begroting": "primitieve_begroting",
    "Begrotingswijzigingen": "begrotingswijzigingen",
    "Overheveling": "overheveling",
    "Realisatie": "realisatie",
    "Verplichtingen": "verplichtingen",
    "Prognose": "prognose",
}
TAAKVELDEN = ("6.1", "6.6", "6.71", "6.72", "6.81", "6.82", "0.1")


def _columns(rng: random.Random, required: list[Column], optional: list[Column]) -> list[Column]:
    cols = [*required, *(c for c in optional if rng.random() < 0.7)]
    if rng.random() < 0.3:
        rng.shuffle(cols)
    return cols


def _csv_shape(rng: random.Random, doc: Doc, *, seps: str = ";,") -> Doc:
    doc.sep = rng.choice(seps)
    doc.encoding = rng.choice(["utf-8", "utf-8", "cp1252"])
    doc.bom = doc.encoding == "utf-8" and rng.random() < 0.5
    doc.crlf = rng.random() < 0.5
    doc.quote_all = rng.random() < 0.2
    if rng.random() < 0.3:
        doc.header = [v.header_spelling(rng, c.name) for c in doc.columns]
    return doc


def _budget_cells(rng: random.Random, cols: list[Column], xlsx: bool) -> list[list[object]]:
    gm = rng.randrange(1, 2000)
    year = rng.randrange(2015, 2030)
    peil = v.day(rng, year - 1 if rng.random() < 0.2 else year, year + 1 if rng.random() < 0.2
                 else year)  # fmt: skip
    version = rng.choice([f"{year}-Q{rng.randrange(1, 5)}", "Jaarrekening", ""])
    rows: list[list[object]] = []
    for n in range(rng.randrange(1, 6)):
        row: list[object] = []
        for c in cols:
            if c.name == "Gemeentecode":
                cell: object = v.gemeentecode(rng, gm)
                if xlsx and rng.random() < 0.3:
                    cell = gm
            elif c.name == "Begrotingsjaar":
                cell = year if xlsx and rng.random() < 0.5 else str(year)
            elif c.name == "Peildatum":
                cell = (datetime(peil.year, peil.month, peil.day) if xlsx and rng.random() < 0.5
                        else v.nl_date(rng, peil))  # fmt: skip
            elif c.name == "Begrotingspost":
                cell = f"{rng.choice(['WMO', 'JW', 'SUB'])}-{n:02d}"
            elif c.name == "Taakveld":
                tv = rng.choice(TAAKVELDEN)
                cell = rng.choice([tv, f"{tv} Maatwerkdienstverlening", f"{tv}: welzijn"])
            elif c.name == "Rapportageversie":
                cell = version
            elif c.role == AMOUNT:
                text, euros = v.nl_amount(rng)
                cell = float(euros) if xlsx and euros is not None and rng.random() < 0.6 else text
                if xlsx and cell == "":
                    cell = None
            else:
                cell = v.text(rng, multiline=not xlsx)
            row.append(cell)
        rows.append(row)
    return rows


def budget_csv(rng: random.Random) -> Doc:
    cols = _columns(rng, BUDGET_REQUIRED, [*BUDGET_OPTIONAL, *BUDGET_AMOUNTS])
    doc = Doc("csv", cols, _budget_cells(rng, cols, xlsx=False), "begroting_GM0363_2023_Q4.csv")
    return _csv_shape(rng, doc)


def budget_xlsx(rng: random.Random) -> Doc:
    cols = _columns(rng, BUDGET_REQUIRED, [*BUDGET_OPTIONAL, *BUDGET_AMOUNTS])
    doc = Doc("xlsx", cols, _budget_cells(rng, cols, xlsx=True), "begroting_GM0363_2023_Q2.xlsx")
    doc.sheet = SheetOptions(strings=rng.choice(["shared", "inline", "str"]), title="Begroting")
    doc.counting = "sheet"
    return doc


SUBSIDY_REQUIRED = [
    Column("Subsidiejaar", YEAR),
    Column("Aanvrager/Ontvanger", KEY),
    Column("Verleend bedrag", AMOUNT),
]
SUBSIDY_OPTIONAL = [
    Column("Jaar van toekenning", YEAR),
    Column("Programma", TEXT),
    Column("Taakveld", TEXT),
    Column("Soort subsidie", TEXT),
    Column("Omschrijving", TEXT),
    Column("Regelmaat", TEXT),
    Column("Aangevraagd bedrag", AMOUNT),
    Column("Vastgesteld bedrag", AMOUNT),
]
SUBSIDY_AMOUNT_FIELDS = {
    "Aangevraagd bedrag": "aangevraagd_bedrag",
    "Verleend bedrag": "verleend_bedrag",
    "Vastgesteld bedrag": "vastgesteld_bedrag",
    "Aangevraagd": "aangevraagd_bedrag",
    "Verleend": "verleend_bedrag",
}


def subsidy_csv(rng: random.Random) -> Doc:
    cols = _columns(rng, SUBSIDY_REQUIRED, SUBSIDY_OPTIONAL)
    rows = []
    for _ in range(rng.randrange(1, 6)):
        row: list[object] = []
        for c in cols:
            if c.role == YEAR:
                row.append(str(rng.randrange(1990, 2101)))
            elif c.role == AMOUNT:
                row.append(v.nl_amount(rng, negative=False)[0])
            elif c.role == KEY:
                row.append(v.text(rng, multiline=True).strip() or "Stichting")
            else:
                row.append(v.text(rng, multiline=True))
        rows.append(row)
    doc = Doc("csv", cols, rows, "subsidieregister_2016.csv")
    return _csv_shape(rng, doc)


SUBSIDY_JSON = [
    Column("Jaar", YEAR),
    Column("Naam", KEY),
    Column("Verleend", AMOUNT),
    Column("Aangevraagd", AMOUNT),
    Column("Thema", TEXT),
    Column("Regeling", TEXT),
    Column("Organisatie", TEXT),
    Column("Project", TEXT),
    Column("Periodiciteit", TEXT),
]


def subsidy_json(rng: random.Random) -> Doc:
    """Amsterdam's open register: Jaar a number (or text), Verleend a JSON number, Aangevraagd
    text like "€ 15.000"; keys in any order, optional ones left out."""
    cols = [*SUBSIDY_JSON[:3], *(c for c in SUBSIDY_JSON[3:] if rng.random() < 0.7)]
    rows = []
    for _ in range(rng.randrange(1, 6)):
        year = rng.randrange(1990, 2101)
        record: dict[str, object] = {}
        order = list(cols)
        if rng.random() < 0.3:
            rng.shuffle(order)
        for c in order:
            if c.name == "Jaar":
                record[c.name] = year if rng.random() < 0.7 else str(year)
            elif c.name == "Verleend":
                cents = rng.choice([0, 150000, rng.randrange(10**9)])
                record[c.name] = (Decimal(cents) / 100).quantize(Decimal("0.01"))
                if rng.random() < 0.2 and cents % 100 == 0:
                    record[c.name] = cents // 100
            elif c.name == "Aangevraagd":
                record[c.name] = v.nl_amount(rng, negative=False)[0]
            elif c.name == "Naam":
                record[c.name] = v.text(rng).strip() or "Stichting"
            else:
                record[c.name] = v.text(rng, multiline=True)
        rows.append(record)
    doc = Doc("json", cols, rows, "subsidies_amsterdam_2016.json", counting="records")
    doc.indent = rng.random() < 0.5
    doc.ascii_json = rng.random() < 0.5
    doc.bom = rng.random() < 0.2
    return doc
