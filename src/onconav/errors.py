"""Domain exceptions: raised by services with a message meant for a person.

Faces translate them to status codes and pages in one place (`onconav.web.errors` and the CLI).
"""

from __future__ import annotations

from typing import Any


class OnconavError(Exception):
    """Base of every domain error; `message` is shown to the user as is."""

    status_code = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(OnconavError):
    """The object asked for does not exist (or the user may not know it exists)."""

    status_code = 404


class InvalidInput(OnconavError):
    """Input that cannot be used, with what would be accepted instead."""

    status_code = 422


class Forbidden(OnconavError):
    """The current user may not do this."""

    status_code = 403
