"""The irregular shape: what real inboxes hold and the sample municipality never does.

The regular world is smooth: many providers with many clients, every category in every
quarter, requests in every quarter. A real municipality has a provider with one client, a
provider that begins or ends its contract halfway, a category bought once, a quarter in which
no request arrives while older ones are still open, change requests (317), refusals because
another municipality is responsible (319 reasons 5 and 8), starts that are corrected or
withdrawn (305 StatusAanlevering 2 and 3). These are placed here on purpose, with dates worked
out from the window, on top of a regular world; the generator's model then has to account for
them like for everything else.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sdw.generate.addresses import Geography
from sdw.generate.bsn import new_bsn
from sdw.generate.catalog import ONE_QUARTER_PRODUCT, PRODUCTS_BY_LAW, Product
from sdw.generate.expected import quarter_start
from sdw.generate.model import (
    EARLY_STOP,
    PLANNED_STOP,
    Client,
    Provider,
    Trajectory,
    World,
    _assignments,
    _person,
    add_months,
)

QUIET_LAW = "jeugdwet"


def quiet_quarter(start: date, months: int) -> date:
    """The quarter in which no Jeugdwet request arrives: the middle of the window, so that
    there are requests before and after it (and older ones still open during it)."""
    return quarter_start(add_months(start, (months - 1) // 2))


@dataclass
class _Shaper:
    rng: random.Random
    world: World
    geo: Geography
    start: date
    quiet: date

    @property
    def quiet_end(self) -> date:
        return add_months(self.quiet, 3) - timedelta(days=1)

    def avoid_quiet(self, law: str, d: date) -> date:
        """A request date outside the quiet quarter of the quiet law."""
        if law == QUIET_LAW and self.quiet <= d <= self.quiet_end:
            return self.quiet_end + timedelta(days=5)
        return d

    def client(self, law: str) -> Client:
        rng = self.rng
        taken = {c.bsn for c in self.world.clients}
        if law == "wmo":
            person = _person(
                rng, date(self.start.year - 90, 1, 1), date(self.start.year - 20, 1, 1)
            )
        else:
            person = _person(rng, date(self.start.year - 16, 1, 1), date(self.start.year - 4, 1, 1))
        address = self.geo.listed(rng, self.geo.pick_wijk(rng))
        c = Client(len(self.world.clients), new_bsn(rng, taken), law, person, [(date.min, address)])
        self.world.clients.append(c)
        return c

    def provider(self, laws: tuple[str, ...]) -> Provider:
        taken = {p.agb for p in self.world.providers}
        while True:
            agb = f"52{self.rng.randrange(1_000_000):06d}"
            if agb not in taken:
                break
        p = Provider(agb, laws, 0.0)
        self.world.providers.append(p)
        return p

    def regular_provider(self, law: str) -> Provider:
        return next(p for p in self.world.providers if law in p.laws)

    def trajectory(
        self,
        provider: Provider,
        product: Product,
        request: date,
        *,
        decision_days: int | None = 4,
        start_days: int | None = 6,
        care_days: int | None = None,
        early_stop: bool = False,
        client: Client | None = None,
    ) -> Trajectory:
        """One trajectory with every date given: request (a 315), decision (a 301) after
        ``decision_days``, start (a 305) ``start_days`` after that, stop (a 307) after
        ``care_days`` of care."""
        law = product.law
        request = self.avoid_quiet(law, request)
        number = 1 + max(t.toewijzingnummer for t in self.world.trajectories)
        t = Trajectory(client or self.client(law), provider, product, number, request)
        t.referentie = provider.referentie_aanbieder()
        t.ingang = request + timedelta(days=7)
        t.einddatum = add_months(t.ingang, 12) - timedelta(days=1)
        lo, hi = product.volume
        t.monthly_volume = (lo + hi) // 2
        self.world.trajectories.append(t)
        if decision_days is None:
            return t
        t.toewijzing_date = request + timedelta(days=decision_days)
        if start_days is None:
            return t
        t.start_date = max(t.ingang, t.toewijzing_date) + timedelta(days=start_days)
        t.start_msg_date = t.start_date + timedelta(days=2)
        if care_days is not None:
            t.stop_date = t.start_date + timedelta(days=care_days)
            t.stop_reason = EARLY_STOP[law][0] if early_stop else PLANNED_STOP[law]
            t.einddatum = max(t.einddatum, t.stop_date)
            t.stop_msg_date = t.stop_date + timedelta(days=3)
        return t


def shape_irregular(
    rng: random.Random,
    world: World,
    geo: Geography,
    *,
    start: date,
    months: int,
    other_gemeente: str,
) -> None:
    """Add the irregular shapes to a regular world (in place) and recompute its 301s."""
    window_end = add_months(start, months)
    s = _Shaper(rng, world, geo, start, quiet_quarter(start, months))
    mid = add_months(start, months // 2)
    wmo, jw = PRODUCTS_BY_LAW["wmo"][0], PRODUCTS_BY_LAW["jeugdwet"][0]

    # A provider with one client whose contract begins halfway through the window; the
    # client's provider later asks to extend the assignment (a 317 nobody answers).
    newcomer = s.provider(("wmo",))
    t = s.trajectory(newcomer, wmo, mid + timedelta(days=3), care_days=None)
    assert t.start_date is not None
    t.einddatum = None
    t.change_request = (
        t.start_date + timedelta(days=20),
        newcomer.referentie_aanbieder(),
        t.start_date + timedelta(days=200),
    )

    # A provider with two clients that stops at a third of the window (contract ended).
    leaver = s.provider(("jeugdwet",))
    stop_at = add_months(start, max(1, months // 3))
    for before in (60, 40):
        t = s.trajectory(leaver, jw, start - timedelta(days=before), care_days=0)
        assert t.start_date is not None
        t.stop_date = stop_at - timedelta(days=1)
        t.stop_reason, t.stop_msg_date = EARLY_STOP["jeugdwet"][1], stop_at + timedelta(days=2)

    # Open through the quiet quarter: requested just before it, decided only after it.
    slow = s.trajectory(
        s.regular_provider(QUIET_LAW),
        PRODUCTS_BY_LAW[QUIET_LAW][2],
        s.quiet - timedelta(days=15),
        decision_days=15 + (s.quiet_end - s.quiet).days + 10,
    )
    slow.onderzoek_date = slow.request_date + timedelta(days=3)

    # A category bought once: requested, assigned, delivered and stopped in one quarter.
    first_q = start if start == quarter_start(start) else add_months(quarter_start(start), 3)
    s.trajectory(
        s.regular_provider("wmo"), ONE_QUARTER_PRODUCT, first_q + timedelta(days=2), care_days=30
    )

    # Refusals because another municipality is responsible: reason 5 (andere gemeente) and,
    # for Jeugdwet, 8 (woonplaatsbeginsel) naming the responsible gemeente.
    t = s.trajectory(s.regular_provider("wmo"), wmo, start + timedelta(days=20), decision_days=None)
    t.afgewezen = (t.request_date + timedelta(days=6), "5")
    t = s.trajectory(
        s.regular_provider("jeugdwet"), jw, s.quiet - timedelta(days=40), decision_days=None
    )
    t.afgewezen, t.woonplaats = (t.request_date + timedelta(days=9), "8"), other_gemeente

    # A start the provider corrects (StatusAanlevering 2 replaces a wrong Begindatum) and one
    # it withdraws (StatusAanlevering 3: care never began, nothing is declared).
    t = s.trajectory(s.regular_provider("wmo"), wmo, start + timedelta(days=30), care_days=90)
    assert t.start_date is not None and t.start_msg_date is not None
    t.extra_305 = ((t.start_msg_date - timedelta(days=1), t.start_date - timedelta(days=2), "1"),)
    t.start_status = "2"
    t = s.trajectory(
        s.regular_provider("jeugdwet"), jw, start + timedelta(days=35), start_days=None
    )
    assert t.toewijzing_date is not None
    begin = t.toewijzing_date + timedelta(days=5)
    t.extra_305 = ((begin + timedelta(days=1), begin, "1"), (begin + timedelta(days=8), begin, "3"))

    add_change_requests(world)
    quiet_requests(world, s.quiet, s.quiet_end)
    world.assignments = _assignments(world.trajectories, window_end)


def add_change_requests(world: World) -> None:
    """A 317 before every extension: the provider asks, the municipality's later 301 extends."""
    for t in world.trajectories:
        if t.ext_date is None or t.ext_einddatum is None or t.toewijzing_date is None:
            continue
        asked = max(t.toewijzing_date + timedelta(days=1), t.ext_date - timedelta(days=7))
        t.change_request = (asked, t.provider.referentie_aanbieder(), t.ext_einddatum)


def quiet_requests(world: World, quiet: date, quiet_end: date) -> None:
    """No Jeugdwet request in the quiet quarter: care assigned then was the municipality's
    own initiative (a 301 without a 315), so nothing is requested or refused in it."""
    for t in world.trajectories:
        if t.law == QUIET_LAW and t.referentie is not None and quiet <= t.request_date <= quiet_end:
            t.referentie = None
            t.onderzoek_date = None
            if t.afgewezen is not None:
                t.afgewezen = None
