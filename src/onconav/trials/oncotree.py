"""Cancer types of OncoTree (MSK / cBioPortal, CC BY 4.0): the tree shipped as a compact file, the types a
text names, and how two types relate (the same, one inside the other, or different cancers).

`data/oncotree.json.gz` is derived by `derive` from the published tree (data/SOURCE-oncotree.md); the few
phrases OncoTree does not spell (abbreviations, "solid tumor", the catalogue's condition codes) are ours
and live in this module.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

DATA_FILE = "oncotree.json.gz"
ROOT = "TISSUE"
# Pseudo-types: any solid tumour (every tissue but blood and lymph), and any cancer at all.
SOLID = "SOLID"
ANY_CANCER = "ANY_CANCER"
BLOOD_TISSUES = frozenset({"MYELOID", "LYMPH"})
UNKNOWN_PRIMARY = "CUP"
# Words that name a cancer in general: "carcinoma" and "cancer" are the same word for matching.
_CANCER_WORDS = frozenset(
    {
        *("cancer", "cancers", "carcinoma", "carcinomas", "tumor", "tumors", "tumour", "tumours"),
        *("neoplasm", "neoplasms", "malignancy", "malignancies", "neoplasia"),
    }
)
_IGNORED = frozenset({"of", "the", "and", "nos", "other", "with", "in", "type", "a", "an", "or", "primary"})
# A phrase's words may lie this many words apart beyond its own length ("ductal carcinoma of the breast").
WINDOW_SLACK = 3
# Our phrases for types OncoTree spells otherwise; matched like OncoTree's own names.
EXTRA_PHRASES: dict[str, tuple[str, ...]] = {
    "NSCLC": ("nsclc", "non small cell lung cancer", "non-small-cell lung cancer"),
    "SCLC": ("sclc", "small cell lung cancer", "small-cell lung cancer"),
    "LUNG": ("lung cancer", "bronchogenic carcinoma"),
    "BREAST": ("breast cancer", "tnbc", "triple negative breast cancer", "mammary carcinoma"),
    "IDC": ("invasive ductal carcinoma", "ductal carcinoma of the breast"),
    "ILC": ("invasive lobular carcinoma",),
    "WDTC": ("differentiated thyroid cancer",),
    "THPA": ("papillary thyroid cancer", "papillary carcinoma of the thyroid"),
    "THYROID": ("thyroid cancer",),
    "BOWEL": ("colorectal cancer", "crc", "bowel cancer"),
    "COAD": ("colon cancer",),
    "READ": ("rectal cancer",),
    "HCC": ("hcc", "hepatocellular cancer", "liver cancer"),
    "GB": ("glioblastoma", "gbm", "glioblastoma multiforme"),
    "PAAD": ("pancreatic cancer", "pancreatic ductal adenocarcinoma", "pdac"),
    "PRAD": ("prostate cancer",),
    "OVARY": ("ovarian cancer",),
    "RCC": ("renal cell carcinoma", "rcc", "kidney cancer"),
    "MEL": ("melanoma",),
    "HNSC": ("hnscc", "head and neck squamous cell carcinoma"),
    "HEAD_NECK": ("head and neck cancer",),
    "BLCA": ("bladder cancer", "urothelial carcinoma"),
    "STAD": ("gastric cancer", "stomach cancer"),
    "ESCA": ("esophageal cancer", "oesophageal cancer"),
    "CERVIX": ("cervical cancer",),
    "UTERUS": ("endometrial cancer", "uterine cancer"),
    "MYELOID": ("leukemia", "leukaemia"),
    "AML": ("acute myeloid leukaemia", "acute myelogenous leukemia", "aml"),
    "CML": ("chronic myeloid leukemia", "chronic myeloid leukaemia", "cml"),
    # acute lymphoblastic leukaemia without its B or T lineage: the lymphoid neoplasms above both
    "LNM": ("acute lymphoblastic leukemia", "acute lymphoblastic leukaemia", "acute lymphocytic leukemia"),
    "CLLSLL": (
        "chronic lymphocytic leukemia",
        "chronic lymphocytic leukaemia",
        "cll",
        "small lymphocytic lymphoma",
    ),
    "LYMPH": ("lymphoma",),
    "PCM": ("multiple myeloma", "myeloma"),
    "SOFT_TISSUE": ("soft tissue sarcoma", "sarcoma"),
    "BONE": ("osteosarcoma", "bone sarcoma"),
    SOLID: ("solid tumor", "solid tumour", "solid malignancy", "solid cancer", "solid neoplasm"),
}
# The knowledge catalogue's condition codes as OncoTree types.
CATALOGUE_CODES = {
    "bladder-cancer": "BLADDER",
    "brain-tumor": "BRAIN",
    "breast-cancer": "BREAST",
    "cervical-cancer": "CERVIX",
    "colon-cancer": "COAD",
    "colorectal-cancer": "BOWEL",
    "esophageal-cancer": "STOMACH",
    "head-and-neck-cancer": "HEAD_NECK",
    "hodgkin-lymphoma": "HL",
    "kidney-cancer": "KIDNEY",
    "large-cell-lung-carcinoma": "LCLC",
    "leukemia": "MYELOID",
    "liver-cancer": "LIVER",
    "lung-adenocarcinoma": "LUAD",
    "lung-cancer": "LUNG",
    "lung-squamous-cell-carcinoma": "LUSC",
    "lymphoma": "LYMPH",
    "melanoma": "MEL",
    "mesothelioma": "PLEURA",
    "non-hodgkin-lymphoma": "NHL",
    "non-small-cell-lung-cancer": "NSCLC",
    "ovarian-cancer": "OVARY",
    "pancreatic-cancer": "PANCREAS",
    "pericardial-mesothelioma": "PLEURA",
    "peritoneal-mesothelioma": "PEMESO",
    "pleural-mesothelioma": "PLMESO",
    "prostate-cancer": "PROSTATE",
    "rectal-cancer": "READ",
    "small-cell-lung-cancer": "SCLC",
    "soft-tissue-sarcoma": "SOFT_TISSUE",
    "stomach-cancer": "STOMACH",
    "thyroid-cancer": "THYROID",
    "tunica-vaginalis-mesothelioma": "TMESO",
    "uterine-cancer": "UTERUS",
}


@dataclass(frozen=True)
class CancerType:
    """One OncoTree node: code, name, parent code and the tissue (level-1 node) it belongs to."""

    code: str
    name: str
    parent: str | None
    tissue: str
    main_type: str | None = None


def derive(source: Path) -> dict[str, Any]:
    """The compact form of a published OncoTree JSON file: `{code: [name, parent, main type]}`."""
    tree = json.loads(source.read_text(encoding="utf-8"))
    nodes: dict[str, list[str | None]] = {}

    def walk(node: dict[str, Any]) -> None:
        nodes[node["code"]] = [node["name"], node.get("parent"), node.get("mainType")]
        for child in node.get("children", {}).values():
            walk(child)

    walk(tree[ROOT])
    return {"source": source.name, "nodes": nodes}


@lru_cache(maxsize=1)
def _tree() -> dict[str, CancerType]:
    raw = resources.files("onconav.trials").joinpath("data", DATA_FILE).read_bytes()
    nodes: dict[str, list[str | None]] = json.loads(gzip.decompress(raw))["nodes"]
    types: dict[str, CancerType] = {}
    for code, (name, parent, main) in nodes.items():
        tissue = code
        while nodes[tissue][1] not in (None, ROOT):
            tissue = str(nodes[tissue][1])
        types[code] = CancerType(code=code, name=str(name), parent=parent, tissue=tissue, main_type=main)
    return types


def cancer_type(code: str) -> CancerType | None:
    """The OncoTree node of `code`, or None."""
    return _tree().get(code)


def lineage(code: str) -> tuple[str, ...]:
    """`code` and its ancestors up to its tissue, nearest first (the pseudo-types are their own)."""
    tree = _tree()
    out: list[str] = []
    current: str | None = code
    while current is not None and current != ROOT and current in tree:
        out.append(current)
        current = tree[current].parent
    return tuple(out) or (code,)


def is_solid(code: str) -> bool:
    """Whether a type is a solid tumour (not of blood or lymph)."""
    node = _tree().get(code)
    return node is not None and node.tissue not in BLOOD_TISSUES


def _normal(word: str) -> str:
    word = word.lower()
    if word in _CANCER_WORDS:
        return "cancer"
    if word.endswith("omas"):
        return word[:-1]
    return word.replace("leukaemia", "leukemia").replace("tumour", "tumor")


def _words(text: str) -> list[str]:
    """Normal words; "non" joins the next word, so "non-small cell" never reads as "small cell"."""
    words = [_normal(w) for w in re.findall(r"[A-Za-z0-9]+", text)]
    out: list[str] = []
    for word in words:
        if out and out[-1] == "non":
            out[-1] = "non" + word
        else:
            out.append(word)
    return out


@lru_cache(maxsize=1)
def _phrases() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(code, words) for every name, main type and extra phrase; longer phrases first."""
    found: set[tuple[str, tuple[str, ...]]] = set()
    seen_main: set[str] = set()
    for code, node in _tree().items():
        name, main = node.name, node.main_type
        if code == ROOT:
            continue
        tissue_level = len(lineage(code)) == 1
        # "Breast Neoplasm, NOS" is its parent unspecified; a tissue's own name ("Bone") is an organ.
        named = str(_tree()[code].parent) if re.search(r"\bNOS\b", name) else code
        if named == UNKNOWN_PRIMARY and code != named:
            continue  # "Adenocarcinoma, NOS" names a histology, not a cancer of unknown primary
        if not tissue_level:
            found.add((named, tuple(w for w in _words(name) if w not in _IGNORED)))
        if main and main not in seen_main and tissue_level:
            seen_main.add(main)
            found.add((code, tuple(w for w in _words(main) if w not in _IGNORED)))
    for code, phrases in EXTRA_PHRASES.items():
        for phrase in phrases:
            found.add((code, tuple(w for w in _words(phrase) if w not in _IGNORED)))
    usable = [(code, words) for code, words in found if words and words != ("cancer",)]
    return tuple(sorted(usable, key=lambda item: (-len(item[1]), item[0], item[1])))


def _found_at(words: list[str], phrase: tuple[str, ...], positions: dict[str, list[int]]) -> int | None:
    """Where the phrase's words all lie within a short window of `words` (the first word's position)."""
    if len(phrase) == 1:
        spots = positions.get(phrase[0])
        return spots[0] if spots else None
    span = len(phrase) + WINDOW_SLACK
    for start in positions.get(phrase[0], ()):
        window = set(words[max(0, start - span) : start + span])
        if all(w in window for w in phrase[1:]):
            return start
    return None


@lru_cache(maxsize=8192)
def types_named(text: str) -> tuple[str, ...]:
    """The most specific cancer types a text names, in the order it names them (pseudo-types included)."""
    words = _words(text)
    positions: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        positions.setdefault(word, []).append(i)
    found: list[tuple[int, str, tuple[str, ...]]] = []
    for code, phrase in _phrases():
        if phrase[0] not in positions:
            continue
        at = _found_at(words, phrase, positions)
        if at is not None:
            found.append((at, code, phrase))
    # A phrase inside a longer one found at the same place names nothing of its own: the "leukemia" of
    # "chronic lymphocytic leukemia" is not a myeloid leukaemia besides.
    hits = [
        (at, code)
        for at, code, phrase in found
        if not any(
            len(longer) > len(phrase)
            and set(phrase) <= set(longer)
            and abs(at - other) <= len(longer) + WINDOW_SLACK
            for other, _code, longer in found
        )
    ]
    codes = {code for _at, code in hits}
    specific = {c for c in codes if not any(c != o and c in lineage(o) for o in codes)}
    ordered: list[str] = []
    for _at, code in sorted(hits):
        if code in specific and code not in ordered:
            ordered.append(code)
    return tuple(ordered)


def of_catalogue(code: str | None) -> str | None:
    """The OncoTree type of a knowledge catalogue condition code."""
    return CATALOGUE_CODES.get(code) if code else None


def relation(patient: str, trial: str) -> str | None:
    """How a trial's cancer type relates to the patient's: "same", "broader" (the trial's type contains the
    patient's, or is any solid tumour or any cancer), "narrower" (a subtype of the patient's type, which
    the note does not settle), or None (another cancer)."""
    if trial == ANY_CANCER:
        return "broader"
    if trial == SOLID:
        return "broader" if is_solid(patient) else None
    if patient in (SOLID, ANY_CANCER):
        return "narrower"
    if patient == trial:
        return "same"
    if trial in lineage(patient):
        return "broader"
    if patient in lineage(trial):
        return "narrower"
    return None


def best_relation(patient: str, trials: Iterable[str]) -> str | None:
    """The closest relation of the patient's type to any of the trial's types."""
    order = {"same": 0, "broader": 1, "narrower": 2}
    found = [r for r in (relation(patient, t) for t in trials) if r is not None]
    return min(found, key=order.__getitem__) if found else None


def name_of(code: str) -> str:
    """A type's name for a reader ("Papillary Thyroid Cancer"; "solid tumour"; "any cancer")."""
    if code == SOLID:
        return "solid tumour"
    if code == ANY_CANCER:
        return "any cancer"
    node = _tree().get(code)
    if node is None:
        return code
    # A tissue's own name ("Breast") is an organ; its main type ("Breast Cancer") is the disease.
    return node.main_type if node.tissue == code and node.main_type else node.name
