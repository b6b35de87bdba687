"""Follow-up templates: what the sources say happens after a treatment (visits, imaging, tests and their
intervals, symptoms that should prompt a call), one curated file per template in data/followup/, validated
like the condition files, with sources and dates, `written` and an optional clinician's `reviewed`.

A schedule is given only where a cited source gives one; otherwise an item has no interval and the plan
says that the care team sets the date.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from onconav.errors import NotFound
from onconav.knowledge.catalogue import CatalogueError, catalogue, data_files, read_yaml
from onconav.knowledge.review import REVIEW_VALID_FOR, ReviewReport, UndatedSource, write_review
from onconav.knowledge.schemas import FollowupTemplate


@cache
def followup_templates() -> dict[str, FollowupTemplate]:
    """Every follow-up template, validated and cross-checked against the conditions (loaded once)."""
    conditions = catalogue().conditions
    found: dict[str, FollowupTemplate] = {}
    for file in data_files("followup"):
        try:
            template = FollowupTemplate.model_validate(read_yaml(file))
        except (ValidationError, yaml.YAMLError) as error:
            raise CatalogueError(f"{file.name}: {error}") from error
        if template.code in found:
            raise CatalogueError(f"follow-up template {template.code!r} is defined twice")
        unknown = [code for code in template.conditions if code not in conditions]
        if unknown:
            raise CatalogueError(f"{file.name}: unknown conditions {unknown}")
        stage_codes = {s.code for code in template.conditions for s in conditions[code].stages}
        bad_stages = set(template.stage_codes) - stage_codes - {"all"}
        if bad_stages:
            raise CatalogueError(f"{file.name}: unknown stages {sorted(bad_stages)}")
        found[template.code] = template
    return found


def template_file(code: str, folder: Path | None = None) -> Path:
    """The YAML file of a follow-up template."""
    paths = sorted(folder.glob("*.yaml")) if folder else [Path(str(f)) for f in data_files("followup")]
    for path in paths:
        data = read_yaml(path)
        if isinstance(data, dict) and data.get("code") == code:
            return path
    raise NotFound('No follow-up template is called "%(code)s".', code=code)


def record_template_review(
    *, code: str, reviewer: str, credentials: str, on: dt.date, folder: Path | None = None
) -> Path:
    """Write a clinician's review into a follow-up template's file (asked for by a person on the CLI)."""
    path = template_file(code, folder)
    write_review(
        path=path, code=code, content=FollowupTemplate, reviewer=reviewer, credentials=credentials, on=on
    )
    followup_templates.cache_clear()
    return path


def template_review_report(*, today: dt.date) -> ReviewReport:
    """As for conditions: templates without a review, reviewed (or written) over a year ago, and the sources
    they cite without a date (`condition` holds the template's code)."""
    templates = [followup_templates()[code] for code in sorted(followup_templates())]
    out_of_date = []
    for template in templates:
        last = template.reviewed.date if template.reviewed else template.written.date
        if today - last > REVIEW_VALID_FOR:
            out_of_date.append((template.code, last))
    return ReviewReport(
        unreviewed=[t.code for t in templates if t.reviewed is None],
        out_of_date=out_of_date,
        undated_sources=[
            UndatedSource(condition=t.code, key=key, title=ref.title)
            for t in templates
            for key, ref in t.sources.items()
            if ref.published is None
        ],
    )
