"""The messages hostile variants are made from, and the edits that make them.

Seeds come from the project's generator with fixed arguments, found by the generator's own
file naming (``{law}_{number}_{agb}_{identificatie}.xml``): the same arguments give the same
bytes, so the values the tests read off a variant by hand (a date, an amount, a client's BSN)
stay true. A seed the generator no longer writes fails loudly, naming it, rather than letting a
class go untested.
"""

from __future__ import annotations

import re
from pathlib import Path

from sdw.generate import generate

# The municipality the reproducers of 2026-11-30 were cut from; its files hold every message
# type but the 317, which only the irregular shape writes.
REGULAR = {"clients": 40, "months": 4, "seed": 7}
IRREGULAR = {"clients": 6, "months": 6, "seed": 7, "shape": "irregular"}


def generated(work: Path) -> Path:
    """The regular municipality's files under ``work/generated`` (written once per folder)."""
    out = work / "generated"
    if not (out / "cbs_adres_buurt_wijk_2024.csv").is_file():
        generate(out, **REGULAR)  # type: ignore[arg-type]
    return out


def _irregular(source: Path) -> Path:
    out = source.parent / f"{source.name}-irregular"
    if not out.is_dir():
        generate(out, **IRREGULAR)  # type: ignore[arg-type]
    return out


def message(source: Path, name: str) -> bytes:
    """A generated message by its file name; a 317 comes from the irregular municipality."""
    folder = _irregular(source) if "_317_" in name else source
    path = folder / name
    if not path.is_file():
        raise FileNotFoundError(
            f"seed {name} not written by generate({REGULAR if folder is source else IRREGULAR})"
            ": the generator changed; pick another seed of the same type"
        )
    return path.read_bytes()


def first_317(source: Path) -> str:
    """The name of the irregular municipality's first wmo 317 of the home municipality."""
    own = re.compile(r"wmo_317_\d+_\d+\.xml")  # not the neighbour's (…_GM1000_…)
    names = sorted(p.name for p in _irregular(source).iterdir() if own.fullmatch(p.name))
    if not names:
        raise FileNotFoundError(f"generate({IRREGULAR}) wrote no wmo 317")
    return names[0]


def edit(data: bytes, old: bytes, new: bytes, *, nth: int | None = None) -> bytes:
    """``old`` replaced by ``new``: the only occurrence, or (with ``nth``) the nth, from 0.
    Refuses an ambiguous or missing ``old``: a seed that changed must not silently give a
    variant without the class's change."""
    at = [m.start() for m in re.finditer(re.escape(old), data)]
    if nth is None and len(at) != 1:
        raise ValueError(f"{old!r} occurs {len(at)} times; say which (nth)")
    if nth is not None and nth >= len(at):
        raise ValueError(f"{old!r} occurs {len(at)} times, not {nth + 1}")
    i = at[nth or 0]
    return data[:i] + new + data[i + len(old) :]


def drop(data: bytes, element: bytes) -> bytes:
    """The first ``<element>…</element>`` (a prefixed name) removed with the white space before
    it."""
    pattern = rb"\s*<" + re.escape(element) + rb">.*?</" + re.escape(element) + rb">"
    out, n = re.subn(pattern, b"", data, count=1, flags=re.S)
    if n != 1:
        raise ValueError(f"no <{element.decode()}> to drop")
    return out


def cut_after(data: bytes, marker: bytes) -> bytes:
    """The file cut short right after the first ``marker``: a transfer that stopped."""
    i = data.index(marker)
    return data[: i + len(marker)]


def write(inbox: Path, name: str, data: bytes) -> Path:
    path = inbox / name
    path.write_bytes(data)
    return path
