"""The importable sources, by the name `onconav import SOURCE PATH` takes.

Adding a source: write `onconav/directory/imports/sources/<module>.py` with a subclass of
`framework.ImportSource` (its file layout in `formats/<module>.py`), and add one line below
("name": "module:ClassName"). Modules load only when used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from onconav.directory.imports.framework import ImportSource
from onconav.errors import InvalidInput

SOURCES: dict[str, str] = {
    "nppes": "onconav.directory.imports.sources.nppes:NppesSource",
    "cms-hospitals": "onconav.directory.imports.sources.hospitals:CmsHospitalsSource",
    "hifld-hospitals": "onconav.directory.imports.sources.hospitals:HifldHospitalsSource",
    "cms-volumes": "onconav.directory.imports.sources.cms_volumes:CmsVolumesSource",
    "fhir": "onconav.directory.imports.sources.fhir_bundles:FhirSource",
    "nppes-api-saved": "onconav.directory.imports.sources.nppes_api_saved:NppesApiSavedSource",
    "cms-inpatient": "onconav.directory.imports.sources.cms_inpatient:CmsInpatientSource",
}


def names() -> list[str]:
    """Every registered source name."""
    return sorted(SOURCES)


def get_source(name: str) -> ImportSource[Any, Any]:
    """A fresh importer of the source called `name`; InvalidInput for an unknown name."""
    target = SOURCES.get(name)
    if target is None:
        raise InvalidInput(
            "Unknown source %(source)s. Known sources: %(known)s.", source=name, known=", ".join(names())
        )
    module_name, class_name = target.split(":")
    source_class = getattr(import_module(module_name), class_name)
    source: ImportSource[Any, Any] = source_class()
    return source
