"""Which warehouse to use: ``WAREHOUSE_URL`` when set, otherwise the embedded one under .sdw/."""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

from sdw.config import state_dir


def configured_url() -> str | None:
    return os.environ.get("WAREHOUSE_URL") or None


def warehouse_url(start_embedded: bool = True) -> str:
    """The URL to connect to, starting the embedded warehouse on demand."""
    url = configured_url()
    if url:
        return url
    from sdw.warehouse.embedded import EmbeddedWarehouse

    wh = EmbeddedWarehouse(state_dir())
    if start_embedded:
        return wh.start()
    existing = wh.url()
    if existing is None:
        raise RuntimeError("The embedded warehouse is not running; run `sdw warehouse start`.")
    return existing


def dbt_env(url: str) -> dict[str, str]:
    """The environment dbt's profiles.yml reads, from a PostgreSQL URL."""
    u = urlsplit(url)
    return {
        "SDW_PG_HOST": u.hostname or "127.0.0.1",
        "SDW_PG_PORT": str(u.port or 5432),
        "SDW_PG_USER": unquote(u.username or "postgres"),
        "SDW_PG_PASSWORD": unquote(u.password or ""),
        "SDW_PG_DATABASE": u.path.lstrip("/") or "postgres",
    }


def redact(url: str) -> str:
    """A URL fit for logs: the password replaced."""
    u = urlsplit(url)
    if not u.password:
        return url
    netloc = u.netloc.replace(f":{u.password}@", ":***@")
    return u._replace(netloc=netloc).geturl()
