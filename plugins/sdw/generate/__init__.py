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

from sdw.generate.addresses import Geography
from sdw.generate.cases import write_case_files
from sdw.generate.cbs_files import write_cbs_files
from sdw.generate.declarations import DeclarationWriter
from sdw.generate.expected import Expected
from sdw.generate.model import Trajectory, add_months, build_world
from sdw.generate.sink import Sink
from sdw.generate.waiting import expected_waiting_times
from sdw.generate.xml_writers import msg_301, msg_305, msg_307, msg_315, msg_319

__all__ = ["DEFAULT_MAX_FILE_BYTES", "GenerationSummary", "generate"]

DEFAULT_MAX_FILE_BYTES = 25_000_000  # no message file larger than 25 MB


# A dot-file: ingest skips hidden files, so the generator's answer key never lands in
# quarantine as an unknown file when the folder is used as an inbox.
EXPECTED_FILE = ".expected.json"


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
) -> GenerationSummary:
    """Write a municipality's data set into ``out_dir``; same arguments, same bytes.

    ``progress(done, total)`` is called once for the lifecycle messages and once per month
    of declarations.
    """
    if clients < 1 or months < 1:
        raise ValueError("clients and months must be at least 1")
    if len(gemeentecode) != 4 or not gemeentecode.isdigit():
        raise ValueError("gemeentecode must be 4 digits, e.g. '0999'")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = start.replace(day=1)
    window_end = add_months(start, months)
    total_steps = months + 1
    rng = random.Random(seed)

    geo = Geography(gemeentecode)
    address_file = geo.write_cbs_file(out_dir, start.year - 1)
    write_cbs_files(out_dir, f"GM{gemeentecode}", start, months, seed)
    world = build_world(rng, geo, clients=clients, start=start, window_end=window_end)
    sink = Sink(out_dir)
    _write_lifecycle(sink, world.trajectories, world.assignments, gemeentecode, window_end)
    if progress is not None:
        progress(1, total_steps)

    expected = Expected(f"GM{gemeentecode}")
    DeclarationWriter(
        rng,
        world,
        sink,
        expected,
        start=start,
        months=months,
        gemeente=gemeentecode,
        max_file_bytes=max_file_bytes,
    ).run((lambda k: progress(k + 2, total_steps)) if progress is not None else None)

    procedure_times = write_case_files(out_dir, world, gemeentecode, window_end, seed)
    expected_file = out_dir / EXPECTED_FILE
    document = {
        "generator": {
            "seed": seed,
            "clients": clients,
            "months": months,
            "gemeentecode": gemeentecode,
            "start": start.isoformat(),
            "address_file": address_file.name,
        },
        "municipality_code": f"GM{gemeentecode}",
        "totals": {**expected.totals(), "messages": sink.counts},
        "care_usage_quarterly": expected.quarterly_rows(),
        "care_usage_by_district_quarterly": expected.district_rows(),
        **procedure_times,  # case export totals and procedure_times_quarterly
        "waiting_times_quarterly": expected_waiting_times(
            world.trajectories, f"GM{gemeentecode}", window_end
        ),
    }
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
        declaration_lines=expected.lines,
        declaration_lines_failing_bsn=expected.bad_bsn_lines,
        files_written=sink.files + 2,
        bytes_written=sink.bytes + address_file.stat().st_size + expected_file.stat().st_size,
        largest_message_bytes=sink.max_file_bytes_seen,
    )


def _write_lifecycle(
    sink: Sink, trajectories: list[Trajectory], assignments: list, gemeente: str, window_end: date
) -> None:
    """All messages except 323/325, in date order so identificaties grow with time.

    Nothing dated on or after the end of the window is written (it has not happened yet).
    """
    events: list[tuple[date, int, str, object]] = []
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
        t: Trajectory = obj  # type: ignore[assignment]
        agb = t.provider.agb
        if kind in ("319-1", "319-2"):
            ident = sink.identificatie(gemeente)
            reden = t.afgewezen[1] if kind == "319-1" and t.afgewezen else None
            sink.write(t.law, "319", agb, ident, msg_319(t, gemeente, ident, day, kind[-1], reden))
            continue
        ident = sink.identificatie(agb)
        writer = {"315": msg_315, "305": msg_305, "307": msg_307}[kind]
        sink.write(t.law, kind, agb, ident, writer(t, gemeente, ident))
