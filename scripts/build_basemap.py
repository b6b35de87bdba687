"""Build src/onconav/geo/data/basemap.json, the offline basemap of the server-rendered maps.

Reads Natural Earth's 1:110m countries (public domain) from the shapefile that the `geopandas<1` wheel
ships, simplifies each ring and writes compact JSON. Build time only: neither package is a runtime
dependency. Usage (see src/onconav/geo/data/SOURCE.md):

    pip download --no-deps 'geopandas<1' -d wheels && pip install pyshp
    python scripts/build_basemap.py wheels/geopandas-0.14.4-py3-none-any.whl
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import shapefile  # pyshp

MEMBER = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres"
OUT = Path(__file__).resolve().parents[1] / "src" / "onconav" / "geo" / "data" / "basemap.json"
TOLERANCE_DEGREES = 0.08  # Douglas-Peucker tolerance: invisible at the widths the pages draw
DECIMALS = 2


def _perpendicular(point: tuple[float, float], start: tuple[float, float], end: tuple[float, float]) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return float(((x - x1) ** 2 + (y - y1) ** 2) ** 0.5)
    return float(abs(dy * x - dx * y + x2 * y1 - y2 * x1) / (dx * dx + dy * dy) ** 0.5)


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iterative (rings have thousands of points)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, first
        for i in range(first + 1, last):
            distance = _perpendicular(points[i], points[first], points[last])
            if distance > farthest:
                farthest, index = distance, i
        if farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def rings_of(shape: shapefile.Shape) -> list[list[tuple[float, float]]]:
    parts = [*shape.parts, len(shape.points)]
    return [
        [(float(x), float(y)) for x, y in shape.points[parts[i] : parts[i + 1]]]
        for i in range(len(parts) - 1)
    ]


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        files = {ext: io.BytesIO(archive.read(f"{MEMBER}.{ext}")) for ext in ("shp", "shx", "dbf")}
    # The .cpg says ISO-8859-1 ("Côte d'Ivoire").
    reader = shapefile.Reader(shp=files["shp"], shx=files["shx"], dbf=files["dbf"], encoding="latin-1")
    countries = []
    for record, shape in zip(reader.records(), reader.shapes(), strict=True):
        rings = []
        for ring in rings_of(shape):
            simple = simplify(ring, TOLERANCE_DEGREES)
            if len(simple) >= 4:  # a closed ring needs three corners and the closing point
                rings.append([round(v, DECIMALS) for point in simple for v in point])
        if rings:
            countries.append({"iso": record["iso_a3"], "name": record["name"], "rings": rings})
    document = {
        "source": "Natural Earth 1:110m Admin 0 countries (public domain), as shipped in geopandas 0.14",
        "format": "rings are flat [lon, lat, lon, lat, ...] lists in degrees (WGS84)",
        "countries": sorted(countries, key=lambda c: c["iso"]),
    }
    OUT.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(countries)} countries, {OUT.stat().st_size:,} bytes -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
