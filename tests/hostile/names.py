"""File names are data from outside: a message named after a client's BSN, and one whose name is
not UTF-8 (bytes 0xFF 0xFE, as a Windows tool may leave them). The name must never reach the
warehouse, a log or XCom in clear, nor stop a DAG that pushes it."""

from __future__ import annotations

import os
from pathlib import Path

from tests.hostile.seeds import message

TEST_BSN = "123456782"  # passes the elfproef (see the package docstring)
BSN_NAME = f"wmo_325_client_{TEST_BSN}.xml"
NOT_UTF8_NAME = b"wmo_307_\xff\xfe_not_utf8.xml"


def hostile_names(inbox: Path, source: Path) -> list[Path]:
    """A 325 and a 307 of the generated municipality under hostile names. When the seed lies
    in the inbox itself it is moved (a rename, as a sender would), so its content loads once,
    under the hostile name."""
    seeds = {
        BSN_NAME.encode(): "wmo_325_98861168_000000063.xml",
        NOT_UTF8_NAME: "wmo_307_98861168_000000005.xml",
    }
    out = []
    for name, seed in seeds.items():
        data = message(source, seed)
        target = os.fsencode(inbox) + b"/" + name
        with open(target, "wb") as f:
            f.write(data)
        if (inbox / seed).resolve() == (source / seed).resolve():
            (inbox / seed).unlink()
        out.append(Path(os.fsdecode(target)))
    return out
