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
        """Which of one provider's ``numbers`` the warehouse holds under ``wet``."""
        return {ref for _w, _a, ref in self.loaded_references_of([(wet, agb, numbers)])}

    def loaded_references_of(
        self, asks: list[tuple[str, str, list[str]]]
    ) -> set[tuple[str, str, str]]:
        """(wet, aanbieder_agb, number) of every asked number the warehouse holds, for any
        number of providers in one query: a group of files asks once, not once per file."""
        wets, agbs, refs = [], [], []
        for wet, agb, numbers in asks:
            wets += [wet] * len(numbers)
            agbs += [agb] * len(numbers)
            refs += numbers
        if not refs:
            return set()
        # One index probe per number (LATERAL ... LIMIT 1): the plain `= ANY(...)` form lets
        # the planner scan all of a provider's lines, which grows with the warehouse.
        rows = self.conn.execute(
            """SELECT x.wet, x.agb, x.ref
               FROM unnest(%s::text[], %s::text[], %s::text[]) AS x(wet, agb, ref)
               CROSS JOIN LATERAL (
                   SELECT 1 FROM raw.istandaarden_323_prestatie AS p
                   WHERE p.aanbieder_agb = x.agb AND p.referentienummer = x.ref
                     AND p.wet = x.wet
                   LIMIT 1
               ) AS hit""",
            (wets, agbs, refs),
        ).fetchall()
        return {(w, a, r) for w, a, r in rows}

    def lookup_address(
        self, postcode: str, huisnummer: int
    ) -> tuple[str, int | None, int | None, int | None]:
        return self.addresses_of([(postcode, huisnummer)])[(postcode, huisnummer)]

    def addresses_of(
        self, addresses: list[tuple[str, int]]
    ) -> dict[tuple[str, int], tuple[str, int | None, int | None, int | None]]:
        """(status, buurtcode, wijkcode, gemeentecode) per (postcode, huisnummer), from the
        latest CBS address file, for any number of addresses in one query."""
        keys = list(dict.fromkeys(addresses))
        if not keys:
            return {}
        if not self.has_address_file():
            return {k: ("no_address_file", None, None, None) for k in keys}
        found = {
            (postcode, huisnummer): ("matched", buurt, wijk, gemeente)
            for postcode, huisnummer, buurt, wijk, gemeente in self.conn.execute(
                """SELECT x.postcode, x.huisnummer, a.buurtcode, a.wijkcode, a.gemeentecode
                   FROM unnest(%s::text[], %s::int[]) AS x(postcode, huisnummer)
                   CROSS JOIN LATERAL (
                       SELECT buurtcode, wijkcode, gemeentecode FROM raw.cbs_adres_gebied
                       WHERE postcode = x.postcode AND huisnummer = x.huisnummer
                       ORDER BY jaar DESC, _loaded_at DESC LIMIT 1
                   ) AS a""",
                ([p for p, _h in keys], [h for _p, h in keys]),
            )
        }
        return {k: found.get(k, ("not_found", None, None, None)) for k in keys}
