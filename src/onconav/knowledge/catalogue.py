"""Loading and cross-checking the curated knowledge files, and the term index built from them.

data/services/*.yaml, data/specialties/*.yaml and data/conditions/*.yaml (one condition per file).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TypeVar

import yaml
from pydantic import ValidationError

from onconav.knowledge.schemas import (
    Condition,
    Service,
    ServicesFile,
    SourceRef,
    SpecialtiesFile,
    Specialty,
    TermKind,
)
from onconav.text import fold

FileModel = TypeVar("FileModel", ServicesFile, SpecialtiesFile, Condition)
Entry = TypeVar("Entry", Service, Specialty, Condition)


@dataclass(frozen=True)
class Term:
    """A folded name, synonym or misspelling, and the entry it names."""

    folded: str
    kind: TermKind
    code: str


@dataclass(frozen=True)
class Catalogue:
    """Every curated entry, validated, with lookup tables."""

    services: dict[str, Service]
    specialties: dict[str, Specialty]
    conditions: dict[str, Condition]
    sources: dict[str, SourceRef]  # services' and specialties' sources, by key
    terms: tuple[Term, ...]  # longest first


class CatalogueError(ValueError):
    """A knowledge file breaks its schema or names something that does not exist."""


def data_files(folder: str) -> list[Traversable]:
    """The YAML files of one data folder, sorted by name."""
    root = resources.files("onconav.knowledge").joinpath("data", folder)
    return sorted((f for f in root.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key written twice in one mapping (YAML would keep the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"key {key!r} is written twice",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(file: Traversable) -> object:
    """The parsed content of a data file; a key written twice in one mapping is an error."""
    return yaml.load(file.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)


def _load(folder: str, model: type[FileModel]) -> list[FileModel]:
    """Every file of a data folder, validated; CatalogueError names the file that breaks its schema."""
    loaded = []
    for file in data_files(folder):
        try:
            loaded.append(model.model_validate(read_yaml(file)))
        except (ValidationError, yaml.YAMLError) as error:
            raise CatalogueError(f"{file.name}: {error}") from error
    return loaded


def _by_code(kind: str, items: Iterable[Entry]) -> dict[str, Entry]:
    result: dict[str, Entry] = {}
    for item in items:
        if item.code in result:
            raise CatalogueError(f"{kind} {item.code!r} is defined twice")
        result[item.code] = item
    return result


def _check_references(
    services: dict[str, Service], specialties: dict[str, Specialty], conditions: dict[str, Condition]
) -> None:
    for service in services.values():
        unknown = set(service.specialties) - set(specialties)
        if unknown:
            raise CatalogueError(f"service {service.code!r} names unknown specialties {sorted(unknown)}")
    for condition in conditions.values():
        if condition.parent is not None and condition.parent not in conditions:
            raise CatalogueError(f"condition {condition.code!r} has unknown parent {condition.parent!r}")
        for option in condition.options:
            unknown = (set(option.procedures) - set(services)) | (set(option.specialties) - set(specialties))
            if unknown:
                raise CatalogueError(f"condition {condition.code!r}: options name unknown {sorted(unknown)}")


def _build_terms(
    services: dict[str, Service], specialties: dict[str, Specialty], conditions: dict[str, Condition]
) -> tuple[Term, ...]:
    terms: dict[str, Term] = {}

    def add(words: str, kind: TermKind, code: str) -> None:
        key = fold(words)
        if not key:
            return
        existing = terms.get(key)
        if existing is not None and (existing.kind, existing.code) != (kind, code):
            raise CatalogueError(f"{words!r} names {existing.kind} {existing.code} and {kind} {code}")
        terms[key] = Term(key, kind, code)

    for service in services.values():
        for words in (service.code.replace("-", " "), service.name, *service.synonyms):
            add(words, "service", service.code)
    for specialty in specialties.values():
        for words in (specialty.name, specialty.practitioner_title, *specialty.synonyms):
            add(words, "specialty", specialty.code)
    for condition in conditions.values():
        for words in (condition.name, *condition.synonyms, *condition.misspellings):
            add(words, "condition", condition.code)
    return tuple(sorted(terms.values(), key=lambda t: (-len(t.folded), t.folded)))


@cache
def catalogue() -> Catalogue:
    """The validated catalogue (loaded once per process); CatalogueError names the broken file."""
    service_files = _load("services", ServicesFile)
    specialty_files = _load("specialties", SpecialtiesFile)
    services = _by_code("service", (s for f in service_files for s in f.services))
    specialties = _by_code("specialty", (s for f in specialty_files for s in f.specialties))
    conditions = _by_code("condition", _load("conditions", Condition))
    sources: dict[str, SourceRef] = {}
    file_sources = [f.sources for f in service_files] + [f.sources for f in specialty_files]
    for refs in file_sources:
        for key, ref in refs.items():
            if key in sources and sources[key] != ref:
                raise CatalogueError(f"source key {key!r} names two different references")
            sources[key] = ref
    _check_references(services, specialties, conditions)
    return Catalogue(
        services=services,
        specialties=specialties,
        conditions=conditions,
        sources=sources,
        terms=_build_terms(services, specialties, conditions),
    )
