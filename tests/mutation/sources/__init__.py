"""Property and mutation testing of every source contract besides the messages (issue 22):
valid files written from each contract (``finance``, ``registers``, ``cbs``; the shapes in
``doc`` and ``workbook``), mutants of them (``mutate``), the oracle every mutant is held to
(``oracle``), the registry of contracts (``contracts``) and the campaign command
(``python -m tests.mutation.sources``)."""
