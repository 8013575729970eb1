"""Where generated messages go: one file per Bericht, counted as they are written."""

from __future__ import annotations

import os
from pathlib import Path


class Sink:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.files = 0
        self.bytes = 0
        self.max_file_bytes_seen = 0
        self.counts: dict[str, dict[str, int]] = {"wmo": {}, "jeugdwet": {}}
        self._next_id: dict[str, int] = {}
        # Set per municipality when an inbox holds several: two gemeenten number their own
        # messages, so the same provider gets a 301 number 1 from each.
        self.tag = ""

    def identificatie(self, sender: str) -> str:
        """The next BerichtIdentificatie of a sender (gemeente or provider AGB)."""
        n = self._next_id.get(sender, 0) + 1
        self._next_id[sender] = n
        return f"{n:09d}"

    def write(self, law: str, number: str, agb: str, identificatie: str, text: str) -> Path:
        data = text.encode("utf-8")
        path = self.out_dir / f"{law}_{number}_{agb}_{self.tag}{identificatie}.xml"
        # os-level calls: creating hundreds of thousands of small files is the bottleneck
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        self.files += 1
        self.bytes += len(data)
        self.max_file_bytes_seen = max(self.max_file_bytes_seen, len(data))
        counts = self.counts[law]
        counts[number] = counts.get(number, 0) + 1
        return path
