"""Readers of published file layouts (NPPES, CMS, HIFLD, FHIR) into typed records, one module per layout.

Formats know nothing of the database: the importers in `sources/` turn their records into directory rows.
"""
