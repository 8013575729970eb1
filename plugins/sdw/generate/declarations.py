"""Monthly 323 declarations and the municipality's 325 answers.

Per service month every provider sends one declaration per law holding all its clients' lines
(split over several files when one would exceed the size limit; each file is its own Bericht
with its own DeclaratieNummer). The municipality answers each file with a 325 that lists only
the lines it rejects. Providers later credit some accepted lines (DebetCredit C with
VorigReferentieNummer, same ProductPeriode) and send a corrected debit, and re-declare some
rejected ones. A few lines carry a mistyped BSN that fails the elfproef.

Lines are produced month by month and dropped once written; only scheduled corrections
are kept, so memory stays bounded by one month however many lines are generated.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from sdw.generate.bsn import mistyped
from sdw.generate.expected import Expected
from sdw.generate.model import Line, Provider, Trajectory, World, add_months, month_last
from sdw.generate.sink import Sink
from sdw.generate.xml_writers import (
    client_block,
    head_323,
    msg_325,
    prefixes,
    prestatie,
    tail_323,
)

P_BAD_BSN = 0.004
P_REJECT = 0.04
P_CORRECT = 0.03
REJECT_CODES = ("0611", "9307", "9339", "9341", "8187")
_OVERHEAD = 4096  # bytes reserved for a 323's header and closing tags


def _month_index(start: date, d: date) -> int:
    return (d.year - start.year) * 12 + d.month - start.month


def _next_ref(provider: Provider) -> str:
    provider.next_prestatie += 1
    return f"R{provider.next_prestatie - 1:09d}"


def _segments(begin: date, end: date, *, weekly: bool) -> list[tuple[date, date]]:
    """The ProductPeriodes of one month: the whole stretch, or per calendar week (Mon-Sun)."""
    if not weekly:
        return [(begin, end)]
    out = []
    while begin <= end:
        week_end = min(end, begin + timedelta(days=6 - begin.weekday()))
        out.append((begin, week_end))
        begin = week_end + timedelta(days=1)
    return out


def _adjusted(rng: random.Random, volume: int) -> int:
    delta = max(1, volume // 10) * rng.choice((-1, 1))
    return max(1, volume + delta)


class DeclarationWriter:
    def __init__(
        self,
        rng: random.Random,
        world: World,
        sink: Sink,
        expected: Expected,
        *,
        start: date,
        months: int,
        gemeente: str,
        max_file_bytes: int,
        irregular: bool = False,
    ) -> None:
        """``irregular``: also credit December lines in January (across the year boundary)
        and answer every other declaration with rejections months late."""
        self.rng, self.world, self.sink, self.expected = rng, world, sink, expected
        self.irregular = irregular
        self.year_end_credits: dict[int, int] = {}  # year -> December lines credited in January
        self.rejecting_files = 0
        self.start, self.months, self.gemeente = start, months, gemeente
        self.max_file_bytes = max_file_bytes
        self.providers = {p.agb: p for p in world.providers}
        self.due: dict[int, list[tuple[str, Line]]] = {}
        self.any_bad = False
        self.lines_made = 0

    def run(self, progress: Callable[[int], None] | None = None) -> None:
        active: list[list[Trajectory]] = [[] for _ in range(self.months)]
        for t in self.world.trajectories:
            if t.start_date is None:
                continue
            first = max(0, _month_index(self.start, t.start_date))
            last_day = t.last_day
            last = (
                self.months - 1
                if last_day is None
                else min(self.months - 1, _month_index(self.start, last_day))
            )
            for k in range(first, last + 1):
                active[k].append(t)
        for k in range(self.months):
            self._month(k, active[k])
            if progress is not None:
                progress(k)

    def _month(self, k: int, active: list[Trajectory]) -> None:
        m_start = add_months(self.start, k)
        m_end = month_last(m_start)
        month_days = (m_end - m_start).days + 1
        groups: dict[tuple[str, str], dict[str, list[Line]]] = {}

        def add(line: Line) -> None:
            key = (line.traj.provider.agb, line.traj.law)
            groups.setdefault(key, {}).setdefault(line.bsn, []).append(line)

        for t in active:
            assert t.start_date is not None
            begin = max(m_start, t.start_date)
            end = min(m_end, t.last_day or m_end)
            if end < begin:
                continue
            for seg_begin, seg_end in _segments(begin, end, weekly=t.provider.weekly):
                add(self._line(k, t, seg_begin, seg_end, month_days))

        for kind, orig in self.due.pop(k, []):
            t = orig.traj
            if kind in ("credit", "correct"):
                add(
                    Line(
                        t,
                        orig.bsn,
                        _next_ref(t.provider),
                        orig.ref,
                        orig.begin,
                        orig.end,
                        orig.volume,
                        orig.amount,
                        "C",
                    )
                )
                self.lines_made += 1
            if kind in ("correct", "redeclare"):
                volume = _adjusted(self.rng, orig.volume)
                add(
                    Line(
                        t,
                        orig.bsn,
                        _next_ref(t.provider),
                        None,
                        orig.begin,
                        orig.end,
                        volume,
                        volume * t.product.tarief,
                        "D",
                    )
                )
                self.lines_made += 1

        for agb, law in sorted(groups):
            self._write(self.providers[agb], law, groups[(agb, law)], (m_start, m_end))

    def _line(self, k: int, t: Trajectory, begin: date, end: date, month_days: int) -> Line:
        """A regular debit line, and what will happen to it (rejection, correction, typo)."""
        rng = self.rng
        days = (end - begin).days + 1
        if t.product.eenheid == "14":
            volume = days
        else:
            volume = max(1, round(t.monthly_volume * days / month_days * rng.uniform(0.8, 1.1)))
        line = Line(
            t,
            t.client.bsn,
            _next_ref(t.provider),
            None,
            begin,
            end,
            volume,
            volume * t.product.tarief,
            "D",
        )
        self.lines_made += 1
        roll = rng.random()
        if roll < P_BAD_BSN or (not self.any_bad and self.lines_made == 5):
            line.bsn, line.bad_bsn, self.any_bad = mistyped(line.bsn), True, True
        elif roll < P_BAD_BSN + P_REJECT:
            line.retourcodes = (rng.choice(REJECT_CODES),)
            if rng.random() < 0.6 and k + 1 < self.months:
                self.due.setdefault(k + 1, []).append(("redeclare", line))
        elif roll < P_BAD_BSN + P_REJECT + P_CORRECT:
            later = k + rng.choice((1, 2))
            if later < self.months:
                kind = "credit" if rng.random() < 0.2 else "correct"
                self.due.setdefault(later, []).append((kind, line))
        elif self.irregular and begin.month == 12 and k + 1 < self.months:
            done = self.year_end_credits.get(begin.year, 0)
            if done < 2:  # one corrected, one only credited, both in January's declaration
                self.year_end_credits[begin.year] = done + 1
                self.due.setdefault(k + 1, []).append((("correct", "credit")[done], line))
        return line

    def _write(
        self,
        provider: Provider,
        law: str,
        by_bsn: dict[str, list[Line]],
        periode: tuple[date, date],
    ) -> None:
        p, b = prefixes(law, "323")
        limit = self.max_file_bytes - _OVERHEAD
        chunk: list[tuple[str, list[Line]]] = []
        size = 0
        for bsn, lines in by_bsn.items():
            text = client_block(p, bsn, "".join(prestatie(p, b, ln) for ln in lines))
            if chunk and size + len(text) > limit:
                self._write_file(provider, law, chunk, periode)
                chunk, size = [], 0
            chunk.append((text, lines))
            size += len(text)
        if chunk:
            self._write_file(provider, law, chunk, periode)

    def _write_file(
        self,
        provider: Provider,
        law: str,
        chunk: list[tuple[str, list[Line]]],
        periode: tuple[date, date],
    ) -> None:
        # Dates come from counters, not the random stream, so splitting a declaration over
        # more files never changes the lines themselves.
        total = sum(ln.signed_amount for _text, lines in chunk for ln in lines)
        dagtekening = periode[1] + timedelta(days=3 + int(provider.agb) % 8)
        nummer = f"DCL{provider.next_declaratie:07d}"
        answer_date = dagtekening + timedelta(days=5 + provider.next_declaratie % 11)
        provider.next_declaratie += 1
        ident = self.sink.identificatie(provider.agb)
        parts = [
            head_323(law, provider.agb, self.gemeente, ident, dagtekening, nummer, periode, total)
        ]
        parts.extend(text for text, _lines in chunk)
        parts.append(tail_323(law))
        self.sink.write(law, "323", provider.agb, ident, "".join(parts))

        p, b = prefixes(law, "325")
        rejected_total = 0
        blocks = []
        for _text, lines in chunk:
            for ln in lines:
                self.expected.add(ln)
            rejected = [ln for ln in lines if ln.rejected and not ln.bad_bsn]
            if rejected:
                rejected_total += sum(ln.signed_amount for ln in rejected)
                body = "".join(prestatie(p, b, ln, retourcodes=ln.retourcodes) for ln in rejected)
                blocks.append(client_block(p, rejected[0].bsn, body, retour=True))
        if self.irregular and blocks:
            self.rejecting_files += 1
            if self.rejecting_files % 2 == 1:  # the answer comes two to four months late
                answer_date += timedelta(days=60 + provider.next_declaratie % 60)
        answer_ident = self.sink.identificatie(self.gemeente)
        self.sink.write(
            law,
            "325",
            provider.agb,
            answer_ident,
            msg_325(
                law,
                provider.agb,
                self.gemeente,
                answer_ident,
                answer_date,
                ident,
                dagtekening,
                nummer,
                total,
                total - rejected_total,
                "".join(blocks),
            ),
        )
