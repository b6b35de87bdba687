"""Follow-up templates are knowledge: validated with their sources, chosen by condition, stage and
treatment, dated from the end of treatment, and reviewed only when a person records it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from onconav.care.schedule import HORIZON_MONTHS, add_months, planned_items
from onconav.errors import InvalidInput
from onconav.knowledge import service as knowledge
from onconav.knowledge.schemas import FollowupTemplate

DATA = Path(__file__).parents[2] / "src/onconav/knowledge/data/followup"


def test_every_template_cites_dated_or_listed_sources_and_is_not_marked_reviewed() -> None:
    templates = knowledge.list_followup_templates()
    assert {t.code for t in templates} >= {
        "after-lung-resection",
        "after-pleurectomy-decortication",
        "systemic-therapy-stage-iv",
        "survivorship-after-curative-treatment",
    }
    for template in templates:
        assert template.reviewed is None  # never marked reviewed by the developers
        assert template.symptoms
        for item in template.items:
            assert item.source in template.sources
        # Some item or symptom sends the reader to the care team.
        text = " ".join([template.summary, *(i.detail for i in template.items)]).lower()
        assert "care team" in text, template.code


def test_a_template_citing_an_unknown_source_is_refused() -> None:
    data = yaml.safe_load((DATA / "after-lung-resection.yaml").read_text())
    data["items"][0]["source"] = "nowhere"
    with pytest.raises(ValidationError, match="cites sources it does not define"):
        FollowupTemplate.model_validate(data)


@pytest.mark.parametrize(
    ("condition", "stage", "modality", "first"),
    [
        ("non-small-cell-lung-cancer", "IB", "surgery", "after-lung-resection"),
        ("lung-adenocarcinoma", "IIIA", "surgery", "after-lung-resection"),
        ("pleural-mesothelioma", "IV", "chemotherapy", "systemic-therapy-stage-iv"),
        ("pleural-mesothelioma", "IB", "surgery", "after-pleurectomy-decortication"),
        ("small-cell-lung-cancer", "extensive", "chemotherapy", "systemic-therapy-stage-iv"),
        ("breast-cancer", None, "surgery", "survivorship-after-curative-treatment"),
    ],
)
def test_the_fitting_template(condition: str, stage: str | None, modality: str, first: str) -> None:
    fitting = knowledge.followup_templates_for(condition=condition, stage=stage, modality=modality)
    assert fitting[0].code == first


def test_no_curative_survivorship_template_for_a_distant_stage() -> None:
    codes = [
        t.code
        for t in knowledge.followup_templates_for(
            condition="non-small-cell-lung-cancer", stage="IV", modality="surgery"
        )
    ]
    assert "survivorship-after-curative-treatment" not in codes
    assert "after-lung-resection" not in codes


def test_months_are_added_to_the_end_of_treatment() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2026, 11, 15), 6) == dt.date(2027, 5, 15)


def test_dates_follow_the_sources_schedule_within_the_horizon() -> None:
    template = knowledge.followup_template("after-lung-resection")
    assert template is not None
    items = planned_items(template, treatment_end=dt.date(2026, 3, 10))
    ct = [i.due_on for i in items if i.title == "Chest CT scan"]
    assert ct == [dt.date(2026, 9, 10), dt.date(2027, 3, 10), dt.date(2027, 9, 10), dt.date(2028, 3, 10)]
    yearly = [i.due_on for i in items if i.title == "Yearly chest CT scan"]
    assert yearly == [dt.date(2029, 3, 10), dt.date(2030, 3, 10), dt.date(2031, 3, 10)]
    assert max(d for d in yearly if d) <= add_months(dt.date(2026, 3, 10), HORIZON_MONTHS)
    undated = [i for i in items if i.due_on is None]
    assert [i.kind for i in undated] == ["visit"]  # the source gives no visit interval: none is invented


def test_a_review_is_recorded_in_a_copy_and_validated(tmp_path: Path) -> None:
    shutil.copy(DATA / "after-lung-resection.yaml", tmp_path / "after-lung-resection.yaml")
    path = knowledge.record_followup_template_review(
        code="after-lung-resection",
        reviewer="Dr. Full Name",
        credentials="MD, thoracic oncology",
        on=dt.date(2026, 12, 5),
        folder=tmp_path,
    )
    reviewed = FollowupTemplate.model_validate(yaml.safe_load(path.read_text()))
    assert reviewed.reviewed is not None and reviewed.reviewed.reviewer == "Dr. Full Name"
    assert "# Follow-up after surgery" in path.read_text()  # comments kept
    with pytest.raises(InvalidInput, match="before the content was written"):
        knowledge.record_followup_template_review(
            code="after-lung-resection",
            reviewer="Dr. X",
            credentials="MD",
            on=dt.date(2020, 1, 1),
            folder=tmp_path,
        )
    assert knowledge.followup_template("after-lung-resection").reviewed is None  # type: ignore[union-attr]


def test_the_review_report_lists_unreviewed_templates_and_undated_sources() -> None:
    report = knowledge.followup_review_report(today=dt.date(2026, 12, 5))
    assert "after-lung-resection" in report.unreviewed and not report.out_of_date
    undated = {(s.condition, s.key) for s in report.undated_sources}
    assert ("after-lung-resection", "nci-follow-up") in undated
    assert ("after-lung-resection", "asco-lung-surveillance") not in undated  # it gives its year
    later = knowledge.followup_review_report(today=dt.date(2028, 1, 1))
    assert ("after-lung-resection", dt.date(2026, 12, 4)) in later.out_of_date


@given(end=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2095, 12, 31)))
def test_every_planned_date_follows_the_end_of_treatment_within_the_horizon(end: dt.date) -> None:
    for template in knowledge.list_followup_templates():
        dated = [i.due_on for i in planned_items(template, treatment_end=end) if i.due_on]
        assert dated == sorted(dated)
        assert all(end < due <= add_months(end, HORIZON_MONTHS) for due in dated)
        for due in dated:  # a whole number of months after the end (the day kept, or the month's last)
            months = (due.year - end.year) * 12 + due.month - end.month
            assert add_months(end, months) == due
