"""Importers of real directory data (`onconav import SOURCE PATH`), on one shared framework; internal to the
directory domain.

- `framework.py`: the streaming loop (batches, idempotency by (source, source_id), summary) and the
  `ImportSource` interface; `runs.py`: checkpoints, fingerprints and the rejected-rows report;
  `worker.py`: reading and preparing in a second process;
- `formats/`: readers of published layouts into typed records (NPPES, NPI Registry API, CMS hospitals,
  HIFLD hospitals, CMS volumes, FHIR bundles), with the one CSV record reader and the one NPI check digit;
- `sources/`: the `ImportSource` implementations that turn those records into directory rows;
- `placement.py`: placing addresses, and the one precision order that decides which coordinates stay;
- `linking.py`: duplicate organizations across sources;
- `registry.py`: source name -> importer class; `cli.py`: the `onconav import` command.
How to add a source: docs/data-sources.md, "Adding a source".
"""
