"""A read-only FHIR R4 face of the directory, served at /fhir/R4.

`routes` parses requests, `service` queries the directory models, `mapping` turns rows into resources.
"""
