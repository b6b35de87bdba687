"""Clinician review of the condition files: recording a review in a file (only when a person asks for it on
the command line) and the report of what is unreviewed, out of date or cites sources without a date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from onconav.errors import InvalidInput, NotFound
from onconav.knowledge.catalogue import catalogue, data_files, read_yaml
from onconav.knowledge.schemas import Condition, Review

# Content whose last review (or, never reviewed, its writing) is older than this is out of date.
REVIEW_VALID_FOR = dt.timedelta(days=365)
# The top-level `reviewed:` key and the lines indented under it.
_REVIEWED_BLOCK = re.compile(r"^reviewed:.*\n(?:[ \t]+.*\n)*", re.MULTILINE)


@dataclass(frozen=True)
class UndatedSource:
    """A source a condition file cites without the date the source gives itself."""

    condition: str
    key: str
    title: str


@dataclass(frozen=True)
class ReviewReport:
    """What a clinician should look at next."""

    unreviewed: list[str]  # condition codes with no review recorded
    out_of_date: list[tuple[str, dt.date]]  # condition code, date of its last review or writing
    undated_sources: list[UndatedSource]


def condition_file(code: str, folder: Path | None = None) -> Path:
    """The YAML file of a condition (in `folder`, by default the package's data folder)."""
    if folder is not None:
        candidates = sorted(folder.glob("*.yaml"))
    else:
        candidates = [Path(str(f)) for f in data_files("conditions")]
    for path in candidates:
        data = read_yaml(path)
        if isinstance(data, dict) and data.get("code") == code:
            return path
    raise NotFound('Nothing called "%(code)s" is in the catalogue.', code=code)


def reviewed_text(text: str, review: Review) -> str:
    """The file's text with its `reviewed` record replaced (or added at the end); comments are kept."""
    block = yaml.safe_dump(
        {"reviewed": {"date": review.date, "reviewer": review.reviewer, "credentials": review.credentials}},
        sort_keys=False,
        allow_unicode=True,
    )
    kept = _REVIEWED_BLOCK.sub("", text).rstrip("\n")
    return f"{kept}\n{block}"


def record_review(
    *, code: str, reviewer: str, credentials: str, on: dt.date, folder: Path | None = None
) -> Path:
    """Write a clinician's review into a condition's file and return the file; the file must stay valid."""
    path = condition_file(code, folder)
    write_review(path=path, code=code, content=Condition, reviewer=reviewer, credentials=credentials, on=on)
    catalogue.cache_clear()
    return path


def write_review(
    *, path: Path, code: str, content: type[BaseModel], reviewer: str, credentials: str, on: dt.date
) -> None:
    """Write a review into a curated file (a condition, a follow-up template) if the file stays valid as
    `content` and the review is not dated before the content was written."""
    try:
        review = Review(date=on, reviewer=reviewer.strip(), credentials=credentials.strip())
    except ValidationError as error:
        raise InvalidInput("A review needs the reviewer's name and credentials.") from error
    text = reviewed_text(path.read_text(encoding="utf-8"), review)
    try:
        reviewed: Any = content.model_validate(yaml.safe_load(text))
    except ValidationError as error:
        raise InvalidInput(
            "The review would make %(code)s invalid: %(error)s", code=code, error=str(error)
        ) from error
    if reviewed.written.date > on:
        raise InvalidInput(
            "A review cannot be dated before the content was written (%(date)s).",
            date=str(reviewed.written.date),
        )
    path.write_text(text, encoding="utf-8")


def review_report(*, today: dt.date, conditions: list[Condition] | None = None) -> ReviewReport:
    """Unreviewed conditions, those last reviewed (or written) over a year ago, and undated sources."""
    chosen = (
        conditions
        if conditions is not None
        else sorted(catalogue().conditions.values(), key=lambda c: c.code)
    )
    unreviewed = [c.code for c in chosen if c.reviewed is None]
    out_of_date = []
    for condition in chosen:
        last = condition.reviewed.date if condition.reviewed else condition.written.date
        if today - last > REVIEW_VALID_FOR:
            out_of_date.append((condition.code, last))
    undated = [
        UndatedSource(condition=c.code, key=key, title=ref.title)
        for c in chosen
        for key, ref in c.sources.items()
        if ref.published is None
    ]
    return ReviewReport(unreviewed=unreviewed, out_of_date=out_of_date, undated_sources=undated)
