"""Coordination groups on a world map, drawn on the server as an inline SVG.

The countries are a static file we ship (static/map/world.svg, built once from Natural Earth's
public-domain data by the build_world_map command): the page's own SVG draws its path as the
background, with <use href="…/world.svg#countries">, scaled to the page's projection, and
each group as a point that is a link. (An <image> of the file would do for the world, but on a
country, zoomed in thirty times, its borders would grow thirty times thicker: the page's <use>
keeps them one pixel wide and coloured by the page's stylesheet.) Nothing comes from elsewhere: no
tiles, no script, nothing for the CSP to allow. The SVG is hidden from assistive technologies
and its links are out of the tab order; the same links follow it as a list (templates/
directory/_map.html), so a keyboard or screen-reader user meets each group once.

Projection: equirectangular with a standard parallel, x = longitude × cos(parallel) and
y = -latitude, in degrees, the parallel in the middle of what is shown, so that places keep
their shape. A network's map frames its groups (the whole world, on the equator, once they are
spread over most of it); a country's map frames the country and its groups.

A group that gave no coordinates is placed at the centre of its country's largest land mass
(territories/directory/world.json, written with the image) and drawn hollow; in a country the
map data lacks, it stays off the map but in the list.
"""

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

WORLD_DATA = Path(__file__).with_name("world.json")
# The file's units: a hundredth of a degree (see build_world_map).
WORLD_UNITS = 100
# west, south, east, north (degrees): Antarctica is not drawn, so the world map stops at 60°S.
WORLD_BOX = (-180.0, -60.0, 180.0, 84.0)
# Around a country's box: a margin (a share of its size), at least MIN_SPAN degrees each way,
# and a width between ASPECT times its height (Chile is not a thread, Russia not a ribbon).
MARGIN = 0.12
MIN_SPAN = 2.0
ASPECT = (1.25, 2.0)
# The map of a whole network frames its groups, showing at least this much (degrees) around
# them, and the whole world once they are spread wider than WORLD_SPAN (longitude, latitude).
MIN_SPAN_GROUPS = 40.0
WORLD_SPAN = (200.0, 110.0)
# The natural width of the drawing (pixels); pages scale it to their column.
WIDTH = 720
# A point's radius, as a share of the map's width.
POINT_SHARE = 1 / 120

type Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class MapGroup:
    """A group to draw: its name, where its point leads, its country and position."""

    name: str
    href: str
    country: str
    country_code: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class MapPoint:
    group: MapGroup
    x: str
    y: str
    approximate: bool


@dataclass(frozen=True)
class WorldMap:
    """What templates/directory/_map.html draws."""

    view_box: str
    width: int
    height: int
    # The transform that puts the world's path in the drawing's units.
    transform: str
    sea: tuple[str, str, str, str]
    radius: str
    points: list[MapPoint]
    # The groups by country (the list under the map), every group included.
    by_country: list[tuple[str, list[MapGroup]]] = field(default_factory=list)

    @property
    def approximate(self) -> bool:
        return any(point.approximate for point in self.points)

    @property
    def count(self) -> int:
        return sum(len(groups) for _country, groups in self.by_country)

    @property
    def unplaced(self) -> int:
        return self.count - len(self.points)


@functools.cache
def world_countries() -> dict[str, dict[str, list[float]]]:
    """Each country's box and centre by ISO 3166 alpha-2 code (build_world_map writes them)."""
    return json.loads(WORLD_DATA.read_text(encoding="utf-8"))["countries"]


def _number(value: float, digits: int = 3) -> str:
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _position(group: MapGroup) -> tuple[float, float, bool] | None:
    """(longitude, latitude, approximate), or None when the group cannot be placed."""
    if group.latitude is not None and group.longitude is not None:
        return group.longitude, group.latitude, False
    country = world_countries().get(group.country_code)
    if country is None:
        return None
    longitude, latitude = country["centre"]
    return longitude, latitude, True


def _framed(box: Box, min_span: float) -> Box:
    """The box with a margin, a minimum size and a bounded shape (in projected units)."""
    west, south, east, north = box
    width, height = east - west, north - south
    west, east = west - width * MARGIN, east + width * MARGIN
    south, north = south - height * MARGIN, north + height * MARGIN
    middle_x, middle_y = (west + east) / 2, (south + north) / 2
    width, height = max(east - west, min_span), max(north - south, min_span)
    width = max(width, height * ASPECT[0])
    height = max(height, width / ASPECT[1])
    return middle_x - width / 2, middle_y - height / 2, middle_x + width / 2, middle_y + height / 2


def _frame(lons: list[float], lats: list[float], min_span: float) -> tuple[float, Box]:
    """The standard parallel and the box (projected) that show these positions, or the whole
    world when they are spread over most of it."""
    world = (0.0, WORLD_BOX)
    if not lons:
        return world
    parallel = max(-60.0, min(60.0, (min(lats) + max(lats)) / 2))
    scale = math.cos(math.radians(parallel))
    box = _framed((min(lons) * scale, min(lats), max(lons) * scale, max(lats)), min_span)
    if (box[2] - box[0]) / scale > WORLD_SPAN[0] or box[3] - box[1] > WORLD_SPAN[1]:
        return world
    return parallel, box


def world_map(groups: list[MapGroup], *, country_code: str = "") -> WorldMap:
    """The map of these groups: framed on the groups (the whole world when they are spread
    over most of it), or on a country (country_code) and the groups in it."""
    positions = [(group, _position(group)) for group in groups]
    placed = [(group, position) for group, position in positions if position is not None]
    framed = [
        position
        for group, position in placed
        if not country_code or group.country_code == country_code
    ]
    lons = [position[0] for position in framed]
    lats = [position[1] for position in framed]
    country = world_countries().get(country_code) if country_code else None
    if country is not None:
        west, south, east, north = country["box"]
        lons += [west, east]
        lats += [south, north]
    parallel, box = _frame(lons, lats, MIN_SPAN if country_code else MIN_SPAN_GROUPS)
    scale = math.cos(math.radians(parallel))
    west, south, east, north = box
    width, height = east - west, north - south
    points = [
        MapPoint(group, _number(longitude * scale, 2), _number(-latitude, 2), approximate)
        for group, (longitude, latitude, approximate) in placed
    ]
    by_country: dict[str, list[MapGroup]] = {}
    for group in groups:
        by_country.setdefault(group.country, []).append(group)
    view = (_number(west), _number(-north), _number(width), _number(height))
    return WorldMap(
        view_box=" ".join(view),
        width=WIDTH,
        height=max(1, round(WIDTH * height / width)),
        transform=f"scale({_number(scale / WORLD_UNITS, 6)} {_number(1 / WORLD_UNITS, 6)})",
        sea=view,
        radius=_number(width * POINT_SHARE),
        points=points,
        by_country=sorted(by_country.items(), key=lambda item: item[0].casefold()),
    )
