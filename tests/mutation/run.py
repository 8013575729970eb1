"""The mutation campaign: ``uv run python -m tests.mutation.run --mutants 20000``.

Makes mutants of the seed messages (``corpus.py``) and applies the oracle (``oracle.py``) to
each: no exception may escape, every file must end loaded / loaded with rejections / quarantined
with a specific reason, the two 323 readers must agree, and no clear BSN may reach a row, a
reason or a fragment. With ``--url`` (an empty database, or one with the warehouse schema) every
accepted mutant is also written by the real writer in a transaction that is rolled back, so a
value PostgreSQL refuses is found too. Failing mutants are kept (``--keep``) to become
reproducers. Exits 1 when anything failed. CI runs a few thousand mutants through pytest
(``tests/unit/test_mutation.py``); this command is for the long campaigns.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.mutation.corpus import seed_messages
from tests.mutation.mutate import mutate
from tests.mutation.oracle import Verdict, check


def _writer_check(url: str):  # type: ignore[no-untyped-def]
    """A function that writes one accepted file through the real worker and rolls it back."""
    import psycopg

    from sdw.ingest.worker import Worker
    from sdw.ingest.writer import FileWrite, write_files
    from sdw.warehouse.bootstrap import ensure_schema

    ensure_schema(url)
    worker = Worker(url, b"mutation-key-0123456789abcdef012", "mutation")
    worker.conn.execute(
        "INSERT INTO audit.ingest_batch (batch_id, inbox) VALUES ('mutation', 'mutants') "
        "ON CONFLICT DO NOTHING"
    )

    def write(path: Path) -> str | None:
        parsed = worker.parse_alone(path, f"{time.monotonic_ns()}-{path.name}", "istandaarden")
        if parsed.report.status == "deferred":
            return None
        try:
            with worker.conn.transaction(force_rollback=True):
                write_files(
                    worker.conn,
                    [FileWrite(parsed.report, 1, parsed.tables, parsed.quarantine)],
                    "mutation",
                )
        except psycopg.Error as exc:
            return f"the warehouse refused it: {type(exc).__name__}"
        return None

    return write


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mutants", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--url", help="also write accepted mutants (rolled back) into this database")
    ap.add_argument("--keep", type=Path, help="copy failing mutants into this folder")
    ap.add_argument("--json", type=Path, help="write the summary here as well")
    ap.add_argument(
        "--chunk-clients",
        type=int,
        help="stream every 323 in chunks of this many clients (the large-file path)",
    )
    args = ap.parse_args(argv)
    if args.chunk_clients:
        from sdw.istandaarden import declarations

        declarations.WHOLE_FILE_MAX_BYTES = 0
        declarations.CHUNK_CLIENTS = args.chunk_clients

    work = Path(tempfile.mkdtemp(prefix="sdw-mutation-"))
    seeds = seed_messages(work)
    originals = [(p.name, p.read_bytes()) for p in seeds]
    write = _writer_check(args.url) if args.url else None
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    problems: Counter[str] = Counter()
    failing = 0
    started = time.monotonic()
    for i in range(args.mutants):
        rng = random.Random(args.seed * 1_000_003 + i)
        name, data = rng.choice(originals)
        mutant, ops = mutate(data, rng)
        path = work / "mutants" / f"m{i:06d}_{name}"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(mutant)
        verdict: Verdict = check(path)
        if write is not None and verdict.outcome in ("loaded", "loaded_with_rejections"):
            refused = write(path)
            if refused:
                verdict.problems.append(refused)
        outcomes[verdict.outcome] += 1
        reasons[verdict.reason_code or "-"] += 1
        for p in verdict.problems:
            problems[p.split(":")[0]] += 1
        if verdict.problems:
            failing += 1
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / path.name).write_bytes(mutant)
                (args.keep / f"{path.name}.why").write_text(
                    json.dumps({"ops": ops, "problems": verdict.problems}, indent=1)
                )
        path.unlink()
        if (i + 1) % 2000 == 0:
            print(f"{i + 1} mutants, {failing} failing", file=sys.stderr, flush=True)
    summary = {
        "mutants": args.mutants,
        "seed": args.seed,
        "seed_messages": len(seeds),
        "wrote_to_warehouse": bool(args.url),
        "chunk_clients": args.chunk_clients,
        "seconds": round(time.monotonic() - started, 1),
        "outcomes": dict(outcomes),
        "file_reason_codes": dict(reasons.most_common()),
        "escaped_exceptions": outcomes["escaped"],
        "failing_mutants": failing,
        "problems": dict(problems.most_common()),
    }
    print(json.dumps(summary, indent=1))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1) + "\n")
    return 1 if failing else 0


if __name__ == "__main__":
    raise SystemExit(main())
