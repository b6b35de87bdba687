"""Who the patient is: pregnancy, breast-feeding and contraception, adult life (alcohol, smoking, work),
one-sex subjects, age and sex criteria, and what begins after an age the patient has not reached.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import NA, NEI, Found, Kind, negative_label, positive_label
from onconav.trials.verdicts.conditions import concept_state
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.overlap import stems
from onconav.trials.verdicts.population import before_menarche
from onconav.trials.verdicts.reproductive import note_births
from onconav.trials.verdicts.text import ancestors

CHILDBEARING_AGES = (10.0, 60.0)  # below menarche or past menopause, pregnancy criteria do not apply
# Words that leave an age or sex criterion about age or sex only ("Patients of both sexes aged 18+").
_FILLER_WORDS = """
patient subject participant people person individual healthy volunteer both sex gender male female
men man women woman boy girl and or of the a an age aged year old yr with who are is be must at
least than older younger over under between to from inclusive time adult child minor month any
either all
"""
_RESIDUAL_FILLER = frozenset(_FILLER_WORDS.split())
# Other words an age or sex criterion may hold and still ask only the age or the sex.
AGE_ONLY_INCLUSION_WORDS = 4
AGE_ONLY_EXCLUSION_WORDS = 2
SEX_ONLY_OTHER_WORDS = 1
_AGE_SEX_WORDS = re.compile(r"[\d.,<>≤≥=+–();:-]+")


def _residual_words(criterion: CriterionFacts) -> list[str]:
    """The criterion's words other than those of age and sex."""
    return [w for w in criterion.words if w not in _RESIDUAL_FILLER and not _AGE_SEX_WORDS.fullmatch(w)]


def pregnancy(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Pregnancy, breast-feeding and contraception: not for men and children, unknown for other women."""
    if "pregnancy" not in criterion.topics:
        return None
    if note.sex == "male":
        if kind == "inclusion" and _addresses_men(criterion):
            return (
                NEI,
                None,
                N_("The criterion asks men to use contraception; the note does not say whether he does."),
            )
        return NA, note.sex_sentence, N_("The criterion is about pregnancy; the patient is male.")
    if criterion.sexes == frozenset({"male"}) and note.sex == "female":
        return (
            NA,
            note.sex_sentence,
            N_("The criterion is about men's contraception; the patient is a woman."),
        )
    if note.age is not None and note.age < CHILDBEARING_AGES[0]:
        return NA, note.age_sentence, N_("The criterion is about pregnancy; the patient is a child.")
    if note.sex == "female" and (before := before_menarche(note)) is not None:
        return NA, before, N_("The criterion is about pregnancy; the patient has not had her first period.")
    if note.sex is None:
        return NEI, None, N_("The note does not say the patient's sex.")
    if note.postmenopausal or (note.age is not None and note.age >= CHILDBEARING_AGES[1]):
        return NA, note.age_sentence, N_("The criterion is about pregnancy; the patient is past menopause.")
    if note.sterile_sentence is not None:
        return (
            NA,
            note.sterile_sentence,
            N_("The criterion is about pregnancy; the note reports an operation that makes it impossible."),
        )
    if (
        kind == "inclusion"
        and criterion.age is not None
        and note.age is not None
        and not criterion.age.admits(note.age)
    ):
        return "not included", note.age_sentence, N_("The patient's age is outside the range.")
    state = concept_state(note, ("pregnancy",))
    if state is not None and state[0] == "affirmed" and _complication(criterion):
        return None  # "Ectopic pregnancy" for a pregnant woman: the complication decides
    nursing = _nursing(note, criterion, kind, state)
    if nursing is not None:
        return nursing
    about_pregnancy = len(stems(criterion.words) - _PREGNANCY_STEMS) <= PREGNANCY_WORDS
    wants_pregnancy = re.search(r"\bpregnan", criterion.text, re.I) and not re.search(
        r"non-?pregnan|not pregnan", criterion.text, re.I
    )
    if (
        kind == "inclusion"
        and state
        and state[0] == "affirmed"
        and wants_pregnancy
        and about_pregnancy
        and not criterion.negated_subject
    ):
        return "included", state[1], N_("The note says the patient is pregnant.")
    contraception_only = "contraception" in criterion.topics and not re.search(
        r"pregnan|lactat|breast", criterion.text, re.I
    )
    if note.not_sexually_active_sentence is not None:
        if contraception_only and kind == "exclusion" and _USE_OF.search(criterion.text):
            # "Use of hormonal contraceptives": the pill is taken for other reasons too; she takes none.
            return (
                "not excluded",
                note.not_sexually_active_sentence,
                N_("The patient is not sexually active."),
            )
        if contraception_only:
            return NA, note.not_sexually_active_sentence, N_("The patient is not sexually active.")
        if kind == "exclusion":
            return (
                "not excluded",
                note.not_sexually_active_sentence,
                N_("The patient is not sexually active."),
            )
    if state is not None and state[0] == "affirmed" and not about_pregnancy:
        # "pregnant women with thalassemia": pregnancy is who, not what, is excluded; "intrauterine pregnancy
        # confirmed by ultrasound": the rest of the criterion decides.
        return None
    if state is not None and state[0] != "uncertain" and kind == "exclusion" and not contraception_only:
        polarity, sentence = state
        if polarity == "affirmed" and re.search(r"pregnan", criterion.text, re.I):
            # Pregnant is not breast-feeding: a lactation-only exclusion stays open.
            return "excluded", sentence, N_("The note says the patient is pregnant.")
        if polarity == "negated":
            return "not excluded", sentence, N_("The note says a pregnancy test was negative.")
    return (
        NEI,
        None,
        N_("The note does not say whether the patient is pregnant, nursing or using contraception."),
    )


_PREGNANCY_ITSELF = frozenset({"pregnancy", "multiple-pregnancy", "lactation"})


def _complication(criterion: CriterionFacts) -> bool:
    """Whether the criterion names a complication of pregnancy (ectopic, molar), not pregnancy itself."""
    return any(
        m.concept not in _PREGNANCY_ITSELF and "pregnancy" in ancestors(m.concept) for m in criterion.mentions
    )


_USE_OF = re.compile(r"\b(?:use|uses|using|users?|taking|takes|treatment with|receiv\w+)\b", re.I)
_ASKS_NURSING = re.compile(r"breast[- ]?feed|lactat|\bnursing\b", re.I)
_ASKS_PREGNANCY = re.compile(r"pregnan", re.I)
_NOT_NURSING = re.compile(r"\bnon-?(?:lactating|breast[- ]?feeding|nursing)|\bnot (?:lactating|breast)", re.I)
# A birth that has just happened: the woman is no longer pregnant.
_DELIVERED = re.compile(
    r"\b(?:(?:\d+|one|two|three|four|five|six) (?:days?|weeks?)|(?:day|week) \d+) post-?partum\b|"
    r"\bpost-?partum day\b|\bis (?:now )?post-?partum\b|\bpuerper\w*|"
    r"\bgave birth (?:\d+|one|two|three|four|five|six|a few) (?:days?|weeks?) ago\b|"
    r"\b(?:days?|weeks?) (?:after|since) (?:the |her )?(?:[\w-]+ ){0,2}(?:delivery|birth)\b",
    re.I,
)


def _nursing(
    note: NoteFacts, criterion: CriterionFacts, kind: Kind, pregnant: tuple[str, int] | None
) -> Found:
    """Breast-feeding the note reports (or that cannot be: a first pregnancy), and a pregnancy just ended."""
    asks_nursing, asks_pregnancy = (
        _ASKS_NURSING.search(criterion.text),
        _ASKS_PREGNANCY.search(criterion.text),
    )
    nursing = concept_state(note, ("lactation",))
    if asks_nursing and nursing is not None and nursing[0] == "affirmed" and not criterion.negated_subject:
        if kind == "exclusion" and not _NOT_NURSING.search(criterion.text):
            return "excluded", nursing[1], N_("The note says the patient is breast-feeding.")
        if (
            kind == "inclusion"
            and not asks_pregnancy
            and not _NOT_NURSING.search(criterion.text)
            and len(stems(criterion.words) - _PREGNANCY_STEMS) <= PREGNANCY_WORDS
        ):
            return "included", nursing[1], N_("The note says the patient is breast-feeding.")
    if kind != "exclusion":
        return None
    if asks_nursing and not asks_pregnancy and pregnant is not None and pregnant[0] == "affirmed":
        births = note_births(note)
        if births is not None and births[1] == 0:
            return (
                "not excluded",
                births[2],
                N_("The patient is pregnant for the first time and has no baby to nurse."),
            )
    if asks_pregnancy and not asks_nursing and (pregnant is None or pregnant[0] != "affirmed"):
        delivered = next((i for i, s in enumerate(note.sentences) if _DELIVERED.search(s)), None)
        if delivered is not None:
            return "not excluded", delivered, N_("The note says the patient has just given birth.")
    return None


# A contraception requirement that men must meet too: it names them ("men and women of reproductive
# potential", "male patients with partners of childbearing potential"), or names no sex and nothing only
# women can do ("Sexually active patients must agree to use contraception").
_MEN_TOO = re.compile(
    r"\b(?:men|males?|both sexes|all patients|condoms?|vasectom\w*|father\w*|sperm)\b", re.I
)
_WOMEN_ONLY = re.compile(
    r"\bwom[ae]n\b|\bfemales?\b|\bgirls?\b|child[- ]?bearing|\bwocbp\b|pregnan|lactat|breast|nursing|"
    r"menopaus|menstrua|\bova\b|\beggs?\b",
    re.I,
)


def _addresses_men(criterion: CriterionFacts) -> bool:
    """Whether a contraception requirement is one men must meet too."""
    if "contraception" not in criterion.topics:
        return False
    return bool(_MEN_TOO.search(criterion.text)) or not _WOMEN_ONLY.search(criterion.text)


_ADULT_ONLY = re.compile(
    r"alcohol|drunk|drinking|drug abuse|substance|smok|tobacco|army|military|recruit|prisoner|employ|"
    r"shift work|college|universit|driv(?:e|ing) |menopaus|sexual|erectile|lactat|breast[- ]?feed",
    re.I,
)
CHILD_AGE = 12.0
PREGNANCY_WORDS = 1  # other content words beyond which a pregnancy criterion is about something else too
_PREGNANCY_STEMS = frozenset(
    {"pregn", "lacta", "breas", "feedi", "nursi", "women", "woman", "femal", "plann"}
)


def childhood(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Criteria about adult life (alcohol, smoking, work, military service) do not apply to a child."""
    if note.age is None or note.age >= CHILD_AGE or not _ADULT_ONLY.search(criterion.text):
        return None
    return NA, note.age_sentence, N_("The criterion is about adult life; the patient is a child.")


_SEX_SUBJECT = re.compile(
    r"^\W*(?:(?:adult|postmenopausal|premenopausal|pregnant|healthy|non-?pregnant)\s+)?"
    r"(women|woman|females?|girls?|men|man|males?|boys?)\b",
    re.I,
)


def sex_subject(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """An inclusion criterion whose subject is one sex ("Women aged 40-75 with ...")."""
    m = _SEX_SUBJECT.search(criterion.text)
    if kind != "inclusion" or m is None or note.sex is None or criterion.sexes == {"female", "male"}:
        return None
    wanted = "female" if re.match(r"wom|fem|girl", m.group(1), re.I) else "male"
    if wanted != note.sex:
        return (
            "not included",
            note.sex_sentence,
            (
                N_("The criterion is for female patients.")
                if wanted == "female"
                else N_("The criterion is for male patients.")
            ),
        )
    return None


# Words that ask a state of a woman's life, not only her sex: "nulliparous women" are not all women.
_WOMAN_STATE = re.compile(
    r"parous|gravid|menopaus|menarch|pregnan|lactat|nursing|breast-?feed|childbearing|fertile|steril", re.I
)
_OTHERS_AGE = re.compile(r"family history|relatives?\b|siblings?|parents?\b|sudden death|children of", re.I)


# The mother's age asked ("Maternal age 18 or older", "Mothers younger than 20") of a child's note, and
# the mother's age as a child's note gives it ("born to a 24-year-old G2P2 mother", "his mother, 17").
_MOTHERS = re.compile(r"\bmothers?\b|\bmaternal\b", re.I)
_NOTE_MOTHERS_AGE = re.compile(
    r"\b(\d{2})[- ]?(?:years?[- ]old|yo|y/o)\s+(?:[\w-]+\s+){0,2}mother\b|"
    r"\bmother,?\s+(?:is\s+|who is\s+|aged\s+|age\s+)?(\d{2})\b(?!\s*(?:weeks|days|months|hours|%))",
    re.I,
)
MOTHERS_CHILD_AGE = 12.0  # a patient younger than this is the child, not the mother


def _mothers_age(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """An age criterion about the mother, for a child's note: judged on the mother's age when the note
    gives it, else open."""
    assert criterion.age is not None
    for i, sentence in enumerate(note.sentences):
        if m := _NOTE_MOTHERS_AGE.search(sentence):
            if criterion.age.admits(float(m.group(1) or m.group(2))):
                return positive_label(kind), i, N_("The note gives the mother's age, within the range.")
            return negative_label(kind), i, N_("The note gives the mother's age, outside the range.")
    if kind == "exclusion":
        return "not excluded", None, N_("The criterion asks the mother's age; the note does not give it.")
    return NEI, None, N_("The criterion asks the mother's age; the note does not give it.")


def demographics(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Age and sex criteria, when age or sex is all the criterion asks."""
    if criterion.age is None and criterion.sexes is None:
        return None
    if (
        criterion.age is not None
        and _MOTHERS.search(criterion.text)
        and re.search(r"\d", criterion.text)
        and note.age is not None
        and note.age < MOTHERS_CHILD_AGE
    ):
        return _mothers_age(note, criterion, kind)
    residual = _residual_words(criterion)
    # "Non-diabetic adults" asks more than an age: a condition it rules out is never a residual word.
    age_only = (
        criterion.age is not None
        and len(residual) <= (AGE_ONLY_INCLUSION_WORDS if kind == "inclusion" else AGE_ONLY_EXCLUSION_WORDS)
        and not (criterion.negated_subject and criterion.mentions)
        and not criterion.thresholds  # "afebrile children" asks a temperature too
    )
    sex_only = (
        criterion.sexes is not None
        and len(residual) <= SEX_ONLY_OTHER_WORDS
        and not criterion.mentions
        and not _WOMAN_STATE.search(criterion.text)
    )
    # "No ... sudden death under 40 years of age in the family": the age is not the patient's.
    others_age = criterion.negated_subject or bool(_OTHERS_AGE.search(criterion.text))
    if (
        criterion.age is not None
        and note.age is not None
        and (age_only or (not criterion.age.admits(note.age) and not others_age))
    ):
        if not criterion.age.admits(note.age):
            if kind == "inclusion":
                return "not included", note.age_sentence, N_("The patient's age is outside the range.")
            return "not excluded", note.age_sentence, N_("The patient's age is not the excluded age.")
        if criterion.sexes is not None and note.sex is not None and note.sex not in criterion.sexes:
            return negative_label(kind), note.sex_sentence, N_("The patient's sex is not the one named.")
        if age_only:
            return positive_label(kind), note.age_sentence, N_("The patient's age is within the range.")
    if sex_only and note.sex is not None:
        assert criterion.sexes is not None
        if note.sex in criterion.sexes:
            return positive_label(kind), note.sex_sentence, N_("The patient's sex is the one named.")
        return negative_label(kind), note.sex_sentence, N_("The patient's sex is not the one named.")
    return None


_AFTER_AGE = re.compile(r"\b(?:after|beyond|from|since|starting at) (?:the )?age (?:of )?(\d{1,2})\b", re.I)


def onset_age(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """ "Wheezing after age 6", "diabetes diagnosed after the age of 40": what begins after an age the
    patient has not reached cannot have happened."""
    m = _AFTER_AGE.search(criterion.text)
    if m is None or note.age is None or note.age >= float(m.group(1)):
        return None
    return (
        negative_label(kind),
        note.age_sentence,
        (N_("The patient is younger than %(age)s years."), {"age": m.group(1)}),
    )
