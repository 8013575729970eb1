"""``sdw generate``: a fictional municipality's social-domain data, reproducible from a seed.

It writes what the warehouse ingests in real life (a CBS address file and iWmo/iJw 3.2
messages, one Bericht per file) plus ``.expected.json``: the generator's own model of the
KPI outcome, so demo, tests and benchmarks can check the marts against an independent
computation.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sdw.generate.addresses import Geography, write_cbs_address_file
from sdw.generate.budgets import write_budget_files
from sdw.generate.cases import write_case_files
from sdw.generate.cbs_files import write_cbs_files
from sdw.generate.declarations import DeclarationWriter
from sdw.generate.expected import Expected
from sdw.generate.irregular import add_change_requests, shape_irregular
from sdw.generate.model import EXTRA_305_ORDER, Trajectory, add_months, build_world
from sdw.generate.sink import Sink
from sdw.generate.subsidies import write_subsidy_register
from sdw.generate.waiting import expected_waiting_times
from sdw.generate.xml_writers import (
    msg_301,
    msg_305,
    msg_305_extra,
    msg_307,
    msg_315,
    msg_317,
    msg_319,
)

__all__ = ["DEFAULT_MAX_FILE_BYTES", "SHAPES", "GenerationSummary", "generate"]

DEFAULT_MAX_FILE_BYTES = 25_000_000  # no message file larger than 25 MB


# A dot-file: ingest skips hidden files, so the generator's answer key never lands in
# quarantine as an unknown file when the folder is used as an inbox.
EXPECTED_FILE = ".expected.json"


SHAPES = ("regular", "irregular")


@dataclass
class GenerationSummary:
    out_dir: Path
    seed: int
    clients: int
    months: int
    gemeentecode: str
    address_file: Path
    expected_file: Path
    messages: dict[str, dict[str, int]] = field(default_factory=dict)  # law -> '323' -> files
    declaration_lines: int = 0
    declaration_lines_failing_bsn: int = 0
    files_written: int = 0  # all files, including the address file and .expected.json
    bytes_written: int = 0
    largest_message_bytes: int = 0
    shape: str = "regular"
    gemeentecodes: tuple[str, ...] = ()


def neighbour_gemeentecode(gemeentecode: str) -> str:
    """The second municipality of an irregular inbox (a shared service centre)."""
    return f"{(int(gemeentecode) % 9999) + 1:04d}"


def generate(
    out_dir: Path,
    *,
    clients: int = 300,
    months: int = 12,
    seed: int = 42,
    gemeentecode: str = "0999",
    start: date = date(2025, 1, 1),
    progress: Callable[[int, int], None] | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    shape: str = "regular",
) -> GenerationSummary:
    """Write a municipality's data set into ``out_dir``; same arguments, same bytes.

    ``shape='irregular'`` adds what real inboxes have and the regular sample never does (see
    ``sdw.generate.irregular``) and a second municipality (``neighbour_gemeentecode``) served
    by the same providers, both in the one folder, as a shared service centre receives them;
    it needs at least 6 months. A window that holds a December also credits December lines
    in January.

    ``progress(done, total)`` is called once for the lifecycle messages and once per month
    of declarations, per municipality.
    """
    if clients < 1 or months < 1:
        raise ValueError("clients and months must be at least 1")
    if len(gemeentecode) != 4 or not gemeentecode.isdigit():
        raise ValueError("gemeentecode must be 4 digits, e.g. '0999'")
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}")
    irregular = shape == "irregular"
    if irregular and months < 6:
        raise ValueError("the irregular shape needs at least 6 months")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = start.replace(day=1)
    window_end = add_months(start, months)
    codes = [gemeentecode, neighbour_gemeentecode(gemeentecode)] if irregular else [gemeentecode]
    total_steps = (months + 1) * len(codes)
    rng = random.Random(seed)

    geos = [Geography(code, pc4_base=9990 - 10 * i) for i, code in enumerate(codes)]
    address_file = write_cbs_address_file(out_dir, start.year - 1, geos)
    for code in codes:
        write_cbs_files(out_dir, f"GM{code}", start, months, seed)
    worlds = [build_world(rng, geos[0], clients=clients, start=start, window_end=window_end)]
    if irregular:
        shape_irregular(
            rng, worlds[0], geos[0], start=start, months=months, other_gemeente=codes[1]
        )
        shared = [p for p in worlds[0].providers if p.weight > 0]
        second = build_world(
            rng,
            geos[1],
            clients=max(8, clients // 3),
            start=start,
            window_end=window_end,
            providers=shared,
        )
        add_change_requests(second)
        worlds.append(second)
    sink = Sink(out_dir)
    expecteds: list[Expected] = []
    procedure_times: list[dict] = []
    for n, (code, world) in enumerate(zip(codes, worlds, strict=True)):
        done = n * (months + 1)
        sink.tag = f"GM{code}_" if n else ""
        _write_lifecycle(sink, world.trajectories, world.assignments, code, window_end)
        if progress is not None:
            progress(done + 1, total_steps)
        expected = Expected(f"GM{code}")
        DeclarationWriter(
            rng,
            world,
            sink,
            expected,
            start=start,
            months=months,
            gemeente=code,
            max_file_bytes=max_file_bytes,
            irregular=irregular,
        ).run(
            (lambda k, d=done: progress(d + k + 2, total_steps)) if progress is not None else None
        )
        expecteds.append(expected)
        # the second municipality's case system is another one: its own random stream
        procedure_times.append(
            write_case_files(out_dir, world, code, window_end, seed if n == 0 else seed + 7919 * n)
        )

    expected_file = out_dir / EXPECTED_FILE
    document: dict = {
        "generator": {
            "seed": seed,
            "clients": clients,
            "months": months,
            "gemeentecode": gemeentecode,
            "start": start.isoformat(),
            "address_file": address_file.name,
        },
        "municipality_code": f"GM{gemeentecode}",
    }
    if irregular:
        document["generator"]["shape"] = shape
        document["municipality_codes"] = [f"GM{code}" for code in codes]
    totals = _merged(expecteds)
    document.update(
        {
            "totals": {**totals.totals(), "messages": sink.counts},
            "care_usage_quarterly": [r for e in expecteds for r in e.quarterly_rows()],
            "care_usage_by_district_quarterly": [r for e in expecteds for r in e.district_rows()],
            **procedure_times[0],  # case export totals and procedure_times_quarterly
        }
    )
    if irregular:
        document["case_exports"] = [p["case_export"] for p in procedure_times]
        document["procedure_times_quarterly"] = [
            r for p in procedure_times for r in p["procedure_times_quarterly"]
        ]
    document["waiting_times_quarterly"] = [
        r
        for code, world in zip(codes, worlds, strict=True)
        for r in expected_waiting_times(world.trajectories, f"GM{code}", window_end)
    ]
    document["subsidy_register"] = write_subsidy_register(out_dir, gemeentecode, start.year, seed)
    # the first municipality's financial system (irregular: the neighbour sends none)
    document["budget_realisation"] = write_budget_files(
        out_dir, gemeentecode, expecteds[0].accepted_by_month, window_end
    )
    expected_file.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")

    return GenerationSummary(
        out_dir=out_dir,
        seed=seed,
        clients=clients,
        months=months,
        gemeentecode=gemeentecode,
        address_file=address_file,
        expected_file=expected_file,
        messages=sink.counts,
        declaration_lines=totals.lines,
        declaration_lines_failing_bsn=totals.bad_bsn_lines,
        files_written=sink.files + 2,
        bytes_written=sink.bytes + address_file.stat().st_size + expected_file.stat().st_size,
        largest_message_bytes=sink.max_file_bytes_seen,
        shape=shape,
        gemeentecodes=tuple(codes),
    )


def _merged(expecteds: list[Expected]) -> Expected:
    """One account of the totals over every municipality in the inbox."""
    if len(expecteds) == 1:
        return expecteds[0]
    total = Expected("")
    for e in expecteds:
        for name in ("lines", "bad_bsn_lines", "bad_bsn_amount", "rejected_lines",
                     "credit_lines", "declared", "rejected"):  # fmt: skip
            setattr(total, name, getattr(total, name) + getattr(e, name))
    return total


def _write_lifecycle(
    sink: Sink, trajectories: list[Trajectory], assignments: list, gemeente: str, window_end: date
) -> None:
    """All messages except 323/325, in date order so identificaties grow with time.

    Nothing dated on or after the end of the window is written (it has not happened yet).
    """
    events: list[tuple[date, float, str, object]] = []
    seq = 0
    for t in trajectories:
        if t.legacy:
            if t.stop_msg_date is not None:
                events.append((t.stop_msg_date, seq, "307", t))
                seq += 1
            continue
        if t.referentie is not None:
            events.append((t.request_date, seq, "315", t))
            if t.onderzoek_date is not None:
                events.append((t.onderzoek_date, seq + 1, "319-2", t))
            if t.afgewezen is not None:
                events.append((t.afgewezen[0], seq + 2, "319-1", t))
        if t.start_msg_date is not None:
            events.append((t.start_msg_date, seq + 3, "305", t))
        for i, extra in enumerate(t.extra_305):
            events.append((extra[0], seq + EXTRA_305_ORDER + i / 10, "305x", (t, extra)))
        if t.change_request is not None:
            events.append((t.change_request[0], seq + 4.5, "317", t))
        if t.stop_msg_date is not None:
            events.append((t.stop_msg_date, seq + 4, "307", t))
        seq += 5
    for a in assignments:
        events.append((a.dagtekening, seq, "301", a))
        seq += 1
    events.sort(key=lambda e: (e[0], e[1]))
    last = window_end - timedelta(days=1)
    for day, _seq, kind, obj in events:
        if day > last:
            continue
        if kind == "301":
            ident = sink.identificatie(gemeente)
            sink.write(obj.law, "301", obj.provider.agb, ident, msg_301(obj, gemeente, ident))  # type: ignore[attr-defined]
            continue
        if kind == "305x":
            traj, extra = obj  # type: ignore[misc]
            ident = sink.identificatie(traj.provider.agb)
            text = msg_305_extra(traj, gemeente, ident, extra)
            sink.write(traj.law, "305", traj.provider.agb, ident, text)
            continue
        t: Trajectory = obj  # type: ignore[assignment]
        agb = t.provider.agb
        if kind in ("319-1", "319-2"):
            ident = sink.identificatie(gemeente)
            reden = t.afgewezen[1] if kind == "319-1" and t.afgewezen else None
            sink.write(t.law, "319", agb, ident, msg_319(t, gemeente, ident, day, kind[-1], reden))
            continue
        ident = sink.identificatie(agb)
        writer = {"315": msg_315, "305": msg_305, "307": msg_307, "317": msg_317}[kind]
        sink.write(t.law, kind, agb, ident, writer(t, gemeente, ident))
