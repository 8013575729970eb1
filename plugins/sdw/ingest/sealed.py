"""A file's path as it travels between Airflow tasks (the parts of a delivery go through XCom):
sealed, so that neither a name that is not UTF-8 nor a BSN in a name reaches Airflow's
metadata database, its logs or its UI.

XCom is JSON: a path with bytes that are not UTF-8 cannot be pushed at all (it stopped every
rerun of a delivery), and a readable path would show a BSN in a name to anyone who can read
the task's XCom. The task that loads the part needs the real path back, so the seal is
reversible — encrypted and authenticated (Fernet) with a key derived from the pseudonym key,
which every ingest task has — and written in sixteen letters (``g``-``v``), so that the
token can hold no digit, and no scanner or scrubber ever takes it for a BSN.
"""

from __future__ import annotations

import base64
import hashlib
import os

_HEX = "0123456789abcdef"
_LETTERS = "ghijklmnopqrstuv"
_TO_LETTERS = str.maketrans(_HEX, _LETTERS)
_TO_HEX = str.maketrans(_LETTERS, _HEX)


def _fernet(key: bytes):  # type: ignore[no-untyped-def]
    from cryptography.fernet import Fernet

    derived = hashlib.sha256(b"sdw-sealed-path\x00" + key).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(path: str | bytes | os.PathLike[str], key: bytes) -> str:
    """The path's bytes, encrypted, as letters only."""
    raw = os.fsencode(path)
    token = base64.urlsafe_b64decode(_fernet(key).encrypt(raw))
    return token.hex().translate(_TO_LETTERS)


def unseal(sealed: str, key: bytes) -> str:
    """The path ``seal`` sealed (as ``os.fsdecode`` gives it: any bytes survive)."""
    token = base64.urlsafe_b64encode(bytes.fromhex(sealed.translate(_TO_HEX)))
    return os.fsdecode(_fernet(key).decrypt(token))
