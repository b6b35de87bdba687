"""The clinical lexicon of data/clinical-lexicon.yaml (concepts, severity words, medicines by class and what
they imply), validated on load, with every medicine class and generic name made a concept of its own.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import ValidationError

from onconav.knowledge.catalogue import CatalogueError, read_yaml
from onconav.knowledge.schemas import ClinicalConcept, ClinicalLexicon, ClinicalLexiconFile, medicine_code

LEXICON_FILE = "clinical-lexicon.yaml"


def read_lexicon_file() -> ClinicalLexiconFile:
    """The lexicon file as written, validated; CatalogueError names the file when it breaks its schema."""
    file = resources.files("onconav.knowledge").joinpath("data", LEXICON_FILE)
    try:
        return ClinicalLexiconFile.model_validate(read_yaml(file))
    except (ValidationError, yaml.YAMLError) as error:
        raise CatalogueError(f"{file.name}: {error}") from error


def build_lexicon(lexicon: ClinicalLexiconFile) -> ClinicalLexicon:
    """The lexicon ready for reading: each class, then each of its members, follows the other concepts, so
    "metoprolol" in a note answers "beta blockers" in a criterion, and not the other way round.
    """
    concepts = dict(lexicon.concepts)
    medicines: set[str] = set()
    for code, medication in lexicon.medication_classes.items():
        concepts[code] = ClinicalConcept(
            parent=medication.parent, phrases=medication.phrases or (code.replace("-", " "),)
        )
        medicines.add(code)
        for member in medication.members:
            concepts[medicine_code(member)] = ClinicalConcept(parent=code, phrases=(member,))
            medicines.add(medicine_code(member))
    return ClinicalLexicon(
        concepts=concepts,
        medicines=frozenset(medicines),
        severity_words=frozenset(lexicon.severity_words),
        implied_by_medication=dict(lexicon.implied_by_medication),
        suggested_by_medication=dict(lexicon.suggested_by_medication),
        regimens=dict(lexicon.regimens),
    )


@cache
def load_clinical_lexicon() -> ClinicalLexicon:
    """The validated clinical lexicon (read once per process)."""
    return build_lexicon(read_lexicon_file())
