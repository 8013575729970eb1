"""The municipal case system's Wmo/Jeugdwet procedure export for the generated municipality,
and the generator's own model of ``procedure_times_quarterly``.

One case (melding) per trajectory that reached a decision, with the same client: the
beschikking falls on or shortly before the 301's Toewijzingsdatum (a refusal on the 319's
date), the aanvraag before it, the onderzoek and melding before that; most within the legal
terms, some late. Dates after the export day (the window's last day) have not happened yet,
so such cases are still ``lopend``. Some clients have a new melding near the end of the window
(still under onderzoek, some past the six weeks, some withdrawn). Most rows carry the client's
BRP postcode + huisnummer (the address its 301 carries), some only a wijkcode. The file is what
a Dutch case system writes: ``;``, BOM, CRLF, dates ``dd-mm-jjjj``; one row decides before its
request, so quarantine has something to show.

A random generator of its own keeps every other generated file byte-identical. The expected
model below is computed from the in-memory cases, never from the file, as an independent
second implementation of the mart's definition (docs/procedure-times.md).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sdw.generate.addresses import Address
from sdw.generate.model import UNKNOWN, Client, World
from sdw.generate.suppression import suppressed_cells

HEADER = (
    "gemeentecode;identificatie;wet;datumMelding;datumOnderzoekAfgerond;datumStartAanvraag;"
    "datumBeschikking;datumAfhandeling;resultaat;postcode;huisnummer;wijkcode"
)
LAW_SPELLING = {"wmo": "Wmo", "jeugdwet": "Jeugdwet"}
# The legal terms in calendar days, written down again here (not read from the seed), so the
# expected model is independent of the warehouse's procedure_norms.
NORMS = {
    ("wmo", "melding_to_onderzoek"): 42,
    ("wmo", "aanvraag_to_beschikking"): 14,
    ("jeugdwet", "aanvraag_to_beschikking"): 56,
}
_KEYS = ("municipality_code", "law", "district_code", "quarter_start")
P_WIJKCODE = 0.1  # rows that carry only a wijkcode
P_NEW_MELDING = 0.1  # clients with a melding near the end of the window
BAD_ROWS = 1


@dataclass
class Case:
    identificatie: str
    law: str
    client: Client
    address: Address
    melding: date
    onderzoek: date | None = None
    aanvraag: date | None = None
    beschikking: date | None = None
    afhandeling: date | None = None
    resultaat: str = "lopend"
    wijkcode_only: bool = False

    @property
    def district(self) -> str:
        """What the warehouse must find: the CBS wijk when the CBS file lists the address."""
        wijk = self.address.wijkcode
        return UNKNOWN if wijk is None else f"WK{wijk:06d}"

    def dates(self) -> list[date]:
        found = (self.melding, self.onderzoek, self.aanvraag, self.beschikking, self.afhandeling)
        return [d for d in found if d is not None]


def _nl(d: date | None) -> str:
    return "" if d is None else f"{d:%d-%m-%Y}"


def _decided_case(rng: random.Random, client: Client, law: str, decided: date) -> Case:
    """Dates worked back from the decision: mostly within the terms, about one in seven late."""
    beschikking = decided - timedelta(days=rng.randint(0, 3))
    if law == "wmo":
        took = rng.randint(1, 14) if rng.random() < 0.85 else rng.randint(15, 40)
    else:
        took = rng.randint(3, 56) if rng.random() < 0.85 else rng.randint(57, 90)
    aanvraag = beschikking - timedelta(days=took)
    onderzoek: date | None = None
    if law == "wmo" and rng.random() < 0.9:
        onderzoek = aanvraag - timedelta(days=rng.randint(0, 5))
        span = rng.randint(5, 42) if rng.random() < 0.85 else rng.randint(43, 75)
        melding = onderzoek - timedelta(days=span)
    elif law == "jeugdwet" and rng.random() < 0.5:
        onderzoek = aanvraag - timedelta(days=rng.randint(0, 5))
        melding = onderzoek - timedelta(days=rng.randint(3, 50))
    else:  # a direct aanvraag: no onderzoek recorded
        melding = aanvraag - timedelta(days=rng.randint(0, 10))
    return Case("", law, client, client.brp[0][1], melding, onderzoek, aanvraag, beschikking)


def _cut_at(case: Case, last: date) -> Case | None:
    """The case as the export on ``last`` shows it: later steps have not happened yet."""
    if case.melding > last:
        return None
    if case.beschikking is not None and case.beschikking > last:
        case.beschikking, case.resultaat = None, "lopend"
    if case.aanvraag is not None and case.aanvraag > last:
        case.aanvraag = None
    if case.onderzoek is not None and case.onderzoek > last:
        case.onderzoek = None
    return case


def build_cases(world: World, window_end: date, seed: int) -> list[Case]:
    rng = random.Random(f"cases-{seed}")
    last = window_end - timedelta(days=1)
    cases: list[Case] = []
    for t in world.trajectories:
        if t.legacy:
            continue
        if t.toewijzing_date is not None:
            decided, outcome = t.toewijzing_date, "toegekend"
        elif t.afgewezen is not None:
            decided, outcome = t.afgewezen[0], "afgewezen"
        else:
            continue
        case = _decided_case(rng, t.client, t.law, decided)
        case.resultaat = outcome
        # The address its 301 carries (the BRP address on the Toewijzingsdatum).
        case.address = t.client.address_on(t.toewijzing_date or case.melding)
        case.wijkcode_only = case.address.wijkcode is not None and rng.random() < P_WIJKCODE
        kept = _cut_at(case, last)
        if kept is not None:
            cases.append(kept)
    for client in world.clients:
        if rng.random() >= P_NEW_MELDING:
            continue
        melding = last - timedelta(days=rng.randint(0, 120))
        case = Case("", client.law, client, client.address_on(melding), melding)
        roll = rng.random()
        if roll < 0.25:  # onderzoek done, aanvraag waiting for its beschikking
            case.onderzoek = melding + timedelta(days=rng.randint(10, 40))
            case.aanvraag = case.onderzoek + timedelta(days=rng.randint(0, 3))
        elif roll < 0.4:  # withdrawn during the onderzoek (unless that is still to come)
            withdrawn = melding + timedelta(days=rng.randint(5, 30))
            if withdrawn <= last:
                case.afhandeling, case.resultaat = withdrawn, "ingetrokken"
        cases.append(_cut_at(case, last))  # type: ignore[arg-type]  # melding <= last
    cases.sort(key=lambda c: (c.melding, c.client.idx, c.aanvraag or date.max))
    for n, case in enumerate(cases, 1):
        case.identificatie = f"Z{case.melding.year}-{n:06d}"
    return cases


def _row(case: Case, gemeentecode: str) -> str:
    a = case.address
    if case.wijkcode_only:
        postcode, huisnummer, wijk = "", "", f"WK{a.wijkcode:06d}"
    else:
        # A huisletter or toevoeging after the number, as case systems write it (ignored).
        huisnummer = f"{a.huisnummer}{a.huisletter or ''}"
        huisnummer += f"-{a.toevoeging}" if a.toevoeging else ""
        postcode, wijk = a.postcode, ""
    return ";".join(
        [
            f"GM{gemeentecode}",
            case.identificatie,
            LAW_SPELLING[case.law],
            _nl(case.melding),
            _nl(case.onderzoek),
            _nl(case.aanvraag),
            _nl(case.beschikking),
            _nl(case.afhandeling),
            case.resultaat,
            postcode,
            huisnummer,
            wijk,
        ]
    )


def write_case_export(out_dir: Path, cases: list[Case], gemeentecode: str) -> Path:
    """The export; the deliberately bad row (a beschikking before its aanvraag) comes last."""
    lines = [HEADER, *(_row(c, gemeentecode) for c in cases)]
    model = cases[-1]
    bad = Case(
        f"Z{model.melding.year}-999999",
        model.law,
        model.client,
        model.address,
        model.melding,
        aanvraag=model.melding + timedelta(days=5),
        beschikking=model.melding + timedelta(days=2),
        resultaat="afgewezen",
    )
    lines.append(_row(bad, gemeentecode))
    path = out_dir / f"zaaksysteem_wmo_jeugd_GM{gemeentecode}.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


# ------------------------------------------------------------------ the expected model


def _percentile(values: list[int], p: str) -> str:
    """Postgres percentile_cont: linear interpolation at p x (n - 1), exact in Decimal."""
    s = sorted(values)
    pos = Decimal(p) * (len(s) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    value = s[lo] + (pos - lo) * (s[hi] - s[lo])
    return str(value.quantize(Decimal("0.1")))


def _pct(part: int, whole: int) -> str | None:
    if whole == 0:
        return None
    return str((Decimal(100 * part) / whole).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _quarter(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _quarter_last(q: date) -> date:
    y, m = (q.year + 1, 1) if q.month == 10 else (q.year, q.month + 3)
    return date(y, m, 1) - timedelta(days=1)


def _steps(case: Case) -> list[tuple[str, date, date | None, date | None]]:
    """(step, started, completed, no longer open from) of one case."""
    ends = [d for d in (case.onderzoek, case.aanvraag, case.afhandeling) if d is not None]
    out = [("melding_to_onderzoek", case.melding, case.onderzoek, min(ends, default=None))]
    if case.aanvraag is not None:
        ends = [d for d in (case.beschikking, case.afhandeling) if d is not None]
        out.append(
            ("aanvraag_to_beschikking", case.aanvraag, case.beschikking, min(ends, default=None))
        )
    return out


def expected_procedure_times(cases: list[Case], municipality_code: str) -> list[dict[str, Any]]:
    """``procedure_times_quarterly`` as the generator understands its definition."""
    as_of = max(d for c in cases for d in c.dates())
    cells: dict[tuple[str, str, date], dict[str, Any]] = defaultdict(
        lambda: {"cases": set(), "started": defaultdict(list), "open": defaultdict(int)}
    )
    for case in cases:
        for step, started, completed, ended in _steps(case):
            cell = cells[(case.law, case.district, _quarter(started))]
            cell["cases"].add(case.identificatie)
            cell["started"][step].append((started, completed))
            norm = NORMS.get((case.law, step))
            if norm is None:
                continue
            deadline = started + timedelta(days=norm)
            q = _quarter(started)
            while q <= _quarter(as_of):
                measured = min(_quarter_last(q), as_of)
                if deadline < measured and (ended is None or ended > measured):
                    backlog = cells[(case.law, case.district, q)]
                    backlog["cases"].add(case.identificatie)
                    backlog["open"][step] += 1
                q = _quarter_last(q) + timedelta(days=1)
    hidden = suppressed_cells(
        ((law, q), district, len(cell["cases"])) for (law, district, q), cell in cells.items()
    )
    rows = []
    for (law, district, q), cell in sorted(cells.items()):
        n_cases = len(cell["cases"])
        suppressed = ((law, q), district) in hidden
        row: dict[str, Any] = {
            "municipality_code": municipality_code,
            "law": law,
            "district_code": district,
            "quarter_start": q.isoformat(),
            "cases": n_cases,
        }
        for step, started_label, done_label, short in (
            ("melding_to_onderzoek", "meldingen", "onderzoeken_afgerond", "onderzoek"),
            ("aanvraag_to_beschikking", "aanvragen", "beschikkingen", "beschikking"),
        ):
            steps = cell["started"][step]
            days = [(c - s).days for s, c in steps if c is not None]
            norm = NORMS.get((law, step))
            within = sum(1 for d in days if norm is not None and d <= norm)
            row[started_label] = len(steps)
            row[done_label] = len(days)
            row[f"median_days_{step}"] = _percentile(days, "0.5") if days else None
            row[f"p90_days_{step}"] = _percentile(days, "0.9") if days else None
            row[f"pct_{short}_within_norm"] = _pct(within, len(days)) if norm else None
            open_label = "onderzoeken" if short == "onderzoek" else "aanvragen"
            row[f"{open_label}_open_past_norm"] = cell["open"][step]
        if suppressed:
            row = {k: (None if k not in _KEYS else v) for k, v in row.items()}
        row["backlog_measured_on"] = min(_quarter_last(q), as_of).isoformat()
        row["suppressed"] = suppressed
        rows.append(row)
    return rows


def write_case_files(
    out_dir: Path, world: World, gemeentecode: str, window_end: date, seed: int
) -> dict[str, Any]:
    """Write the export; return what ``.expected.json`` gains: the mart rows and the file's
    own totals (rows in, loaded, quarantined by reason)."""
    cases = build_cases(world, window_end, seed)
    path = write_case_export(out_dir, cases, gemeentecode)
    return {
        "case_export": {
            "file": path.name,
            "rows": len(cases) + BAD_ROWS,
            "rows_loaded": len(cases),
            "rows_quarantined": {"CASE_DATES_OUT_OF_ORDER": BAD_ROWS},
        },
        "procedure_times_quarterly": expected_procedure_times(cases, f"GM{gemeentecode}"),
    }
