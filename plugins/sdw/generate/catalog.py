"""Fixed, fictional ingredients of the generated municipality: products, names and streets.

Everything here is invented for the demo. Product categories and units are codes the
iStandaarden code lists allow for each law (WMO020 for Wmo, JZ020 for Jeugdwet, WJ756 units),
so the messages pass the XSDs; tariffs are plausible, not anyone's contract.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    law: str
    categorie: str  # WMO020 / JZ020 code
    code: str  # the municipality's own product code, at most 5 characters
    eenheid: str  # WJ756: 01 minuut, 04 uur, 14 etmaal, 16 dagdeel, 82 stuks
    tarief: int  # eurocent per unit
    volume: tuple[int, int]  # typical volume per full month; ignored for etmaal (days)
    weight: int  # how common the product is within its law


# Two products of a category with different units (02 Wmo, 45 Jeugdwet) make rows whose
# unit is not uniform, which the marts must report as null.
PRODUCTS: tuple[Product, ...] = (
    Product("wmo", "01", "01A01", "04", 3150, (6, 16), 40),
    Product("wmo", "02", "02A01", "04", 6480, (4, 20), 18),
    Product("wmo", "02", "02A05", "16", 4275, (4, 16), 8),
    Product("wmo", "03", "03A01", "04", 5520, (4, 16), 10),
    Product("wmo", "07", "07A01", "16", 4150, (4, 20), 12),
    Product("wmo", "08", "08A01", "82", 1850, (4, 20), 6),
    Product("wmo", "15", "15A02", "14", 11250, (28, 31), 6),
    Product("jeugdwet", "45", "45A03", "04", 9350, (2, 16), 35),
    Product("jeugdwet", "45", "45A10", "01", 158, (60, 900), 15),
    Product("jeugdwet", "41", "41A01", "16", 8800, (4, 16), 15),
    Product("jeugdwet", "43", "43A02", "14", 24500, (28, 31), 8),
    Product("jeugdwet", "54", "54A01", "01", 171, (60, 600), 20),
)

# Used only by the irregular shape, by one client in one quarter (a category a municipality
# buys once), so the marts see a category that appears and disappears.
ONE_QUARTER_PRODUCT = Product("wmo", "04", "04A01", "14", 9800, (28, 31), 0)

PRODUCTS_BY_LAW: dict[str, tuple[Product, ...]] = {
    law: tuple(p for p in PRODUCTS if p.law == law) for law in ("wmo", "jeugdwet")
}

MUNICIPALITY_NAME = "Denkstede"

SURNAMES: tuple[tuple[str | None, str], ...] = (
    (None, "Jansen"),
    ("de", "Vries"),
    ("van", "Dijk"),
    (None, "Bakker"),
    ("de", "Boer"),
    (None, "Visser"),
    (None, "Smit"),
    ("van der", "Meer"),
    (None, "Mulder"),
    ("de", "Groot"),
    (None, "Bos"),
    (None, "Vos"),
    (None, "Peters"),
    (None, "Hendriks"),
    ("van", "Leeuwen"),
    (None, "Dekker"),
    (None, "Brouwer"),
    ("de", "Wit"),
    (None, "Dijkstra"),
    (None, "Smits"),
    ("de", "Graaf"),
    ("van der", "Linden"),
    (None, "Kok"),
    (None, "Jacobs"),
    ("de", "Haan"),
    (None, "Vermeulen"),
    ("van den", "Heuvel"),
    ("van der", "Veen"),
    ("van den", "Broek"),
    (None, "Schouten"),
    (None, "Willems"),
    (None, "Kaya"),
    (None, "Yilmaz"),
    (None, "Bouzid"),
)
FIRST_NAMES: tuple[tuple[str, str], ...] = (  # (name, Geslacht code: 1 man, 2 vrouw)
    ("Jan", "1"),
    ("Piet", "1"),
    ("Kees", "1"),
    ("Mohamed", "1"),
    ("Daan", "1"),
    ("Sem", "1"),
    ("Lucas", "1"),
    ("Noah", "1"),
    ("Henk", "1"),
    ("Willem", "1"),
    ("Ahmet", "1"),
    ("Bram", "1"),
    ("Anna", "2"),
    ("Emma", "2"),
    ("Sophie", "2"),
    ("Fatima", "2"),
    ("Julia", "2"),
    ("Mila", "2"),
    ("Tess", "2"),
    ("Maria", "2"),
    ("Riet", "2"),
    ("Ingrid", "2"),
    ("Sara", "2"),
    ("Noor", "2"),
)
STREETS: tuple[str, ...] = (
    "Kerkstraat",
    "Molenweg",
    "Dorpsstraat",
    "Schoolstraat",
    "Stationsweg",
    "Beukenlaan",
    "Eikenlaan",
    "Lindelaan",
    "Julianastraat",
    "Wilhelminaweg",
    "Nieuwstraat",
    "Havenkade",
    "Raadhuisplein",
    "Marktstraat",
    "Tulpstraat",
    "Rozenstraat",
    "Sportlaan",
    "Parkweg",
    "Kastanjelaan",
    "Vijverhof",
    "Dijkweg",
    "Polderweg",
    "Zuiderlaan",
    "Noorderkade",
    "Oosterstraat",
    "Westerweg",
    "Brugstraat",
    "Kanaalweg",
    "Bloemhof",
    "Esdoornlaan",
)
OTHER_PLACES: tuple[str, ...] = ("Utrecht", "Zwolle", "Arnhem", "Breda", "Tilburg")
