"""iWmo / iJw 3.2 messages: what they are (``messages``, ``spec``), how to validate
(``schema``), read (``reader``, ``declarations``), judge (``rules``), redact (``redact``) and
parse them into raw rows (``parse``), and (for demos) write them; ``tables`` and ``kinds`` are
the parts every source has (docs/adding-a-source.md)."""
