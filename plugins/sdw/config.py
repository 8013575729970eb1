"""Where things are and which secrets to use, resolved once from the environment.

Everything the pipeline needs is configurable by environment variable so that the same code runs
in the embedded demo, in CI, and in the docker-compose stack:

- ``SDW_HOME``: the project folder (default: the checkout this package lives in).
- ``SDW_STATE_DIR``: local state: embedded warehouse, Airflow metadata, key (default ``.sdw/``).
- ``WAREHOUSE_URL``: an existing PostgreSQL server; unset means the embedded warehouse.
- ``SDW_PSEUDONYM_KEY`` or ``SDW_PSEUDONYM_KEY_FILE``: the HMAC key that pseudonymises BSNs.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    env = os.environ.get("SDW_HOME")
    return Path(env).resolve() if env else _PACKAGE_DIR.parent.parent


def state_dir() -> Path:
    env = os.environ.get("SDW_STATE_DIR")
    return Path(env).resolve() if env else project_root() / ".sdw"


def dbt_project_dir() -> Path:
    return project_root() / "dbt_project"


def expectations_dir() -> Path:
    """The GX suites; a deployment with another layout points SDW_EXPECTATIONS_DIR at them."""
    env = os.environ.get("SDW_EXPECTATIONS_DIR")
    return Path(env).resolve() if env else project_root() / "expectations"


def default_inbox() -> Path:
    return Path(os.environ.get("SDW_INBOX", str(state_dir() / "inbox"))).resolve()


def key_file() -> Path:
    env = os.environ.get("SDW_PSEUDONYM_KEY_FILE")
    return Path(env).resolve() if env else state_dir() / "pseudonym.key"


class ConfigurationError(RuntimeError):
    """A setting is missing or unusable; the message says which and how to fix it."""


def pseudonym_key() -> bytes:
    """The secret HMAC key. Never logged; a missing key is an error, never a default."""
    env = os.environ.get("SDW_PSEUDONYM_KEY")
    if env:
        return env.encode()
    path = key_file()
    if not path.exists():
        raise ConfigurationError(
            f"No pseudonymisation key: set SDW_PSEUDONYM_KEY, point SDW_PSEUDONYM_KEY_FILE at a "
            f"key file, or run `sdw key create` to make {path} (0600)."
        )
    key = path.read_bytes().strip()
    if len(key) < 32:
        raise ConfigurationError(f"Pseudonymisation key in {path} is shorter than 32 bytes.")
    return key


def create_key_file(path: Path | None = None) -> Path:
    """Write a new random key readable only by its owner; refuses to overwrite an existing one,
    because a new key silently breaks the link between old and new pseudonyms."""
    path = path or key_file()
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return path
