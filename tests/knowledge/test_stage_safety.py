"""Stage-aware options by construction: no operation that aims to cure or to remove all visible cancer is
offered for distant spread unless it is marked oligometastatic with its selection criteria, across the
whole catalogue, in the schema, for umbrella entries and in what `explain` shows.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from onconav.knowledge import service as knowledge
from onconav.knowledge.catalogue import data_files, read_yaml
from onconav.knowledge.schemas import Condition, TreatmentOption

CONDITIONS = knowledge.list_conditions()


def _unsafe(options: list[TreatmentOption]) -> list[str]:
    """Operations on the cancer itself that are not marked as local treatment of a few metastases."""
    return [
        o.summary[:70]
        for o in options
        if o.modality in ("surgery", "ablation")
        and o.intent in ("curative", "complete-removal")
        and not (o.oligometastatic and o.selection and o.selection.criteria)
    ]


@pytest.mark.parametrize("condition", CONDITIONS, ids=lambda c: c.code)
def test_no_curative_operation_is_offered_for_distant_spread(condition: Condition) -> None:
    stages = knowledge.stages_of(condition)
    if not condition.stage_means_spread:
        return
    distant = [s for s in stages if s.is_distant]
    for stage in distant:
        parts = stage.distant_substages or [None]
        for substage in parts:
            offered = knowledge.options_of(condition, stage.code, substage=substage)
            assert not _unsafe(offered), (condition.code, stage.code, substage)
    if not stages:
        assert not _unsafe(knowledge.options_of(condition, distant=True)), condition.code


def test_only_brain_tumors_say_their_stage_words_do_not_mean_spread() -> None:
    assert {c.code for c in CONDITIONS if not c.stage_means_spread} == {"brain-tumor"}


@pytest.mark.parametrize(
    "umbrella",
    [c for c in CONDITIONS if not c.stages and any(child.parent == c.code for child in CONDITIONS)],
    ids=lambda c: c.code,
)
def test_umbrella_entries_follow_their_childrens_stage_rules(umbrella: Condition) -> None:
    """What an umbrella shows for distant spread, one of its types shows for distant spread too."""
    children = [c for c in CONDITIONS if c.parent == umbrella.code]
    for_spread: set[tuple[str, str]] = set()
    for child in children:
        stages = knowledge.stages_of(child)
        offered = (
            [o for s in stages if s.is_distant for o in knowledge.options_of(child, s.code)]
            if stages
            else knowledge.options_of(child, distant=True)
        )
        for_spread |= {(o.modality, o.intent) for o in offered}
    for option in knowledge.options_of(umbrella, distant=True):
        assert (option.modality, option.intent) in for_spread, (umbrella.code, option.summary[:60])


def _mesothelioma_file() -> dict[str, Any]:
    file = next(f for f in data_files("conditions") if f.name == "peritoneal-mesothelioma.yaml")
    data = read_yaml(file)
    assert isinstance(data, dict)
    return data


def test_the_schema_refuses_surgery_for_distant_spread_without_selection() -> None:
    data = _mesothelioma_file()
    surgery = next(o for o in data["options"] if o["modality"] == "surgery")
    Condition.model_validate(data)  # as written: only where the cancer has not spread far
    for stages in (["all"], ["distant"]):
        unsafe = {**data, "options": [{**surgery, "stages": stages}]}
        with pytest.raises(ValidationError, match="oligometastatic"):
            Condition.model_validate(unsafe)
    without_selection = {k: v for k, v in surgery.items() if k != "selection"}
    marked = {**without_selection, "stages": ["distant"], "oligometastatic": True}
    with pytest.raises(ValidationError, match="selection"):
        Condition.model_validate({**data, "options": [marked]})
    Condition.model_validate({**data, "options": [{**marked, "selection": surgery["selection"]}]})


def test_a_distant_substage_counts_even_when_the_stage_is_mixed() -> None:
    data = read_yaml(next(f for f in data_files("conditions") if f.name == "head-and-neck-cancer.yaml"))
    assert isinstance(data, dict)
    widened = [
        {**o, "substages": ["IVA", "IVB", "IVC"]} if o["modality"] == "surgery" and "iv" in o["stages"] else o
        for o in data["options"]
    ]
    with pytest.raises(ValidationError, match="oligometastatic"):
        Condition.model_validate({**data, "options": widened})


@pytest.mark.parametrize(
    "text",
    [
        "stage 4 mesothelioma",
        "stage 4 lung cancer",
        "stage 4 peritoneal mesothelioma",
        "stage iv pleural mesothelioma",
    ],
)
def test_explain_shows_no_curative_surgery_for_stage_4(text: str) -> None:
    result = knowledge.explain_text(text)
    assert result.stage_group == "IV"
    assert result.options
    for option in result.options:
        if option.modality in ("surgery", "ablation") and option.intent in ("curative", "complete-removal"):
            pytest.fail(f"{text}: {option.summary[:60]}")
        if option.oligometastatic:
            assert option.selection, option.summary
    flags = [o.oligometastatic for o in result.options]
    assert flags == sorted(flags), "options for a few metastases come after the others"
    assert result.options[0].modality != "surgery"


def test_stage_4_lung_cancer_offers_local_treatment_of_a_single_metastasis_with_its_criteria() -> None:
    result = knowledge.explain_text("stage 4 lung cancer")
    local = [o for o in result.options if o.oligometastatic]
    assert local and all(o.selection for o in local)
    procedures = {p for o in local for p in o.procedures}
    specialties = {s for o in local for s in o.specialties}
    assert {"craniotomy", "stereotactic-radiosurgery"} <= procedures
    assert "neurosurgery" in specialties


@pytest.mark.parametrize(
    ("text", "procedure"),
    [
        ("stage 1 lung cancer", "lobectomy"),
        ("early stage peritoneal mesothelioma", None),
        ("stage IVA head and neck cancer", "neck-dissection"),
        ("stage 4 glioblastoma", "craniotomy"),
    ],
)
def test_operations_stay_where_the_cancer_has_not_spread(text: str, procedure: str | None) -> None:
    result = knowledge.explain_text(text)
    offered = {p for o in result.options for p in o.procedures}
    if procedure is not None:
        assert procedure in offered, text
    else:
        assert "cytoreductive-surgery-hipec" in offered, text


def test_stage_ivc_head_and_neck_cancer_is_not_offered_surgery_that_aims_to_cure() -> None:
    result = knowledge.explain_text("stage IVC head and neck cancer")
    assert result.stage == "IVC"
    assert not [o for o in result.options if o.modality == "surgery" and o.intent == "curative"]


def test_peritoneal_mesothelioma_surgery_lists_its_selection_with_the_pci() -> None:
    condition = knowledge.get_condition("peritoneal-mesothelioma")
    assert condition is not None
    surgery = next(o for o in condition.options if o.modality == "surgery")
    assert surgery.stages == ["not-distant"] and surgery.intent == "complete-removal"
    assert surgery.selection is not None
    assert any("peritoneal cancer index" in c for c in surgery.selection.criteria)
    assert any("epithelioid" in c for c in surgery.selection.criteria)


def test_a_stage_group_the_condition_does_not_use_takes_the_options_of_its_extent() -> None:
    advanced = knowledge.explain_text("stage 4 small cell lung cancer")
    procedures = {p for o in advanced.options for p in o.procedures}
    assert "lobectomy" not in procedures
    assert any("tarlatamab" in o.summary for o in advanced.options)
    early = knowledge.explain_text("stage 1 small cell lung cancer")
    assert "lobectomy" in {p for o in early.options for p in o.procedures}
    assert any("durvalumab" in o.summary for o in early.options)
