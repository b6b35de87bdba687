"""The importable sources: `framework.ImportSource` implementations that turn typed records into rows.

Each reads its file through a module of `formats/`; `registry.SOURCES` names them for `onconav import`.
"""
