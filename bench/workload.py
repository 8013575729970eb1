"""The workload: ``sdw generate`` at a chosen scale, split into what the benchmark loads.

The generator is run once with ``months + 1`` months. Its last month is held back as "the month
that arrives next" (for the incremental build); every file is hard-linked into one inbox:

- ``decl/``:      the 323 declaration files of the base months — the files every throughput
  number (project ingest, parse ceiling, naive peer) is measured on;
- ``answers/``:   the 325 answers of the base months and the CBS files (address file included);
- ``lifecycle/``: the 301/305/307/315/319 messages dated in the base months;
- ``month/``, ``month_lifecycle/``: the same for the held-back month (323 + 325, and the rest).

A 323 belongs to the month of its DeclaratiePeriode, a 325 to the 323 it answers, any other
message to the month of its Dagtekening.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.common import WORK, log, run_measured

# Declaration lines per client over 13 months, measured on the generator (seed 42): ~9.6.
SCALES = {
    "small": {"clients": 5_200, "months": 12},
    "1m": {"clients": 104_000, "months": 12},
    "10m": {"clients": 1_040_000, "months": 12},
}
SEED = 42
FILE_LIMIT = 25_000_000  # OP179: no iStandaarden file larger than 25 MB

_PRESTATIE = re.compile(rb"<(?:[\w.-]+:)?Prestatie[\s>]")
_DECL_BEGIN = re.compile(rb"DeclaratiePeriode>\s*<(?:[\w.-]+:)?Begindatum>(\d{4}-\d{2})")
_DAGTEKENING = re.compile(rb"<(?:[\w.-]+:)?Dagtekening>(\d{4}-\d{2})")
_DECL_IDENT = re.compile(rb"DeclaratieIdentificatie>\s*<(?:[\w.-]+:)?Identificatie>(\d+)</")
_NAME = re.compile(r"^(wmo|jeugdwet)_(\d{3})_(\d+)_(\d+)\.xml$")


@dataclass
class Workload:
    scale: str
    root: Path
    gen_dir: Path
    decl: Path
    answers: Path
    lifecycle: Path
    month: Path
    month_lifecycle: Path
    clients: int
    months_base: int
    expected: dict
    generate_s: float = 0.0
    generate_peak_rss_mb: float = 0.0
    decl_files: list[str] = field(default_factory=list)
    decl_lines: int = 0  # 323 lines in decl/ (all Prestatie elements)
    month_decl_lines: int = 0
    facts: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        d = asdict(self)
        for k in ("root", "gen_dir", "decl", "answers", "lifecycle", "month", "month_lifecycle"):
            d[k] = str(d[k])
        d.pop("expected")
        d.pop("decl_files")
        return d


def count_lines(path: Path) -> int:
    return len(_PRESTATIE.findall(path.read_bytes()))


def _head(path: Path, n: int = 8192) -> bytes:
    with path.open("rb") as fh:
        return fh.read(n)


def workload_root(scale: str, clients: int | None = None) -> Path:
    """Where a scale's generated files and inboxes live (one folder per generator input)."""
    spec = SCALES[scale]
    return WORK / f"{scale}-c{clients or spec['clients']}-m{spec['months'] + 1}-s{SEED}"


def sample_decl(scale: str, n: int) -> list[Path]:
    """``n`` of the scale's measured 323 files, spread evenly over the year (for the profile,
    the CPU split and the ladder, which look at a sample of the files the run measures)."""
    decl = workload_root(scale) / "decl"
    if not decl.is_dir():
        raise SystemExit(f"{decl} missing: run `python -m bench.run --scale {scale}` first")
    files = sorted(decl.iterdir())
    return files[:: max(1, len(files) // n)][:n]


def link_inbox(files: list[Path], name: str) -> Path:
    """A fresh inbox ``bench/work/<name>`` holding hard links to ``files``."""
    inbox = WORK / name
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir(parents=True)
    for f in files:
        os.link(f, inbox / f.name)
    return inbox


def generate(
    scale: str, *, reuse: bool = True, clients: int | None = None, split: bool = True
) -> Workload:
    spec = dict(SCALES[scale])
    if clients:
        spec["clients"] = clients
    months_total = spec["months"] + 1
    root = workload_root(scale, spec["clients"])
    gen_dir = root / "generated"
    done_marker = root / "generated.json"
    gen_facts: dict = {}
    if reuse and done_marker.exists():
        gen_facts = json.loads(done_marker.read_text())
        log(f"reusing generated workload in {gen_dir}")
    else:
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        log(f"sdw generate {gen_dir} --clients {spec['clients']} --months {months_total}")
        m = run_measured(
            [
                sys.executable,
                "-m",
                "sdw.cli",
                "generate",
                str(gen_dir),
                "--clients",
                str(spec["clients"]),
                "--months",
                str(months_total),
                "--seed",
                str(SEED),
            ]
        )
        gen_facts = {"generate_s": m.seconds, "generate_peak_rss_mb": m.peak_single_rss_mb}
        log(f"generated in {m.seconds:.1f} s, peak RSS {m.peak_single_rss_mb:.0f} MB")
        done_marker.write_text(json.dumps(gen_facts))
    expected = json.loads((gen_dir / ".expected.json").read_text())
    w = Workload(
        scale=scale,
        root=root,
        gen_dir=gen_dir,
        decl=root / "decl",
        answers=root / "answers",
        lifecycle=root / "lifecycle",
        month=root / "month",
        month_lifecycle=root / "month_lifecycle",
        clients=spec["clients"],
        months_base=spec["months"],
        expected=expected,
        **gen_facts,
    )
    if split:
        _split(w, reuse)
    return w


def _split(w: Workload, reuse: bool = True) -> None:
    """Hard-link every generated file into its inbox (see the module doc), once: a later run
    on the same generated files reuses the inboxes (at 10m, 4.3M links take ~15 minutes)."""
    marker = w.root / "split.json"
    if reuse and marker.exists():
        done = json.loads(marker.read_text())
        w.decl_files, w.decl_lines = done["decl_files"], done["decl_lines"]
        w.month_decl_lines, w.facts = done["month_decl_lines"], done["facts"]
        log(f"reusing the inboxes split in {w.root}")
        return
    marker.unlink(missing_ok=True)
    _link(w)
    _summarise(w)
    marker.write_text(
        json.dumps(
            {
                "decl_files": w.decl_files,
                "decl_lines": w.decl_lines,
                "month_decl_lines": w.month_decl_lines,
                "facts": w.facts,
            }
        )
    )


def _dirs(w: Workload) -> tuple[Path, ...]:
    return (w.decl, w.answers, w.lifecycle, w.month, w.month_lifecycle)


def _link(w: Workload) -> None:
    start = w.expected["generator"]["start"]  # 'YYYY-MM-DD'
    y, m = int(start[:4]), int(start[5:7])
    y, m = divmod((y * 12 + m - 1) + w.months_base, 12)
    last_month = f"{y:04d}-{m + 1:02d}".encode()
    for d in _dirs(w):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    held_back_323: set[tuple[str, str, str]] = set()
    names = sorted(p.name for p in w.gen_dir.iterdir() if p.is_file())
    later: list[str] = []
    for name in names:
        if name.startswith("."):
            continue
        src = w.gen_dir / name
        mm = _NAME.match(name)
        if mm is None:  # CBS files
            os.link(src, w.answers / name)
            continue
        law, number, agb, ident = mm.groups()
        if number == "325":
            later.append(name)
            continue
        head = _head(src)
        if number == "323":
            begin = _DECL_BEGIN.search(head)
            assert begin, name
            if begin.group(1) == last_month:
                held_back_323.add((law, agb, ident))
                os.link(src, w.month / name)
            else:
                os.link(src, w.decl / name)
        else:
            dag = _DAGTEKENING.search(head)
            assert dag, name
            dest = w.month_lifecycle if dag.group(1) >= last_month else w.lifecycle
            os.link(src, dest / name)
    for name in later:  # 325: with the 323 it answers
        law, _number, agb, _ident = _NAME.match(name).groups()  # type: ignore[union-attr]
        answered = _DECL_IDENT.search(_head(w.gen_dir / name))
        assert answered, name
        dest = w.month if (law, agb, answered.group(1).decode()) in held_back_323 else w.answers
        os.link(w.gen_dir / name, dest / name)


def _summarise(w: Workload) -> None:
    """Count what the inboxes hold and check it against the generator's own total."""
    per_kind: dict[str, int] = {}
    sizes_323: list[int] = []
    bytes_total = 0  # every generated file, .expected.json included
    for p in w.gen_dir.iterdir():
        if not p.is_file():
            continue
        size = p.stat().st_size
        bytes_total += size
        if p.name.startswith("."):
            continue
        mm = _NAME.match(p.name)
        number = mm.group(2) if mm else "cbs"
        per_kind[number] = per_kind.get(number, 0) + 1
        if number == "323":
            sizes_323.append(size)
    w.decl_files = sorted(p.name for p in w.decl.iterdir())
    w.decl_lines = sum(count_lines(w.decl / n) for n in w.decl_files)
    w.month_decl_lines = sum(count_lines(p) for p in w.month.glob("*_323_*.xml"))
    total = w.expected["totals"]["declaration_lines"]
    if w.decl_lines + w.month_decl_lines != total:
        raise AssertionError(
            f"323 lines in files ({w.decl_lines} + {w.month_decl_lines}) differ from the "
            f"generator's total {total}"
        )
    sizes_323.sort()
    w.facts = {
        "files_per_kind": per_kind,
        "files_total": sum(per_kind.values()),
        "bytes_total": bytes_total,
        **{f"files_{d.name}": sum(1 for _ in d.iterdir()) for d in _dirs(w)},
        "file_323_bytes_max": sizes_323[-1] if sizes_323 else 0,
        "file_323_bytes_median": sizes_323[len(sizes_323) // 2] if sizes_323 else 0,
        "file_323_over_25mb": sum(1 for s in sizes_323 if s > FILE_LIMIT),
        "lines_per_323_file_mean": round(total / max(1, len(sizes_323)), 1),
    }
    log(
        f"workload: {w.decl_lines:,} lines in {len(w.decl_files)} 323 files (base), "
        f"{w.month_decl_lines:,} in the held-back month; {w.facts['files_total']:,} files; "
        f"largest 323 {w.facts['file_323_bytes_max'] / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    # Generate (and time) a scale's files without splitting: `python -m bench.workload 10m`
    for name in sys.argv[1:]:
        generate(name, split=False)
