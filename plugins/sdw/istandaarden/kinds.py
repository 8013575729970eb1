"""The file kinds of this source, for the core's classification (``sdw.ingest.classify``)."""

from __future__ import annotations

from sdw.ingest.contract import FileKind
from sdw.istandaarden.parse import parse_message_file
from sdw.istandaarden.redact import whole_file
from sdw.istandaarden.tables import FILE_KIND

KINDS: tuple[FileKind, ...] = (
    # A suffix check, so message files (the bulk of any inbox) are never sniffed.
    FileKind(
        FILE_KIND,
        "ingest_istandaarden",
        lambda p: p.suffix.lower() == ".xml",
        parse_message_file,
        "iWmo/iJw 3.2 messages (.xml)",
        redaction=whole_file,
        scrubs_values=True,  # BsnScrubber, held by the message mutation oracle
    ),
)
