"""CBS files for the fictional municipality, shaped like the real downloads, so ``sdw run``
exercises the CBS loaders and fills the per-1,000 rates.

- a StatLine-style SES-WOA export (BOM, ``;``, quoted space-padded values, codes padded to 10,
  ``.`` for a secret cell) for 2021 (the default baseline year) and the year before the data;
- a KWB-style CSV with inhabitants by age band per gemeente, wijk and buurt (counts of wijken
  and buurten in multiples of 5, some numbers written as text, as CBS does);
- the municipality's monthly benefits CSV (the contract in ``sdw.cbs.benefits``);
- a StatLine-style export of CBS's quarterly "Personen met een uitkering; soort uitkering,
  wijken en buurten" (region attributes as text columns, StatLine's ``2025 maart`` period
  labels with ``*`` on provisional figures, counts rounded to tens as CBS does).
A random generator of its own keeps the other generated files byte-identical.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from sdw.generate.addresses import SMALL_WIJK, WIJKEN
from sdw.generate.catalog import MUNICIPALITY_NAME

# Inhabitants per wijk (hundreds to thousands, so rates per 1,000 are sensible).
_INHABITANTS = {1: 6200, 2: 5100, 3: 4300, 4: 4800, 5: 420}
_AGE_SHARES = (0.16, 0.12, 0.26, 0.27)  # 0-14, 15-24, 25-44, 45-64; the rest is 65+
_SES_HEADER = (
    "Perioden",
    "Wijken en buurten",
    "Regiocode (gemeente, wijk, buurt) (code)",
    "Particuliere huishoudens (Aantal)",
    "SES-WOA/Totaalscore/Gemiddelde score (Getal)",
    "SES-WOA/Financiële welvaart/Gemiddelde score (Getal)",
    "SES-WOA/Opleidingsniveau/Gemiddelde score (Getal)",
    "SES-WOA/Arbeidsverleden/Gemiddelde score (Getal)",
    "Spreiding/Spreiding totaal/Waarde (Getal)",
)
_REGELINGEN = (("participatiewet", 0.030), ("ioaw", 0.003), ("ioaz", 0.001), ("bbz", 0.002))


def _round5(n: float) -> int:
    return int(5 * round(n / 5))


def _regions(gm: str) -> list[tuple[str, str, str, int, int]]:
    """(code, name, level, wijk number, inhabitants) for the gemeente, wijken and buurten."""
    digits = gm[2:]
    out = [(gm, MUNICIPALITY_NAME, "Gemeente", 0, sum(_INHABITANTS.values()))]
    for wijk, name, buurten, _share in WIJKEN:
        out.append((f"WK{digits}{wijk:02d}", name, "Wijk", wijk, _INHABITANTS[wijk]))
        for b in range(1, buurten + 1):
            inhabitants = _INHABITANTS[wijk] // buurten
            out.append((f"BU{digits}{wijk:02d}{b:02d}", f"{name} {b}", "Buurt", wijk, inhabitants))
    return out


def _pad(value: str, width: int = 8) -> str:
    return f'"{value:>{width}}"'


def write_ses_woa(out_dir: Path, gm: str, years: list[int], rng: random.Random) -> Path:
    path = out_dir / f"SES_WOA_86092NED_{gm}_statline_export.csv"
    lines = [";".join(f'"{h}"' for h in _SES_HEADER)]
    for year in years:
        for code, name, level, wijk, inhabitants in _regions(gm):
            households = 100 * round(inhabitants / 2.1 / 100)
            secret = level == "Buurt" and wijk == SMALL_WIJK  # too few households: CBS says '.'
            base = 0.25 - 0.12 * wijk + 0.02 * (year - 2021) + rng.uniform(-0.03, 0.03)
            scores = [base, base + 0.05, base - 0.04, base + 0.02, 0.9 + rng.uniform(0, 0.2)]
            cells = ["." if secret else f"{s:.3f}" for s in scores]
            lines.append(
                ";".join(
                    [f'"{year}"', f'"{name}"', f'"{code:<10}"', _pad(str(households))]
                    + [_pad(c) for c in cells]
                )
            )
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def write_kwb(out_dir: Path, gm: str, year: int, rng: random.Random) -> Path:
    path = out_dir / f"kwb-{year}_{gm}.csv"
    head = "gwb_code_10;gwb_code_8;regio;gm_naam;recs;a_inw;a_00_14;a_15_24;a_25_44;a_45_64;"
    head += "a_65_oo;a_soz_wb;a_wmo_t;p_wmo_t"
    lines = [head]
    for code, name, level, _wijk, inhabitants in _regions(gm):
        exact = level == "Gemeente"  # CBS rounds wijk and buurt counts to multiples of 5
        total = inhabitants if exact else _round5(inhabitants)
        bands = [total * s for s in _AGE_SHARES]
        bands = [round(b) if exact else _round5(b) for b in bands]
        bands.append(total - sum(bands))
        soz = _round5(total * rng.uniform(0.02, 0.05))
        wmo = _round5(total * rng.uniform(0.05, 0.09))
        pct = round(100 * wmo / total) if total else 0
        cells = [code, code[2:], name, MUNICIPALITY_NAME, level, str(total)]
        cells += [str(b) for b in bands]
        # numbers as text, the way the 2023 KWB download writes many of them
        cells += [f'"{soz}"', f'"{wmo}"', str(pct)]
        lines.append(";".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_benefits(out_dir: Path, gm: str, start: date, months: int, rng: random.Random) -> Path:
    path = out_dir / f"uitkeringen_{gm}_{start:%Y%m}.csv"
    lines = ["gemeentecode;wijkcode;maand;regeling;aantal_personen"]
    for i in range(months):
        y, m = divmod(start.month - 1 + i, 12)
        month = f"{start.year + y}-{m + 1:02d}"
        for code, _name, level, _wijk, inhabitants in _regions(gm):
            if level != "Wijk":
                continue
            for regeling, share in _REGELINGEN:
                n = max(0, round(inhabitants * share * rng.uniform(0.9, 1.1)))
                lines.append(f"{gm};{code};{month};{regeling};{n}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


_CBS_BENEFIT_HEADER = (
    "Wijken en buurten",
    "Perioden",
    "Regioaanduiding/Gemeentenaam (naam)",
    "Regioaanduiding/Soort regio (omschrijving)",
    "Regioaanduiding/Codering (code)",
    "Personen per soort uitkering/Werkloosheidsuitkering (aantal)",
    "Personen per soort uitkering/Bijstandsuitkering (aantal)",
    "Personen per soort uitkering/Arbeidsongeschiktheidsuitkering (aantal)",
    "Personen per soort uitkering/AOW-uitkering (aantal)",
    "Personen per soort uitkering, relatief/Werkloosheidsuitkering "
    "(% van het aantal inwoners vanaf 15 jaar)",
    "Personen per soort uitkering, relatief/Bijstandsuitkering "
    "(% van het aantal inwoners vanaf 15 jaar)",
)
_CBS_BENEFIT_SHARES = (0.025, 0.04, 0.07, 0.18)  # of inhabitants 15+: WW, bijstand, AO, AOW
_MAANDEN = ("maart", "juni", "september", "december")


def write_cbs_benefits(
    out_dir: Path, gm: str, start: date, months: int, rng: random.Random
) -> Path | None:
    """None when the data window holds no quarter's reference month (CBS has nothing yet)."""
    quarter_ends = []
    for i in range(months):
        y, m = divmod(start.month - 1 + i, 12)
        if (m + 1) % 3 == 0:
            quarter_ends.append((start.year + y, m + 1))
    if not quarter_ends:
        return None
    path = out_dir / f"Personen_met_een_uitkering_{gm}_statline_export.csv"
    lines = [";".join(f'"{h}"' for h in _CBS_BENEFIT_HEADER)]
    for n, (year, month) in enumerate(quarter_ends):
        provisional = "*" if n >= len(quarter_ends) - 2 else ""
        label = f"{year} {_MAANDEN[month // 3 - 1]}{provisional}"
        for code, name, level, _wijk, inhabitants in _regions(gm):
            adults = inhabitants * (1 - _AGE_SHARES[0])
            counts = [
                10 * round(adults * s * rng.uniform(0.9, 1.1) / 10) for s in _CBS_BENEFIT_SHARES
            ]
            pcts = [round(100 * c / adults) for c in counts[:2]]
            cells = [name, label, MUNICIPALITY_NAME, level, f"{code:<10}"]
            cells += [str(c) for c in counts] + [str(p) for p in pcts]
            lines.append(";".join(f'"{c}"' for c in cells))
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def write_cbs_files(out_dir: Path, gm: str, start: date, months: int, seed: int) -> list[Path]:
    """The CBS files for municipality ``gm`` (``GM0999``); data year = start year - 1."""
    rng = random.Random(f"cbs-{seed}")
    year = start.year - 1
    files = [
        write_ses_woa(out_dir, gm, sorted({2021, year}), rng),
        write_kwb(out_dir, gm, year, rng),
        write_benefits(out_dir, gm, start, months, rng),
        write_cbs_benefits(out_dir, gm, start, months, rng),
    ]
    return [f for f in files if f is not None]
