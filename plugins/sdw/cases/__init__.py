"""The municipal case system's Wmo/Jeugdwet procedure export (melding, onderzoek, aanvraag,
beschikking): the CSV contract (``procedures``) and how a file of it is loaded (``load``).

The legal Wmo and Jeugdwet clocks start before any iStandaarden message exists, so these dates
come from the municipality's own case system; see docs/procedure-times.md.
"""
