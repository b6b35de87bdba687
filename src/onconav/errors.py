"""Domain exceptions: raised by services with a message meant for a person.

The message is an English template with %(name)s placeholders filled from the details, so faces can show
it in the reader's language (babel.cfg extracts these templates). Faces translate exceptions to status
codes and pages in one place (`onconav.web.errors` and the CLI).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class OnconavError(Exception):
    """Base of every domain error; `message` is shown to the user as is."""

    status_code = 400

    def __init__(self, template: str, **details: Any) -> None:
        self.template = template
        self.details = details
        self.message = template % details if details else template
        super().__init__(self.message)

    def localized(self, gettext: Callable[[str], str]) -> str:
        """The message in the reader's language (English when no translation fits)."""
        try:
            return gettext(self.template) % self.details if self.details else gettext(self.template)
        except (KeyError, TypeError, ValueError):
            return self.message


class NotFound(OnconavError):
    """The object asked for does not exist (or the user may not know it exists)."""

    status_code = 404


class InvalidInput(OnconavError):
    """Input that cannot be used, with what would be accepted instead."""

    status_code = 422


class Forbidden(OnconavError):
    """The current user may not do this."""

    status_code = 403


RETRY_AFTER_SECONDS = 5  # how long a client told "try again" should wait


class NotSaved(OnconavError):
    """The unit of work could not be committed (the database failed): nothing of it was kept."""

    status_code = 503

    def __init__(self, template: str, **details: Any) -> None:
        super().__init__(template, **details)
        self.headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}


class SaveConflict(OnconavError):
    """The unit of work broke a constraint at commit (a change made at the same time): nothing was kept."""

    status_code = 409
