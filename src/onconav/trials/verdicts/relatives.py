"""The relatives a note gives a cancer or a hereditary mutation, read for the family-history verdicts
(`heredity.py`): who (the degree of kinship, the side of the family, how many), which cancer (OncoTree, with
the knowledge module's reader for the spellings OncoTree lacks), at what age it was diagnosed, and which
inherited mutation or syndrome; also a note that says the family history is negative, or unknown.

Degrees of kinship are the NCI Dictionary of Cancer Terms': a first-degree relative is a parent, brother
or sister, or child; a second-degree relative a grandparent, aunt or uncle, niece or nephew, grandchild or
half-brother or half-sister; a third-degree relative a first cousin, great-grandparent, great-grandchild,
great-aunt or great-uncle. A spouse or a step-relative is no blood relative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from onconav.knowledge import service as knowledge
from onconav.trials import oncotree

# kin word -> (degree, side); side "maternal" / "paternal" / None. Degree 0: no blood relative.
KIN: dict[str, tuple[int, str | None]] = {
    **dict.fromkeys(("mother", "mom", "mum"), (1, "maternal")),
    **dict.fromkeys(("father", "dad"), (1, "paternal")),
    **dict.fromkeys(
        ("parent", "sister", "brother", "sibling", "son", "daughter", "child", "twin"), (1, None)
    ),
    **dict.fromkeys(
        ("children", "sisters", "brothers", "siblings", "sons", "daughters", "parents"), (1, None)
    ),
    **dict.fromkeys(("grandmother", "grandfather", "grandparent", "grandma", "grandpa"), (2, None)),
    **dict.fromkeys(
        ("aunt", "uncle", "niece", "nephew", "grandson", "granddaughter", "grandchild"), (2, None)
    ),
    **dict.fromkeys(("half-sister", "half-brother", "half-sibling"), (2, None)),
    **dict.fromkeys(
        ("cousin", "great-aunt", "great-uncle", "great-grandmother", "great-grandfather"), (3, None)
    ),
    **dict.fromkeys(("relative", "family member", "relation"), (-1, None)),  # degree not said
    **dict.fromkeys(("husband", "wife", "spouse", "partner", "stepmother", "stepfather"), (0, None)),
    **dict.fromkeys(("stepsister", "stepbrother", "fiance", "fiancee", "boyfriend", "girlfriend"), (0, None)),
}
_PLURAL = re.compile(r"(?:s|ren)$")
_KIN_NAMES = (
    r"(?:great-|half-|step)?(?:grand)?(?:mother|father|parent|mom|mum|dad|sister|brother|sibling|"
    r"son|daughter|child|aunt|uncle|niece|nephew|cousin|twin|husband|wife|spouse|partner|relative|"
    r"relation|family member|fiance|fiancee|boyfriend|girlfriend)(?:s|ren)?|children|grandchildren"
)
_KIN_WORD = r"(?:(?:maternal|paternal|first|second|third)[- ](?:degree )?)?(?:" + _KIN_NAMES + r")\b"
_KIN_RX = re.compile(
    r"\b(?:(?P<count>two|three|four|five|several|multiple|both|2|3|4|5)\s+)?(?:(?:of\s+)?(?:her|his|their|the)\s+|of\s+)?"
    r"(?:(?P<side>maternal|paternal)\s+)?(?:(?P<degree>first|second|third)[- ]degree\s+)?"
    r"(?P<kin>" + _KIN_NAMES + r")\b",
    re.I,
)
# "her mother's sister": the sister of a parent is an aunt, the parent of a parent a grandparent.
_OF_A_PARENT = re.compile(r"\b(mother|father)'s\s+(sister|brother|mother|father)\b", re.I)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "several": 2, "multiple": 2, "both": 2}
_DEGREES = {"first": 1, "second": 2, "third": 3}

# The age at a relative's diagnosis: "at 45", "at age 45", "(age 39)", "aged 60", "in her 40s".
_AGE = re.compile(
    r"\b(?:at|aged?|at age|at the age of|when (?:she|he) was)\s*(?:age\s*)?(\d{1,2})\b"
    r"(?!\s*(?:%|mg|cm|sites?))|"
    r"\bin (?:her|his|their) (early |mid-? ?|late )?(\d)0'?s\b",
    re.I,
)
_CANCER_WORD = re.compile(
    r"\b(?:cancers?|carcinomas?|malignan\w*|tumou?rs?|neoplasms?|ca)\b|oma\b|\bleuka?emia", re.I
)
_GENERIC_ONLY = re.compile(r"\b(?:cancers?|malignan\w*|carcinomas?|neoplasms?)\b", re.I)

# Genes of hereditary cancer, and the syndromes they cause (NCI PDQ Cancer Genetics).
GENES = (
    *("BRCA1", "BRCA2", "MLH1", "MSH2", "MSH6", "PMS2", "EPCAM", "APC", "MUTYH", "CDKN2A", "CDK4"),
    *("PALB2", "ATM", "CHEK2", "TP53", "STK11", "HOXB13", "BAP1", "RAD51C", "RAD51D", "BRIP1", "PTEN"),
    *("CDH1", "SMAD4", "BMPR1A"),
)
SYNDROMES: dict[str, tuple[str, ...]] = {
    "lynch": ("MLH1", "MSH2", "MSH6", "PMS2", "EPCAM"),
    "hboc": ("BRCA1", "BRCA2"),
    "fap": ("APC",),
    "li-fraumeni": ("TP53",),
    "peutz-jeghers": ("STK11",),
    "fammm": ("CDKN2A",),
    "cowden": ("PTEN",),
}
SYNDROME_NAMES = {
    "lynch": "Lynch syndrome",
    "hboc": "hereditary breast and ovarian cancer syndrome",
    "fap": "familial adenomatous polyposis",
    "li-fraumeni": "Li-Fraumeni syndrome",
    "peutz-jeghers": "Peutz-Jeghers syndrome",
    "fammm": "familial atypical multiple mole melanoma syndrome",
    "cowden": "Cowden syndrome",
}
_SYNDROME_RX = {
    "lynch": r"lynch|hnpcc|hereditary non-?polyposis",
    "hboc": r"\bhboc\b|hereditary breast (?:and|&) ovarian cancer",
    "fap": r"\bfap\b|familial adenomatous polyposis",
    "li-fraumeni": r"li-?fraumeni",
    "peutz-jeghers": r"peutz-?jeghers",
    "fammm": r"\bfammm\b|familial atypical multiple mole",
    "cowden": r"cowden",
}
_GENE_RX = re.compile(r"\b(BRCA(?:1|2)?(?:/2)?|" + "|".join(GENES[2:]) + r")\b", re.I)
_MUTATION_PENDING = re.compile(
    r"\bpending\b|\bplanned\b|\bordered\b|\bawait\w*|\breferr\w*|\bwill\b|\bto be\b|\bnot yet\b|"
    r"\brecommend\w*|\boffered\b|\bdeclined\b|\bunknown\b|\bundergoing\b|\buntested\b|\bconsider\w*|"
    r"\bnot (?:been )?tested\b|\bvus\b|\buncertain significance\b",
    re.I,
)
_MUTATION_POSITIVE = re.compile(
    r"mutat|\bvariant|\bcarri|\bpositive\b|\bpathogenic\b|\bdeleterious\b|\bharbou?r|\bsyndrome\b|"
    r"\bhnpcc\b|\bfap\b|\bhboc\b|\bfammm\b",
    re.I,
)
_MUTATION_NEGATIVE = re.compile(
    r"\bnegative\b|\bno (?:known |pathogenic |deleterious )?(?:mutation|variant)|wild[- ]type|"
    r"\bnot (?:a )?carr",
    re.I,
)

# A family history said negative ("no family history of cancer", "family history is unremarkable",
# "denies any family history of colon cancer", "family history negative for breast cancer").
NO_FAMILY_HISTORY = re.compile(
    r"\bno (?:\w+ ){0,2}family history\b|\bfamily history (?:is |was )?(?:negative|unremarkable|"
    r"non-?contributory|noncontributory|not significant)\b|\bdenies (?:any )?(?:\w+ )?family history\b|"
    r"\bno (?:known )?(?:history of )?[\w ]{0,30}\bin (?:the|his|her) family\b|"
    r"\bno (?:\w+ ){0,2}(?:relatives?|family members?) (?:with|had|have)\b",
    re.I,
)
# A family history nobody knows: an adopted patient, "family history unknown".
UNKNOWN_FAMILY = re.compile(
    r"\b(?:was|is|been|being) adopted\b|\badoptee\b|"
    r"\bfamily history (?:is |was )?(?:unknown|unavailable|not known|not available)\b|"
    r"\bunknown family history\b|\bunable to obtain (?:a |any )?family history\b",
    re.I,
)
# The patient's own carrier status beside a relative's: "she carries the familial BRCA2 mutation".
_OWN_CARRIER = re.compile(
    r"\b(?:she|he|the patient|patient)\b (?:\w+ ){0,2}(?:carries|is a carrier|tested (?:positive|negative)|"
    r"harbou?rs|is positive|is negative)\b",
    re.I,
)
_FAMILY_CONTEXT = re.compile(
    r"\bfamily history\b|\bfamilial\b|\bin the family\b|\bruns in\b|\bfamily (?:members?|is|has)\b", re.I
)


@dataclass(frozen=True)
class Relative:
    """Relatives a note gives a cancer or a mutation: the kin word, degree (-1 not said; 0 no blood
    relative), side, how many, the cancer types, the age range at diagnosis, the genes, the sentence."""

    kin: str
    degree: int
    side: str | None
    count: int
    cancers: tuple[str, ...]
    ages: tuple[int, int] | None
    genes: tuple[str, ...]
    sentence: int


@dataclass(frozen=True)
class FamilyStory:
    """What a note tells of the family: relatives with cancers or mutations, the sentences that say the
    family history is negative (with the cancer types they name, empty for any), unknown, and the
    patient's own germline results (gene, positive)."""

    relatives: tuple[Relative, ...]
    negative: tuple[tuple[int, tuple[str, ...]], ...]
    unknown: int | None
    own_genes: tuple[tuple[int, str, bool], ...]


def family_types(codes: tuple[str, ...]) -> tuple[str, ...]:
    """OncoTree types with "Other" and "NOS" nodes read as their parent ("Ovarian Cancer, Other" is
    ovarian cancer): a relative's cancer is compared by organ and type, never by a catch-all node."""
    out: list[str] = []
    for code in codes:
        node = oncotree.cancer_type(code)
        if node is not None and node.parent and re.search(r", Other\b|\bNOS\b|^Other\b", node.name):
            code = node.parent
        if code not in out:
            out.append(code)
    return tuple(out)


@lru_cache(maxsize=8192)
def cancers_named(text: str) -> tuple[str, ...]:
    """The cancer types a stretch of text names: OncoTree's names, else the knowledge module's reader
    ("colon ca", "cancer of the pancreas"), else any cancer when it only says "cancer"."""
    found = tuple(t for t in oncotree.types_named(text) if t != oncotree.SOLID)
    if not found and _CANCER_WORD.search(text):
        cleaned = _KIN_RX.sub(" ", text)
        condition = knowledge.explain(cleaned).condition
        # the catalogue condition as OncoTree names it ("Pancreatic cancer"), as the criterion's is named
        code = oncotree.of_catalogue(condition.code if condition else None)
        if condition is not None and code is not None:
            found = oncotree.types_named(condition.name) or (code,)
        elif _GENERIC_ONLY.search(text):
            found = (oncotree.ANY_CANCER,)
    return family_types(found)


_SYNDROME_NAMES = re.compile("|".join(_SYNDROME_RX.values()), re.I)


def without_syndromes(text: str) -> str:
    """The text without hereditary syndromes' names, whose "familial" or "hereditary" is no relative."""
    return _SYNDROME_NAMES.sub(" ", text) if "famil" in text.lower() or "heredit" in text.lower() else text


def gene_label(genes: tuple[str, ...]) -> str:
    """Genes as a reader knows them: the syndrome they make up ("Lynch syndrome"), or "a BRCA1 mutation"."""
    name = next((n for n, g in SYNDROMES.items() if set(g) == set(genes)), None)
    return SYNDROME_NAMES[name] if name else f"a {' or '.join(genes)} mutation"


def gene_status(text: str) -> bool | None:
    """Whether a stretch naming a gene says a mutation is carried (True), not carried (False), or neither
    (a test pending or offered, a variant of uncertain significance: None)."""
    if _MUTATION_PENDING.search(text):
        return None
    if _MUTATION_NEGATIVE.search(text):
        return False
    return True if _MUTATION_POSITIVE.search(text) else None


def genes_named(text: str) -> tuple[str, ...]:
    """The hereditary-cancer genes a text names, a syndrome standing for its genes; "BRCA" or "BRCA1/2"
    for both BRCA genes (as "BRCA")."""
    found: list[str] = []
    for m in _GENE_RX.finditer(text):
        gene = m.group(1).upper()
        gene = "BRCA" if gene in ("BRCA", "BRCA1/2") else gene
        if gene not in found:
            found.append(gene)
    for name, rx in _SYNDROME_RX.items():
        if re.search(rx, text, re.I):
            found.extend(g for g in SYNDROMES[name] if g not in found)
    return tuple(found)


def _chunks(sentence: str) -> list[str]:
    """A sentence's stretches at semicolons, commas and colons (a list of relatives and their cancers)."""
    text = _OF_A_PARENT.sub(_kin_of_a_parent, sentence)
    return [
        c
        for c in re.split(
            r"[;,:]|\.\s|\band (?=(?:(?:her|his|their|a|an|the|one|two) )?" + _KIN_WORD + ")", text
        )
        if c.strip()
    ]


def _read_chunk(
    chunk: str,
) -> tuple[str, list[tuple[int, str, int, str | None, int]], tuple[str, ...], tuple[str, ...]]:
    """A stretch with its relatives, cancers and genes."""
    cancers = cancers_named(chunk)
    return chunk, _kin_in(chunk), cancers, genes_named(chunk)


def _kin_of_a_parent(m: re.Match[str]) -> str:
    side = "maternal" if m.group(1).lower() == "mother" else "paternal"
    kin = {"sister": "aunt", "brother": "uncle"}.get(m.group(2).lower(), "grandparent")
    return f"{side} {kin}"


def _kin_in(chunk: str) -> list[tuple[int, str, int, str | None, int]]:
    """(position, kin word, degree, side, count) for each relative a stretch names."""
    out = []
    for m in _KIN_RX.finditer(chunk):
        word = m.group("kin").lower()
        single = word if word in KIN else _PLURAL.sub("", word)
        if word in ("children", "grandchildren"):
            single = word[: -len("ren")]
        degree, side = KIN.get(single, (-1, None))
        if m.group("degree"):
            degree = _DEGREES[m.group("degree").lower()]
        side = m.group("side").lower() if m.group("side") else side
        count = _NUMBERS.get((m.group("count") or "").lower()) or (
            int(m.group("count")) if (m.group("count") or "").isdigit() else (2 if single != word else 1)
        )
        out.append((m.start(), single, degree, side, count))
    return out


_DIED = re.compile(r"\bdied\b|\bdeath\b|\bpassed away\b|\bsuccumbed\b", re.I)
_DIAGNOSED = re.compile(r"\bdiagnos\w*|\bdx\b", re.I)


def _ages(chunk: str) -> list[tuple[int, tuple[int, int]]]:
    out = []
    for m in _AGE.finditer(chunk):
        if m.group(1):
            low = high = int(m.group(1))
        else:
            decade = int(m.group(3)) * 10
            part = (m.group(2) or "").strip().rstrip("-").lower()
            early, late = {"early": (0, 3), "mid": (3, 7), "late": (6, 9)}.get(part, (0, 9))
            low, high = decade + early, decade + late
        if _DIED.search(chunk[: m.start()]) and not _DIAGNOSED.search(chunk[: m.start()]):
            low = 0  # "died of breast cancer at 52": diagnosed at 52 or before
        out.append((m.start(), (low, high)))
    return out


@lru_cache(maxsize=4096)
def family_story(sentences: tuple[str, ...], patients: frozenset[int] = frozenset()) -> FamilyStory:
    """Read the family from a note's sentences (see `FamilyStory`). In the sentences `patients`, whose
    cancers the note's concept reader gives the patient (`text.polarity`), a stretch where the patient is
    named before any relative ("She has two children and was diagnosed with breast cancer") is the
    patient's own."""
    relatives: list[Relative] = []
    negative: list[tuple[int, tuple[str, ...]]] = []
    own: list[tuple[int, str, bool]] = []
    unknown = None
    for i, sentence in enumerate(sentences):
        if unknown is None and UNKNOWN_FAMILY.search(sentence):
            unknown = i
        genes = genes_named(sentence)
        if not (genes or _KIN_RX.search(sentence) or _FAMILY_CONTEXT.search(sentence)):
            continue
        chunks = [_read_chunk(c) for c in _chunks(sentence)]
        for n, (chunk, kin, cancers, chunk_genes) in enumerate(chunks):
            if i in patients and _patient_first(chunk, kin):
                continue
            family = bool(kin) or bool(_FAMILY_CONTEXT.search(without_syndromes(chunk)))
            if NO_FAMILY_HISTORY.search(chunk):
                negative.append((i, cancers if oncotree.ANY_CANCER not in cancers else ()))
                continue
            status = gene_status(chunk) if chunk_genes else None
            if chunk_genes and (not family or _OWN_CARRIER.search(chunk)):
                if status is not None:
                    own.extend((i, g, status) for g in chunk_genes)
                continue
            if not status:
                chunk_genes = ()  # a relative's test pending, or negative, is no mutation in the family
            if not cancers and not chunk_genes:
                if kin and not (n + 1 < len(chunks) and (chunks[n + 1][2] or chunks[n + 1][3])) and n:
                    # "breast cancer in her mother and sister": the relative after the illness's stretch
                    cancers, chunk_genes = chunks[n - 1][2], chunks[n - 1][3]
                elif not kin and relatives and relatives[-1].sentence == i and relatives[-1].ages is None:
                    ages = _ages(chunk)  # "(father, diagnosed at 48)"
                    if ages:
                        relatives[-1] = _with_age(relatives[-1], ages[0][1])
                    continue
                else:
                    continue
            # "her mother and sister both had breast cancer": relatives in the stretches before
            back = n
            while back and chunks[back - 1][1] and not chunks[back - 1][2] and not chunks[back - 1][3]:
                back -= 1
            kin = _shared_side([k for c in chunks[back:n] for k in c[1]] + kin)
            if not kin and family:
                kin = [(0, "relative", -1, None, 1)]
            ages = _ages(chunk)
            for m, (at, word, degree, side, count) in enumerate(kin):
                end = kin[m + 1][0] if m + 1 < len(kin) and kin[m + 1][0] > at else len(chunk)
                own_age = next((a for p, a in ages if at <= p < end), None)
                if own_age is None and len(ages) == 1 and re.search(r"\b(?:both|their|each)\b", chunk, re.I):
                    own_age = ages[0][1]
                relatives.append(Relative(word, degree, side, count, cancers, own_age, chunk_genes, i))
    return FamilyStory(tuple(relatives), tuple(negative), unknown, tuple(own))


def _shared_side(
    kin: list[tuple[int, str, int, str | None, int]],
) -> list[tuple[int, str, int, str | None, int]]:
    """ "her paternal grandfather and two uncles": a side said once holds for the aunts, uncles,
    grandparents and cousins named after it."""
    out = []
    side = None
    for at, word, degree, own, count in kin:
        if degree < 2:
            out.append((at, word, degree, own, count))  # a parent's side is no one else's
            continue
        side = own or side
        out.append((at, word, degree, side, count))
    return out


_PATIENT_WORD = re.compile(r"\b(?:she|he|the patient)\b", re.I)


def _patient_first(chunk: str, kin: list[tuple[int, str, int, str | None, int]]) -> bool:
    """Whether the patient is named in a stretch before any relative."""
    found = _PATIENT_WORD.search(chunk)
    return found is not None and (not kin or found.start() < kin[0][0])


def _with_age(relative: Relative, ages: tuple[int, int]) -> Relative:
    return replace(relative, ages=ages)
