"""The fictional municipality's geography and its CBS "Buurt, wijk en gemeente" address file.

CBS publishes, per year, one row per postcode (PC6) + huisnummer with the buurt, wijk and
gemeente codes as integers without prefix: for gemeente 999, wijk 01, buurt 03 the row says
``9990103;99901;999`` (meaning BU09990103, WK099901, GM0999). One small wijk keeps few
clients so that the district mart has cells that must be suppressed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from sdw.generate.catalog import MUNICIPALITY_NAME, OTHER_PLACES, STREETS

# (wijk number, name, number of buurten, share of clients living there)
WIJKEN: tuple[tuple[int, str, int, int], ...] = (
    (1, "Centrum", 3, 30),
    (2, "Noord", 3, 25),
    (3, "Oost", 2, 20),
    (4, "Zuid", 3, 22),
    (5, "Buitengebied", 1, 3),
)
SMALL_WIJK = 5
_PC6_PER_BUURT = 4
_HOUSES_PER_PC6 = 40
_PC4_BASE = 9990  # wijk n lives in PC4 9990 + n; 9996 is missing from the CBS file


@dataclass(frozen=True)
class Address:
    postcode: str
    huisnummer: int
    straat: str
    plaats: str
    huisletter: str | None = None
    toevoeging: str | None = None
    wijkcode: int | None = None  # CBS integer code (99901) when the CBS file lists the address


@dataclass(frozen=True)
class Pc6:
    postcode: str
    straat: str
    buurtcode: int
    wijkcode: int


class Geography:
    """The address file's content plus helpers to pick addresses for people."""

    def __init__(self, gemeentecode: str, pc4_base: int = _PC4_BASE) -> None:
        """``pc4_base``: another one for a second municipality in the same address file, so
        the two never share a postcode."""
        self.gemeente = int(gemeentecode)
        self.unlisted_pc4 = f"{pc4_base + 6}"  # a postcode area the CBS file does not list
        self.pc6_by_wijk: dict[int, list[Pc6]] = {}
        street = 0
        for wijk, _name, buurten, _share in WIJKEN:
            wijkcode = self.gemeente * 100 + wijk
            pc4 = f"{pc4_base + wijk}"
            rows: list[Pc6] = []
            for buurt in range(1, buurten + 1):
                buurtcode = wijkcode * 100 + buurt
                per_buurt = 1 if wijk == SMALL_WIJK else _PC6_PER_BUURT
                for i in range(per_buurt):
                    letters = chr(ord("A") + buurt - 1) + chr(ord("A") + i)
                    rows.append(
                        Pc6(pc4 + letters, STREETS[street % len(STREETS)], buurtcode, wijkcode)
                    )
                    street += 1
            self.pc6_by_wijk[wijkcode] = rows
        self.wijkcodes = list(self.pc6_by_wijk)
        self._weights = [share for *_rest, share in WIJKEN]

    @property
    def small_wijkcode(self) -> int:
        return self.gemeente * 100 + SMALL_WIJK

    def write_cbs_file(self, out_dir: Path, year: int) -> Path:
        return write_cbs_address_file(out_dir, year, [self])

    def cbs_rows(self) -> list[str]:
        lines = []
        for rows in self.pc6_by_wijk.values():
            for pc6 in rows:
                for nr in range(1, _HOUSES_PER_PC6 + 1):
                    lines.append(
                        f"{pc6.postcode};{nr};{pc6.buurtcode};{pc6.wijkcode};{self.gemeente}\n"
                    )
        return lines

    def pick_wijk(self, rng: random.Random, exclude: int | None = None) -> int:
        while True:
            wijk = rng.choices(self.wijkcodes, self._weights)[0]
            if wijk != exclude:
                return wijk

    def listed(self, rng: random.Random, wijkcode: int) -> Address:
        """An address the CBS file lists, sometimes with a huisletter or toevoeging."""
        pc6 = rng.choice(self.pc6_by_wijk[wijkcode])
        roll = rng.random()
        letter = "A" if roll < 0.06 else ("B" if roll < 0.09 else None)
        toevoeging = "2" if 0.09 <= roll < 0.12 else None
        return Address(
            pc6.postcode,
            rng.randint(1, _HOUSES_PER_PC6),
            pc6.straat,
            MUNICIPALITY_NAME,
            letter,
            toevoeging,
            wijkcode,
        )

    def unlisted(self, rng: random.Random) -> Address:
        """An address in the municipality that the CBS file does not know (new build, typo)."""
        if rng.random() < 0.5:
            letters = chr(ord("A") + rng.randrange(4)) + chr(ord("A") + rng.randrange(4))
            return Address(
                self.unlisted_pc4 + letters, rng.randint(1, 60), "Nieuwbouwlaan", MUNICIPALITY_NAME
            )
        pc6 = rng.choice(self.pc6_by_wijk[rng.choice(self.wijkcodes)])
        return Address(
            pc6.postcode, _HOUSES_PER_PC6 + rng.randint(1, 300), pc6.straat, MUNICIPALITY_NAME
        )

    def elsewhere(self, rng: random.Random) -> Address:
        """An address outside the municipality (a relative living elsewhere)."""
        return Address(
            f"{rng.randint(1000, 8999)}{rng.choice('KLMNPR')}{rng.choice('ABCDE')}",
            rng.randint(1, 200),
            rng.choice(STREETS),
            rng.choice(OTHER_PLACES),
        )


def write_cbs_address_file(out_dir: Path, year: int, geos: list[Geography]) -> Path:
    """One file for every municipality, as CBS publishes it for the whole country."""
    path = out_dir / f"cbs_adres_buurt_wijk_{year}.csv"
    lines = [f"PC6;Huisnummer;Buurt{year};Wijk{year};Gemeente{year}\n"]
    for geo in geos:
        lines.extend(geo.cbs_rows())
    path.write_text("".join(lines), encoding="utf-8", newline="")
    return path
