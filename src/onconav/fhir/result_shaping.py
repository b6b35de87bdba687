"""`_summary` and `_elements`: a resource with only some of its elements, tagged SUBSETTED.

Which elements are summary elements comes from the FHIR definitions as the `fhir.resources` models carry them
(`summary_element_property`), read once per type.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

SUBSETTED = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
    "code": "SUBSETTED",
    "display": "As requested, only some elements are returned",
}
ALWAYS = ("resourceType", "id", "meta")


@cache
def summary_elements(resource_type: str) -> frozenset[str]:
    """The elements of a type that `_summary=true` returns."""
    module = importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}")
    model = getattr(module, resource_type)
    return frozenset(
        field.alias or name
        for name, field in model.model_fields.items()
        if isinstance(field.json_schema_extra, dict)
        and field.json_schema_extra.get("summary_element_property")
    )


def shape(resource: dict[str, Any], summary: str, elements: tuple[str, ...]) -> dict[str, Any]:
    """The resource as `_summary` (true, text, data, false) and `_elements` ask; untouched when neither."""
    if summary == "true":
        keep = set(summary_elements(resource["resourceType"]))
    elif summary == "text":
        keep = {"text"}
    elif elements:
        keep = set(elements)
    elif summary == "data":
        return {key: value for key, value in resource.items() if key != "text"}
    else:
        return resource
    shaped = {key: value for key, value in resource.items() if key in keep or key in ALWAYS}
    meta = dict(shaped.get("meta", {}))
    meta["tag"] = [*meta.get("tag", []), SUBSETTED]
    shaped["meta"] = meta
    return shaped
