"""A verdict for each eligibility criterion against a patient note, with the note sentence that supports
it: `read_note` reads a note once, `judge` weighs one criterion against it in well under a millisecond.

Labels are those of the TrialGPT criterion annotations. The rules follow how clinicians read criteria:
what a note does not mention about a disease or a treatment counts as absent for an exclusion criterion,
while a measurement the note does not give stays unknown; pregnancy criteria do not apply to men and
children; a note's statement that the patient will consent and comply settles consent criteria. Diagnoses
the note implies without naming them (a medicine's indication, pathognomonic signs, values that are
diagnoses, DSM-5 symptoms) count as said (`implied`).

Reading: `text` (words, sentences, concept mentions and their context), `measures` (numbers, units, ages),
`implied`, `criterion` (what one criterion asks), `note` (what one note says). Judging: `judging` tries
the rule families in order: `protocol`, `demographics`, `organs`, `cancer`, `unknowable`, `conditions`,
`overlap`; `answers` holds what they answer. Clinical concepts come from the knowledge domain's lexicon.
"""

from onconav.trials.verdicts.answers import EXCLUSION_LABELS, INCLUSION_LABELS, Kind
from onconav.trials.verdicts.judging import Verdict, judge
from onconav.trials.verdicts.note import NoteFacts, read_note

__all__ = ["EXCLUSION_LABELS", "INCLUSION_LABELS", "Kind", "NoteFacts", "Verdict", "judge", "read_note"]
