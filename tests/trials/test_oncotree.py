"""The OncoTree file shipped in the package: derived from the published tree, read into types, and the
relations matching and verdicts rely on (a subtype is inside its type; siblings are different cancers).
"""

from __future__ import annotations

import gzip
import json
from importlib import resources
from pathlib import Path

import pytest

from onconav.trials import oncotree

ONCOTREE = Path("oncotree/oncotree_2025_10_03.json")


def test_the_shipped_file_is_the_published_tree_derived(shared_data: Path) -> None:
    shipped = json.loads(
        gzip.decompress(resources.files("onconav.trials").joinpath("data", oncotree.DATA_FILE).read_bytes())
    )
    assert shipped == oncotree.derive(shared_data / ONCOTREE)
    assert len(shipped["nodes"]) == 898


def test_every_catalogue_code_and_extra_phrase_names_a_type_of_the_tree() -> None:
    for code in [*oncotree.CATALOGUE_CODES.values(), *oncotree.EXTRA_PHRASES]:
        assert code in (oncotree.SOLID, oncotree.ANY_CANCER) or oncotree.cancer_type(code) is not None, code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("invasive ductal carcinoma of the left breast", ("IDC",)),
        ("Carcinoma, Non-Small-Cell Lung", ("NSCLC",)),
        ("papillary carcinoma of the thyroid", ("THPA",)),
        ("Advanced Solid Tumors", (oncotree.SOLID,)),
        ("pain in the breast and a bone scan", ()),
        ("a 10 year old with small cell counts", ()),
    ],
)
def test_types_named_in_a_text_are_the_most_specific(text: str, expected: tuple[str, ...]) -> None:
    assert oncotree.types_named(text) == expected


def test_relations_follow_the_hierarchy() -> None:
    assert oncotree.relation("THPA", "WDTC") == "broader"
    assert oncotree.relation("IDC", oncotree.SOLID) == "broader"
    assert oncotree.relation("AML", oncotree.SOLID) is None
    assert oncotree.relation("BREAST", "IDC") == "narrower"
    assert oncotree.relation("THPA", "THAP") is None
    assert oncotree.relation("THPA", "NSCLC") is None
    assert oncotree.name_of("BREAST") == "Breast Cancer"
