"""CBS open data: address-to-area files (and, later, neighbourhood statistics)."""
