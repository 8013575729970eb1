"""The generator's own account of ``waiting_times_quarterly``, from its in-memory trajectories.

A second, independent implementation of the definition in
docs/kpi-definitions.md#waiting_times_quarterly (it never reads the written files and shares no code
with the dbt models), so the mart can be compared with it row by row. It knows which messages were
written: nothing dated after the window's last day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sdw.generate.expected import quarter_start
from sdw.generate.model import EXTRA_305_ORDER, Trajectory, add_months


def add_working_days(d: date, n: int) -> date:
    """Step day by day over Monday to Friday: slow and obviously right."""
    while n:
        d += timedelta(days=1)
        if d.isoweekday() < 6:
            n -= 1
    return d


def percentile_cont(values: list[int], p: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    v = sorted(values)
    pos = p * (len(v) - 1)
    lo = math.floor(pos)
    if lo + 1 >= len(v):
        return float(v[lo])
    return v[lo] + (pos - lo) * (v[lo + 1] - v[lo])


def _reported_start(t: Trajectory, last: date) -> date | None:
    """The Begindatum of the last 305 sent by ``last`` (a later one corrects an earlier one);
    none when there is none or the last one withdraws the start (StatusAanlevering 3)."""
    sent = [
        (d, EXTRA_305_ORDER + i / 10, begin, status)
        for i, (d, begin, status) in enumerate(t.extra_305)
        if d <= last
    ]
    if t.start_msg_date is not None and t.start_date is not None and t.start_msg_date <= last:
        sent.append((t.start_msg_date, 3.0, t.start_date, t.start_status))
    if not sent:
        return None
    _day, _order, begin, status = max(sent)
    return None if status == "3" else begin


@dataclass
class _Request:
    law: str
    date: date
    decision: date | None


def expected_waiting_times(
    trajectories: list[Trajectory], municipality_code: str, window_end: date
) -> list[dict[str, Any]]:
    last = window_end - timedelta(days=1)
    requests: list[_Request] = []
    starts: list[tuple[str, date, int]] = []  # law, Toewijzingsdatum, days to start
    for t in trajectories:
        if t.legacy:
            continue
        assigned = t.toewijzing_date if t.toewijzing_date and t.toewijzing_date <= last else None
        if t.referentie is not None and t.request_date <= last:
            rejected = t.afgewezen[0] if t.afgewezen and t.afgewezen[0] <= last else None
            decision = min((d for d in (assigned, rejected) if d), default=None)
            requests.append(_Request(t.law, t.request_date, decision))
        started = _reported_start(t, last)
        if assigned is not None and started is not None:
            starts.append((t.law, assigned, (started - assigned).days))

    rows = []
    for law in ("jeugdwet", "wmo"):
        reqs = [r for r in requests if r.law == law]
        sts = [s for s in starts if s[0] == law]
        quarters = {quarter_start(r.date) for r in reqs} | {quarter_start(s[1]) for s in sts}
        if not quarters:
            continue
        q, q_last = min(quarters), max(quarters)
        while q <= q_last:
            q_end = add_months(q, 3) - timedelta(days=1)
            mine = [r for r in reqs if quarter_start(r.date) == q]
            decided = [r for r in mine if r.decision is not None]
            days = [(r.decision - r.date).days for r in decided]  # type: ignore[operator]
            on_time = sum(1 for r in decided if r.decision <= add_working_days(r.date, 5))  # type: ignore[operator]
            pct = None
            if decided:
                pct = str(
                    (Decimal(100 * on_time) / len(decided)).quantize(Decimal("0.01"), ROUND_HALF_UP)
                )
            backlog = sum(
                1 for r in reqs if r.date <= q_end and (r.decision is None or r.decision > q_end)
            )
            to_start = [s[2] for s in sts if quarter_start(s[1]) == q]
            rows.append(
                {
                    "municipality_code": municipality_code,
                    "law": law,
                    "quarter_start": q.isoformat(),
                    "requests": len(mine),
                    "decided": len(decided),
                    "median_days_to_decision": percentile_cont(days, 0.5),
                    "p90_days_to_decision": percentile_cont(days, 0.9),
                    "pct_decided_within_5_workdays": pct,
                    "open_at_quarter_end": backlog,
                    "median_days_assignment_to_start": percentile_cont(to_start, 0.5),
                }
            )
            q = add_months(q, 3)
    return rows
