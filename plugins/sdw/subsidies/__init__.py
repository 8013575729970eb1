"""Subsidy registers as municipalities publish them: who asked for how much, what was granted
(verleend) and what was finally settled (vastgesteld). JSON like Amsterdam's or CSV with the
columns registers use; a register in another layout is described by a column-mapping file in
``layouts/``, not by code. Parts: the Dutch amounts (``amounts``), the layouts (``layouts``),
the register read row by row (``register``), its reason codes (``rules``), its raw table
(``tables``), how a file is parsed (``parse``) and recognised (``kinds``).
See docs/subsidies.md.
"""
