"""The curated cancer content: coverage, real codes (OncoTree, ICD-10-CM), a source for every statement,
stages and options that hang together.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import simple_icd_10_cm as icd

from onconav.knowledge import service as knowledge

REQUIRED = [
    "mesothelioma",
    "pleural-mesothelioma",
    "peritoneal-mesothelioma",
    "pericardial-mesothelioma",
    "tunica-vaginalis-mesothelioma",
    "lung-cancer",
    "non-small-cell-lung-cancer",
    "lung-adenocarcinoma",
    "lung-squamous-cell-carcinoma",
    "small-cell-lung-cancer",
    "colorectal-cancer",
    "soft-tissue-sarcoma",
    "kidney-cancer",
    "melanoma",
    "breast-cancer",
    "prostate-cancer",
    "pancreatic-cancer",
    "stomach-cancer",
    "esophageal-cancer",
    "liver-cancer",
    "ovarian-cancer",
    "bladder-cancer",
    "head-and-neck-cancer",
    "brain-tumor",
    "lymphoma",
    "leukemia",
]


def _oncotree_nodes(shared_data: Path) -> dict[str, str]:
    tree = json.loads((shared_data / "oncotree" / "oncotree_2025_10_03.json").read_text())
    nodes: dict[str, str] = {}

    def walk(node: dict[str, object]) -> None:
        nodes[str(node["code"])] = str(node["name"])
        for child in (node.get("children") or {}).values():  # type: ignore[union-attr]
            walk(child)

    for root in tree.values():
        walk(root)
    return nodes


def test_the_required_cancers_are_covered() -> None:
    codes = {c.code for c in knowledge.list_conditions()}
    missing = [code for code in REQUIRED if code not in codes]
    assert not missing
    assert len(codes) >= 20


def test_oncotree_codes_are_real_and_named_as_in_the_release(shared_data: Path) -> None:
    nodes = _oncotree_nodes(shared_data)
    for condition in knowledge.list_conditions():
        for ref in condition.oncotree:
            assert ref.code in nodes, (condition.code, ref.code)
            assert nodes[ref.code] == ref.name, (condition.code, ref.code, nodes[ref.code])


def test_icd10_codes_are_real_neoplasm_codes() -> None:
    for condition in knowledge.list_conditions():
        assert condition.icd10 or condition.parent, condition.code
        for code in condition.icd10:
            assert icd.is_valid_item(code), (condition.code, code)
            assert code[0] in "CD", (condition.code, code)


@pytest.mark.parametrize("condition", knowledge.list_conditions(), ids=lambda c: c.code)
def test_every_statement_has_a_source_and_a_written_date(condition: object) -> None:
    from onconav.knowledge.schemas import Condition

    assert isinstance(condition, Condition)
    assert condition.written.date <= dt.date.today() and condition.written.by.strip()
    assert condition.reviewed is None or condition.reviewed.date >= condition.written.date
    sources = knowledge.sources_of(condition)
    cited = [condition.source, *(s.source for s in condition.stages), *(o.source for o in condition.options)]
    cited += [g.source for g in condition.guidance]
    cited += [k for o in condition.options for k in o.further_sources]
    cited += [o.selection.source for o in condition.options if o.selection]
    for key in cited:
        assert key in sources and str(sources[key].url).startswith("https://")
    assert condition.summary.strip()


@pytest.mark.parametrize(
    "condition", [c for c in knowledge.list_conditions() if c.parent is None], ids=lambda c: c.code
)
def test_every_cancer_offers_trials_and_supportive_care(condition: object) -> None:
    from onconav.knowledge.schemas import Condition

    assert isinstance(condition, Condition)
    options = knowledge.options_of(condition)
    modalities = {o.modality for o in options}
    assert "clinical-trial" in modalities, condition.code
    assert "palliative-care" in modalities, condition.code
    for stage in knowledge.stages_of(condition):
        assert knowledge.options_of(condition, stage.code), (condition.code, stage.code)


def test_subtypes_inherit_staging_and_options_from_their_parent() -> None:
    adenocarcinoma = knowledge.get_condition("lung-adenocarcinoma")
    nsclc = knowledge.get_condition("non-small-cell-lung-cancer")
    assert adenocarcinoma is not None and nsclc is not None
    assert adenocarcinoma.parent == "non-small-cell-lung-cancer"
    assert knowledge.stages_of(adenocarcinoma) == knowledge.stages_of(nsclc)
    assert knowledge.options_of(adenocarcinoma) == knowledge.options_of(nsclc)


def test_rare_cancers_point_to_specialized_care() -> None:
    for condition in knowledge.list_conditions():
        if condition.rare and condition.parent is None:
            assert knowledge.guidance_of(condition), condition.code


def test_small_cell_lung_cancer_has_limited_and_extensive_stages() -> None:
    sclc = knowledge.get_condition("small-cell-lung-cancer")
    assert sclc is not None
    assert {"limited", "extensive"} <= {s.group for s in knowledge.stages_of(sclc)}
