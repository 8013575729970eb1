"""What a parser may ask of the warehouse (``IngestContext``'s functions), answered over one
connection. Parsers never hold a connection; the worker hands them these look-ups.

They read raw tables by name — the CBS address table and the 323 lines — as SQL text only:
the core imports no source."""

from __future__ import annotations

import psycopg


class WarehouseLookups:
    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self._have_addresses: bool | None = None
        # (wet, agb) -> ReferentieNummers parsed in the current group, not yet written
        self.pending_references: dict[tuple[str, str], set[str]] = {}

    def required_columns(self) -> dict[str, frozenset[str]]:
        """NOT NULL columns of every raw table, from the catalog: the warehouse is the one
        place that says what a row needs."""
        required: dict[str, set[str]] = {}
        for table, column in self.conn.execute(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE table_schema = 'raw' AND is_nullable = 'NO'
                 AND column_name NOT LIKE '\\_%%' AND column_default IS NULL"""
        ).fetchall():
            required.setdefault(table, set()).add(column)
        return {t: frozenset(c) for t, c in required.items()}

    def has_address_file(self) -> bool:
        if not self._have_addresses:  # once true it stays true; re-ask while false
            self._have_addresses = self.conn.execute(
                "SELECT EXISTS (SELECT 1 FROM raw.cbs_adres_gebied)"
            ).fetchone()[0]
        return bool(self._have_addresses)

    def loaded_references(self, wet: str, agb: str, numbers: list[str]) -> set[str]:
        # One index probe per number (LATERAL ... LIMIT 1): the plain `= ANY(...)` form lets
        # the planner scan all of a provider's lines per file, which grows with the warehouse.
        rows = self.conn.execute(
            """SELECT x.ref FROM unnest(%s::text[]) AS x(ref)
               CROSS JOIN LATERAL (
                   SELECT 1 FROM raw.istandaarden_323_prestatie AS p
                   WHERE p.aanbieder_agb = %s AND p.referentienummer = x.ref AND p.wet = %s
                   LIMIT 1
               ) AS hit""",
            (numbers, agb, wet),
        ).fetchall()
        return {r[0] for r in rows} | (
            self.pending_references.get((wet, agb), set()) & set(numbers)
        )

    def lookup_address(
        self, postcode: str, huisnummer: int
    ) -> tuple[str, int | None, int | None, int | None]:
        if not self.has_address_file():
            return "no_address_file", None, None, None
        row = self.conn.execute(
            """SELECT buurtcode, wijkcode, gemeentecode FROM raw.cbs_adres_gebied
               WHERE postcode = %s AND huisnummer = %s
               ORDER BY jaar DESC, _loaded_at DESC LIMIT 1""",
            (postcode, huisnummer),
        ).fetchone()
        return ("matched", *row) if row else ("not_found", None, None, None)
