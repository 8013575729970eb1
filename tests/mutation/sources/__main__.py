"""The source mutation campaign:
``uv run python -m tests.mutation.sources --source budget-csv --mutants 20000``.

For each source contract (``--source all``: every one), makes valid files and mutants of them
and applies the source oracle (``oracle.py``) to each. With ``--url`` (an empty database, or
one with the warehouse schema) every mutant that loads anything is also written by the real
writer in a transaction that is rolled back, so a value PostgreSQL refuses is found too.
Failing mutants are kept (``--keep``) with a README line each, to become reproducers. Prints
per source: mutants, outcomes, failures by class, time; exits 1 when anything failed. CI runs
a few hundred per source through pytest (``tests/unit/test_source_mutation.py``).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tests.mutation.sources.contracts import CONTRACTS, Contract
from tests.mutation.sources.mutate import Mutant, mutate
from tests.mutation.sources.oracle import Verdict, check, context, problem_class, read


def _writer_check(url: str) -> Callable[[Path, str, str], str | None]:
    """A function that writes one parsed file through the real writer and rolls it back."""
    import psycopg

    from sdw.ingest.writer import FileWrite, write_files
    from sdw.warehouse.bootstrap import ensure_schema

    ensure_schema(url)
    conn = psycopg.connect(url, autocommit=True)
    conn.execute(
        "INSERT INTO audit.ingest_batch (batch_id, inbox) VALUES ('mutation', 'mutants') "
        "ON CONFLICT DO NOTHING"
    )
    ctx = context()

    def write(path: Path, file_hash: str, kind: str) -> str | None:
        parsed = read(path, file_hash, kind, ctx)
        size = path.stat().st_size
        files = [FileWrite(parsed.report, size, parsed.tables, parsed.quarantine)]
        try:
            with conn.transaction(force_rollback=True):
                write_files(conn, files, "mutation")
        except psycopg.Error as exc:
            first = (str(exc).strip().splitlines() or [""])[0]
            return f"the warehouse refused it ({type(exc).__name__}): {first[:200]}"
        return None

    return write


def _keep(folder: Path, n: int, mutant: Mutant, verdict: Verdict, source: str) -> None:
    """The mutant under a safe name (its own name may be any bytes), its real name and why in
    the README."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix = mutant.name.rpartition(".")[2] if "." in mutant.name else "bin"
    kept = f"{source}_{n:06d}.{suffix}"
    (folder / kept).write_bytes(mutant.data)
    line = {"file": kept, "name": repr(mutant.name), "ops": mutant.ops,
            "problems": verdict.problems}  # fmt: skip
    with (folder / "README.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, ensure_ascii=True) + "\n")


def campaign(
    contract: Contract,
    mutants: int,
    seed: int,
    work: Path,
    write: Callable[[Path, str, str], str | None] | None,
    keep: Path | None,
) -> dict[str, object]:
    outcomes: Counter[str] = Counter()
    problems: Counter[str] = Counter()
    examples: dict[str, str] = {}
    failing = 0
    started = time.monotonic()
    for i in range(mutants):
        rng = random.Random(f"{seed}:{contract.name}:{i}")
        mutant = mutate(contract.valid(rng), rng)
        folder = work / f"m{i}"
        folder.mkdir()
        path = folder / mutant.name
        path.write_bytes(mutant.data)
        file_hash = f"{contract.name}-{seed}-{i}"
        verdict = check(path, contract, mutant, file_hash)
        if write is not None and verdict.outcome in ("loaded", "loaded_with_rejections"):
            refused = write(path, f"{file_hash}-{time.monotonic_ns()}", verdict.kind)
            if refused:
                verdict.add(refused)
        outcomes[verdict.outcome] += 1
        for p in verdict.problems:
            problems[problem_class(p)] += 1
            examples.setdefault(problem_class(p), f"#{i} {mutant.ops} {p}"[:300])
        if verdict.problems:
            failing += 1
            if keep is not None:
                _keep(keep, i, mutant, verdict, contract.name)
        path.unlink()
        folder.rmdir()
    seconds = time.monotonic() - started
    return {
        "source": contract.name,
        "kind": contract.kind,
        "mutants": mutants,
        "seconds": round(seconds, 1),
        "seconds_per_1000": round(1000 * seconds / max(mutants, 1), 1),
        "outcomes": dict(outcomes),
        "failing_mutants": failing,
        "failures_by_class": dict(problems.most_common()),
        "first_example_per_class": examples,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.mutation.sources",
                                 description=__doc__.splitlines()[0])  # fmt: skip
    ap.add_argument("--source", default="all", choices=["all", *CONTRACTS])
    ap.add_argument("--mutants", type=int, default=20_000, help="per source")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--url", help="also write loaded mutants (rolled back) into this database")
    ap.add_argument("--keep", type=Path, help="write failing mutants (and a README) here")
    ap.add_argument("--json", type=Path, help="write the summary here as well")
    args = ap.parse_args(argv)
    logging.getLogger("sdw").setLevel(logging.CRITICAL)  # the guard logs every traceback

    write = _writer_check(args.url) if args.url else None
    names = list(CONTRACTS) if args.source == "all" else [args.source]
    summaries = []
    failing = 0
    with tempfile.TemporaryDirectory(prefix="sdw-source-mutation-") as tmp:
        for name in names:
            summary = campaign(CONTRACTS[name], args.mutants, args.seed, Path(tmp), write,
                               args.keep)  # fmt: skip
            summaries.append(summary)
            failing += int(summary["failing_mutants"])  # type: ignore[call-overload]
            print(json.dumps(summary, indent=1, ensure_ascii=False), flush=True)
    if args.json:
        args.json.write_text(json.dumps(summaries, indent=1, ensure_ascii=False) + "\n")
    print(f"{failing} failing mutants over {len(names)} sources", file=sys.stderr)
    return 1 if failing else 0


if __name__ == "__main__":
    raise SystemExit(main())
