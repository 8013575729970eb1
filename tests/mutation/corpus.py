"""The messages mutants are made from: a small generated municipality (every message type the
generator writes) and, where ``../shared/reference`` is present, the official example messages."""

from __future__ import annotations

from pathlib import Path

from sdw.generate import generate

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"


def seed_messages(work: Path, *, per_type: int = 3) -> list[Path]:
    """Up to ``per_type`` generated messages of each law and type, plus every reference
    example message (``WMO*.xml``, ``JW*.xml``)."""
    out = work / "generated"
    if not out.is_dir():
        generate(out, clients=12, months=3, seed=5)
    seeds: list[Path] = []
    for law in ("wmo", "jeugdwet"):
        for number in ("301", "305", "307", "315", "317", "319", "323", "325"):
            seeds += sorted(out.rglob(f"*{law}_{number}_*.xml"))[:per_type]
    berichten = REFERENCE / "istandaarden"
    if berichten.is_dir():
        seeds += sorted(berichten.glob("*-3.2/berichten/*.xml"))
    return seeds
