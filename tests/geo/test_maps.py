"""Server-rendered maps: every placed point inside the view box, numbers in list order, labels escaped,
the packaged basemap drawn under them (or an operator's tiles), nothing fetched.
"""

from __future__ import annotations

import json
import re
from importlib import resources

from hypothesis import given
from hypothesis import strategies as st

from onconav.geo import service as geo
from onconav.web.templating import environment

UKIAH = ("Ukiah", 39.15, -123.21)
SANTA_ROSA = ("Santa Rosa", 38.44, -122.71)
SAN_FRANCISCO = ("San Francisco", 37.77, -122.42)

latitudes = st.floats(-85, 85, allow_nan=False)
longitudes = st.floats(-180, 180, allow_nan=False)
points = st.lists(st.tuples(st.text(max_size=20), latitudes, longitudes), min_size=1, max_size=12)


@given(points)
def test_every_placed_point_lies_inside_the_view_box(places: list[tuple[str, float, float]]) -> None:
    drawn = geo.draw_map(places)
    assert drawn is not None
    assert len(drawn.markers) == len(places)
    for marker in drawn.markers:
        assert 0 <= marker.x <= drawn.width and 0 <= marker.y <= drawn.height


@given(points)
def test_operator_tiles_keep_every_point_inside_and_cover_the_view(
    places: list[tuple[str, float, float]],
) -> None:
    drawn = geo.draw_map(places, tile_url="https://tiles.example.org/{z}/{x}/{y}.png")
    assert drawn is not None and drawn.land == () and drawn.tiles
    for marker in drawn.markers:
        assert 0 <= marker.x <= drawn.width and 0 <= marker.y <= drawn.height
    left = min(tile.x for tile in drawn.tiles)
    right = max(tile.x + tile.size for tile in drawn.tiles)
    assert left <= 0 and right >= drawn.width
    assert drawn.tile_origin == "https://tiles.example.org"


def test_markers_keep_the_list_numbers_and_skip_unplaced_points() -> None:
    drawn = geo.draw_map([UKIAH, ("No address", None, None), SANTA_ROSA, SAN_FRANCISCO])
    assert drawn is not None
    assert [(m.number, m.label) for m in drawn.markers] == [
        (1, "Ukiah"),
        (3, "Santa Rosa"),
        (4, "San Francisco"),
    ]
    # North is up and west is left: Ukiah lies north-west of San Francisco.
    ukiah, _rosa, san_francisco = drawn.markers
    assert ukiah.y < san_francisco.y and ukiah.x < san_francisco.x


def test_nothing_placed_draws_no_map() -> None:
    assert geo.draw_map([]) is None
    assert geo.draw_map([("Nowhere", None, None), ("Off the globe", 95.0, 10.0)]) is None


def test_the_basemap_draws_the_land_around_the_points() -> None:
    drawn = geo.draw_map([UKIAH, SAN_FRANCISCO])
    assert drawn is not None and drawn.land and drawn.tiles == ()
    # The United States outline reaches into the view; far-away countries (Australia) are not drawn.
    assert all(path.startswith("M") and path.endswith("Z") for path in drawn.land)
    assert len(drawn.land) < 10


def test_the_packaged_basemap_is_small_and_names_its_public_domain_source() -> None:
    data = resources.files("onconav.geo").joinpath("data", "basemap.json")
    text = data.read_text(encoding="utf-8")
    assert len(text.encode()) < 1_000_000
    document = json.loads(text)
    assert "Natural Earth" in document["source"] and "public domain" in document["source"]
    names = {country["name"] for country in document["countries"]}
    assert {"United States of America", "Mexico", "Spain"} <= names


def _render(drawn: geo.DrawnMap | None, title: str) -> str:
    template = environment("en").get_template("_map.html")
    return template.render(map=drawn, map_title=title, map_id="test-map")


def test_the_include_labels_the_map_and_escapes_labels() -> None:
    drawn = geo.draw_map([("<script>alert(1)</script> & Co", 39.15, -123.21), SAN_FRANCISCO])
    html = _render(drawn, 'Map of "results" <near> Ukiah')
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert 'role="img" aria-labelledby="test-map-title" aria-describedby="test-map-desc"' in html
    assert '<title id="test-map-title">Map of &#34;results&#34; &lt;near&gt; Ukiah</title>' in html
    assert len(re.findall(r'<g class="map-marker"', html)) == 2
    assert "style=" not in html  # the pages' CSP forbids inline styles
    assert "Natural Earth" in html


def test_the_include_draws_nothing_without_a_map() -> None:
    assert _render(None, "Map").strip() == ""


@given(points, latitudes, longitudes)
def test_the_place_searched_from_stays_in_view_and_apart_from_the_numbers(
    places: list[tuple[str, float, float]], lat: float, lon: float
) -> None:
    drawn = geo.draw_map(places, origin=("Here", lat, lon))
    assert drawn is not None and drawn.origin is not None
    assert drawn.origin.number == 0 and len(drawn.markers) == len(places)
    assert 0 <= drawn.origin.x <= drawn.width and 0 <= drawn.origin.y <= drawn.height
