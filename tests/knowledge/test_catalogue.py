"""The curated catalogue validates, cross-references hold, and patients' words map to the right topics."""

from __future__ import annotations

import copy

import pytest
from pydantic import ValidationError

from onconav.errors import InvalidInput
from onconav.knowledge import service as knowledge
from onconav.knowledge.catalogue import data_files, read_yaml
from onconav.knowledge.schemas import ServicesFile


def _core_services() -> dict[str, object]:
    return read_yaml(next(f for f in data_files("services") if f.name == "core.yaml"))  # type: ignore[return-value]


def test_every_service_cites_an_https_source_and_known_specialties() -> None:
    catalogue = knowledge.catalogue()
    assert {"metastasectomy", "lobectomy", "pleurectomy-decortication", "sbrt"} <= set(catalogue.services)
    for service in catalogue.services.values():
        assert str(knowledge.service_source(service.code).url).startswith("https://")
        for specialty in service.specialties:
            assert specialty in catalogue.specialties


def test_issue_procedures_and_services_are_all_present() -> None:
    names = {s.code for s in knowledge.list_services()}
    required = {
        "metastasectomy",
        "wedge-resection",
        "lobectomy",
        "pleurectomy-decortication",
        "extrapleural-pneumonectomy",
        "pleurodesis",
        "cytoreductive-surgery-hipec",
        "sbrt",
        "brachytherapy",
        "systemic-therapy",
        "palliative-care",
        "counseling",
        "support-groups",
        "nutrition",
        "second-opinion",
        "telehealth",
    }
    assert required <= names


def test_a_service_citing_an_unknown_source_is_refused() -> None:
    broken = copy.deepcopy(_core_services())
    broken["services"][0]["source"] = "nowhere"  # type: ignore[index]
    with pytest.raises(ValidationError, match="unknown source"):
        ServicesFile.model_validate(broken)


def test_an_unknown_field_is_refused() -> None:
    raw = copy.deepcopy(_core_services())
    raw["services"][0]["invented_statistic"] = "90%"  # type: ignore[index]
    with pytest.raises(ValidationError):
        ServicesFile.model_validate(raw)


@pytest.mark.parametrize(
    ("text", "kind", "code", "exact"),
    [
        ("metastasectomy", "service", "metastasectomy", True),
        ("Metastasectomy", "service", "metastasectomy", True),
        ("metastectomy", "service", "metastasectomy", False),
        ("lung metastasectomy", "service", "metastasectomy", True),
        ("VATS lobectmy", "service", "lobectomy", False),
        ("HIPEC", "service", "cytoreductive-surgery-hipec", True),
        ("SABR", "service", "sbrt", True),
        ("thoracic surgeon", "specialty", "thoracic-surgery", True),
        ("meso", "condition", "mesothelioma", True),
        ("stage 4 mesothelioma", "condition", "mesothelioma", True),
    ],
)
def test_patients_words_and_typos_map_to_the_right_service_specialty_or_condition(
    text: str, kind: str, code: str, exact: bool
) -> None:
    interpretation = knowledge.interpret_query(text)
    first = interpretation.matches[0]
    assert (first.kind, first.code, first.exact) == (kind, code, exact)


def test_a_condition_expands_to_the_care_that_treats_it() -> None:
    topics = knowledge.interpret_query("mesothelioma").topics
    assert topics["service:pleurectomy-decortication"] == "condition"
    assert topics["specialty:thoracic-surgery"] == "condition"
    assert "service:lobectomy" not in topics


def test_a_named_procedure_is_one_topic() -> None:
    assert knowledge.interpret_query("lobectomy").topics == {"service:lobectomy": "service"}


@pytest.mark.parametrize("text", ["", "   ", "qwertyuiop zzz", "asdfgh", "<script>", "cancer"])
def test_nonsense_is_refused_with_examples_and_no_suggestions(text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        knowledge.interpret_query(text)
    if text.strip():
        assert raised.value.details["suggestions"] == []
        assert raised.value.message.startswith("We did not recognise that")
        assert "Lung cancer" in raised.value.details["example_terms"]
