"""The generated municipality's budget files: one file per quarterly report version of the last
data year, in the budget-file contract (docs/budgets.md), as the financial system exports it.

Budget lines: the care lines of ``dbt_project/seeds/care_spend_budget_lines.csv`` (the seed
finance edits; read here as a file, never through dbt) whose product categories the sample
declares, plus two non-care lines of taakveld 6.1 (TRANSFORMATIEFONDS, with a carry-over from
the year before; SUBSIDIES-WELZIJN). The care line with the most accepted euros gets a
budget amendment (+10 %) in the last version, SUBSIDIES-WELZIJN a negative one.

The ledger's realisation of a care line follows the declarations with a booking lag: it is the
accepted euros (declared - rejected; the generator's own ``Expected.accepted_by_month``) of the
budget year's months before the peildatum's month; the peildatum's own month is declared but
not yet booked. So declaration spend (months <= peildatum) minus ledger spend is exactly the
peildatum month's accepted euros, a difference the budget mart must show.

The first version is written as xlsx, the last as CSV (``;``, BOM, CRLF, amounts
``€ 1.234,56``); each version once, so raw holds every line once per version. What
``.expected.json`` gains (``budget_realisation``) is computed from the in-memory rows.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sdw.generate.subsidies import euros

SEED_FILE = (
    Path(__file__).resolve().parents[3] / "dbt_project" / "seeds" / "care_spend_budget_lines.csv"
)
HEADER = (
    "Gemeentecode;Begrotingsjaar;Peildatum;Rapportageversie;Begrotingspost;Omschrijving;"
    "Taakveld;Programma;Project;Kostenplaats;Primitieve begroting;Begrotingswijzigingen;"
    "Overheveling;Realisatie;Verplichtingen;Prognose"
)
NAMES = {
    "WMO-ONDERSTEUNING": "Wmo begeleiding en ondersteuning",
    "WMO-VOORZIENINGEN": "Wmo hulpmiddelen en voorzieningen",
    "WMO-BESCHERMD-WONEN": "Beschermd wonen",
    "JW-ZONDER-VERBLIJF": "Jeugdhulp zonder verblijf",
    "JW-MET-VERBLIJF": "Jeugdhulp met verblijf",
    "JW-JEUGDBESCHERMING-JR": "Jeugdbescherming en jeugdreclassering",
}
TAAKVELD_NAMES = {
    "6.1": "Samenkracht en burgerparticipatie",
    "6.6": "Maatwerkvoorzieningen (Wmo)",
    "6.71": "Maatwerkdienstverlening 18+",
    "6.72": "Maatwerkdienstverlening 18-",
    "6.81": "Geëscaleerde zorg 18+",
    "6.82": "Geëscaleerde zorg 18-",
}
CENT = Decimal("0.01")
FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def care_budget_lines(seed_file: Path = SEED_FILE) -> dict[tuple[str, str], tuple[str, str]]:
    """(law, product category) -> (budget line, taakveld), as finance keeps them in the seed."""
    with seed_file.open(encoding="utf-8", newline="") as fh:
        return {
            (r["law"], r["product_category"]): (r["budget_line"], r["taakveld"])
            for r in csv.DictReader(fh)
        }


@dataclass(frozen=True)
class BudgetRow:
    budget_line: str
    name: str
    taakveld: str
    programma: str
    primitive: Decimal
    amendments: Decimal | None
    carry_over: Decimal | None
    spent: Decimal
    committed: Decimal | None
    forecast: Decimal
    declaration_spend: Decimal | None  # care lines: accepted euros, months <= peildatum

    @property
    def current(self) -> Decimal:
        return self.primitive + (self.amendments or 0) + (self.carry_over or 0)


def quarter_ends(year: int, window_end: date) -> list[date]:
    """The report versions: Q2 and the last quarter end of ``year`` before the window ends
    (fewer when the window holds fewer)."""
    ends = [date(year, m, 30 if m in (6, 9) else 31) for m in (3, 6, 9, 12)]
    ends = [d for d in ends if d < window_end]
    if len(ends) <= 2:
        return ends
    return [ends[1], ends[-1]] if ends[1] != ends[-1] else [ends[1]]


def _eur(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def _round_up(amount: Decimal, step: int) -> Decimal:
    return Decimal(-(-int(amount) // step) * step).quantize(CENT)


def budget_rows(
    accepted_by_month: dict[tuple[str, str, date], int],
    year: int,
    peildatum: date,
    final: bool,
    mapping: dict[tuple[str, str], tuple[str, str]],
) -> list[BudgetRow]:
    """One version's rows; care lines from the declarations' accepted euros per month."""
    booked_until = peildatum.replace(day=1)  # months before the peildatum's month are booked
    per_line: dict[str, dict[str, Any]] = {}
    for (law, cat, month), cents in accepted_by_month.items():
        if month.year != year or (law, cat) not in mapping:
            continue
        line, taakveld = mapping[(law, cat)]
        acc = per_line.setdefault(line, {"taakveld": taakveld, "year": 0, "decl": 0, "booked": 0})
        acc["year"] += cents
        if month <= peildatum:
            acc["decl"] += cents
        if month < booked_until:
            acc["booked"] += cents
    amended = max(sorted(per_line), key=lambda k: per_line[k]["year"], default=None)
    rows: list[BudgetRow] = []
    for line in sorted(per_line):
        acc = per_line[line]
        year_eur = _eur(acc["year"])
        primitive = _round_up(year_eur * Decimal("1.05"), 1000)
        amendments = (
            _round_up(year_eur * Decimal("0.10"), 1000) if line == amended and final else None
        )
        spent = _eur(acc["booked"])
        current = primitive + (amendments or 0)
        rate = Decimal("0.02") if final else Decimal("0.10")
        committed = ((current - spent) * rate).quantize(CENT, ROUND_HALF_UP)
        rows.append(
            BudgetRow(
                line,
                NAMES.get(line, line),
                acc["taakveld"],
                "Jeugd" if line.startswith("JW-") else "Zorg en ondersteuning",
                primitive,
                amendments,
                None,
                spent,
                committed,
                _round_up(year_eur, 100),
                _eur(acc["decl"]),
            )
        )
    rows.append(
        BudgetRow(
            "TRANSFORMATIEFONDS",
            "Transformatiefonds sociaal domein",
            "6.1",
            "Sociaal domein",
            Decimal("600000.00"),
            None,
            Decimal("120000.00"),
            Decimal("250000.45") if final else Decimal("3520.00"),
            Decimal("80000.00") if final else Decimal("330280.00"),
            Decimal("720000.00"),
            None,
        )
    )
    rows.append(
        BudgetRow(
            "SUBSIDIES-WELZIJN",
            "Subsidies welzijnswerk",
            "6.1",
            "Sociaal domein",
            Decimal("450000.00"),
            Decimal("-2500.00") if final else None,
            None,
            Decimal("447497.70") if final else Decimal("225000.00"),
            None if final else Decimal("200000.00"),
            Decimal("447497.70") if final else Decimal("447500.00"),
            None,
        )
    )
    return rows


def _cells(gm: str, year: int, peildatum: date, version: str, r: BudgetRow) -> list[str]:
    return [
        gm,
        str(year),
        peildatum.strftime("%d-%m-%Y"),
        version,
        r.budget_line,
        r.name,
        f"{r.taakveld} {TAAKVELD_NAMES.get(r.taakveld, '')}".strip(),
        r.programma,
        "",
        f"KP-{r.taakveld.replace('.', '')}",
        euros(r.primitive),
        euros(r.amendments),
        euros(r.carry_over),
        euros(r.spent),
        euros(r.committed),
        euros(r.forecast),
    ]


def write_csv(path: Path, lines: list[list[str]]) -> None:
    text = "\r\n".join([HEADER, *(";".join(c) for c in lines)]) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


def write_xlsx(path: Path, gm: str, year: int, peildatum: date, version: str,
               rows: list[BudgetRow]) -> None:  # fmt: skip
    """The same columns in the first sheet; numbers as numbers, the peildatum a date cell.
    openpyxl stamps the save time into the workbook and its zip: both are fixed afterwards,
    so the same arguments give the same bytes."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Begroting"
    ws.append(HEADER.split(";"))
    for r in rows:
        cells = _cells(gm, year, peildatum, version, r)
        ws.append([*cells[:2], peildatum, *cells[3:10],
                   *(None if a is None else float(a) for a in
                     (r.primitive, r.amendments, r.carry_over, r.spent, r.committed,
                      r.forecast))])  # fmt: skip
    buffer = io.BytesIO()
    wb.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                    rb"\g<1>2020-01-01T00:00:00Z",
                    data,
                )
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())


def write_budget_files(
    out_dir: Path,
    gemeentecode: str,
    accepted_by_month: dict[tuple[str, str, date], int],
    window_end: date,
) -> list[dict[str, Any]]:
    """Write one file per report version; return ``.expected.json``'s budget_realisation."""
    year = (window_end - timedelta(days=1)).year
    gm = f"GM{gemeentecode}"
    mapping = care_budget_lines()
    versions = quarter_ends(year, window_end)
    expected: list[dict[str, Any]] = []
    for i, peildatum in enumerate(versions):
        version = f"{year}-Q{(peildatum.month - 1) // 3 + 1}"
        final = i == len(versions) - 1
        rows = budget_rows(accepted_by_month, year, peildatum, final, mapping)
        name = f"begroting_{gm}_{year}_{version[-2:]}"
        if final:
            write_csv(
                out_dir / f"{name}.csv", [_cells(gm, year, peildatum, version, r) for r in rows]
            )
        else:
            write_xlsx(out_dir / f"{name}.xlsx", gm, year, peildatum, version, rows)
        for r in rows:
            spent, committed = r.spent, r.committed or Decimal(0)
            expected.append(
                {
                    "municipality_code": gm,
                    "begrotingsjaar": year,
                    "report_version": version,
                    "peildatum": peildatum.isoformat(),
                    "budget_line": r.budget_line,
                    "taakveld": r.taakveld,
                    "primitive_budget_eur": str(r.primitive),
                    "amendments_eur": str(r.amendments or Decimal("0.00")),
                    "carry_over_eur": str(r.carry_over or Decimal("0.00")),
                    "current_budget_eur": str(r.current),
                    "spent_eur": str(spent),
                    "committed_eur": str(committed.quantize(CENT)),
                    "available_eur": str(r.current - spent - committed),
                    "forecast_eur": str(r.forecast),
                    "declaration_spend_eur": None
                    if r.declaration_spend is None
                    else str(r.declaration_spend),
                    "difference_eur": None
                    if r.declaration_spend is None
                    else str(r.declaration_spend - spent),
                }
            )
    return expected
