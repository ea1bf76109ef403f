"""The world map of coordination groups: the shipped asset and its converter, the directory's
map (one link per public group, the same links as a list), framing and placing."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.views import serve
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, RequestFactory
from django.urls import reverse

from territories.directory.map import MapGroup, world_countries, world_map
from tests.factories import make_coordination_group, make_country

URL = reverse("directory:directory")
SVG = "{http://www.w3.org/2000/svg}"
_POINT = re.compile(r'<a href="(?P<href>[^"]+)" tabindex="-1"><title>(?P<name>[^<]+)</title>')


def _view_box(svg: str) -> tuple[float, ...]:
    found = re.search(r'viewBox="([^"]+)"', svg)
    assert found is not None
    return tuple(float(value) for value in found[1].split())


def test_world_asset_is_a_small_svg_served_from_static():
    path = finders.find("map/world.svg")

    assert path is not None
    with open(path, "rb") as file:
        data = file.read()
    assert len(data) < 100_000
    root = ET.fromstring(data)  # noqa: S314 - our own file, parsed to check it is XML
    assert root.tag == f"{SVG}svg"
    assert root.find(f".//{SVG}path[@id='countries']") is not None
    assert "Natural Earth" in data.decode()
    assert static("map/world.svg").startswith("/static/")
    # The static files' finder serves it, as an SVG (whitenoise does in production).
    response = serve(RequestFactory().get(static("map/world.svg")), "map/world.svg", insecure=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"


def test_every_country_of_the_network_can_be_framed_and_placed():
    countries = world_countries()

    for code in ("FR", "BE", "PT", "IT", "CV", "MA", "RO", "GA", "ES", "BG", "GR", "LV", "LU"):
        west, south, east, north = countries[code]["box"]
        longitude, latitude = countries[code]["centre"]
        assert west < east and south < north
        assert west - 1 <= longitude <= east + 1 and south - 1 <= latitude <= north + 1


@pytest.mark.django_db
def test_directory_map_has_one_link_per_public_group_named_after_it(client: Client):
    france = make_country(code="FR", name="France")
    shown = [
        make_coordination_group(
            name="Mulhouse", country=france, latitude="47.75", longitude="7.34"
        ),
        make_coordination_group(name="Somewhere in France", country=france),
        make_coordination_group(
            name="Praia", country=make_country(code="CV", name="Cabo Verde", continent="AF")
        ),
    ]
    make_coordination_group(name="Secret", country=france, is_hidden=True)

    html = client.get(URL).content.decode()

    svg = html.split('<div class="world-map"><svg', 1)[1].split("</svg>", 1)[0]
    points = [(match["href"], match["name"]) for match in _POINT.finditer(svg)]
    expected = {(reverse("directory:group", kwargs={"cg": g.slug}), g.name) for g in shown}
    assert sorted(points) == sorted(expected)
    assert "Secret" not in html
    # Keyboards and screen readers get the same links once, in the list.
    assert 'aria-hidden="true"' in svg.split(">", 1)[0]
    listed = html.split('<details class="world-map-list">', 1)[1].split("</details>", 1)[0]
    assert set(re.findall(r'<a href="([^"]+)">([^<]+)</a>', listed)) == expected
    assert "The 3 coordination groups on the map, as a list" in listed
    # The countries come from our static file; nothing from elsewhere.
    assert f'<use href="{static("map/world.svg")}#countries"' in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    # Groups without coordinates sit at their country's centre, drawn hollow.
    assert svg.count('class="approximate"') == 2


@pytest.mark.django_db
def test_directory_map_is_rendered_once_per_version_of_the_groups(
    client: Client, django_assert_max_num_queries
):
    make_coordination_group(name="Mulhouse", latitude="47.75", longitude="7.34")
    client.get(URL)

    with django_assert_max_num_queries(2):
        client.get(URL)
    make_coordination_group(name="Colmar", latitude="48.08", longitude="7.36")

    assert "<title>Colmar</title>" in client.get(URL).content.decode()


def test_a_country_map_frames_the_country_and_its_groups():
    overseas = MapGroup("Saint-Denis", "/a/", "France", "FR", latitude=-20.88, longitude=55.45)
    mainland = MapGroup("Lyon", "/b/", "France", "FR", latitude=45.76, longitude=4.84)

    framed = world_map([mainland], country_code="FR")
    wider = world_map([mainland, overseas], country_code="FR")
    lima = MapGroup("Lima", "/c/", "Peru", "PE", -12.05, -77.04)
    world = world_map([mainland, lima, MapGroup("Tokyo", "/d/", "Japan", "JP", 35.68, 139.69)])

    west, top, width, height = _view_box(f'viewBox="{framed.view_box}"')
    assert 10 < width < 40 and 8 < height < 25  # France, not the world
    assert top < -51 and top + height > -41  # from 51°N to 41°N at least
    assert _view_box(f'viewBox="{wider.view_box}"')[3] > 60  # down to Réunion
    assert world.view_box == "-180 -84 360 144"  # spread over the world: the whole of it
    assert framed.transform.startswith("scale(0.00") and framed.transform.endswith(" 0.01)")


def test_groups_in_a_country_the_map_lacks_stay_in_the_list():
    nowhere = MapGroup("Atlantis", "/x/", "Atlantis", "XX")

    drawn = world_map([nowhere, MapGroup("Lyon", "/b/", "France", "FR", 45.76, 4.84)])

    assert [point.group.name for point in drawn.points] == ["Lyon"]
    assert drawn.count == 2 and drawn.unplaced == 1


def test_build_world_map_converts_a_topojson(tmp_path):
    # Two squares: France's 1°×1° (numeric id 250) and one across the antimeridian (Fiji).
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.5], "translate": [-180, -90]},
        "arcs": [
            [[370, 190], [2, 0], [0, 2], [-2, 0], [0, -2]],
            [[718, 140], [-716, 0], [0, 2], [716, 0], [0, -2]],
        ],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0]], "id": "250", "properties": {"name": "F"}},
                    {"type": "Polygon", "arcs": [[1]], "id": "242", "properties": {"name": "J"}},
                    {"type": "Polygon", "arcs": [[0]], "id": "010", "properties": {"name": "A"}},
                ],
            }
        },
    }
    source = tmp_path / "countries.json"
    source.write_text(json.dumps(topology))
    svg, data = tmp_path / "world.svg", tmp_path / "world.json"

    call_command("build_world_map", str(source), svg=str(svg), data=str(data))

    facts = json.loads(data.read_text())["countries"]
    assert facts["FR"] == {"box": [5.0, 5.0, 6.0, 6.0], "centre": [5.5, 5.5]}
    assert facts["FJ"]["box"][2] == 180.0  # clamped at the antimeridian
    assert set(facts) == {"FR", "FJ"}  # Antarctica is left out
    written = ET.fromstring(svg.read_text())  # noqa: S314 - written by the command just now
    path = written.find(f".//{SVG}path[@id='countries']")
    assert path is not None
    # France, Fiji, and Fiji again a world to the west (each ring closed).
    assert path.get("d", "").startswith("M500 -500l") and path.get("d", "").count("z") == 3
