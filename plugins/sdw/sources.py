"""The registry of sources: the one list the ingest core and the DAG tasks read to learn which
sources exist. Each entry is a package with the same parts (``parse``, ``tables``, ``kinds``,
``rules``; see docs/adding-a-source.md). Adding a source is adding its package here.

Names, not imports, and nothing else: the core (``sdw.ingest.classify``) imports each
listed package's parts by name, so it knows no source in its code; a source imports the core,
never the other way round.

Order matters where two kinds could claim one file: the first kind, in this order and then in
its package's ``KINDS`` order, whose detector says yes wins.
"""

SOURCES = (
    "sdw.istandaarden",  # first: a suffix check, so message files are never sniffed
    "sdw.cases",  # by its header, before the CBS CSV sniffers
    "sdw.cbs",
    "sdw.budgets",  # by its header (CSV) or first sheet (xlsx)
    "sdw.subsidies",  # last: its JSON sniffer reads a whole file, after CBS has claimed OData
)
