"""The generator's own account of the KPI outcome, built from its in-memory lines.

It never reads the written files back: it is an independent second implementation of the
``care_usage_quarterly`` and ``care_usage_by_district_quarterly`` definitions in
docs/kpi-definitions.md, so the warehouse's marts can be compared against it row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sdw.generate.model import Line
from sdw.generate.suppression import suppressed_cells

_CENT = Decimal("0.01")


def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def eur(cents: int) -> str:
    return str((Decimal(cents) / 100).quantize(_CENT))


@dataclass
class _Cell:
    declared: int = 0
    rejected: int = 0
    volume: int = 0  # signed, accepted lines only
    units: set[str] = field(default_factory=set)
    net: dict[str, int] = field(default_factory=dict)  # client BSN -> net accepted cents

    def add(self, line: Line) -> None:
        signed = line.signed_amount
        self.declared += signed
        self.units.add(line.traj.product.eenheid)
        if line.rejected:
            self.rejected += signed
        else:
            self.volume += line.signed_volume
            self.net[line.bsn] = self.net.get(line.bsn, 0) + signed

    def measures(self) -> dict[str, Any]:
        clients = sum(1 for v in self.net.values() if v > 0)
        accepted = self.declared - self.rejected
        per_client = None
        if clients:
            per_client = str((Decimal(accepted) / 100 / clients).quantize(_CENT, ROUND_HALF_UP))
        return {
            "clients": clients,
            "declared_amount_eur": eur(self.declared),
            "rejected_amount_eur": eur(self.rejected),
            "accepted_amount_eur": eur(accepted),
            "delivered_volume": self.volume,
            "unit": next(iter(self.units)) if len(self.units) == 1 else None,
            "amount_per_client_eur": per_client,
        }


@dataclass
class Expected:
    municipality_code: str
    lines: int = 0
    bad_bsn_lines: int = 0
    bad_bsn_amount: int = 0
    rejected_lines: int = 0
    credit_lines: int = 0
    declared: int = 0
    rejected: int = 0
    by_category: dict[tuple[str, str, date], _Cell] = field(default_factory=dict)
    by_district: dict[tuple[str, str, date], _Cell] = field(default_factory=dict)
    # (law, product category, ProductPeriode month) -> accepted cents (declared - rejected):
    # what the budget files' ledger realisation is booked from (sdw.generate.budgets)
    accepted_by_month: dict[tuple[str, str, date], int] = field(default_factory=dict)

    def add(self, line: Line) -> None:
        self.lines += 1
        if line.bad_bsn:  # quarantined at ingest: never reaches a mart
            self.bad_bsn_lines += 1
            self.bad_bsn_amount += line.signed_amount
            return
        t = line.traj
        q = quarter_start(line.begin)
        self.declared += line.signed_amount
        if line.rejected:
            self.rejected_lines += 1
            self.rejected += line.signed_amount
        if line.dc == "C":
            self.credit_lines += 1
        if not line.rejected:
            mkey = (t.law, t.product.categorie, line.begin.replace(day=1))
            self.accepted_by_month[mkey] = self.accepted_by_month.get(mkey, 0) + line.signed_amount
        key = (t.law, t.product.categorie, q)
        cell = self.by_category.get(key)
        if cell is None:
            cell = self.by_category[key] = _Cell()
        cell.add(line)
        dkey = (t.district, t.law, q)
        cell = self.by_district.get(dkey)
        if cell is None:
            cell = self.by_district[dkey] = _Cell()
        cell.add(line)

    def quarterly_rows(self) -> list[dict[str, Any]]:
        rows = []
        for (law, cat, q), cell in sorted(self.by_category.items()):
            rows.append(
                {
                    "municipality_code": self.municipality_code,
                    "law": law,
                    "product_category": cat,
                    "quarter_start": q.isoformat(),
                    **cell.measures(),
                }
            )
        return rows

    def district_rows(self) -> list[dict[str, Any]]:
        measures = {key: cell.measures() for key, cell in sorted(self.by_district.items())}
        # The additive group is law x quarter: the generated data hold one municipality.
        hidden = suppressed_cells(
            ((law, q), district, m["clients"]) for (district, law, q), m in measures.items()
        )
        rows = []
        for (district, law, q), m in measures.items():
            suppressed = ((law, q), district) in hidden
            if suppressed:
                m.update(
                    clients=None,
                    declared_amount_eur=None,
                    rejected_amount_eur=None,
                    accepted_amount_eur=None,
                    amount_per_client_eur=None,
                )
            rows.append(
                {
                    "municipality_code": self.municipality_code,
                    "district_code": district,
                    "law": law,
                    "quarter_start": q.isoformat(),
                    **m,
                    "suppressed": suppressed,
                }
            )
        return rows

    def totals(self) -> dict[str, Any]:
        return {
            "declaration_lines": self.lines,
            "declaration_lines_failing_bsn": self.bad_bsn_lines,
            "declaration_lines_loaded": self.lines - self.bad_bsn_lines,
            "declaration_lines_rejected": self.rejected_lines,
            "declaration_lines_credit": self.credit_lines,
            "failing_bsn_amount_eur": eur(self.bad_bsn_amount),
            "declared_amount_eur": eur(self.declared),
            "rejected_amount_eur": eur(self.rejected),
            "accepted_amount_eur": eur(self.declared - self.rejected),
        }
