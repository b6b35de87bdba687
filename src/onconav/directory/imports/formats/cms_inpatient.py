"""CMS "Medicare Inpatient Hospitals - by Provider and Service" CSV: Medicare fee-for-service discharges
and average charges and payments per hospital (CCN) and MS-DRG, for one data year (docs/data-sources.md).

Layout: the CMS data dictionary of the dataset (data.cms.gov), 15 columns; CMS suppresses rows of fewer
than 11 discharges. The DRG mapping to conditions and procedures is data: directory/data/drg_mapping.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from onconav.directory.imports.formats.rejection import RowRejected
from onconav.knowledge import service as knowledge

SOURCE = "cms-inpatient"
# The published column layout, in order (15 columns).
COLUMNS = (
    "Rndrng_Prvdr_CCN",
    "Rndrng_Prvdr_Org_Name",
    "Rndrng_Prvdr_City",
    "Rndrng_Prvdr_St",
    "Rndrng_Prvdr_State_FIPS",
    "Rndrng_Prvdr_Zip5",
    "Rndrng_Prvdr_State_Abrvtn",
    "Rndrng_Prvdr_RUCA",
    "Rndrng_Prvdr_RUCA_Desc",
    "DRG_Cd",
    "DRG_Desc",
    "Tot_Dschrgs",
    "Avg_Submtd_Cvrd_Chrg",
    "Avg_Tot_Pymt_Amt",
    "Avg_Mdcr_Pymt_Amt",
)
REQUIRED_COLUMNS = ("Rndrng_Prvdr_CCN", "DRG_Cd", "DRG_Desc", "Tot_Dschrgs")
CCN_SHAPE = re.compile(r"^[0-9A-Z]{6}$")
DRG_SHAPE = re.compile(r"^\d{1,3}$")
# CMS names its files MUP_INP_RY24_P03_V10_DY22_PrvSvc.csv: DY22 is the data year 2022.
_DATA_YEAR = re.compile(r"_DY(\d{2})_", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def data_year_from_name(path: Path) -> int | None:
    """The data year a CMS file name carries (DY22 -> 2022, or a plain 2022), or None."""
    match = _DATA_YEAR.search(path.name)
    if match:
        return 2000 + int(match.group(1))
    match = _YEAR.search(path.name)
    return int(match.group(1)) if match else None


def source_label(year: int) -> str:
    """How `why` names this source: "CMS Medicare Inpatient Hospitals 2022"."""
    return f"CMS Medicare Inpatient Hospitals {year}"


@dataclass(frozen=True)
class DrgMapping:
    """What one MS-DRG says about cancer care: catalogue conditions and procedures."""

    code: str
    title: str
    conditions: tuple[str, ...]
    procedures: tuple[str, ...]


@cache
def drg_mapping() -> dict[str, DrgMapping]:
    """MS-DRG code (3 digits) -> mapping; a code naming an unknown condition or procedure is an error."""
    text = resources.files("onconav.directory").joinpath("data", "drg_mapping.yaml").read_text("utf-8")
    mapping = {}
    for code, entry in yaml.safe_load(text)["drgs"].items():
        conditions = tuple(entry.get("conditions", ()))
        procedures = tuple(entry.get("procedures", ()))
        for condition in conditions:
            if knowledge.get_condition(condition) is None:
                raise ValueError(f"DRG {code} maps to unknown condition {condition}")
        for procedure in procedures:
            if knowledge.get_service(procedure) is None:
                raise ValueError(f"DRG {code} maps to unknown procedure {procedure}")
        mapping[str(code).zfill(3)] = DrgMapping(str(code).zfill(3), entry["title"], conditions, procedures)
    return mapping


@dataclass(frozen=True)
class InpatientRow:
    """One hospital and MS-DRG: discharges and average amounts (dollars; None when blank)."""

    ccn: str
    name: str
    drg: str
    drg_description: str
    discharges: int
    avg_submitted_charge: float | None
    avg_total_payment: float | None
    avg_medicare_payment: float | None

    @property
    def source_id(self) -> str:
        """The natural key of the row within a data year."""
        return f"{self.ccn}:{self.drg}"


def _amount(row: dict[str, str], column: str) -> float | None:
    text = (row.get(column) or "").strip().replace(",", "").lstrip("$")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RowRejected("invalid_amount", f"{column} {text!r} is not an amount") from None
    if value < 0:
        raise RowRejected("invalid_amount", f"{column} {text!r} is negative")
    return value


def parse_row(row: dict[str, str]) -> InpatientRow:
    """One row of the file, or RowRejected with the reason."""
    ccn = (row.get("Rndrng_Prvdr_CCN") or "").strip().upper()
    if not ccn:
        raise RowRejected("missing_ccn", "Rndrng_Prvdr_CCN is empty")
    if ccn.isdigit() and len(ccn) < 6:
        ccn = ccn.zfill(6)  # spreadsheets drop the leading zero of Alabama's 01xxxx
    if not CCN_SHAPE.match(ccn):
        raise RowRejected("invalid_ccn", f"Rndrng_Prvdr_CCN {ccn!r} is not a 6-character CCN")
    drg = (row.get("DRG_Cd") or "").strip()
    if not DRG_SHAPE.match(drg):
        raise RowRejected("invalid_drg", f"DRG_Cd {drg!r} is not an MS-DRG code")
    text = (row.get("Tot_Dschrgs") or "").strip().replace(",", "")
    if not text.isdigit():
        raise RowRejected("invalid_count", f"Tot_Dschrgs {text!r} is not a whole number")
    return InpatientRow(
        ccn=ccn,
        name=(row.get("Rndrng_Prvdr_Org_Name") or "").strip(),
        drg=drg.zfill(3),
        drg_description=(row.get("DRG_Desc") or "").strip()[:200],
        discharges=int(text),
        avg_submitted_charge=_amount(row, "Avg_Submtd_Cvrd_Chrg"),
        avg_total_payment=_amount(row, "Avg_Tot_Pymt_Amt"),
        avg_medicare_payment=_amount(row, "Avg_Mdcr_Pymt_Amt"),
    )
