# ruff: noqa: RUF001
# (other scripts' digits, full-width and invisible characters are the point here)
"""Valid values in the notations the contracts name (docs/budgets.md, docs/subsidies.md,
``sdw.cases.procedures``, ``sdw.cbs.*``), drawn from one ``random.Random``: under Hypothesis
``st.randoms(use_true_random=False)``, which Hypothesis controls and shrinks.

Nothing here produces a nine-digit run of digits, so every BSN the oracle finds was planted
by a mutator.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

# Free text as municipalities write it: accents, curly quotes, the separators and a quote
# (a valid file quotes such a cell), all in Windows-1252.
TEXTS = (
    "Wmo begeleiding en ondersteuning",
    "Jeugdhulp zonder verblijf",
    "Geëscaleerde zorg 18+",
    "Café ‘t Hoekje",
    "Stichting Welzijn Zuid",
    "Sport & Spel",
    "Buurthuis De Eik",
    "Maatwerk (18-)",
    "Ondersteuning; thuis",
    'Project "Samen"',
    "Coöperatie Zorg U.A.",
    "Zorg, welzijn en jeugd",
    "Ümit’s bakkerij",
    "€ 5 per deelnemer",
    "  spaties rondom  ",
    "(Particulier)",
)
MULTILINE = "Regel 1\nRegel 2"  # a quoted cell spanning lines: csv-module readers only


def text(rng: random.Random, *, multiline: bool = False) -> str:
    if multiline and rng.random() < 0.1:
        return MULTILINE
    return rng.choice(TEXTS)


def dutch_thousands(n: int) -> str:
    """12345678 -> 12.345.678"""
    s = str(n)
    groups = []
    while len(s) > 3:
        groups.insert(0, s[-3:])
        s = s[:-3]
    return ".".join([s, *groups])


def nl_amount(rng: random.Random, *, negative: bool = True) -> tuple[str, Decimal | None]:
    """(the cell, the euros it states) in one of the notations money.py documents."""
    form = rng.randrange(12)
    if form == 0:
        return rng.choice(["", "-", "\u2013", "\u2014", "€ -"]), None
    cents = rng.choice([0, 1, 99, 100, 123456, rng.randrange(10**9)])
    whole, frac = divmod(cents, 100)
    value = Decimal(cents) / 100
    if form in (1, 2):  # € 1.234,56 / 1.234,56
        body = f"{dutch_thousands(whole)},{frac:02d}"
        cell = f"€ {body}" if form == 1 else body
    elif form == 3:  # EUR 1234,5 (one decimal when it ends in 0)
        cents_text = str(frac // 10) if frac % 10 == 0 else f"{frac:02d}"
        cell = f"EUR {whole},{cents_text}"
    elif form in (4, 5):  # 1.234 / 1.234,- (whole euros)
        value = Decimal(whole)
        cell = dutch_thousands(whole) + (",-" if form == 5 else "")
    elif form == 6:  # plain digits and comma
        cell = f"{whole},{frac:02d}"
    elif form == 7:  # non-breaking space after the euro sign
        cell = f"€\u00a0{dutch_thousands(whole)},{frac:02d}"
    else:
        cell = f"{dutch_thousands(whole)},{frac:02d}"
    if negative and rng.random() < 0.25 and value:
        how = rng.randrange(4)
        bare = cell.removeprefix("€ ").removeprefix("€\u00a0").removeprefix("EUR ")
        cell = [f"-{bare}", f"€ -{bare}", f"-€ {bare}", f"({bare})"][how]
        value = -value
    return cell, value.quantize(Decimal("0.01"))


def day(rng: random.Random, first: int = 2015, last: int = 2025) -> date:
    start = date(first, 1, 1)
    return start + timedelta(days=rng.randrange((date(last, 12, 31) - start).days + 1))


def nl_date(rng: random.Random, d: date, *, time_ok: bool = True) -> str:
    """``dd-mm-jjjj``, ``d-m-jjjj``, ``/``, ``jjjj-mm-dd``, with a trailing time at times."""
    form = rng.randrange(5)
    if form == 0:
        out = d.isoformat()
    elif form == 1:
        out = f"{d.day}-{d.month}-{d.year}"
    elif form == 2:
        out = f"{d.day:02d}/{d.month:02d}/{d.year}"
    else:
        out = f"{d.day:02d}-{d.month:02d}-{d.year}"
    if time_ok and rng.random() < 0.15:
        out += rng.choice([" 00:00:00", " 00:00", "T00:00:00"])
    return out


def gemeentecode(rng: random.Random, number: int) -> str:
    return rng.choice([f"GM{number:04d}", f"{number:04d}"])


def header_spelling(rng: random.Random, name: str) -> str:
    """A column name as another export spells it: case, spaces, underscores (layouts match
    them without case, spaces, dots, dashes, slashes and underscores)."""
    form = rng.randrange(6)
    if form == 0:
        return name.upper()
    if form == 1:
        return name.lower()
    if form == 2:
        return name.replace(" ", "_")
    return name
