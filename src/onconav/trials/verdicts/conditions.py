"""Conditions and treatments a criterion names, looked up in the note with their context (affirmed,
negated, a relative's, only considered): "one or more of" lists, exceptions ("other than SLE"), severity
and other requirements the note does not support, and current treatments inside time windows.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.knowledge import service as knowledge
from onconav.trials.verdicts.answers import NEI, Found, Kind, Reason, concept_named
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.family import is_family_history
from onconav.trials.verdicts.implied import is_medication, suggested_by_a_medicine
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.overlap import TEST, TEST_RESULT, note_stems, stems
from onconav.trials.verdicts.refusals import ended_treatment, goes_on, refusal_asked, refused_in_note
from onconav.trials.verdicts.text import Mention, ancestors, mentions, tokenize
from onconav.trials.verdicts.tumours import OTHER_CANCER

# Words before a concept where a severity word ("severe", "uncontrolled") makes it a narrower thing.
SEVERITY_REACH = 3
# "No history of X" inclusion criteria longer than this ask more than the absence of X.
MIRROR_WORDS = 12


def concept_state(note: NoteFacts, concepts: tuple[str, ...]) -> tuple[str, int] | None:
    """Whether the note affirms or negates a concept (or a narrower one); affirmations win, and among them
    a treatment that goes on before one the note says was stopped (both were had)."""
    negated: int | None = None
    uncertain: int | None = None
    stopped: int | None = None  # a treatment had and stopped counts when nothing goes on now
    for m in note.mentions:
        lineage = ancestors(m.concept)
        for concept in concepts:
            if concept in lineage and m.polarity == "affirmed":
                if m.status != "stopped":
                    return "affirmed", m.sentence
                stopped = m.sentence if stopped is None else stopped
            if m.polarity == "negated" and (concept in lineage or m.concept in ancestors(concept)):
                negated = m.sentence if negated is None else negated
            if m.polarity == "uncertain" and concept in lineage:
                uncertain = m.sentence if uncertain is None else uncertain
    if stopped is not None:
        return "affirmed", stopped
    if negated is not None:
        return "negated", negated
    return ("uncertain", uncertain) if uncertain is not None else None


# Broad concepts that only count when the criterion names nothing more specific ("HIV infection").
GENERIC = frozenset({"infection", "cancer", "heart-disease", "lung-disease", "surgery", "allergy", "imaging"})
_EXCEPTION = re.compile(r"\b(?:other than|except(?: for)?|excluding|apart from|besides|aside from)\b", re.I)


def criterion_concepts(criterion: CriterionFacts) -> list[Mention]:
    """The criterion's concepts, without those named as exceptions ("other than SLE")."""
    cut = _EXCEPTION.search(criterion.text)
    named = [
        m
        for m in criterion.mentions
        if not any(
            o is not m
            and o.concept != m.concept
            # "Stable angina without acute coronary syndrome": a broader concept asked the other way
            # round is a requirement of its own.
            and o.polarity == m.polarity
            and (m.concept in ancestors(o.concept) or m.concept in GENERIC)
            # "Meningitis or any other neurological disease": the broader concept is asked for too
            and "other" not in criterion.words[max(0, m.first - 2) : m.first]
            for o in criterion.mentions
        )
    ]
    if cut is None:
        return named
    words_before = len(
        [
            w
            for w in re.findall(
                r"[A-Za-z][A-Za-z0-9']*|\d+(?:[.,]\d+)?|[;:()]", criterion.text[: cut.start()]
            )
        ]
    )
    return [m for m in named if m.first < words_before]


def qualified(criterion: CriterionFacts, mention: Mention) -> bool:
    """Whether the criterion asks more of the concept than its name: a severity word, a threshold, numbers."""
    before = criterion.words[max(0, mention.first - SEVERITY_REACH) : mention.first]
    severity = knowledge.clinical_lexicon().severity_words
    return any(w in severity for w in before) or bool(criterion.thresholds) or _numbers_beside(criterion)


_DEGREE_WORDS = frozenset({"mild", "moderate", "severe", "marked"})


def _severity_unsaid(note: NoteFacts, criterion: CriterionFacts, mention: Mention, sentence: int) -> bool:
    """Whether the criterion asks for a degree of the concept ("moderate PVD") that the note's sentence naming
    it does not state: a severity word elsewhere in the note describes something else."""
    before = criterion.words[max(0, mention.first - SEVERITY_REACH) : mention.first]
    asked = set(before) & _DEGREE_WORDS
    return bool(asked) and not asked & note.words[sentence]


def _numbers_beside(criterion: CriterionFacts) -> bool:
    """Whether the criterion has a number outside the concepts it names (a dose, a count, a time: not the
    "1" of "anti-PD-1")."""
    named = {i for m in criterion.mentions for i in range(m.first, m.last)}
    return any(w[0].isdigit() for i, w in enumerate(criterion.words) if i not in named)


def _has_numbers(criterion: CriterionFacts) -> bool:
    text = criterion.text
    if criterion.age is not None:
        text = re.sub(r"\d+\s*(?:years?|yrs?|months?)", " ", text)
    # Numbers inside a concept's name ("type 1 diabetes", "anti-PD-1") ask nothing more, nor the count of a
    # diagnosis's classification criteria ("at least 4 of the 11 ACR criteria").
    if _BY_CRITERIA.search(text):
        text = _CRITERIA_COUNT.sub(" criteri", text)
        text = re.sub(r"\b(?:dsm|icd)[- ]?(?:\d+|[iv]+)\b|\b(?:19|20)\d\d\b", " ", text, flags=re.I)
    return bool(re.search(r"\d", text)) and _numbers_beside(criterion)


def _allowance(criterion: CriterionFacts, mention: Mention) -> int:
    """One unsupported word ("typical chest pain") is forgiven beside a specific concept, none beside a
    broad one ("cardiac surgery")."""
    return 0 if mention.concept in GENERIC else 1


# A chronic disease the note says is getting worse is in an acute exacerbation; a patient admitted is
# hospitalised: the words a criterion uses for what the note describes in other words.
_WORSENING = re.compile(
    r"\b(?:worsen\w*|worse|exacerbat\w*|flare\w*|increas\w* (?:cough|dyspn\w*|shortness|sputum|wheez\w*)|"
    r"deteriorat\w*|purulent sputum|"
    r"(?:began|started|onset)\b[^.]{0,40}\b(?:\d+|a|one|two|three|few|several) (?:days?|weeks?) "
    r"(?:prior|ago|before))",
    re.I,
)
_ADMITTED = re.compile(
    r"\b(?:admitted|admission|hospitali[sz]ed|inpatient|presents? to the (?:ed|emergency))", re.I
)
_IMPLIED_WORDS = (
    (_WORSENING, ("acute", "exacerbation", "exacerbations", "worsening")),
    (_ADMITTED, ("hospitalized", "hospitalised", "admitted", "inpatients")),
)


def _note_stems(note: NoteFacts) -> set[str]:
    """The stems of the note's words, with those of what it describes in other words."""
    found = note_stems(note)
    for pattern, words in _IMPLIED_WORDS:
        if pattern.search(note.text):
            found |= stems(words)
    return found


def _unsupported(
    note: NoteFacts, criterion: CriterionFacts, mention: Mention, *, bracketed: bool = False
) -> int:
    """How many content words of the criterion neither the concept matched nor the note accounts for."""
    concept_words = set(criterion.words[mention.first : mention.last])
    note_stems = _note_stems(note)
    segment = criterion.segments[mention.first] if criterion.segments else 0
    own = [
        w for i, w in enumerate(criterion.words) if not criterion.segments or criterion.segments[i] == segment
    ]
    cause = _shared_cause(criterion.words, mention.last)
    if cause is not None and criterion.segments and criterion.segments[cause] != segment:
        # "Menorrhagia and/or pain associated with fibroids": the cause after the last alternative is
        # asked of every one.
        own += [
            w
            for i, w in enumerate(criterion.words)
            if i >= cause and criterion.segments[i] == criterion.segments[cause]
        ]
    opening = _opening_parenthesis(criterion.words, mention.first) if bracketed else None
    if bracketed and opening is not None and criterion.segments and opening > 0:
        # Excluding for "asthma symptoms (cough, wheeze)": an example in brackets carries the words it
        # illustrates.
        outer = criterion.segments[opening - 1]
        own += [w for i, w in enumerate(criterion.words[:opening]) if criterion.segments[i] == outer]
    filler = (_TREATMENT_FILLER if is_treatment(mention.concept) else frozenset()) | _WHO_WORDS
    if _INFECTIONS & set(ancestors(mention.concept)):
        filler = filler | _CARRIER_WORDS  # a patient with HIV is HIV-positive
    if _BY_CRITERIA.search(criterion.text):
        filler = filler | _CRITERIA_WORDS
    wanted = stems(tuple(w for w in own if w not in concept_words and w not in filler))
    return len(wanted - note_stems - stems(tuple(concept_words)))


_CAUSES = (
    ("associated", "with"),
    ("due", "to"),
    ("secondary", "to"),
    ("caused", "by"),
    ("attributable", "to"),
)


def _shared_cause(words: tuple[str, ...] | list[str], last: int) -> int | None:
    """Where a cause the criterion gives after a concept starts ("... associated with fibroids"), or None."""
    for i in range(last, len(words) - 1):
        if words[i] in {";", "("}:
            return None
        if (words[i], words[i + 1]) in _CAUSES:
            return i
    return None


def _opening_parenthesis(words: tuple[str, ...] | list[str], first: int) -> int | None:
    """The place of the "(" a word stands inside, or None when it is not in brackets."""
    for i in range(first - 1, -1, -1):
        if words[i] == ")":
            return None
        if words[i] == "(":
            return i
    return None


# Words that only say a treatment is one ("an anti-VEGF agent", "platinum-based therapy"): a note naming
# the medicine need not repeat them.
_TREATMENT_FILLER = frozenset(
    [
        "agent",
        "agents",
        "antibody",
        "antibodies",
        "drug",
        "drugs",
        "therapy",
        "therapies",
        "treatment",
        "treated",
        "inhibitor",
        "inhibitors",
        "medication",
        "medications",
        "based",
        "containing",
        "regimen",
        "regimens",
        "prior",
        "previous",
        "previously",
    ]
)


# Infections a patient who has them is "positive" for, "infected" with, a "carrier" of.
_INFECTIONS = frozenset({"infection", "hiv", "hepatitis"})
_CARRIER_WORDS = frozenset(
    {"positive", "seropositive", "infected", "infection", "carrier", "carriers", "status"}
)
# The negation and the people a criterion addresses ("non-diabetic adults") are not requirements.
_WHO_WORDS = frozenset({"non", "adult", "adults"})
# "Fulfils at least 4 ACR criteria for SLE", "meets DSM-5 criteria for major depression": a diagnosis by its
# classification criteria is the diagnosis; the words (and the count) of the criteria ask nothing more.
_BY_CRITERIA = re.compile(
    r"\b(?:fulfil\w*|meet\w*|satisf\w*|according to|per|by|using|based on)\b[^.;]{0,40}\bcriteri(?:a|on)\b|"
    r"\bcriteria for\b|"
    r"\b(?:as )?defined by (?:the )?(?:acr|who|dsm|american|international|revised)",
    re.I,
)
_CRITERIA_COUNT = re.compile(r"\d+\s*(?:or more\s*)?(?:of (?:the )?(?:\d+\s*)?)?(?:\w+\s+)?criteri")
_CRITERIA_WORDS_TEXT = """
fulfil fulfill fulfils fulfills fulfilling fulfilled meet meets meeting met satisfy satisfies satisfying
criteria criterion defined definition classification revised american college rheumatology acr dsm
international consensus according per using based eular icd diagnostic standard established probable nia aa
nincds adrda mcdonald rome ichd ilae ada
"""
_CRITERIA_WORDS = frozenset(_CRITERIA_WORDS_TEXT.split())


def is_treatment(concept: str) -> bool:
    """Whether a concept is a treatment: chemotherapy, radiotherapy, a medicine or its class."""
    lineage = ancestors(concept)
    return bool(
        _TREATMENTS & set(lineage) or "radiotherapy" in lineage or any(is_medication(c) for c in lineage)
    )


def conditions(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Conditions and treatments the criterion names, looked up in the note with their context."""
    allergy = allergy_to_named_medicine(note, criterion)
    if allergy is not None and not criterion.negated_subject:
        found_in, mention = allergy
        label = "included" if kind == "inclusion" else "excluded"
        return label, found_in, (N_("The note reports an allergy to %(concept)s."), concept_named(mention))
    named = criterion_concepts(criterion)
    if note.cancer is not None and OTHER_CANCER.search(criterion.text):
        # The note's own cancer is not "another malignancy"; only a second one named would count.
        named = [m for m in named if "cancer" not in ancestors(m.concept)]
        if not named:
            inverted = criterion.negated_subject or bool(
                re.match(r"^\W*(?:note:\s*)?no\b", criterion.text, re.I)
            )
            label = ("included" if inverted else NEI) if kind == "inclusion" else "not excluded"
            return label, None, N_("The note names no cancer other than the one being treated.")
    if not named:
        return None
    if is_family_history(criterion):
        return None  # the family rule's (family.py); the patient's own illness does not answer it
    course = _treatment_course(note, criterion, named, kind)
    if course is not None:
        return course
    inverted = (
        criterion.negated_subject
        or all(m.polarity == "negated" for m in named)
        # "Chemotherapy-naive", "previously untreated": the treatment named is what must be absent
        or (criterion.treatment_naive and all(is_treatment(m.concept) for m in named))
    )
    if inverted and kind == "inclusion":
        # "No history of X" as an inclusion criterion is "X" as an exclusion criterion, mirrored.
        mirrored = _mirror(_weigh_concepts(note, criterion, named, "exclusion", inverted=False))
        if mirrored is not None:
            return mirrored
        if ";" in criterion.text or len(criterion.words) > MIRROR_WORDS or TEST.search(criterion.text):
            return None
        if any((state := concept_state(note, (m.concept,))) and state[0] == "affirmed" for m in named):
            return None  # "never treated with inhaled bronchodilators", the note naming tiotropium: unsure
        return "included", None, N_("The note mentions nothing this criterion rules out.")
    return _weigh_concepts(note, criterion, named, kind, inverted=inverted)


def _weigh_concepts(
    note: NoteFacts, criterion: CriterionFacts, named: list[Mention], kind: Kind, *, inverted: bool
) -> Found:
    affirmed: list[tuple[Mention, int]] = []
    negated: list[tuple[Mention, int]] = []
    uncertain: list[tuple[Mention, int]] = []
    for mention in named:
        state = concept_state(note, (mention.concept,))
        if state is None:
            continue
        {"affirmed": affirmed, "negated": negated, "uncertain": uncertain}[state[0]].append(
            (mention, state[1])
        )
    if (
        affirmed
        and not inverted
        and (head := _head_ruled_out(criterion, affirmed[0][0], negated)) is not None
    ):
        # "alcohol withdrawal seizures" when the note rules out seizures: the compound's head decides
        label = "not included" if kind == "inclusion" else "not excluded"
        return label, head, N_("The note rules this out.")
    if affirmed:
        mention, sentence = affirmed[0]
        if kind == "inclusion" and not inverted and _in_remission(note, criterion, sentence):
            return "not included", sentence, N_("The note says this is in remission, not current.")
        if kind == "inclusion":
            if inverted:
                return "not included", sentence, (N_("The note names %(concept)s."), concept_named(mention))
            if _any_of(note, criterion, affirmed):
                mention, sentence = _any_of(note, criterion, affirmed) or affirmed[0]
                return "included", sentence, (N_("The note names %(concept)s."), concept_named(mention))
            if (
                _unsupported(note, criterion, mention) > _allowance(criterion, mention)
                or _has_numbers(criterion)
                or _severity_unsaid(note, criterion, mention, sentence)
            ):
                return (
                    NEI,
                    sentence,
                    (
                        N_("The note names %(concept)s but not all this criterion asks."),
                        concept_named(mention),
                    ),
                )
            return "included", sentence, (N_("The note names %(concept)s."), concept_named(mention))
        # The same one-word slack as for inclusion, except beside a test result ("CMV seronegative").
        slack = (
            0
            if TEST.search(criterion.text) or TEST_RESULT.search(criterion.text)
            else _allowance(criterion, mention)
        )
        if not inverted and _current_treatment(note, criterion, mention, sentence):
            habit = bool(_HABITS & set(ancestors(mention.concept)))
            return (
                "excluded",
                sentence,
                (
                    N_("The note says %(concept)s goes on now, within any time window.")
                    if habit
                    else N_("The patient currently takes %(concept)s, within any time window."),
                    concept_named(mention),
                ),
            )
        if (
            inverted
            or qualified(criterion, mention)
            or _unsupported(note, criterion, mention, bracketed=True) > slack
        ):
            return None
        return "excluded", sentence, (N_("The note names %(concept)s."), concept_named(mention))
    if uncertain:
        mention, sentence = uncertain[0]
        if suggested_by_a_medicine(note.mentions, mention.concept, sentence):
            return (
                NEI,
                sentence,
                (
                    N_("A medicine in the note is often given for %(concept)s, but not only for it."),
                    concept_named(mention),
                ),
            )
        return NEI, sentence, (N_("The note only considers %(concept)s."), concept_named(mention))
    if negated and len(negated) == len(named):
        sentence = negated[0][1]
        reason: Reason = N_("The note rules this out.")
        if refused_in_note(note.mentions, negated[0][0].concept) == sentence:
            reason = (
                N_("The note says %(concept)s was declined or not given."),
                concept_named(negated[0][0]),
            )
        if kind == "inclusion":
            return ("included" if inverted else "not included"), sentence, reason
        return "not excluded", sentence, reason
    if negated and kind == "inclusion" and not inverted and _all_required(criterion, named):
        # "Type 2 diabetes on metformin" asks for both: the note ruling one out fails the criterion.
        return "not included", negated[0][1], N_("The note rules out part of what this criterion requires.")
    return None


_ALTERNATIVE_WORDS = re.compile(r"\bor\b|\beither\b|\bany\b|\bat least\b|\bone of\b|/|,|;|\(", re.I)


_CURRENT_ASKED = re.compile(r"\b(?:current(?:ly)?|active|ongoing)\b", re.I)
_REMISSION = re.compile(r"\bin (?:full |complete |sustained )?remission\b|\bremitted\b|\bresolved\b", re.I)


def _in_remission(note: NoteFacts, criterion: CriterionFacts, sentence: int) -> bool:
    """ "Current major depressive episode" for "major depression in remission for 2 years"."""
    return bool(_CURRENT_ASKED.search(criterion.text) and _REMISSION.search(note.sentences[sentence]))


def _head_ruled_out(
    criterion: CriterionFacts, mention: Mention, negated: list[tuple[Mention, int]]
) -> int | None:
    """The note sentence ruling out the concept right after `mention` in the criterion, which names the
    thing itself (the seizures of "alcohol withdrawal seizures"); None when there is none."""
    segments = criterion.segments
    for other, sentence in negated:
        # not the next item of a list ("depression, anxiety or psychosis")
        if other.first == mention.last and (not segments or segments[other.first] == segments[mention.first]):
            return sentence
    return None


def _all_required(criterion: CriterionFacts, named: list[Mention]) -> bool:
    """Whether every concept a criterion names is required (no alternatives, lists or asides)."""
    return not _ALTERNATIVE_WORDS.search(criterion.text) and all(m.polarity == "affirmed" for m in named)


_TIME_WINDOW = re.compile(
    r"\b(?:(?:within|in|during|over|for)\s+)?(?:the\s+)?(?:past|last|previous|preceding|prior)?\s*"
    r"(?:\d+|one|two|three|four|six|twelve)\s*(?:days?|weeks?|months?|years?|wks?|mos?)\b",
    re.I,
)
_CURRENTLY = re.compile(
    r"\b(?:is|are|was) (?:currently )?on\b|\bcurrently\b|\btak(?:es|ing)\b|\breceiv(?:es|ing)\b|"
    r"\bmedications? (?:include|are|is)\b|\bmaintained on\b",
    re.I,
)
_TREATMENTS = frozenset(
    {"corticosteroids", "anticoagulation", "antibiotics", "immunodeficiency", "chemotherapy", "immunotherapy"}
)
# Habits that go on while the note says the patient keeps them ("uses cannabis weekly").
_HABITS = frozenset({"substance-abuse", "cannabis-use"})
_HABIT_NOW = re.compile(
    r"\b(?:uses|using|smokes|drinks|injects|snorts|daily|weekly|currently|active)\b", re.I
)
_WINDOW_FILLER_WORDS = """
treatment treated therapy use used dose dosing first study medication drug administration administered
entry enrollment enrolment randomization randomisation baseline start starting receipt received receiving
prior before systemic oral intravenous
"""
_WINDOW_FILLER = frozenset(_WINDOW_FILLER_WORDS.split())


def _current_treatment(note: NoteFacts, criterion: CriterionFacts, mention: Mention, sentence: int) -> bool:
    """ "Corticosteroids within 3 months before the first dose" for a patient who takes them now: a
    current treatment falls within any window that ends today."""
    lineage = ancestors(mention.concept)
    habit = bool(_HABITS & set(lineage))
    if not (habit or _TREATMENTS & set(lineage) or any(is_medication(c) for c in lineage)):
        return False
    if not _TIME_WINDOW.search(criterion.text) or re.search(r"\d", _TIME_WINDOW.sub(" ", criterion.text)):
        return False  # a dose or another number is a requirement the note may not meet
    before = criterion.words[max(0, mention.first - SEVERITY_REACH) : mention.first]
    severity = knowledge.clinical_lexicon().severity_words
    said_now = _CURRENTLY.search(note.sentences[sentence]) or (
        habit and _HABIT_NOW.search(note.sentences[sentence])
    )
    if any(w in severity for w in before) or not said_now or not goes_on(note.mentions, mention.concept):
        return False
    concept_words = set(criterion.words[mention.first : mention.last])
    said = note_stems(note)
    wanted = stems(tuple(w for w in criterion.words if w not in concept_words and w not in _WINDOW_FILLER))
    return len(wanted - said - stems(tuple(concept_words))) <= _allowance(criterion, mention)


def _treatment_course(note: NoteFacts, criterion: CriterionFacts, named: list[Mention], kind: Kind) -> Found:
    """A criterion asking whether the patient declined a treatment, or takes one now, against the note's
    account of its course (`refusals.py`): declined, or taken and stopped."""
    refusal = refusal_asked(criterion, named)
    if refusal is not None and not criterion.negated_subject:
        sentence = refused_in_note(note.mentions, refusal.concept)
        if sentence is not None:
            reason = (N_("The note says the patient declined %(concept)s."), concept_named(refusal))
            return ("included" if kind == "inclusion" else "excluded"), sentence, reason
        # the refusal is what is asked: a note that does not tell it leaves the criterion open
        if kind == "inclusion":
            return NEI, None, N_("The note does not say whether this criterion is met.")
        return "not excluded", None, N_("The note mentions nothing that this criterion excludes.")
    ended = ended_treatment(note.mentions, criterion, named)
    if ended is None or (criterion.negated_subject and kind == "exclusion"):
        return None
    sentence, mention = ended
    reason = (
        N_("The note says %(concept)s was stopped; this criterion asks about current use."),
        concept_named(mention),
    )
    if criterion.negated_subject:
        return "included", sentence, reason
    return ("not included" if kind == "inclusion" else "not excluded"), sentence, reason


ANY_OF = re.compile(r"\b(?:one or more|at least one|any of|any one of)\b", re.I)


def _any_of(
    note: NoteFacts, criterion: CriterionFacts, affirmed: list[tuple[Mention, int]]
) -> tuple[Mention, int] | None:
    """In "one or more of: A, B, C" one alternative the note states fully is enough, whatever the others ask
    (numbers included)."""
    if not ANY_OF.search(criterion.text):
        return None
    for mention, sentence in affirmed:
        if _unsupported(note, criterion, mention) <= _allowance(criterion, mention):
            return mention, sentence
    return None


def _mirror(found: Found) -> Found:
    """An exclusion's answer as the answer of the inclusion "No X" it mirrors."""
    if found is None:
        return None
    label, sentence, reason = found
    return {"excluded": "not included", "not excluded": "included"}.get(label, label), sentence, reason


def allergy_to_named_medicine(note: NoteFacts, criterion: CriterionFacts) -> tuple[int, Mention] | None:
    """The note sentence reporting an allergy to a medicine the criterion names beside an allergy ("allergy
    to penicillin or other beta-lactams", the note: "allergic to amoxicillin"), and that medicine."""
    if not any("allergy" in ancestors(m.concept) for m in criterion.mentions):
        return None
    wanted = [m for m in criterion.mentions if any(is_medication(c) for c in ancestors(m.concept))]
    if not wanted:
        return None
    for allergy in note.mentions:
        if allergy.polarity != "affirmed" or "allergy" not in ancestors(allergy.concept):
            continue
        sentence = note.sentences[allergy.sentence]
        for named in [*mentions(tokenize(sentence), allergy.sentence), allergy]:
            lineage = ancestors(named.concept)
            for mention in wanted:
                if mention.concept in lineage or _allergy_phrase_names(named.concept, mention.concept):
                    return allergy.sentence, mention
    return None


def _allergy_phrase_names(allergy_concept: str, medicine: str) -> bool:
    """Whether an allergy concept's own phrases name the medicine ("penicillin allergy" and penicillin)."""
    lexicon = knowledge.clinical_lexicon().concepts
    if allergy_concept not in lexicon or medicine not in lexicon:
        return False
    names = set(lexicon[medicine].phrases)
    return any(
        name in phrase.split() or name in phrase
        for phrase in lexicon[allergy_concept].phrases
        for name in names
    )
