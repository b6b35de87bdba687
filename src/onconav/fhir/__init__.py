"""A read-only FHIR R4 face of the directory, served at /fhir/R4.

`routes` takes requests, `search_parameters` parses them, `service` asks the directory (through
`directory.service`, which answers with typed records), `mapping` turns the records into resources.
"""
