"""What Medicare paid a US hospital for the inpatient stays of a condition: the rows of the CMS "Medicare
Inpatient Hospitals - by Provider and Service" file already imported (`onconav import cms-inpatient`), for
the MS-DRGs that `data/drg_mapping.yaml` maps to the condition. A reference point, never a price.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav.directory.imports.formats.cms_inpatient import drg_mapping
from onconav.directory.models import InpatientVolume, Organization
from onconav.directory.schemas import MedicarePaymentRead

SOURCE = "CMS Medicare Inpatient Hospitals - by Provider and Service"


def _dollars(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def medicare_payments(
    session: Session, *, organization_id: int, condition_codes: Sequence[str]
) -> list[MedicarePaymentRead]:
    """The hospital's Medicare inpatient payments for the DRGs mapped to these conditions, latest year
    first; none for a hospital without a CMS number or a condition no DRG maps to."""
    ccn = session.scalar(select(Organization.cms_ccn).where(Organization.id == organization_id))
    wanted = set(condition_codes)
    codes = [code for code, mapping in drg_mapping().items() if wanted & set(mapping.conditions)]
    if not ccn or not codes:
        return []
    rows = session.scalars(
        select(InpatientVolume)
        .where(InpatientVolume.cms_ccn == ccn, InpatientVolume.drg_code.in_(codes))
        .order_by(InpatientVolume.data_year.desc(), InpatientVolume.drg_code)
    )
    return [
        MedicarePaymentRead(
            drg_code=row.drg_code,
            drg_description=row.drg_description,
            data_year=row.data_year,
            discharges=row.discharges,
            avg_total_payment=_dollars(row.avg_total_payment),
            avg_medicare_payment=_dollars(row.avg_medicare_payment),
            currency="USD",
            source=f"{SOURCE}, {row.data_year}",
        )
        for row in rows
    ]
