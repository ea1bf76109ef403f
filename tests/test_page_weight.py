"""Page weight: every main page is under 40 KB of HTML before compression (issue 16: a phone on a
weak network), with realistic data: the network's starter pages, a dozen coordination groups in
four countries with their homogeneous groups and classified criteria, syntheses computed,
right-choices participants, recent edits, and a facilitator with ten criteria waiting in her
classification queue (one page of it).

One test measures them all, so a failure lists every page with its size.
"""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from criteria.models import Criterion
from criteria.selectors import component_choices, grid_current
from projects import services as projects
from projects.scopes import across_participants
from syntheses.services import syntheses_recompute_all
from tests.factories import (
    make_coordination_group,
    make_country,
    make_criterion,
    make_homogeneous_group,
    make_page,
    make_user,
    realistic_criterion_text,
)
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

LIMIT = 40 * 1024
PLACES = [
    ("FR", "France", "EU", "fr", ["Mulhouse", "Strasbourg", "Lille", "Toulouse"]),
    ("PT", "Portugal", "EU", "pt", ["Lisbon", "Porto", "Coimbra"]),
    ("BE", "Belgium", "EU", "fr", ["Charleroi", "Namur", "Liège"]),
    ("CV", "Cape Verde", "AF", "pt", ["Praia", "Mindelo"]),
]
PROFILES = ("Young people", "Elderly people", "Parents")


def _text(number: int) -> str:
    return realistic_criterion_text(number)


@pytest.fixture
def network(settings, tmp_path, django_capture_on_commit_callbacks):
    """The realistic network, and the facilitator whose queue holds ten criteria."""
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"
    call_command("seed_demo", "--quiet", stdout=StringIO())
    codes = [
        c.code for _f, components in component_choices(version=grid_current()) for c in components
    ]
    facilitator = make_user(username="ines", display_name="Inès Moreau")
    number = 0
    groups = []
    for code, country_name, continent, language, towns in PLACES:
        country = make_country(code=code, name=country_name, continent=continent)
        for town in towns:
            group = make_coordination_group(
                name=f"{town} – Centre-ville" if language == "fr" else town,
                country=country,
                language=language,
                facilitator=facilitator if not groups else None,
                platform_description=f"The multi-stakeholder platform of {town}.",
            )
            groups.append(group)
            with cross_tenant():
                for profile_number in range(len(PROFILES)):
                    hg = make_homogeneous_group(
                        tenant=group,
                        name=f"{PROFILES[profile_number]} of {town}",
                        participants=12,
                        meeting_dates=["2026-03-14"],
                        language=language,
                    )
                    for _ in range(15):
                        number += 1
                        make_criterion(
                            tenant=group,
                            group=hg,
                            question=("Q1", "Q2", "Q3")[number % 3],
                            text=_text(number),
                            component=codes[number % len(codes)],
                            language=language,
                            entered_by=facilitator,
                            session_date=datetime.date(2026, 3, 14),
                        )
    mine = groups[0]
    with cross_tenant():
        hg = mine.homogeneous_groups.order_by("pk").first()
        for waiting in range(10):
            make_criterion(
                tenant=mine,
                group=hg,
                question=("Q1", "Q2", "Q3")[waiting % 3],
                text=_text(1000 + waiting),
                language="fr",
                entered_by=facilitator,
            )
    for page_number in range(12):
        make_page(
            title=f"Workshop notes {page_number}",
            body="## What we heard\n\n" + "People spoke of food, work and neighbours. " * 20,
            author=facilitator,
        )
    with across_participants(), django_capture_on_commit_callbacks(execute=True):
        for person in range(6):
            citizen = make_user(display_name=f"Citizen {person}")
            participant = projects.participant_join(
                actor=citizen,
                kind="citizen",
                subtype="family",
                name=f"Household {person}",
                people=3,
                country=groups[0].country,
            )
            projects.choice_create(
                participant=participant,
                actor=citizen,
                category="mobility",
                title="We cycle to school and to work",
                description="",
                started_on=datetime.date(2025, 4, 1),
                status="kept",
                results="",
                emissions_change_kg=-450,
            )
    syntheses_recompute_all()
    with cross_tenant():
        assert Criterion.objects.filter(tenant=mine, status="unclassified").count() == 10
    return facilitator, mine, hg


def test_main_pages_weigh_less_than_40_kb_of_html(client, client_for, network):
    facilitator, mine, hg = network
    anonymous = {
        "home": "/",
        "directory": reverse("directory:directory"),
        "coordination group": reverse("directory:group", kwargs={"cg": mine.slug}),
        "grid": reverse("grid:grid"),
        "network synthesis": reverse("syntheses:synthesis", kwargs={"key": "network"}),
        "right-choices home": reverse("projects:home"),
        "login": reverse("accounts:login"),
        "recent changes": reverse("wiki:recent_changes"),
    }
    facilitators = {
        "entry page": reverse("entry:entry", kwargs={"cg": mine.slug, "hg": hg.slug}),
        "classification queue (10 waiting)": reverse(
            "classification:queue", kwargs={"cg": mine.slug}
        ),
    }
    sizes = {}
    for name, url in anonymous.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        sizes[name] = (url, len(response.content))
    logged_in = client_for(facilitator)
    for name, url in facilitators.items():
        response = logged_in.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        sizes[name] = (url, len(response.content))

    table = "\n".join(
        f"  {name:<36} {size / 1024:6.1f} KB  {'OVER' if size >= LIMIT else 'ok'}  {url}"
        for name, (url, size) in sizes.items()
    )
    over = [name for name, (_url, size) in sizes.items() if size >= LIMIT]
    assert not over, f"pages over {LIMIT // 1024} KB of HTML: {', '.join(over)}\n{table}"
    print(f"HTML per page (limit {LIMIT // 1024} KB):\n{table}")
