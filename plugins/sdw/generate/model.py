"""The generator's in-memory world: clients, providers and care trajectories.

A trajectory is one product for one client at one provider, followed through the message
chain: 315 request -> 319 answer(s) -> 301 assignment (possibly re-sent with a longer
Einddatum) -> 305 start -> monthly 323 lines -> 307 stop. Some are initiated by the
municipality (301 without 315), some are refused (319 '1', nothing after), and a few started
before the data window ("legacy"), so their 301/305 are not in the data at all.

All randomness comes from one seeded ``random.Random`` consumed in a fixed order, which is
what makes a seed reproduce the same bytes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sdw.generate.addresses import Address, Geography
from sdw.generate.bsn import new_bsn
from sdw.generate.catalog import FIRST_NAMES, PRODUCTS_BY_LAW, SURNAMES, Product

UNKNOWN = "UNKNOWN"
# Same-day messages of one trajectory go out 315, 319, 305, 307 (offsets 0..4); a trajectory's
# other 305s (extra_305) just before its main 305 on a tie.
EXTRA_305_ORDER = 2.5

# RedenBeeindiging differs per law (WMO588 / JZ588): delivered as planned, and early stops.
PLANNED_STOP = {"wmo": "19", "jeugdwet": "31"}
EARLY_STOP = {"wmo": ("21", "22", "23", "23", "31"), "jeugdwet": ("32", "33", "34", "34", "35")}


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, 1)


def month_last(d: date) -> date:
    return add_months(d, 1) - timedelta(days=1)


@dataclass
class Person:
    achternaam: str
    voorvoegsel: str | None
    voornaam: str
    geslacht: str
    geboortedatum: date

    @property
    def voorletters(self) -> str:
        return self.voornaam[0]


@dataclass
class Relatie:
    soort: str  # COD472, e.g. 10 ouder, 12 partner, 15 mentor
    person: Person
    contact_soort: str  # the relative's own contact: its BRP address, never the client's
    address: Address


@dataclass
class Client:
    idx: int
    bsn: str
    law: str
    person: Person
    brp: list[tuple[date, Address]]  # address history, first entry from date.min
    brp_soort: str = "01"  # '03' (verblijfadres) for the rare 301 without a BRP address
    correspondence: Address | None = None
    relatie: Relatie | None = None

    def address_on(self, d: date) -> Address:
        current = self.brp[0][1]
        for since, address in self.brp:
            if since <= d:
                current = address
        return current


@dataclass
class Provider:
    agb: str
    laws: tuple[str, ...]
    weight: float
    weekly: bool = False  # declares one line per calendar week instead of per month
    next_referentie: int = 1  # ReferentieAanbieder counter (315)
    next_declaratie: int = 1  # DeclaratieNummer counter (323)
    next_prestatie: int = 1  # ReferentieNummer counter (323 lines)
    next_bericht: int = 1  # BerichtIdentificatie counter

    def referentie_aanbieder(self) -> str:
        self.next_referentie += 1
        return f"VA{self.next_referentie - 1:07d}"


@dataclass
class Trajectory:
    client: Client
    provider: Provider
    product: Product
    toewijzingnummer: int
    request_date: date
    legacy: bool = False
    referentie: str | None = None  # ReferentieAanbieder of the 315; None = municipality-initiated
    onderzoek_date: date | None = None  # 319 '2'
    afgewezen: tuple[date, str] | None = None  # 319 '1' with RedenAfwijzingVerzoek
    toewijzing_date: date | None = None
    toewijzing_time: str = "09:00:00"
    ingang: date | None = None
    einddatum: date | None = None
    ext_date: date | None = None  # a later 301 extends the Einddatum
    ext_einddatum: date | None = None
    start_date: date | None = None  # 305 Begindatum
    start_msg_date: date | None = None
    stop_date: date | None = None  # 307 Einddatum
    stop_reason: str | None = None
    stop_msg_date: date | None = None
    district: str = UNKNOWN  # from the Soort-01 contact on the latest 301 holding it
    monthly_volume: int = 0
    # The irregular shape's extras (sdw.generate.irregular); empty in the regular one.
    start_status: str = "1"  # StatusAanlevering of the 305 at start_msg_date (2 = a correction)
    # other 305s: (Dagtekening, Begindatum, StatusAanlevering); '3' withdraws the start
    extra_305: tuple[tuple[date, date, str], ...] = ()
    # a 317 verzoek om wijziging: (Dagtekening, its ReferentieAanbieder, desired Einddatum)
    change_request: tuple[date, str, date] | None = None
    woonplaats: str | None = None  # Jeugdwet 319 Woonplaatsbeginsel: the gemeente responsible

    @property
    def law(self) -> str:
        return self.product.law

    @property
    def last_day(self) -> date | None:
        """Last day of care: the stop, else the (extended) Einddatum, else open."""
        if self.stop_date is not None:
            return self.stop_date
        return self.ext_einddatum or self.einddatum


@dataclass
class Assignment301:
    client: Client
    provider: Provider
    law: str
    dagtekening: date
    address_soort: str
    address: Address
    # (trajectory, Toewijzingsdatum, Einddatum, RedenWijziging)
    products: list[tuple[Trajectory, date, date | None, str | None]] = field(default_factory=list)


@dataclass
class World:
    clients: list[Client]
    providers: list[Provider]
    trajectories: list[Trajectory]
    assignments: list[Assignment301]


def _person(rng: random.Random, born_from: date, born_to: date) -> Person:
    voorvoegsel, achternaam = rng.choice(SURNAMES)
    voornaam, geslacht = rng.choice(FIRST_NAMES)
    span = (born_to - born_from).days
    return Person(
        achternaam, voorvoegsel, voornaam, geslacht, born_from + timedelta(days=rng.randrange(span))
    )


def _providers(rng: random.Random, clients: int) -> list[Provider]:
    n = max(4, min(150, clients // 50))
    taken: set[str] = set()
    providers = []
    for i in range(n):
        laws = (("wmo", "jeugdwet"), ("wmo",), ("jeugdwet",))[i % 3]
        while True:
            agb = f"{rng.choice(('98', '75', '41'))}{rng.randrange(1_000_000):06d}"
            if agb not in taken:
                taken.add(agb)
                break
        providers.append(Provider(agb, laws, 1.0 / (i + 1) ** 0.8, weekly=i % 4 == 1))
    return providers


def build_world(
    rng: random.Random,
    geo: Geography,
    *,
    clients: int,
    start: date,
    window_end: date,
    providers: list[Provider] | None = None,
) -> World:
    """``providers``: those of another municipality, for a shared service centre where the
    same providers serve both (their message and declaration counters run on across both)."""
    if providers is None:
        providers = _providers(rng, clients)
    by_law = {law: [p for p in providers if law in p.laws] for law in ("wmo", "jeugdwet")}
    taken_bsn: set[str] = set()
    people: list[Client] = []
    trajectories: list[Trajectory] = []
    next_toewijzing = 300_001
    forced_small = set()

    for idx in range(clients):
        law = "wmo" if rng.random() < 0.62 else "jeugdwet"
        if law == "wmo":
            person = _person(rng, date(start.year - 95, 1, 1), date(start.year - 19, 1, 1))
        else:
            person = _person(rng, date(start.year - 17, 1, 1), start - timedelta(days=200))
        # The first client of each law lives in the small wijk, so even a tiny data set has
        # district cells with 1-4 clients.
        if law not in forced_small:
            forced_small.add(law)
            address = geo.listed(rng, geo.small_wijkcode)
        elif rng.random() < 0.05:
            address = geo.unlisted(rng)
        else:
            address = geo.listed(rng, geo.pick_wijk(rng))
        client = Client(idx, new_bsn(rng, taken_bsn), law, person, [(date.min, address)])
        if rng.random() < 0.01:
            client.brp_soort = "03"
        if rng.random() < 0.15:  # correspondence address: always another wijk than the BRP one
            client.correspondence = geo.listed(rng, geo.pick_wijk(rng, exclude=address.wijkcode))
        if law == "jeugdwet" or rng.random() < 0.2:
            soort = "10" if law == "jeugdwet" else rng.choice(("12", "15", "16"))
            rel_person = _person(rng, date(start.year - 70, 1, 1), date(start.year - 25, 1, 1))
            rel_address = (
                geo.listed(rng, geo.pick_wijk(rng, exclude=address.wijkcode))
                if rng.random() < 0.7
                else geo.elsewhere(rng)
            )
            client.relatie = Relatie(soort, rel_person, "01", rel_address)
        people.append(client)

        n_traj = 1 if rng.random() < 0.8 else 2
        first_provider: Provider | None = None
        first_request: date | None = None
        for t in range(n_traj):
            if t == 1 and first_provider is not None and rng.random() < 0.5:
                provider = first_provider
            else:
                provider = rng.choices(by_law[law], [p.weight for p in by_law[law]])[0]
            products = PRODUCTS_BY_LAW[law]
            product = rng.choices(products, [p.weight for p in products])[0]
            traj = Trajectory(client, provider, product, next_toewijzing, start)
            next_toewijzing += 1
            _plan(rng, traj, start, window_end, first_request)
            first_provider, first_request = provider, traj.request_date
            trajectories.append(traj)

    _plan_moves(rng, geo, trajectories)
    assignments = _assignments(trajectories, window_end)
    return World(people, providers, trajectories, assignments)


def _plan(
    rng: random.Random, t: Trajectory, start: date, window_end: date, after: date | None
) -> None:
    """Dates of one trajectory's message chain."""
    window_days = (window_end - start).days
    roll = rng.random()
    if after is not None:
        t.request_date = after + timedelta(days=rng.randint(20, 150))
    elif roll < 0.02:
        t.legacy = True
        t.request_date = start - timedelta(days=rng.randint(300, 600))
    elif roll < 0.37:  # already in care when the window opens
        t.request_date = start - timedelta(days=rng.randint(30, 240))
    else:
        t.request_date = start + timedelta(days=rng.randrange(max(1, window_days - 30)) - 30)
    r = t.request_date
    t.ingang = r + timedelta(days=rng.randint(0, 14))  # as requested, and as assigned
    if rng.random() < 0.1 and t.law == "wmo":
        t.einddatum = None
    else:
        t.einddatum = add_months(t.ingang, rng.randint(3, 12)) - timedelta(days=1)
    lo, hi = t.product.volume
    t.monthly_volume = rng.randint(lo, hi)

    if not t.legacy and rng.random() < 0.85:
        t.referentie = t.provider.referentie_aanbieder()
        if rng.random() < 0.15:
            t.onderzoek_date = r + timedelta(days=rng.randint(1, 4))
        if rng.random() < 0.08:
            base = t.onderzoek_date or r
            t.afgewezen = (base + timedelta(days=rng.randint(2, 25)), rng.choice("234679"))
            return
    decision = rng.randint(1, 10) if rng.random() < 0.8 else rng.randint(11, 45)
    if t.onderzoek_date is not None:
        decision += (t.onderzoek_date - r).days
    t.toewijzing_date = r + timedelta(days=decision)
    t.toewijzing_time = (
        f"{rng.randint(8, 16):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    )

    if rng.random() < 0.03:
        return  # assigned, never started
    begin = max(t.ingang, t.toewijzing_date) + timedelta(days=rng.randint(0, 14))
    t.start_date = begin
    t.start_msg_date = begin + timedelta(days=rng.randint(0, 7))

    if t.einddatum is not None and rng.random() < 0.12:
        ext = t.einddatum - timedelta(days=rng.randint(10, 30))
        if ext > t.toewijzing_date:
            t.ext_date = ext
            t.ext_einddatum = add_months(
                t.einddatum + timedelta(days=1), rng.randint(3, 6)
            ) - timedelta(days=1)
    planned_end = t.ext_einddatum or t.einddatum
    if rng.random() < 0.25:
        horizon = planned_end or (begin + timedelta(days=400))
        span = max(1, (horizon - begin).days)
        stop = begin + timedelta(days=rng.randrange(span))
        if t.ext_date is not None and stop < t.ext_date:
            t.ext_date = t.ext_einddatum = None
        t.stop_date, t.stop_reason = stop, rng.choice(EARLY_STOP[t.law])
    elif planned_end is not None:
        t.stop_date, t.stop_reason = planned_end, PLANNED_STOP[t.law]
    if t.stop_date is not None:
        t.stop_date = max(t.stop_date, begin)
        t.stop_msg_date = t.stop_date + timedelta(days=rng.randint(0, 10))


def _plan_moves(rng: random.Random, geo: Geography, trajectories: list[Trajectory]) -> None:
    """Half the clients whose assignment gets re-sent moved before it, to another wijk.

    The district of every line follows the address on the latest 301, so these clients'
    earlier months move with them, which is exactly what the mart definition says.
    """
    for t in trajectories:
        if t.ext_date is None or t.toewijzing_date is None or len(t.client.brp) > 1:
            continue
        if rng.random() < 0.5:
            gap = (t.ext_date - t.toewijzing_date).days
            if gap < 2:
                continue
            moved = t.toewijzing_date + timedelta(days=rng.randint(1, gap - 1))
            old = t.client.brp[0][1]
            t.client.brp.append((moved, geo.listed(rng, geo.pick_wijk(rng, exclude=old.wijkcode))))


def _assignments(trajectories: list[Trajectory], window_end: date) -> list[Assignment301]:
    """The 301 messages: one per client x provider x day on which something was assigned.

    A 301 carries every assignment of that client at that provider still running on its
    date, as the standard asks, so an older ToewijzingNummer reappears in later 301s (with
    the client's address of that day). Days after the window are not in the data.
    """
    groups: dict[tuple[int, str], list[Trajectory]] = {}
    for t in trajectories:
        if t.legacy or t.toewijzing_date is None:
            continue
        groups.setdefault((t.client.idx, t.provider.agb), []).append(t)
    result: list[Assignment301] = []
    for group in groups.values():
        days = sorted(
            {t.toewijzing_date for t in group if t.toewijzing_date}
            | {t.ext_date for t in group if t.ext_date}
        )
        for day in days:
            if day >= window_end:
                break
            client, provider = group[0].client, group[0].provider
            address = client.address_on(day)
            a = Assignment301(client, provider, group[0].law, day, client.brp_soort, address)
            for t in group:
                assert t.toewijzing_date is not None
                if t.toewijzing_date > day:
                    continue
                extended = t.ext_date is not None and t.ext_date <= day
                einde = t.ext_einddatum if extended else t.einddatum
                if einde is not None and einde < day:
                    continue
                if t.stop_date is not None and t.stop_date < day:
                    continue
                if extended:
                    a.products.append((t, t.ext_date, einde, "04"))  # type: ignore[arg-type]
                else:
                    a.products.append((t, t.toewijzing_date, einde, None))
                t.district = _district(a)
            if a.products:
                result.append(a)
    return result


def _district(a: Assignment301) -> str:
    if a.address_soort != "01" or a.address.wijkcode is None:
        return UNKNOWN
    return f"WK{a.address.wijkcode:06d}"


@dataclass(slots=True)
class Line:
    """One declared Prestatie as the provider wrote it, and what the municipality made of it."""

    traj: Trajectory
    bsn: str  # as written: a mistyped one when bad_bsn
    ref: str  # ReferentieNummer, unique per provider
    vorig: str | None  # VorigReferentieNummer on a credit line
    begin: date  # ProductPeriode
    end: date
    volume: int
    amount: int  # eurocent, unsigned
    dc: str  # 'D' | 'C'
    bad_bsn: bool = False
    retourcodes: tuple[str, ...] = ()  # non-empty when the 325 rejects the line

    @property
    def signed_amount(self) -> int:
        return self.amount if self.dc == "D" else -self.amount

    @property
    def signed_volume(self) -> int:
        return self.volume if self.dc == "D" else -self.volume

    @property
    def rejected(self) -> bool:
        return bool(self.retourcodes)
