"""CBS open data: the address-to-area file, StatLine and OData statistics, Kerncijfers wijken
en buurten, and the municipal benefits CSV. Each file format has its reader (``adres``,
``statline``, ``kwb``, ``odata``, ``benefits``); ``parse`` turns a file into raw rows,
``tables``, ``kinds`` and ``rules`` are the parts every source has (docs/adding-a-source.md)."""
