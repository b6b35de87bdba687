"""Server-rendered maps: numbered points drawn over the packaged Natural Earth basemap, as plain data the
`_map.html` include turns into an inline SVG (or over an operator's map tiles, when configured).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

VIEW_WIDTH = 640.0
VIEW_HEIGHT = 400.0
PADDING = 0.12  # share of each side left around the points, so markers are never cut at the edge
MIN_SPAN_DEGREES = 1.5  # a single point (or a tight cluster) still shows its surroundings
TILE_SIZE = 256
MAX_TILE_ZOOM = 15
MAX_MERCATOR_LAT = 85.05112878


@dataclass(frozen=True)
class MapPoint:
    """A place to mark: its label (shown in the marker's tooltip) and coordinates (None: not placed)."""

    label: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class MapMarker:
    """A numbered marker in view coordinates; `number` is the point's place in the list, from 1."""

    number: int
    label: str
    x: float
    y: float


@dataclass(frozen=True)
class MapTile:
    """One image of the operator's tile server, placed in view coordinates."""

    href: str
    x: float
    y: float
    size: float


@dataclass(frozen=True)
class DrawnMap:
    """Everything `_map.html` needs: the view box, the land outlines or the tiles, and the markers."""

    width: float
    height: float
    land: tuple[str, ...]  # SVG path data of the countries in view (empty when tiles are drawn)
    tiles: tuple[MapTile, ...]
    markers: tuple[MapMarker, ...]
    tile_origin: str | None  # the tile server's address, for the attribution link
    origin: MapMarker | None = None  # the place searched from (number 0), drawn apart from the numbered ones

    @property
    def view_box(self) -> str:
        """The SVG viewBox attribute."""
        return f"0 0 {self.width:g} {self.height:g}"


@dataclass(frozen=True)
class _Ring:
    coordinates: tuple[float, ...]  # lon, lat, lon, lat, ...
    min_lon: float
    max_lon: float
    min_lat: float
    max_lat: float


@cache
def _basemap() -> tuple[_Ring, ...]:
    """The country rings of data/basemap.json (SOURCE.md beside it), each with its bounding box."""
    text = resources.files("onconav.geo").joinpath("data", "basemap.json").read_text(encoding="utf-8")
    rings = []
    for country in json.loads(text)["countries"]:
        for flat in country["rings"]:
            lons, lats = flat[0::2], flat[1::2]
            rings.append(_Ring(tuple(flat), min(lons), max(lons), min(lats), max(lats)))
    return tuple(rings)


@dataclass(frozen=True)
class _Bounds:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


def _bounds(points: Sequence[tuple[float, float]]) -> _Bounds:
    """The points' bounding box, widened to the minimum span and padded on every side."""
    lats = [lat for lat, _lon in points]
    lons = [lon for _lat, lon in points]
    mid_lat, mid_lon = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    half_lat = max(max(lats) - min(lats), MIN_SPAN_DEGREES) / 2 / (1 - 2 * PADDING)
    half_lon = max(max(lons) - min(lons), MIN_SPAN_DEGREES) / 2 / (1 - 2 * PADDING)
    return _Bounds(mid_lat - half_lat, mid_lat + half_lat, mid_lon - half_lon, mid_lon + half_lon)


class _Equirectangular:
    """Longitude scaled by the cosine of the middle latitude, so shapes keep their proportions locally."""

    def __init__(self, bounds: _Bounds) -> None:
        middle = max(-80.0, min(80.0, (bounds.min_lat + bounds.max_lat) / 2))
        self.stretch = math.cos(math.radians(middle))
        span_x = (bounds.max_lon - bounds.min_lon) * self.stretch
        span_y = bounds.max_lat - bounds.min_lat
        self.scale = min(VIEW_WIDTH / span_x, VIEW_HEIGHT / span_y)
        self.centre_x = (bounds.min_lon + bounds.max_lon) / 2 * self.stretch
        self.centre_y = (bounds.min_lat + bounds.max_lat) / 2

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        x = VIEW_WIDTH / 2 + (lon * self.stretch - self.centre_x) * self.scale
        y = VIEW_HEIGHT / 2 - (lat - self.centre_y) * self.scale
        return x, y


def _mercator_pixels(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """Web Mercator pixel coordinates of a point at a tile zoom level (the tile servers' projection)."""
    lat = max(-MAX_MERCATOR_LAT, min(MAX_MERCATOR_LAT, lat))
    world = TILE_SIZE * 2**zoom
    sine = math.sin(math.radians(lat))
    x = (lon + 180.0) / 360.0 * world
    y = (0.5 - math.log((1 + sine) / (1 - sine)) / (4 * math.pi)) * world
    return x, y


class _TileView:
    """The largest tile zoom at which the padded bounds fit the view, centred on them."""

    def __init__(self, bounds: _Bounds) -> None:
        self.zoom = 0
        for zoom in range(MAX_TILE_ZOOM, -1, -1):
            left, top = _mercator_pixels(bounds.max_lat, bounds.min_lon, zoom)
            right, bottom = _mercator_pixels(bounds.min_lat, bounds.max_lon, zoom)
            if right - left <= VIEW_WIDTH and bottom - top <= VIEW_HEIGHT:
                self.zoom = zoom
                break
        left, top = _mercator_pixels(bounds.max_lat, bounds.min_lon, self.zoom)
        right, bottom = _mercator_pixels(bounds.min_lat, bounds.max_lon, self.zoom)
        self.origin_x = (left + right) / 2 - VIEW_WIDTH / 2
        self.origin_y = (top + bottom) / 2 - VIEW_HEIGHT / 2

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        x, y = _mercator_pixels(lat, lon, self.zoom)
        return x - self.origin_x, y - self.origin_y

    def tiles(self, template: str) -> tuple[MapTile, ...]:
        count = 2**self.zoom
        first_x, last_x = (
            math.floor(self.origin_x / TILE_SIZE),
            math.floor((self.origin_x + VIEW_WIDTH) / TILE_SIZE),
        )
        first_y = max(0, math.floor(self.origin_y / TILE_SIZE))
        last_y = min(count - 1, math.floor((self.origin_y + VIEW_HEIGHT) / TILE_SIZE))
        return tuple(
            MapTile(
                href=template.format(z=self.zoom, x=tile_x % count, y=tile_y),
                x=round(tile_x * TILE_SIZE - self.origin_x, 1),
                y=round(tile_y * TILE_SIZE - self.origin_y, 1),
                size=TILE_SIZE,
            )
            for tile_y in range(first_y, last_y + 1)
            for tile_x in range(first_x, last_x + 1)
        )


@lru_cache(maxsize=512)
def _land(bounds: _Bounds) -> tuple[str, ...]:
    """SVG path data of the basemap rings that reach into the bounds (the SVG clips the rest), in the
    bounds' projection; remembered, as the same search draws the same map again."""
    projection = _Equirectangular(bounds)
    paths = []
    for ring in _basemap():
        if (
            ring.max_lon < bounds.min_lon
            or ring.min_lon > bounds.max_lon
            or ring.max_lat < bounds.min_lat
            or ring.min_lat > bounds.max_lat
        ):
            continue
        corners = []
        for index in range(0, len(ring.coordinates), 2):
            x, y = projection.project(ring.coordinates[index + 1], ring.coordinates[index])
            corners.append(f"{x:.1f} {y:.1f}")
        paths.append("M" + "L".join(corners) + "Z")
    return tuple(paths)


def _coordinates(point: MapPoint) -> tuple[float, float] | None:
    """(latitude, longitude) of a point that can be placed, else None."""
    if point.lat is None or point.lon is None or abs(point.lat) > 90 or abs(point.lon) > 180:
        return None
    return point.lat, point.lon


def _point(entry: MapPoint | Sequence[Any]) -> MapPoint:
    if isinstance(entry, MapPoint):
        return entry
    label, lat, lon = entry
    return MapPoint(str(label), None if lat is None else float(lat), None if lon is None else float(lon))


def draw_map(
    points: Sequence[MapPoint | Sequence[Any]],
    *,
    origin: MapPoint | Sequence[Any] | None = None,
    tile_url: str | None = None,
) -> DrawnMap | None:
    """A map of `points` ((label, latitude, longitude) each), numbered in list order from 1.

    Points without coordinates keep their number but get no marker; None when no point can be placed.
    `origin` is the place searched from, kept in view and marked apart (number 0). `tile_url`
    ("https://tiles.example/{z}/{x}/{y}.png") draws the operator's tiles instead of the basemap.
    """
    placed = []
    for number, entry in enumerate(points, start=1):
        point = _point(entry)
        where = _coordinates(point)
        if where is not None:
            placed.append((number, point.label, *where))
    if not placed:
        return None
    start = _point(origin) if origin is not None else None
    start_at = _coordinates(start) if start is not None else None
    corners = [(lat, lon) for _number, _label, lat, lon in placed] + ([start_at] if start_at else [])
    bounds = _bounds(corners)
    projection: _Equirectangular | _TileView
    if tile_url:
        projection = _TileView(bounds)
        land: tuple[str, ...] = ()
        tiles = projection.tiles(tile_url)
        parts = urlsplit(tile_url)
        tile_origin: str | None = f"{parts.scheme}://{parts.netloc}" if parts.netloc else None
    else:
        projection = _Equirectangular(bounds)
        land, tiles, tile_origin = _land(bounds), (), None
    markers = [_marker(projection, number, label, lat, lon) for number, label, lat, lon in placed]
    return DrawnMap(
        width=VIEW_WIDTH,
        height=VIEW_HEIGHT,
        land=land,
        tiles=tiles,
        markers=tuple(markers),
        tile_origin=tile_origin,
        origin=_marker(projection, 0, start.label, *start_at) if start and start_at else None,
    )


def _marker(
    projection: _Equirectangular | _TileView, number: int, label: str, lat: float, lon: float
) -> MapMarker:
    x, y = projection.project(lat, lon)
    return MapMarker(number=number, label=label, x=round(x, 1), y=round(y, 1))
