"""Build the world map that the directory and the country syntheses draw their groups on.

Reads a TopoJSON of the world's countries and writes two files we ship:

- ``static/map/world.svg``: the countries as one path (id "countries") in an equirectangular
  projection (x = longitude, y = -latitude, in hundredths of a degree: viewBox -18000 -9000
  36000 18000), Antarctica left out. Pages draw it in their own inline SVG, as a background.
- ``territories/directory/world.json``: for each country (ISO 3166 alpha-2 code), the box of
  its main territory and the centre of its largest land mass, in degrees. The renderer
  (territories/directory/map.py) frames a country with the box and puts a group that gave no
  coordinates at its country's centre.

Source: Natural Earth's Admin 0 countries at 1:110m (public domain,
https://www.naturalearthdata.com), as the npm package world-atlas@2 ships them:

    cd /tmp && npm pack world-atlas@2 && tar xzf world-atlas-2.*.tgz
    python manage.py build_world_map /tmp/package/countries-110m.json \
        --small /tmp/package/countries-50m.json

The 1:110m file leaves out small countries (Cabo Verde, Malta, Mauritius…); with --small, the
countries it lacks are taken from the 1:50m file, so every country can be framed.

The TopoJSON decoding (delta-encoded quantized arcs stitched into rings) is a few lines, so it
is written here rather than taken from a library: no new dependency for a command run once.
world-atlas names countries by their ISO 3166 numeric code; the table below turns it into the
alpha-2 code our countries carry (ISO 3166-1, as Debian's iso-codes package lists it).
"""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SVG_PATH = Path(settings.BASE_DIR) / "static" / "map" / "world.svg"
DATA_PATH = Path(settings.BASE_DIR) / "territories" / "directory" / "world.json"
# SVG units per degree: a hundredth of a degree, about as fine as the TopoJSON's quantization
# (so a framed country keeps its shape), and every coordinate stays an integer.
UNITS = 100
ANTARCTICA = "010"
# A polygon this close (degrees) to a country's largest one belongs to its main territory
# (Corsica with France, Zealand with Denmark); farther ones (French Guiana) do not.
NEAR_DEGREES = 3.0
FILL = "#dedbd2"
PATH_ID = "countries"
BORDER = "#ffffff"

ISO_NUMERIC_ALPHA2 = """
004AF 008AL 010AQ 012DZ 016AS 020AD 024AO 028AG 031AZ 032AR 036AU 040AT 044BS 048BH 050BD
051AM 052BB 056BE 060BM 064BT 068BO 070BA 072BW 074BV 076BR 084BZ 086IO 090SB 092VG 096BN
100BG 104MM 108BI 112BY 116KH 120CM 124CA 132CV 136KY 140CF 144LK 148TD 152CL 156CN 158TW
162CX 166CC 170CO 174KM 175YT 178CG 180CD 184CK 188CR 191HR 192CU 196CY 203CZ 204BJ 208DK
212DM 214DO 218EC 222SV 226GQ 231ET 232ER 233EE 234FO 238FK 239GS 242FJ 246FI 248AX 250FR
254GF 258PF 260TF 262DJ 266GA 268GE 270GM 275PS 276DE 288GH 292GI 296KI 300GR 304GL 308GD
312GP 316GU 320GT 324GN 328GY 332HT 334HM 336VA 340HN 344HK 348HU 352IS 356IN 360ID 364IR
368IQ 372IE 376IL 380IT 384CI 388JM 392JP 398KZ 400JO 404KE 408KP 410KR 414KW 417KG 418LA
422LB 426LS 428LV 430LR 434LY 438LI 440LT 442LU 446MO 450MG 454MW 458MY 462MV 466ML 470MT
474MQ 478MR 480MU 484MX 492MC 496MN 498MD 499ME 500MS 504MA 508MZ 512OM 516NA 520NR 524NP
528NL 531CW 533AW 534SX 535BQ 540NC 548VU 554NZ 558NI 562NE 566NG 570NU 574NF 578NO 580MP
581UM 583FM 584MH 585PW 586PK 591PA 598PG 600PY 604PE 608PH 612PN 616PL 620PT 624GW 626TL
630PR 634QA 638RE 642RO 643RU 646RW 652BL 654SH 659KN 660AI 662LC 663MF 666PM 670VC 674SM
678ST 682SA 686SN 688RS 690SC 694SL 702SG 703SK 704VN 705SI 706SO 710ZA 716ZW 724ES 728SS
729SD 732EH 740SR 744SJ 748SZ 752SE 756CH 760SY 762TJ 764TH 768TG 772TK 776TO 780TT 784AE
788TN 792TR 795TM 796TC 798TV 800UG 804UA 807MK 818EG 826GB 831GG 832JE 833IM 834TZ 840US
850VI 854BF 858UY 860UZ 862VE 876WF 882WS 887YE 894ZM
"""
# Natural Earth's features without an ISO numeric code that have a code in use.
BY_NAME = {"Kosovo": "XK"}

type Point = tuple[float, float]
type Ring = list[Point]


def alpha2_by_numeric() -> dict[str, str]:
    return {item[:3]: item[3:] for item in ISO_NUMERIC_ALPHA2.split()}


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """The topology's arcs as (longitude, latitude) points (quantized arcs are delta-encoded)."""
    transform = topology.get("transform")
    arcs: list[list[Point]] = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(x), float(y)) for x, y, *_rest in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_rest in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(indexes: list[int], arcs: list[list[Point]]) -> Ring:
    """A ring stitched from its arcs (~i: arc i backwards); each arc starts where the last ended."""
    ring: Ring = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(arc if not ring else arc[1:])
    return ring


def unwrapped(ring: Ring) -> Ring:
    """The ring with continuous longitudes: one that crosses the antimeridian (eastern Russia,
    Fiji) goes on past 180 instead of jumping to -180, so it stays one flat polygon."""
    if not ring:
        return ring
    shift = 0.0
    result = [ring[0]]
    for (previous, _lat), (lon, lat) in zip(ring, ring[1:], strict=False):
        if lon - previous > 180:
            shift -= 360
        elif previous - lon > 180:
            shift += 360
        result.append((lon + shift, lat))
    return result


def polygons_of(geometry: dict[str, Any], arcs: list[list[Point]]) -> list[list[Ring]]:
    """A geometry's polygons, each a list of rings (the outer ring first, then its holes)."""
    if geometry.get("type") == "Polygon":
        polygons = [geometry["arcs"]]
    elif geometry.get("type") == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        return []
    return [[unwrapped(ring_points(ring, arcs)) for ring in polygon] for polygon in polygons]


def drawn_polygons(polygons: list[list[Ring]]) -> list[list[Ring]]:
    """The polygons to draw: one that goes past the antimeridian is drawn a second time, a
    world to the side, and the map's frame clips both to what lies within ±180."""
    drawn = []
    for rings in polygons:
        drawn.append(rings)
        west, _south, east, _north = box_of(rings[0])
        for shift in ([-360.0] if east > 180 else []) + ([360.0] if west < -180 else []):
            drawn.append([[(lon + shift, lat) for lon, lat in ring] for ring in rings])
    return drawn


def ring_area_centre(ring: Ring) -> tuple[float, Point]:
    """The ring's area (square degrees, unsigned) and centroid (shoelace formula)."""
    twice = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        twice += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if twice == 0:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, (sum(xs) / len(xs), sum(ys) / len(ys))
    return abs(twice) / 2, (cx / (3 * twice), cy / (3 * twice))


def box_of(points: list[Point]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def country_facts(polygons: list[list[Ring]]) -> dict[str, list[float]]:
    """The box of the country's main territory (its largest polygon and those near it) and the
    centre of its largest polygon, rounded to a hundredth of a degree."""
    measured = [(ring_area_centre(rings[0]), rings[0]) for rings in polygons if rings[0]]
    (_area, (lon, lat)), largest = max(measured, key=lambda item: item[0][0])
    centre = ((lon + 180) % 360 - 180, lat)
    west, south, east, north = box_of(largest)
    main = list(largest)
    for _facts, outer in measured:
        w, s, e, n = box_of(outer)
        if (
            w <= east + NEAR_DEGREES
            and e >= west - NEAR_DEGREES
            and s <= north + NEAR_DEGREES
            and n >= south - NEAR_DEGREES
        ):
            main.extend(outer)
    west, south, east, north = box_of(main)
    box = (max(west, -180.0), south, min(east, 180.0), north)
    return {
        "box": [round(value, 2) for value in box],
        "centre": [round(centre[0], 2), round(centre[1], 2)],
    }


def path_data(polygons: list[list[Ring]]) -> str:
    """SVG path data for the polygons: integer coordinates (UNITS per degree), relative moves,
    points that round onto the previous one dropped, rings shorter than a triangle dropped."""
    parts: list[str] = []
    for rings in polygons:
        for ring in rings:
            points: list[tuple[int, int]] = []
            for lon, lat in ring:
                point = (round(lon * UNITS), round(-lat * UNITS))
                if not points or point != points[-1]:
                    points.append(point)
            if len(points) > 1 and points[0] == points[-1]:
                points.pop()
            if len(points) < 3:
                continue
            x, y = points[0]
            steps = [f"M{x} {y}l"]
            for px, py in points[1:]:
                steps.append(_pair(px - x, py - y))
                x, y = px, py
            parts.append(_join(steps) + "z")
    return "".join(parts)


def _pair(dx: int, dy: int) -> str:
    return f"{dx}{dy}" if dy < 0 else f"{dx} {dy}"


def _join(steps: list[str]) -> str:
    """Numbers need a space between them only where the next one has no minus sign."""
    text = steps[0]
    for step in steps[1:]:
        text += step if step.startswith("-") or text.endswith("l") else f" {step}"
    return text


def world_svg(path: str) -> str:
    """The map file. Pages draw its path with <use href="world.svg#countries">, so the page's
    stylesheet colours it and its borders keep one width however far a page zooms in (an
    <image> would scale them with the picture); the group around it colours the file opened on
    its own."""
    width, height = 360 * UNITS, 180 * UNITS
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="{-width // 2} {-height // 2} {width} {height}" '
        f'width="{width // UNITS * 4}" height="{height // UNITS * 4}">'
        "<!-- Countries: Natural Earth Admin 0, 1:110m and 1:50m for small countries (public "
        "domain), via world-atlas@2; built by territories' build_world_map command. -->"
        f'<g fill="{FILL}" stroke="{BORDER}" stroke-width="1">'
        f'<path id="{PATH_ID}" vector-effect="non-scaling-stroke" stroke-linejoin="round" '
        f'd="{path}"/></g></svg>\n'
    )


def _read(path: str) -> tuple[list[dict[str, Any]], list[list[Point]]]:
    try:
        topology = json.loads(Path(path).read_text(encoding="utf-8"))
        geometries = topology["objects"]["countries"]["geometries"]
        return geometries, decode_arcs(topology)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CommandError(f"Not a TopoJSON of countries: {path}: {exc}") from exc


class Command(BaseCommand):
    help = (
        "Build static/map/world.svg and territories/directory/world.json from a TopoJSON of "
        "the world's countries (world-atlas@2's countries-110m.json)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "topojson", help="countries-110m.json from the npm package world-atlas@2"
        )
        parser.add_argument(
            "--small", help="countries-50m.json: the countries the first file lacks come from it"
        )
        parser.add_argument("--svg", default=str(SVG_PATH), help="where to write the map")
        parser.add_argument("--data", default=str(DATA_PATH), help="where to write the boxes")

    def handle(
        self,
        *args: object,
        topojson: str,
        small: str | None,
        svg: str,
        data: str,
        **options: object,
    ) -> None:
        codes = alpha2_by_numeric()
        paths: list[str] = []
        facts: dict[str, dict[str, list[float]]] = {}
        unnamed: list[str] = []
        seen: set[str] = set()
        for source in [topojson, small] if small else [topojson]:
            geometries, arcs = _read(source)
            for geometry in geometries:
                numeric = str(geometry.get("id") or "")
                name = (geometry.get("properties") or {}).get("name", "")
                if numeric == ANTARCTICA or (numeric or name) in seen:
                    continue
                seen.add(numeric or name)
                polygons = polygons_of(geometry, arcs)
                if not polygons:
                    continue
                paths.append(path_data(drawn_polygons(polygons)))
                code = codes.get(numeric) or BY_NAME.get(name)
                if code is None:
                    unnamed.append(name or numeric)
                    continue
                facts[code] = country_facts(polygons)
        Path(svg).parent.mkdir(parents=True, exist_ok=True)
        Path(svg).write_text(world_svg("".join(paths)), encoding="utf-8")
        payload = {
            "source": "Natural Earth Admin 0 countries (public domain), via world-atlas@2",
            "countries": dict(sorted(facts.items())),
        }
        Path(data).write_text(
            json.dumps(payload, separators=(",", ":"), ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        size = Path(svg).stat().st_size
        self.stdout.write(
            f"{svg}: {len(paths)} countries, {size:,} bytes; {data}: {len(facts)} boxes"
            + (f" (no ISO code: {', '.join(unnamed)})" if unnamed else "")
        )
