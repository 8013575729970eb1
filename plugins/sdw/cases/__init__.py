"""The municipal case system's Wmo/Jeugdwet procedure export (melding, onderzoek, aanvraag,
beschikking): the CSV contract read row by row (``procedures``), its reason codes (``rules``),
its raw table (``tables``), how a file of it is parsed (``parse``) and recognised (``kinds``).

The legal Wmo and Jeugdwet clocks start before any iStandaarden message exists, so these dates
come from the municipality's own case system; see docs/procedure-times.md.
"""
