"""Workload shapes (issue 14) and the validated-parse ceiling each one is measured against.

Three shapes, each measured as "project ingest" against "lxml parsing plus schema validation of
the same files on as many processes as the ingest has workers":

- ``lifecycle``: the 301/305/307/315/319 messages (317s only come with ``--shape irregular``),
  one small file each — what a municipality receives most of;
- ``providers``: the base months' 323 lines re-grouped over a realistic, heavy-tailed set of
  providers (see :func:`provider_split`) — many providers with a handful of clients, a few
  with thousands, one file per provider, law and month;
- ``large``: the generator's own 323 files, one per provider, law and month over 150
  providers (up to 25 MB at 10m) — the workload the benchmark always measured.

The generator (``plugins/sdw/generate``) draws clients over at most 150 providers with weights
``1/(i+1)**0.8``: at 1m its smallest provider still has a few hundred clients, so the shape is
built here, from its files, without changing it.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import re
import shutil
import time
from collections import Counter
from copy import deepcopy
from functools import cache
from pathlib import Path

from lxml import etree

from bench.common import REPO, log

# The reference iWmo/iJw 3.2 XSDs (../shared/reference, beside the checkout); never copied.
REFERENCE = REPO.parent / "shared" / "reference" / "istandaarden"
_OFFICIAL = {"wmo": ("iwmo-3.2", "WMO"), "jeugdwet": ("ijw-3.2", "JW")}
_NAME = re.compile(r"^(wmo|jeugdwet)_(\d{3})_(\d+)_(\d+)\.xml$")

# --- the provider-size distribution ----------------------------------------------------------
# N providers (one per CLIENTS_PER_PROVIDER clients: 1m's ~94,000 provider-clients give ~590)
# with client counts following Zipf's law, s_i ~ i**-ALPHA, none larger than the generator's
# largest provider, summing exactly to the clients. ALPHA = 1.5 gives at 1m a median provider
# with a handful of clients and about a dozen with a thousand or more (see provider_split's
# facts, written to the results).
ALPHA = 1.5
CLIENTS_PER_PROVIDER = 160
SPLIT_SEED = 14


def official_xsd(law: str, number: str) -> Path | None:
    folder, prefix = _OFFICIAL[law]
    path = REFERENCE / folder / "xsd" / f"{prefix}{number}.xsd"
    return path if path.exists() else None


def official_xsd_missing(files: list[Path]) -> str | None:
    """Why the official-XSD ceiling cannot be measured on ``files``, or None when it can."""
    if not REFERENCE.is_dir():
        return f"reference XSDs not found at {REFERENCE}"
    kinds = {_kind(p) for p in files}
    missing = sorted(f"{law} {nr}" for law, nr in kinds if official_xsd(law, nr) is None)
    return f"no official XSD for {', '.join(missing)} in {REFERENCE}" if missing else None


def _kind(path: Path) -> tuple[str, str]:
    m = _NAME.match(path.name)
    if m is None:
        raise ValueError(f"not a generated iStandaarden file name: {path.name}")
    return m.group(1), m.group(2)


# --- the validated-parse ceiling --------------------------------------------------------------


@cache
def _schema(kind: str, law: str, number: str) -> etree.XMLSchema:
    if kind == "own":
        from sdw.istandaarden.messages import MessageType
        from sdw.istandaarden.schema import schema_for

        return schema_for(MessageType(law, number))
    xsd = official_xsd(law, number)
    assert xsd is not None, (law, number)
    return etree.XMLSchema(etree.parse(str(xsd)))


@cache
def _parser(kind: str, law: str, number: str) -> etree.XMLParser:
    from sdw.istandaarden.reader import PARSER_OPTIONS

    return etree.XMLParser(schema=_schema(kind, law, number), **PARSER_OPTIONS)


def _validate(args: tuple[str, list[str]]) -> int:
    """Parse and validate each file (libxml2 validates while it builds the tree); a file the
    schema rejects raises, so a ceiling is never measured on files that would not load."""
    kind, paths = args
    for path in paths:
        law, number = _kind(Path(path))
        try:
            etree.parse(path, _parser(kind, law, number))
        except etree.XMLSyntaxError as exc:
            raise AssertionError(f"{path} fails the {kind} schema: {exc}") from exc
    return len(paths)


def validated_ceiling(files: list[Path], kind: str, workers: int = 2) -> float:
    """Seconds to parse and validate all ``files`` against the project's compiled schema
    (``kind='own'``, what the ingest validates with) or the official XSDs (``'official'``),
    with ``workers`` processes. Schemas are compiled before the clock starts; small files go
    in chunks so the pool's messaging stays out of the figure, large ones largest first."""
    ctx = multiprocessing.get_context("spawn")
    kinds: dict[tuple[str, str], str] = {}
    for p in files:
        kinds.setdefault(_kind(p), str(p))
    warm = list(kinds.values())
    mean_bytes = sum(p.stat().st_size for p in files[:: max(1, len(files) // 500)]) / min(
        len(files), 500
    )
    if mean_bytes > 200_000:
        order = sorted(files, key=lambda p: p.stat().st_size, reverse=True)
        tasks = [(kind, [str(p)]) for p in order]
    else:
        names = [str(p) for p in files]
        tasks = [(kind, names[i : i + 256]) for i in range(0, len(names), 256)]
    with ctx.Pool(workers) as pool:
        pool.map(_validate, [(kind, warm)] * workers * 2, chunksize=1)  # compile in each worker
        started = time.perf_counter()
        done = sum(pool.imap_unordered(_validate, tasks, chunksize=1))
        seconds = time.perf_counter() - started
    assert done == len(files)
    return seconds


# --- the provider shape -------------------------------------------------------------------------


def _bsn_order(agb: str, bsn: str) -> bytes:
    return hashlib.sha256(f"{SPLIT_SEED}:{agb}:{bsn}".encode()).digest()


def zipf_sizes(total: int, n: int, alpha: float, cap: int) -> list[int]:
    """``n`` whole sizes ~ i**-alpha summing to ``total``, none above ``cap`` (water-filling:
    sizes over the cap are set to it and the rest re-weighted), at least 1 each."""
    weights = [i**-alpha for i in range(1, n + 1)]
    capped = 0
    while True:
        rest = total - capped * cap
        scale = rest / sum(weights[capped:])
        if weights[capped] * scale <= cap:
            break
        capped += 1
    exact = [float(cap)] * capped + [w * scale for w in weights[capped:]]
    sizes = [max(1, int(x)) for x in exact]
    # largest remainders get the clients the rounding left over (or give back the excess)
    order = sorted(range(n), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    k = 0
    while sum(sizes) != total:
        i = order[k % n]
        step = 1 if sum(sizes) < total else -1
        if 1 <= sizes[i] + step <= cap:
            sizes[i] += step
        k += 1
    return sorted(sizes, reverse=True)


def _plan(clients: dict[str, set[str]]) -> tuple[dict[tuple[str, str], int], list[dict]]:
    """Assign every (generator provider, client) to a new provider of the Zipf sizes.

    A new provider is carved out of one generator provider (best fit, largest size first; a
    size no generator provider has room for any more is split over two), so its lines'
    ReferentieNummers stay unique (OP283) and, as every line of a client at a provider goes to
    the same new provider, a credit stays with the provider of its debit.
    """
    left = {agb: sorted(bsns, key=lambda b: _bsn_order(agb, b)) for agb, bsns in clients.items()}
    total = sum(len(v) for v in left.values())
    cap = max(len(v) for v in left.values())
    n = max(10, total // CLIENTS_PER_PROVIDER)
    todo = zipf_sizes(total, n, ALPHA, cap)
    assign: dict[tuple[str, str], int] = {}
    providers: list[dict] = []
    while todo:
        size = todo.pop(0)
        fits = [agb for agb, v in left.items() if len(v) >= size]
        if fits:
            agb = min(fits, key=lambda a: (len(left[a]), a))  # best fit
            take = size
        else:  # no room anywhere: the largest remainder, and the rest as a provider of its own
            agb = max(left, key=lambda a: (len(left[a]), a))
            take = len(left[agb])
            todo.append(size - take)
            todo.sort(reverse=True)
        part, left[agb] = left[agb][:take], left[agb][take:]
        if not left[agb]:
            del left[agb]
        vid = len(providers)
        providers.append({"origin": agb, "clients": take})
        for bsn in part:
            assign[(agb, bsn)] = vid
    assert not left and len(assign) == total
    return assign, providers


def _agbs(providers: list[dict]) -> list[str]:
    """The first new provider carved out of a generator provider keeps its AGB code; the others
    get a fresh one with the same two-digit prefix (the generator's own convention)."""
    rng = random.Random(SPLIT_SEED)
    taken = {p["origin"] for p in providers}
    kept: set[str] = set()
    out = []
    for p in providers:
        if p["origin"] not in kept:
            kept.add(p["origin"])
            out.append(p["origin"])
            continue
        while True:
            agb = f"{p['origin'][:2]}{rng.randrange(1_000_000):06d}"
            if agb not in taken:
                taken.add(agb)
                out.append(agb)
                break
    return out


def _q(root: etree._Element, local: str) -> etree._Element:
    found = root.find(f".//{{*}}{local}")
    assert found is not None, local
    return found


def provider_split(decl_files: list[Path], out: Path, *, reuse: bool = True) -> dict:
    """Write ``out``: the lines of ``decl_files`` re-grouped over the heavy-tailed provider set.

    Every Client block moves whole (with its Prestaties) into its new provider's file for the
    same law and month; the header gets the new Afzender, a fresh BerichtIdentificatie and
    DeclaratieNummer per provider, and the total is recomputed. Lines are not changed, so the
    warehouse must load exactly the same rows (the benchmark checks that).
    """
    marker = out / ".split.json"
    if reuse and marker.exists():
        log(f"reusing the provider shape in {out}")
        return json.loads(marker.read_text())
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    started = time.perf_counter()
    clients: dict[str, set[str]] = {}
    for p in decl_files:
        agb = _NAME.match(p.name).group(3)  # type: ignore[union-attr]
        bsns = clients.setdefault(agb, set())
        for _ev, el in etree.iterparse(str(p), tag="{*}Bsn"):
            bsns.add(el.text or "")
    assign, providers = _plan(clients)
    agbs = _agbs(providers)
    counters: Counter[str] = Counter()
    files = lines = 0
    for p in decl_files:
        law, _number, agb, _ident = _NAME.match(p.name).groups()  # type: ignore[union-attr]
        tree = etree.parse(str(p))
        root = tree.getroot()
        clienten = _q(root, "Clienten")
        groups: dict[int, list[etree._Element]] = {}
        for client in list(clienten):
            bsn = client.findtext("{*}Bsn")
            groups.setdefault(assign[(agb, bsn or "")], []).append(client)
            clienten.remove(client)
        for vid in sorted(groups):
            new_agb = agbs[vid]
            counters[new_agb] += 1
            n = counters[new_agb]
            doc = deepcopy(root)
            _q(doc, "Afzender").text = new_agb
            _q(_q(doc, "BerichtIdentificatie"), "Identificatie").text = f"{n:09d}"
            _q(doc, "DeclaratieNummer").text = f"DCL{n:07d}"
            target = _q(doc, "Clienten")
            total = 0
            for client in groups[vid]:
                target.append(client)
                for pr in client.iterfind(".//{*}Prestatie"):
                    lines += 1
                    amount = pr.find("{*}IngediendBedrag")
                    cents = int(amount.findtext("{*}Bedrag"))  # type: ignore[union-attr,arg-type]
                    sign = amount.findtext("{*}DebetCredit")  # type: ignore[union-attr]
                    total += cents if sign == "D" else -cents
            totaal = _q(doc, "TotaalIngediendBedrag")
            _q(totaal, "TotaalBedrag").text = str(abs(total))
            _q(totaal, "DebetCredit").text = "D" if total >= 0 else "C"
            name = f"{law}_323_{new_agb}_{n:09d}.xml"
            etree.ElementTree(doc).write(str(out / name), xml_declaration=True, encoding="UTF-8")
            files += 1
    sizes = sorted((p["clients"] for p in providers), reverse=True)
    facts = {
        "alpha": ALPHA,
        "seed": SPLIT_SEED,
        "generator_providers": len(clients),
        "providers": len(providers),
        "clients_per_provider_max": sizes[0],
        "clients_per_provider_median": sizes[len(sizes) // 2],
        "providers_with_at_most_10_clients": sum(1 for s in sizes if s <= 10),
        "providers_with_1000_or_more_clients": sum(1 for s in sizes if s >= 1000),
        "share_of_clients_at_top_10_providers": round(sum(sizes[:10]) / sum(sizes), 3),
        "files": files,
        "lines": lines,
        "split_s": round(time.perf_counter() - started, 1),
    }
    marker.write_text(json.dumps(facts))
    log(f"provider shape: {facts}")
    return facts


def sample_files(folder: Path, n: int) -> list[Path]:
    """``n`` files spread evenly over ``folder`` in name order (law, message, provider)."""
    names = sorted(os.listdir(folder))
    step = max(1, len(names) // n)
    return [folder / x for x in names[::step][:n]]
