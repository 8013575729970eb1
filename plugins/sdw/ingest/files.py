"""Finding the inbox's files, naming each by its bytes, and grouping them for the writer."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

GROUP_FILES = 64  # files written in one transaction (see writer.write_files)
GROUP_BYTES = 4_000_000


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def discover(inbox: Path) -> Iterator[Path]:
    """Every regular file below the inbox, in a stable order (names sorted within a folder, a
    folder's files where its name sorts: the order of ``sorted(inbox.rglob("*"))``); hidden
    files and folders are skipped. Streamed: only one folder's names are held at a time."""
    if not inbox.is_dir():
        raise FileNotFoundError(f"Inbox {inbox} does not exist or is not a folder.")
    return _walk(inbox)


def _walk(folder: Path) -> Iterator[Path]:
    with os.scandir(folder) as entries:
        names = sorted(
            (e.name, e.is_dir(follow_symlinks=False)) for e in entries if not e.name.startswith(".")
        )
    for name, is_dir in names:
        path = folder / name
        if is_dir:
            yield from _walk(path)
        elif path.is_file():
            yield path


def groups(
    items: Iterable[tuple[str, str, str]],
    max_files: int = GROUP_FILES,
    max_bytes: int = GROUP_BYTES,
) -> Iterator[list[tuple[str, str, str]]]:
    """Consecutive files in groups of at most ``max_files`` files and about ``max_bytes``
    (a larger file is a group of its own): one transaction each."""
    current: list[tuple[str, str, str]] = []
    size = 0
    for item in items:
        n = os.path.getsize(item[0])
        if current and (len(current) >= max_files or size + n > max_bytes):
            yield current
            current, size = [], 0
        current.append(item)
        size += n
    if current:
        yield current
