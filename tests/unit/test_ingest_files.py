"""The inbox's files in a stable order, streamed (``sdw.ingest.files.discover``)."""

from __future__ import annotations

from pathlib import Path

from sdw.ingest.files import discover


def test_discover_streams_in_sorted_path_order_without_hidden_files(tmp_path: Path) -> None:
    for name in ("b.xml", "a.txt", "a/z.xml", "a/b/c.xml", "a-b.xml", ".hidden", ".git/x.xml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / "empty").mkdir()

    found = discover(tmp_path)

    assert iter(found) is found  # a generator, not a list of the whole inbox
    # a folder's files where its name sorts: "a" < "a-b.xml" < "a.txt" < "b.xml"
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a/b/c.xml",
        "a/z.xml",
        "a-b.xml",
        "a.txt",
        "b.xml",
    ]
