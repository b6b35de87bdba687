"""The case pages' forms: the length limits of every field with a message a person can act on, and the
new-case form prefilled from a condition and stage page (names from the knowledge base, never raw input).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from babel.support import NullTranslations

from onconav.i18n import N_
from onconav.knowledge import service as knowledge

TITLE_MAX = 200
DIAGNOSIS_MAX = 4000
TREATMENT_PLAN_MAX = 4000
QUESTIONS_MAX = 8000
QUESTIONS_MAX_LINES = 20
MESSAGE_MAX = 10_000
NOTE_MAX = 2000
# Condition codes and stage codes are short slugs ('pleural-mesothelioma', 'iv'); anything else is ignored.
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")

TOO_LONG = N_("%(field)s is too long: %(count)s characters, at most %(max)s. Shorten it and send again.")
REQUIRED = N_("%(field)s is needed.")
FIELD_NAMES = {
    "title": N_("The short name"),
    "diagnosis": N_("The diagnosis"),
    "treatment_plan": N_("The treatment plan"),
    "questions": N_("The questions"),
    "body": N_("The message"),
    "note": N_("The note"),
}


@dataclass
class FormProblems:
    """Problems with a submitted form, by field name, already in the reader's language."""

    messages: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.messages)


def check_text(
    problems: FormProblems,
    translations: NullTranslations,
    *,
    name: str,
    value: str,
    limit: int,
    required: bool = False,
) -> None:
    """Record a problem when `value` is missing (and required) or longer than `limit` characters."""
    _ = translations.gettext
    label = _(FIELD_NAMES[name])
    if required and not value.strip():
        problems.messages[name] = _(REQUIRED) % {"field": label}
    elif len(value) > limit:
        problems.messages[name] = _(TOO_LONG) % {"field": label, "count": len(value), "max": limit}


def check_questions(problems: FormProblems, translations: NullTranslations, *, value: str) -> list[str]:
    """The questions, one per line; a problem when there are too many or the text is too long."""
    check_text(problems, translations, name="questions", value=value, limit=QUESTIONS_MAX)
    questions = [line.strip() for line in value.splitlines() if line.strip()]
    if len(questions) > QUESTIONS_MAX_LINES and "questions" not in problems.messages:
        problems.messages["questions"] = translations.ngettext(
            "Ask at most %(max)s question: you wrote %(count)s lines.",
            "Ask at most %(max)s questions: you wrote %(count)s lines.",
            QUESTIONS_MAX_LINES,
        ) % {"max": QUESTIONS_MAX_LINES, "count": len(questions)}
    return questions


@dataclass(frozen=True)
class Prefill:
    """What the new-case form starts with when a condition (and stage) page links to it."""

    title: str = ""
    diagnosis: str = ""


def prefill(condition_code: str, stage_code: str, translations: NullTranslations) -> Prefill:
    """ "Pleural mesothelioma, stage IV" from a condition and stage code the knowledge base knows; an
    unknown or malformed code gives nothing (no error: the form is simply empty)."""
    if not _SLUG.match(condition_code):
        return Prefill()
    condition = knowledge.get_condition(condition_code)
    if condition is None:
        return Prefill()
    name = translations.gettext(condition.name)
    stage = next(
        (s for s in knowledge.stages_of(condition) if _SLUG.match(stage_code) and s.code == stage_code), None
    )
    if stage is None:
        return Prefill(title=name, diagnosis=name)
    stage_name = translations.gettext(stage.name)
    text = translations.gettext("%(condition)s, %(stage)s") % {
        "condition": name,
        "stage": stage_name[:1].lower() + stage_name[1:],
    }
    return Prefill(title=text, diagnosis=text)
