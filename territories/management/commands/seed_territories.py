"""Seed the demo network: a few coordination groups with homogeneous groups, a citizens' group
awaiting validation, applications in the secretariat's queue and the member directory.

Runs after `import_geography` and `seed_demo` (it uses their places and demo logins). Safe to
run again: a group, application or member that exists (by network id or name) is left as it is.
"""

import secrets
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from territories.models import (
    Application,
    CoordinationGroup,
    Country,
    Locality,
    NetworkMember,
    Profile,
)
from territories.services import (
    citizens_group_create,
    coordination_group_create,
    homogeneous_group_create,
    membership_set,
)
from wikispiral.accounts.models import User
from wikispiral.tenancy import tenant_scope


@dataclass(frozen=True)
class DemoGroup:
    network_id: str
    name: str
    locality: str
    language: str
    kind: str
    summary: str
    homogeneous: tuple[tuple[str, str, int, str], ...]  # name, profile slug, participants, date


GROUPS = (
    DemoGroup(
        "GC136526",
        "Mulhouse",
        "Mulhouse",
        "fr",
        CoordinationGroup.Kind.TERRITORY,
        "Plateforme multi-acteurs de la ville de Mulhouse et de ses quartiers.",
        (
            ("Jeunes du quartier Drouot", "young-people", 12, "2026-03-14"),
            ("Aînés de Bourtzwiller", "elderly-people", 9, "2026-04-02"),
            ("Élus municipaux", "elected-officials", 7, "2026-05-20"),
        ),
    ),
    DemoGroup(
        "GC136540",
        "Charleroi",
        "Charleroi",
        "fr",
        CoordinationGroup.Kind.TERRITORY,
        "Territoire de coresponsabilité de Charleroi.",
        (
            ("Parents de l'école Jules Destrée", "parents", 15, "2026-02-10"),
            ("Personnes sans emploi", "unemployed-people", 8, "2026-03-03"),
        ),
    ),
    DemoGroup(
        "GC136611",
        "Praia",
        "Praia",
        "pt",
        CoordinationGroup.Kind.TERRITORY,
        "Plataforma multi-atores da cidade da Praia.",
        (
            ("Mulheres de Achada Santo António", "women", 14, "2026-01-25"),
            ("Alunos do liceu", "pupils", 22, "2026-02-18"),
        ),
    ),
    DemoGroup(
        "GC136702",
        "Hospital of Turin",
        "Turin",
        "en",
        CoordinationGroup.Kind.COLLECTIVE_ACTOR,
        "A hospital that asks patients, staff and neighbours what well-being means.",
        (("Nurses and care staff", "professionals", 11, "2026-06-09"),),
    ),
)

APPLICATIONS = (
    ("Wattrelos", "Wattrelos", "Claire Martin", "deputy mayor", "fr"),
    ("Mindelo", "Mindelo", "João Lopes", "association coordinator", "pt"),
)

_Kind, _Nature = NetworkMember.Kind, NetworkMember.Nature
MEMBERS = (
    (_Kind.EX_OFFICIO, _Nature.PUBLIC_AUTHORITY, "City of Mulhouse", "FR"),
    (_Kind.ASSOCIATE, _Nature.ORGANISATION, "Together Portugal", "PT"),
    (_Kind.ASSOCIATE, _Nature.PERSON, "Association Villages Solidaires", "BE"),
)


def _locality(name: str) -> Locality:
    locality = Locality.objects.select_related("region__country").filter(name=name).first()
    if locality is None:
        raise CommandError(f"Unknown locality {name}: run `manage.py import_geography` first.")
    return locality


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user {username}: run `manage.py seed_demo` first.")
    return user


class Command(BaseCommand):
    help = "Add demo coordination groups, homogeneous groups, applications and network members."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        secretariat = _user("secretariat")
        facilitator = _user("facilitator")
        citizen = _user("citizen")
        profiles = {profile.slug: profile for profile in Profile.objects.all()}
        created = {"groups": 0, "homogeneous groups": 0, "applications": 0, "members": 0}
        for demo in GROUPS:
            if CoordinationGroup.objects.filter(network_id=demo.network_id).exists():
                continue
            locality = _locality(demo.locality)
            group = coordination_group_create(
                actor=secretariat,
                name=demo.name,
                network_id=demo.network_id,
                country=locality.region.country,
                region=locality.region,
                locality=locality,
                facilitator=facilitator,
                language=demo.language,
                kind=demo.kind,
                status=CoordinationGroup.Status.VALIDATED,
                platform_description=demo.summary,
            )
            created["groups"] += 1
            with tenant_scope(group):
                for name, profile, participants, date in demo.homogeneous:
                    homogeneous_group_create(
                        actor=facilitator,
                        group=group,
                        name=name,
                        profile=profiles.get(profile),
                        meeting_dates=[date],
                        participants=participants,
                        facilitators=[facilitator],
                        language=demo.language,
                    )
                    created["homogeneous groups"] += 1
            NetworkMember.objects.create(
                kind=NetworkMember.Kind.FULL,
                nature=NetworkMember.Nature.COORDINATION_GROUP,
                name=group.name,
                coordination_group=group,
                country=group.country,
                joined_on=timezone.localdate(),
            )
            created["members"] += 1
        # The citizen also edits the Mulhouse pages, to show the editor role.
        mulhouse = CoordinationGroup.objects.filter(network_id=GROUPS[0].network_id).first()
        if mulhouse is not None:
            membership_set(group=mulhouse, user=citizen, role="editor")
        citizens_groups = CoordinationGroup.objects.filter(
            kind=CoordinationGroup.Kind.CITIZENS_GROUP
        )
        if not citizens_groups.exists():
            lisbon = _locality("Lisbon")
            citizens_group_create(
                actor=citizen,
                name="Neighbours of Alfama",
                country=lisbon.region.country,
                region=lisbon.region,
                locality=lisbon,
                profile=profiles.get("residents"),
                language="pt",
                description="Neighbours who meet in the parish hall once a month.",
            )
            created["groups"] += 1
        for name, place, applicant, role, language in APPLICATIONS:
            if Application.objects.filter(name=name).exists():
                continue
            locality = _locality(place)
            Application.objects.create(
                name=name,
                country=locality.region.country,
                region=locality.region,
                locality=locality,
                applicant_name=applicant,
                applicant_role=role,
                applicant_email=f"{applicant.split()[0].lower()}@example.org",
                applicant_language=language,
                description=f"{name} wants to open a territory of co-responsibility.",
                motivation="To listen to every inhabitant, and act together on what we hear.",
                languages=[language],
                consent_to_publish=True,
                edit_key=secrets.token_urlsafe(32),
            )
            created["applications"] += 1
        for kind, nature, name, country in MEMBERS:
            if NetworkMember.objects.filter(name=name).exists():
                continue
            NetworkMember.objects.create(
                kind=kind,
                nature=nature,
                name=name,
                country=Country.objects.filter(code=country).first(),
                joined_on=timezone.localdate(),
            )
            created["members"] += 1
        summary = ", ".join(f"{count} {what}" for what, count in created.items())
        self.stdout.write(f"Demo territories added: {summary}.")
