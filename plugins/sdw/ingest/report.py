"""What one file and one batch did: the numbers the ledger keeps and the summary prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

_NOT_LEDGERED = ("duplicate", "deferred")


@dataclass
class FileReport:
    source_file: str
    file_hash: str
    file_kind: str  # a registered source's kind (sdw.ingest.classify.kinds) or 'unknown'
    # 'loaded' | 'loaded_with_rejections' | 'quarantined' | 'duplicate' | 'deferred' (a 301
    # waiting for a CBS address file: not ledgered, it loads from the inbox on a later run)
    status: str
    bericht_type: str | None = None
    wet: str | None = None
    reason_code: str | None = None
    reason: str | None = None
    lines_in: int = 0
    lines_loaded: int = 0
    lines_quarantined: int = 0

    def __post_init__(self) -> None:
        if (
            self.status != "duplicate"
            and self.lines_in != self.lines_loaded + self.lines_quarantined
        ):
            raise AssertionError(
                f"{self.source_file}: lines do not reconcile: in {self.lines_in} != loaded "
                f"{self.lines_loaded} + quarantined {self.lines_quarantined}"
            )


@dataclass
class BatchReport:
    """What a batch did, as running counts: a delivery of millions of small files must not
    hold a report per file. ``files`` keeps every file's report only when asked
    (``keep_files``: tests, small inboxes); ``notable`` always keeps the quarantined and
    deferred ones, which the task log and the summary name."""

    batch_id: str
    inbox: str
    keep_files: bool = False
    files: list[FileReport] = field(default_factory=list)
    notable: list[FileReport] = field(default_factory=list)
    files_seen: int = 0
    _statuses: Counter[str] = field(default_factory=Counter)
    _lines: list[int] = field(default_factory=lambda: [0, 0, 0])  # in, loaded, quarantined

    def add(self, f: FileReport) -> None:
        self.files_seen += 1
        self._statuses[f.status] += 1
        if f.status not in _NOT_LEDGERED:
            self._lines[0] += f.lines_in
            self._lines[1] += f.lines_loaded
            self._lines[2] += f.lines_quarantined
        if f.status in ("quarantined", "deferred"):
            self.notable.append(f)
        if self.keep_files:
            self.files.append(f)

    def count(self, status: str) -> int:
        return self._statuses[status]

    @property
    def lines_in(self) -> int:
        return self._lines[0]

    @property
    def lines_loaded(self) -> int:
        return self._lines[1]

    @property
    def lines_quarantined(self) -> int:
        return self._lines[2]

    def to_dict(self) -> dict[str, object]:
        return {
            "batch_id": self.batch_id,
            "inbox": self.inbox,
            "files_seen": self.files_seen,
            "files_loaded": self.count("loaded") + self.count("loaded_with_rejections"),
            "files_with_rejections": self.count("loaded_with_rejections"),
            "files_quarantined": self.count("quarantined"),
            "files_duplicate": self.count("duplicate"),
            "files_deferred": self.count("deferred"),
            "lines_in": self.lines_in,
            "lines_loaded": self.lines_loaded,
            "lines_quarantined": self.lines_quarantined,
            "quarantined_files": [
                {"file": f.source_file, "reason_code": f.reason_code, "reason": f.reason}
                for f in self.notable
                if f.status == "quarantined"
            ],
        }
