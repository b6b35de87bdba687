"""Importers of real directory data (`onconav import SOURCE PATH`), on one shared framework.

- `framework.py`: the streaming loop (batches, idempotency by (source, source_id), checkpoints,
  summary, rejected-rows report) and the `ImportSource` interface;
- `registry.py`: source name -> importer class;
- `cli.py`: the `onconav import` command;
- one module per source (`nppes.py`, ...). How to add one: docs/data-sources.md, "Adding a source".
"""
