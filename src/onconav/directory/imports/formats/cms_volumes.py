"""CMS "Medicare Physician & Other Practitioners - by Provider and Service" CSV: yearly services per NPI
and HCPCS code, mapped to knowledge-base procedures and summed per NPI and procedure.

Layout: the CMS data dictionary of the dataset (data.cms.gov, one row per rendering NPI x HCPCS code x
place of service; rows with fewer than 11 beneficiaries are suppressed by CMS). See docs/data-sources.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from onconav.directory.imports.formats.csv_file import CsvRow, csv_rows
from onconav.directory.imports.formats.npi import NPI_DIGITS, NPI_SHAPE
from onconav.directory.imports.formats.rejection import RowRejected
from onconav.knowledge import service as knowledge

SOURCE = "cms-volumes"
# The published column layout, in order (29 columns).
COLUMNS = (
    "Rndrng_NPI",
    "Rndrng_Prvdr_Last_Org_Name",
    "Rndrng_Prvdr_First_Name",
    "Rndrng_Prvdr_MI",
    "Rndrng_Prvdr_Crdntls",
    "Rndrng_Prvdr_Gndr",
    "Rndrng_Prvdr_Ent_Cd",
    "Rndrng_Prvdr_St1",
    "Rndrng_Prvdr_St2",
    "Rndrng_Prvdr_City",
    "Rndrng_Prvdr_State_Abrvtn",
    "Rndrng_Prvdr_State_FIPS",
    "Rndrng_Prvdr_Zip5",
    "Rndrng_Prvdr_RUCA",
    "Rndrng_Prvdr_RUCA_Desc",
    "Rndrng_Prvdr_Cntry",
    "Rndrng_Prvdr_Type",
    "Rndrng_Prvdr_Mdcr_Prtcptg_Ind",
    "HCPCS_Cd",
    "HCPCS_Desc",
    "HCPCS_Drug_Ind",
    "Place_Of_Srvc",
    "Tot_Benes",
    "Tot_Srvcs",
    "Tot_Bene_Day_Srvcs",
    "Avg_Sbmtd_Chrg",
    "Avg_Mdcr_Alowd_Amt",
    "Avg_Mdcr_Pymt_Amt",
    "Avg_Mdcr_Stdzd_Amt",
)
REQUIRED_COLUMNS = ("Rndrng_NPI", "HCPCS_Cd", "Tot_Srvcs", "Tot_Benes")
ORGANIZATION_ENTITY = "O"  # Rndrng_Prvdr_Ent_Cd of an organization's NPI (I: an individual)
GENDERS = {"M": "male", "F": "female"}
ZIP_DIGITS = 5  # Rndrng_Prvdr_Zip5
COUNTRY_CODE_LENGTH = 2  # ISO 3166 alpha-2
# CMS names its files MUP_PHY_R25_P05_V20_D23_Prov_Svc.csv: D23 is the data year 2023.
_DATA_YEAR = re.compile(r"_D(\d{2})_", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def source_label(year: int) -> str:
    """How the `why` names this source: "CMS Medicare 2023"."""
    return f"CMS Medicare {year}"


def data_year_from_name(path: Path) -> int | None:
    """The data year a CMS file name carries (D23 -> 2023, or a plain 2023), or None."""
    match = _DATA_YEAR.search(path.name)
    if match:
        return 2000 + int(match.group(1))
    match = _YEAR.search(path.name)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class HcpcsMapping:
    """One billing code that counts as one knowledge-base service."""

    code: str
    service: str
    origin: str  # knowledge (the service's own CPT list) | directory (data/hcpcs_procedures.yaml)


@lru_cache(maxsize=1)
def hcpcs_mapping() -> dict[str, HcpcsMapping]:
    """HCPCS code -> service: the knowledge base's CPT codes, then data/hcpcs_procedures.yaml.

    A code claimed by two services, or mapped to a service the knowledge base does not have, is an error in
    the data and raises ValueError (tests load this once).
    """
    mapping: dict[str, HcpcsMapping] = {}

    def add(code: str, service: str, origin: str) -> None:
        held = mapping.get(code)
        if held and held.service != service:
            raise ValueError(f"HCPCS {code} maps to both {held.service} and {service}")
        if knowledge.get_service(service) is None:
            raise ValueError(f"HCPCS {code} maps to unknown service {service}")
        mapping[code] = HcpcsMapping(code, service, origin)

    for service in knowledge.list_services():
        for code in service.cpt:
            add(code, service.code, "knowledge")
    text = resources.files("onconav.directory").joinpath("data", "hcpcs_procedures.yaml").read_text("utf-8")
    for entry in yaml.safe_load(text)["codes"]:
        add(str(entry["code"]), entry["service"], "directory")
    return mapping


@dataclass(frozen=True)
class VolumeRow:
    """One counted row: services of one mapped code by one NPI at one place of service."""

    npi: str
    hcpcs: str
    service: str
    services: int
    beneficiaries: int


def parse_row(row: dict[str, str]) -> VolumeRow | None:
    """The counted row, None for a code onconav does not map (not an error), or RowRejected."""
    npi = (row.get("Rndrng_NPI") or "").strip()
    if not NPI_SHAPE.match(npi):
        raise RowRejected("invalid_npi", f"Rndrng_NPI {npi!r} is not a 10-digit NPI")
    code = (row.get("HCPCS_Cd") or "").strip().upper()
    if not code:
        raise RowRejected("missing_hcpcs", "HCPCS_Cd is empty")
    mapped = hcpcs_mapping().get(code)
    if mapped is None:
        return None
    services = _count(row, "Tot_Srvcs")
    beneficiaries = _count(row, "Tot_Benes")
    return VolumeRow(npi, code, mapped.service, services, beneficiaries)


def _count(row: dict[str, str], column: str) -> int:
    text = (row.get(column) or "").strip().replace(",", "")
    try:
        value = float(text)
    except ValueError:
        raise RowRejected("invalid_count", f"{column} {text!r} is not a number") from None
    if value < 0 or value != value:  # negative or NaN
        raise RowRejected("invalid_count", f"{column} {text!r} is negative")
    return round(value)


@dataclass
class NpiVolumes:
    """Every counted service of one NPI: yearly services and beneficiaries per knowledge service."""

    npi: str
    services: dict[str, int]
    beneficiaries: dict[str, int]


def group_by_npi(rows: Iterable[VolumeRow]) -> Iterator[NpiVolumes]:
    """Sum consecutive rows of the same NPI (CMS files are sorted by NPI) per service.

    Beneficiaries are summed too; the same patient can count under two codes, so they are an upper bound.
    An unsorted file gives the same NPI twice; the importer adds the second group to the first.
    """
    current: NpiVolumes | None = None
    for row in rows:
        if current is None or row.npi != current.npi:
            if current is not None:
                yield current
            current = NpiVolumes(row.npi, {}, {})
        current.services[row.service] = current.services.get(row.service, 0) + row.services
        current.beneficiaries[row.service] = current.beneficiaries.get(row.service, 0) + row.beneficiaries
    if current is not None:
        yield current


@dataclass(frozen=True)
class NpiRows:
    """The consecutive rows of one NPI (or one row without a valid NPI), with where reading stands after
    the group: the row number and byte offset to resume from."""

    npi: str
    rows: list[CsvRow] = field(default_factory=list)
    row: int = 0
    end_offset: int = 0


def read_npi_groups(path: Path, *, title: str, start_row: int, start_offset: int) -> Iterator[NpiRows]:
    """The rows of a CMS volume file grouped by consecutive NPI; each row without a 10-digit NPI comes
    alone, after the group around it."""
    group: list[CsvRow] = []
    broken: list[CsvRow] = []  # rows without a valid NPI: reported after the group around them
    npi = ""
    last = (start_row, start_offset)
    for row in csv_rows(
        path, required=REQUIRED_COLUMNS, title=title, start_row=start_row, start_offset=start_offset
    ):
        key = _npi_of(row)
        if not (len(key) == NPI_DIGITS and key.isdigit()):
            broken.append(row)
            last = (row.row, row.end_offset)
            continue
        if group and key != npi:
            yield from _groups(npi, group, broken, last)
            group, broken = [], []
        npi = key
        group.append(row)
        last = (row.row, row.end_offset)
    if group or broken:
        yield from _groups(npi, group, broken, last)


def _npi_of(row: CsvRow) -> str:
    return (row.values.get("Rndrng_NPI") or "").strip()


def _groups(npi: str, group: list[CsvRow], broken: list[CsvRow], last: tuple[int, int]) -> Iterator[NpiRows]:
    if group:
        yield NpiRows(npi, group, *last)
    for row in broken:
        yield NpiRows(_npi_of(row), [row], *last)


@dataclass(frozen=True)
class ProviderIdentity:
    """Who an NPI is, from the identity columns of its first row (for NPIs the directory does not know)."""

    family_name: str
    given_name: str
    credentials: str | None
    gender: str | None
    entity: str  # I (individual) | O (organization)
    line: str
    city: str
    state: str
    postal_code: str
    country_code: str
    provider_type: str


def identity_of(row: dict[str, str]) -> ProviderIdentity:
    """The identity columns of a row, trimmed and in display case."""
    return ProviderIdentity(
        family_name=_name_case(row.get("Rndrng_Prvdr_Last_Org_Name", "")),
        given_name=_name_case(row.get("Rndrng_Prvdr_First_Name", "")),
        credentials=(row.get("Rndrng_Prvdr_Crdntls") or "").strip() or None,
        gender=GENDERS.get((row.get("Rndrng_Prvdr_Gndr") or "").strip().upper()),
        entity=(row.get("Rndrng_Prvdr_Ent_Cd") or "").strip().upper(),
        line=", ".join(
            filter(
                None, (_name_case(row.get(column, "")) for column in ("Rndrng_Prvdr_St1", "Rndrng_Prvdr_St2"))
            )
        ),
        city=_name_case(row.get("Rndrng_Prvdr_City", "")),
        state=(row.get("Rndrng_Prvdr_State_Abrvtn") or "").strip().upper(),
        postal_code=(row.get("Rndrng_Prvdr_Zip5") or "").strip()[:ZIP_DIGITS],
        country_code=(row.get("Rndrng_Prvdr_Cntry") or "US").strip().upper()[:COUNTRY_CODE_LENGTH],
        provider_type=(row.get("Rndrng_Prvdr_Type") or "").strip(),
    )


def _name_case(text: str) -> str:
    text = " ".join(text.split())
    return text.title() if text.isupper() or text.islower() else text
