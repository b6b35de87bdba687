"""FHIR XML: a JSON resource written as FHIR's XML representation (http://hl7.org/fhir/R4/xml.html).

The rules: elements in the order of their definition (read from the `fhir.resources` models), primitive
values in a `value` attribute, an extension's `url` and an element's `id` as attributes, repeating elements
repeated, a contained or bundled resource wrapped in an element named for its type, the narrative `div` as
XHTML. Built with the standard library's ElementTree.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import cache
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

FHIR_NS = "http://hl7.org/fhir"
XHTML_NS = "http://www.w3.org/1999/xhtml"
FHIR_XML = "application/fhir+xml"
TYPE_NAME = re.compile(r"\.(\w+)Type\b")
ET.register_namespace("", FHIR_NS)


@cache
def _fields(type_name: str) -> tuple[tuple[str, str | None], ...]:
    """The elements of a FHIR type in definition order: (JSON name, the complex type it holds or None)."""
    try:
        model = get_fhir_model_class(type_name)
    except (KeyError, ValueError, AttributeError):
        return ()
    by_alias = {field.alias or name: field for name, field in model.model_fields.items()}
    fields = []
    for name in model.elements_sequence():
        field = by_alias.get(name)
        found = TYPE_NAME.search(str(field.annotation)) if field is not None else None
        fields.append((name, found.group(1) if found else None))
    return tuple(fields)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _ordered(data: dict[str, Any], type_name: str) -> list[tuple[str, Any, str | None]]:
    known = _fields(type_name)
    order = {name: index for index, (name, _) in enumerate(known)}
    types = dict(known)
    keys = sorted(data, key=lambda key: order.get(key, len(order)))
    return [(key, data[key], types.get(key)) for key in keys]


def _element(parent: ET.Element, name: str, value: Any, type_name: str | None) -> None:
    for item in value if isinstance(value, list) else [value]:
        if name == "div" and isinstance(item, str):  # the narrative: XHTML of its own
            parent.append(ET.fromstring(item))
        elif type_name == "Resource" or (isinstance(item, dict) and "resourceType" in item):
            wrapper = ET.SubElement(parent, f"{{{FHIR_NS}}}{name}")
            _resource(wrapper, item)
        elif isinstance(item, dict):
            child = ET.SubElement(parent, f"{{{FHIR_NS}}}{name}")
            _complex(child, item, type_name or "Element")
        else:
            ET.SubElement(parent, f"{{{FHIR_NS}}}{name}", {"value": _text(item)})


def _complex(node: ET.Element, data: dict[str, Any], type_name: str) -> None:
    if "id" in data:
        node.set("id", str(data["id"]))
    if type_name == "Extension" and "url" in data:
        node.set("url", str(data["url"]))
    for key, value, held in _ordered(data, type_name):
        if key == "id" or (type_name == "Extension" and key == "url"):
            continue
        _element(node, key, value, held)


def _resource(parent: ET.Element | None, resource: dict[str, Any]) -> ET.Element:
    resource_type = resource["resourceType"]
    tag = f"{{{FHIR_NS}}}{resource_type}"
    node = ET.Element(tag) if parent is None else ET.SubElement(parent, tag)
    for key, value, held in _ordered(resource, resource_type):
        if key == "resourceType":
            continue
        _element(node, key, value, held)
    return node


def to_xml(resource: dict[str, Any]) -> str:
    """The resource (or Bundle) as a FHIR XML document."""
    root = _resource(None, resource)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
