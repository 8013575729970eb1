"""What one file and one batch did: the numbers the ledger keeps and the summary prints."""

from __future__ import annotations

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
    batch_id: str
    inbox: str
    files: list[FileReport] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def lines_in(self) -> int:
        return sum(f.lines_in for f in self.files if f.status not in _NOT_LEDGERED)

    @property
    def lines_loaded(self) -> int:
        return sum(f.lines_loaded for f in self.files if f.status not in _NOT_LEDGERED)

    @property
    def lines_quarantined(self) -> int:
        return sum(f.lines_quarantined for f in self.files if f.status not in _NOT_LEDGERED)

    def to_dict(self) -> dict[str, object]:
        return {
            "batch_id": self.batch_id,
            "inbox": self.inbox,
            "files_seen": len(self.files),
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
                for f in self.files
                if f.status == "quarantined"
            ],
        }
