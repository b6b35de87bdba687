"""Treatments a note says the patient never received, and those the patient took and no longer takes.

Declined, refused, deferred, opted against, not offered, not given, withheld or contraindicated: the
treatment was not had (the mention becomes negated, status "refused"); a prior-treatment criterion reads
it as not done ("declined surgery" is no previous surgery). Declining *further* treatment says the
treatment was had. Off, stopped, discontinued, ceased, came (weaned, tapered) off, no longer takes, held,
switched from, completed: the treatment was had and is not current (affirmed, status "stopped"); a
criterion about current use is not met by it, one about prior use is. A test the patient declined ("refused
HIV testing") leaves its result unknown.

Read once per note sentence (`read_note`), after the concepts: a cheap look at the sentence's words first,
then short walks from each treatment's mention.
"""

from __future__ import annotations

import re
from dataclasses import replace

from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.implied import is_medication
from onconav.trials.verdicts.text import SCOPE_END, Mention, Token, ancestors, tokenize

# What is done to a patient (and so can be declined, given, stopped): procedures, devices, therapies, tests.
_DONE_TO_PATIENT = frozenset(
    {"surgery", "splenectomy", "coronary-intervention", "transplant", "radiotherapy", "systemic-therapy"}
    | {"radioiodine", "mechanical-ventilation", "corticosteroids", "anticoagulation", "antibiotics"}
    | {"inhaled-corticosteroid", "vaccination", "assisted-reproduction", "blood-transfusion", "ecmo"}
    | {"oxygen-therapy", "noninvasive-ventilation", "plasmapheresis", "ivig", "pacemaker", "hospitalization"}
    | {"immunosuppressant-drug", "imaging", "electrocardiogram", "echocardiogram", "angiography"}
    | {"endoscopy", "colonoscopy", "bronchoscopy", "lumbar-puncture", "electroencephalogram"}
    | {"pulmonary-function-test", "stress-test"}
)


def is_done_to_patient(concept: str) -> bool:
    """Whether a concept is a treatment, procedure or test (something a patient receives or declines)."""
    lineage = ancestors(concept)
    return bool(_DONE_TO_PATIENT & set(lineage)) or any(is_medication(c) for c in lineage)


def _cues(text: str) -> tuple[tuple[str, ...], ...]:
    """Cue phrases as the tokenizer folds them ("declines" -> "decline"), separated by "|"."""
    return tuple(tuple(t.word for t in tokenize(cue)) for cue in text.split("|"))


# Before the treatment: "declined adjuvant chemotherapy", "refused to undergo surgery", "instead of surgery".
REFUSED_BEFORE = _cues(
    "declined|declines|declining|refused|refuses|refusing|refusal of|opted against|decided against|"
    "opted out of|deferred|defers|deferring|forgo|forgoes|forwent|forewent|instead of|rather than|"
    "in lieu of|contraindication to|contraindications to|contraindication for|unwilling to|withheld|"
    "postponed"
)
# After it, once the clause's verb is reached: "chemotherapy was not given", "surgery was deferred".
_REFUSED_AFTER = frozenset({"refused", "deferred", "postponed", "withheld", "contraindicated", "cancelled"})
_NOT_DONE = frozenset(
    {"given", "offered", "administered", "performed", "done", "started", "pursued", "undertaken"}
    | {"received", "initiated", "attempted", "feasible", "possible", "indicated", "recommended"}
)
# "off antiepileptic drugs", "stopped taking warfarin", "switched from warfarin to apixaban".
STOPPED_BEFORE = _cues(
    "off|stopped|stops|stopping|discontinued|discontinues|discontinuing|ceased|quit|came off|weaned off|"
    "weaned from|tapered off|taken off|switched from|changed from|converted from|transitioned from|"
    "previously on|formerly on|previously took|previously taking|previously treated with|"
    "previously received|previously used|used to take|completed|finished|held|no longer|"
    "no longer takes|no longer taking|no longer on|no longer using|no longer receiving|no longer uses|"
    "stopped taking|stopped using|discontinued taking"
)
_STOPPED_AFTER = frozenset(
    {"stopped", "discontinued", "ceased", "held", "withdrawn", "completed", "finished"}
)
# "Prednisone is being tapered" goes on; "was tapered off", "weaned from the ventilator" has ended.
_STOPPED_AFTER_WITH = frozenset({"tapered", "weaned"})
_ENDED_WITH = frozenset({"off", "from"})
# "Metformin was held, then restarted": stopped for a while, taken now.
_RESTARTED = frozenset({"restarted", "resumed", "reintroduced", "restart", "resume", "reinstated"})
# "off" reaches only over a word or two ("off all his medications"), the rest over a short clause.
_SHORT_CUES = frozenset({("off",), ("held",)})
SHORT_REACH = 3
REACH = 6
# The words a refusal reaches over to its treatment ("declined to undergo adjuvant chemotherapy", "refused a
# blood transfusion"); "her appetite declined and chemotherapy was stopped" is no refusal.
_REFUSAL_PATH = frozenset(
    {"to", "undergo", "have", "take", "receive", "start", "be", "treated", "with", "any", "all", "the", "a"}
    | {"an", "her", "his", "their", "adjuvant", "neoadjuvant", "palliative", "systemic", "definitive"}
    | {"proposed", "recommended", "offered", "planned", "standard", "both", "either", "of", "course", "trial"}
    | {"initial", "first", "line", "further", "more", "additional", "another", "continued", "ongoing"}
    | {"maintenance", "second", "third", "salvage", "repeat", "subsequent", "remaining", "continuing"}
    | {"therapy", "treatment", "medication", "medical", "surgical", "elective", "curative", "any", "proceed"}
)
# Declining *further* treatment says the treatment was had.
_FURTHER = frozenset(
    {"further", "more", "additional", "another", "continued", "ongoing", "maintenance", "second", "third"}
    | {"salvage", "repeat", "subsequent", "remaining", "continuing"}
)
# Words a walk passes without the clause ending ("was then", "and both").
_AUXILIARIES = frozenset(
    {"was", "were", "is", "are", "has", "have", "had", "been", "being", "be", "then", "subsequently"}
    | {"later", "eventually", "recently", "ultimately", "also", "therefore", "initially", "temporarily"}
    | {"all", "both", "and", "or", "therapy", "treatment", "medication", "regimen", "since", "abruptly"}
)
_COPULAS = frozenset({"was", "were", "is", "are", "been", "being", "be"})
# Where a treatment's clause ends, walking back from it: a verb of taking or starting now is the next
# treatment's ("stopped metformin and started insulin").
_CLAUSE_END = (SCOPE_END - {"with"}) | frozenset(
    {"now", "currently", "presently", "today", "then", "instead", "on", "started", "starting", "began"}
    | {"begun", "initiated", "initiating", "restarted", "resumed", "continue", "continued", "continuing"}
    | {"remain", "receiving", "received", "underwent", "undergoing", "undergone", "treated", "given"}
    | {"prescribed", "added", "switched", "changed", "during", "despite", "following", "over", "from"}
    | {"completed", "tolerated", "so", "thus", "hence", "when", "as", "until", "whereas"}
)
# A stopped treatment's clause also ends at what is taken now ("off warfarin, takes apixaban").
_STOP_CLAUSE_END = _CLAUSE_END | frozenset({"take", "taking", "using", "use", "to"})
# "She was offered chemotherapy but declined", "chemotherapy was recommended, which she refused".
_OFFERED = frozenset({"offered", "recommended", "advised", "proposed", "suggested", "discussed"})
_REFUSAL_VERBS = frozenset({"declined", "decline", "refused", "refuse", "deferred", "defer", "opted"})
OFFER_REACH = 10
# "refused HIV testing": a declined test's result is unknown.
_TEST_WORDS = frozenset({"test", "testing", "screening", "screen", "serology", "evaluation", "workup"})

# The cheap test before any walk: a sentence holds one of these words or says nothing of a course. Every
# cue has a word here ("lieu" of "in lieu of", "longer" of "no longer", "given" of "not given").
_COMMON = frozenset(
    {"in", "of", "to", "no", "not", "never", "on", "from", "with", "than", "out", "taking", "take", "took"}
    | {"taken", "for", "use", "using", "treated", "receiving"}
)
_CUE_WORDS = (
    frozenset(w for cue in (*REFUSED_BEFORE, *STOPPED_BEFORE) for w in cue)
    | _REFUSED_AFTER
    | _STOPPED_AFTER
    | _STOPPED_AFTER_WITH
    | _OFFERED
    | _NOT_DONE
    | {"declined"}
) - _COMMON


def _walk_back(
    words: list[str], starts: list[bool], first: int, cues: tuple[tuple[str, ...], ...], ends: frozenset[str]
) -> tuple[tuple[str, ...], int] | None:
    """The cue nearest before words[first] in its clause, and where it ends."""
    i = first - 1
    while i >= 0 and first - i <= REACH and not starts[i + 1]:
        for cue in cues:
            size = len(cue)
            if i + 1 >= size and tuple(words[i - size + 1 : i + 1]) == cue:
                if cue in _SHORT_CUES and (first - i > SHORT_REACH or words[i + 1] == "label"):
                    return None  # "off-label rituximab" is taken
                return cue, i
        if words[i] in ends or (ends is _CLAUSE_END and words[i][0].isdigit()):
            return None  # "declined to 3 during chemotherapy": a count fell, nothing was declined
        i -= 1
    return None


def _verb_after(words: list[str], starts: list[bool], last: int, spans: set[int]) -> tuple[str, str, bool]:
    """The first word after the treatment that is neither an auxiliary nor another treatment of its list,
    the word after it, and whether a copula came between ("was then stopped")."""
    copula = False
    i = last
    while i < len(words) and i - last < REACH and not starts[i]:
        word = words[i]
        if i in spans or word in _AUXILIARIES:
            copula = copula or word in _COPULAS
            i += 1
            continue
        return word, words[i + 1] if i + 1 < len(words) else "", copula
    return "", "", copula


def _refused_after_offer(words: list[str], starts: list[bool], last: int, firsts: set[int]) -> bool:
    """After an offer: "... but she declined", "..., which he refused" (not "but declined radiotherapy")."""
    for i in range(last, min(len(words), last + OFFER_REACH)):
        if i > last and starts[i]:
            return False
        if words[i] in _REFUSAL_VERBS:
            return i + 1 >= len(words) or (i + 1 not in firsts and words[i + 1] not in {"to"})
        if words[i] in {"received", "underwent", "started", "completed", "accepted", "agreed"}:
            return False
    return False


def course_of_treatments(tokens: list[Token], found: list[Mention]) -> list[Mention]:
    """The sentence's mentions with what the note says of each treatment's course: declined or not given
    (negated, "refused"), taken and stopped (affirmed, "stopped")."""
    words = [t.word for t in tokens]
    if _CUE_WORDS.isdisjoint(words):
        return found
    starts = [t.opens_sentence for t in tokens]
    spans = {i for m in found for i in range(m.first, m.last)}
    firsts = {m.first for m in found}
    out: list[Mention] = []
    further: set[str] = set()  # treatments declined "further": had, and none of their kind goes on
    for m in found:
        if m.polarity == "family" or m.last <= m.first:
            out.append(m)
        elif is_done_to_patient(m.concept):
            course, declined_further = _treatment_course(m, words, starts, spans, firsts)
            out.append(course)
            if declined_further:
                further.add(m.concept)
        elif _declined_test(m, words, starts, spans):
            out.append(replace(m, polarity="uncertain"))
        else:
            out.append(m)
    if further:
        # "refused further chemotherapy after four cycles of carboplatin": carboplatin was had and has ended
        out = [
            replace(m, status="stopped")
            if m.polarity == "affirmed" and not m.status and further & set(ancestors(m.concept))
            else m
            for m in out
        ]
    return out


def _refusal_before(m: Mention, words: list[str], starts: list[bool], spans: set[int]) -> int | None:
    """Where the refusal before the treatment ends, when its words reach the treatment: words of the
    refusal's own, other treatments of a list ("declined chemotherapy and radiotherapy") and one word of
    the treatment's own ("declined definitive radiotherapy")."""
    found = _walk_back(words, starts, m.first, REFUSED_BEFORE, _CLAUSE_END)
    if found is None:
        return None
    end = found[1]
    unknown = 0
    for i in range(end + 1, m.first):
        word = words[i]
        if i in spans or word in _REFUSAL_PATH or word in _TEST_WORDS:
            continue
        if word in {"and", "or"}:
            if i - 1 in spans or words[i - 1] in _TEST_WORDS:
                continue
            return None  # "her appetite declined and chemotherapy was stopped"
        unknown += 1
        if unknown > 1 or i != m.first - 1:
            return None
    return end


def _declined_test(m: Mention, words: list[str], starts: list[bool], spans: set[int]) -> bool:
    """ "refused HIV testing", "HIV testing was declined": the test of a disease, declined."""
    if m.last >= len(words) or words[m.last] not in _TEST_WORDS:
        return False
    if _refusal_before(m, words, starts, spans) is not None:
        return True
    verb, following, copula = _verb_after(words, starts, m.last + 1, spans)
    return (verb in _REFUSED_AFTER or (verb == "declined" and copula)) or (
        verb in {"not", "never"} and following in _NOT_DONE
    )


def _treatment_course(
    m: Mention, words: list[str], starts: list[bool], spans: set[int], firsts: set[int]
) -> tuple[Mention, bool]:
    """The mention with its course, and whether *further* treatment of its kind was declined."""
    refusal = _refusal_before(m, words, starts, spans)
    if refusal is not None:
        if _FURTHER & set(words[refusal + 1 : m.first]):
            return (replace(m, status="stopped") if m.polarity == "affirmed" else m), True
        return replace(m, polarity="negated", status="refused"), False
    return _stopped_or_declined(m, words, starts, spans, firsts), False


def _stopped_or_declined(
    m: Mention, words: list[str], starts: list[bool], spans: set[int], firsts: set[int]
) -> Mention:
    """The mention stopped ("off", "was discontinued"), or declined in words after it ("was not given",
    "was offered but she declined"); unchanged otherwise."""
    stop = _walk_back(words, starts, m.first, STOPPED_BEFORE, _STOP_CLAUSE_END)
    if stop is not None:
        if stop[0][:2] == ("no", "longer"):
            return replace(m, polarity="affirmed", status="stopped")
        current = m.polarity == "affirmed" and _RESTARTED.isdisjoint(words[m.last :])
        return replace(m, status="stopped") if current else m
    verb, following, copula = _verb_after(words, starts, m.last, spans)
    if verb in _REFUSED_AFTER or (verb == "declined" and copula):
        return replace(m, polarity="negated", status="refused")
    if verb in {"not", "never"} and following in _NOT_DONE:
        return replace(m, polarity="negated", status="refused")
    ended = verb in _STOPPED_AFTER or (verb in _STOPPED_AFTER_WITH and following in _ENDED_WITH)
    if ended and m.polarity == "affirmed" and _RESTARTED.isdisjoint(words[m.last :]):
        return replace(m, status="stopped")
    offered = verb in _OFFERED or _walk_back(words, starts, m.first, _OFFER_CUES, _CLAUSE_END) is not None
    if offered and _refused_after_offer(words, starts, m.last, firsts):
        return replace(m, polarity="negated", status="refused")
    return m


_OFFER_CUES = tuple((w,) for w in sorted(_OFFERED))


# A criterion about current use ("Current use of antiepileptic drugs", "currently taking warfarin",
# "Patients on insulin") and one about past use ("prior", "history of", "ever", "within 4 weeks").
_CURRENT_WORDS = frozenset(
    {"current", "currently", "ongoing", "concurrent", "concurrently", "concomitant", "presently", "on"}
    | {"taking", "using", "receiving", "still"}
)
_ASKS_CURRENT = re.compile(
    r"\b(?:current(?:ly)?|ongoing|concurrent(?:ly)?|concomitant|presently|still)\b|"
    r"^\W*(?:(?:patients?|subjects?|participants?|those|women|men)\s+)?(?:who\s+(?:are|is)\s+)?"
    r"(?:on|taking|using|receiving)\b|\b(?:are|is|be)\s+(?:on|taking|using|receiving)\b",
    re.I,
)
_ASKS_PAST = re.compile(
    r"\b(?:prior|previous(?:ly)?|history|ever|past|former(?:ly)?|had|have (?:been|had|received|taken|used)|"
    r"has (?:been|had|received|taken|used)|received|taken|used|exposure|within|since|before|last|lifetime|"
    r"recent(?:ly)?)\b",
    re.I,
)


def asks_current_use(criterion: CriterionFacts) -> bool:
    """Whether the criterion asks about a treatment taken now, and not also about one taken before."""
    if _CURRENT_WORDS.isdisjoint(criterion.words):
        return False
    return bool(_ASKS_CURRENT.search(criterion.text)) and not _ASKS_PAST.search(criterion.text)


def ended_treatment(
    note_mentions: tuple[Mention, ...], criterion: CriterionFacts, named: list[Mention]
) -> tuple[int, Mention] | None:
    """For a criterion about current use: the note sentence saying a treatment it names was stopped (and
    that treatment), when the note says of none of the treatments it names that they go on."""
    if not asks_current_use(criterion):
        return None
    ended: tuple[int, Mention] | None = None
    for mention in named:
        if not is_done_to_patient(mention.concept):
            continue
        for said in note_mentions:
            if said.polarity != "affirmed" or mention.concept not in ancestors(said.concept):
                continue
            if said.status != "stopped":
                return None
            ended = ended or (said.sentence, mention)
    return ended


def goes_on(note_mentions: tuple[Mention, ...], concept: str) -> bool:
    """Whether the note affirms the concept (or a narrower one) other than as a treatment stopped."""
    return any(
        m.polarity == "affirmed" and m.status != "stopped" and concept in ancestors(m.concept)
        for m in note_mentions
    )


# A criterion asking for the refusal itself ("Patients who refuse surgery", "declined chemotherapy").
_ASKS_REFUSAL = frozenset(
    {"refuse", "refused", "refusing", "refusal", "decline", "declined", "declining", "unwilling"}
)


def refusal_asked(criterion: CriterionFacts, named: list[Mention]) -> Mention | None:
    """The treatment whose refusal the criterion asks about, when it does."""
    if _ASKS_REFUSAL.isdisjoint(criterion.words):
        return None
    for mention in named:
        before = criterion.words[max(0, mention.first - REACH) : mention.first]
        if is_done_to_patient(mention.concept) and not _ASKS_REFUSAL.isdisjoint(before):
            return mention
    return None


def refused_in_note(note_mentions: tuple[Mention, ...], concept: str) -> int | None:
    """The sentence where the note says the patient declined the treatment (or a narrower one)."""
    return next(
        (m.sentence for m in note_mentions if m.status == "refused" and concept in ancestors(m.concept)),
        None,
    )
