"""Where an imported address stands: its coordinates, how precise they are, and the one precision order that
decides, when a source rewrites a location, whether the coordinates already there stay.

Precisions (`location.geocode_precision`), best first:

1. `source`: the source gave coordinates for this address (HIFLD, a FHIR Location's position);
2. `linked_source`: coordinates a linked duplicate's source gave (taken over by `linking.link_hospitals`);
3. `zip_centroid`, or None (not placed): derived from the address itself, so they tie, and a newer record of
   the address restates them.

A rewrite keeps the coordinates already there only when they rank above the new ones: a ZIP centroid never
replaces coordinates a source measured, while coordinates of the same rank (or better) always replace them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from onconav.directory.models import FLAG_ADDRESS_NOT_PLACED, FLAG_ZIP_CENTROID
from onconav.geo import service as geo

SOURCE = "source"
LINKED_SOURCE = "linked_source"
ZIP_CENTROID = "zip_centroid"
NOT_PLACED = None
# Best first; precisions in one tuple tie.
PRECISION_ORDER: tuple[tuple[str | None, ...], ...] = (
    (SOURCE,),
    (LINKED_SOURCE,),
    (ZIP_CENTROID, NOT_PLACED),
)
_RANK = {
    precision: len(PRECISION_ORDER) - index
    for index, tier in enumerate(PRECISION_ORDER)
    for precision in tier
}

# Quality flags of placing (beside the directory's own `zip_centroid` and `address_not_placed`).
FLAG_ZIP_UNKNOWN = "zip_unknown"  # the ZIP is not in the offline ZIP table (retired or wrong)
FLAG_COORDINATES_FAR_FROM_ZIP = "coordinates_far_from_zip"  # source point > FAR_FROM_ZIP_KM from its centroid
FAR_FROM_ZIP_KM = 100.0


def precision_rank(precision: str | None) -> int:
    """The rank of a precision in PRECISION_ORDER, higher is better. A precision the order does not know
    (none is written today) ranks with `source`: coordinates of unknown origin are never silently dropped."""
    return _RANK.get(precision, _RANK[SOURCE])


def keeps_current_coordinates(current: str | None, new: str | None) -> bool:
    """Whether a location placed with precision `current` keeps its coordinates when a source rewrites it
    with coordinates of precision `new` (only when `current` ranks above `new`)."""
    return precision_rank(current) > precision_rank(new)


class Placement(NamedTuple):
    """Coordinates of an address, their precision, and the quality flags of the address."""

    lat: float | None
    lon: float | None
    precision: str | None
    quality_flags: list[str]


def place(
    *,
    lat: float | None = None,
    lon: float | None = None,
    zip_code: str | None = None,
    flags: Sequence[str] = (),
    check_zip: bool = False,
) -> Placement:
    """The coordinates the source gave, else the centroid of `zip_code` (None or empty: no ZIP to place by),
    else not placed; `flags` come first among the quality flags.

    `check_zip`: also flag a ZIP the offline table does not know, and source coordinates far from the ZIP's
    centroid (the hospital files, which carry both).
    """
    quality_flags = list(flags)
    given = lat is not None and lon is not None
    centroid = geo.zip_centroid(zip_code) if zip_code and (check_zip or not given) else None
    if check_zip and zip_code and centroid is None:
        quality_flags.append(FLAG_ZIP_UNKNOWN)
    if lat is not None and lon is not None:
        if check_zip and centroid is not None and geo.haversine_km(lat, lon, *centroid) > FAR_FROM_ZIP_KM:
            quality_flags.append(FLAG_COORDINATES_FAR_FROM_ZIP)
        return Placement(lat, lon, SOURCE, quality_flags)
    if centroid is not None:
        return Placement(centroid[0], centroid[1], ZIP_CENTROID, [*quality_flags, FLAG_ZIP_CENTROID])
    return Placement(None, None, NOT_PLACED, [*quality_flags, FLAG_ADDRESS_NOT_PLACED])
