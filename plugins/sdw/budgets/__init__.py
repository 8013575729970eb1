"""Budget files from the municipality's financial system: per budget year x budget line
(begrotingspost) the primitive budget, amendments, carry-over, realisation to date,
commitments and forecast, as of a peildatum (one report version). CSV or xlsx, read through a
column layout in ``layouts/`` (a financial system's export in other column names is a new
layout file, not code). Parts: the layouts (``layouts``), the export read row by row
(``export``), the reason codes and value rules (``rules``), the raw table (``tables``), how a
file is parsed (``parse``) and recognised (``kinds``). See docs/budgets.md.
"""
