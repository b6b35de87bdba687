"""Pydantic models of the geo domain: a resolved `Place` and the `PlaceResolution` of a typed query.

Both are frozen so that results shared through the resolver's cache cannot be altered by a caller.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PlaceKind = Literal["postal_code", "city", "coordinates"]


class Place(BaseModel):
    """A point on Earth with the names a person would recognise it by."""

    model_config = ConfigDict(frozen=True)

    name: str
    city: str | None
    region: str | None
    region_code: str | None
    country_code: str
    country: str
    lat: float = Field(ge=-90.0, le=90.0)
    lon: float = Field(ge=-180.0, le=180.0)
    kind: PlaceKind
    postal_code: str | None = None
    population: int | None = None
    slug: str


class PlaceResolution(BaseModel):
    """The place chosen for a query, how sure the choice is, and the runners-up."""

    model_config = ConfigDict(frozen=True)

    query: str
    place: Place
    exact: bool
    score: float = Field(ge=0.0, le=100.0)
    alternatives: list[Place] = Field(default_factory=list, max_length=5)
