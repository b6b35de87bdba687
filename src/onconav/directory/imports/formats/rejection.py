"""`RowRejected`: how every format refuses a row it cannot read, with a stable reason code and a sentence.

Sources turn it into a line of the rejected-rows report.
"""

from __future__ import annotations


class RowRejected(Exception):
    """A source row that cannot become a directory record; `reason` is a stable code for the report, and
    `source_id` the row's key when the format could read it."""

    def __init__(self, reason: str, message: str, *, source_id: str | None = None) -> None:
        self.reason = reason
        self.message = message
        self.source_id = source_id
        super().__init__(f"{reason}: {message}")
