"""Seed the demo network: a few coordination groups with homogeneous groups, a citizens' group
awaiting validation, applications in the secretariat's queue and the member directory (three
platforms joined through approved membership requests, one has not asked yet, and a person's
request to become an associate member waits in the queue).

Runs after `import_geography` and `seed_demo` (it uses their places and demo logins). Safe to
run again: a group, application or member that exists (by network id or name) is left as it is.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from territories.membership.services import (
    MembershipDetails,
    membership_request_approve,
    membership_request_submit,
)
from territories.models import (
    Application,
    CoordinationGroup,
    Country,
    Locality,
    MembershipRequest,
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
    # A full member of the network, through a request its facilitator sent and the secretariat
    # approved; the others have not asked yet (joining is a step of its own).
    member: bool = True


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
        member=False,
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
    (_Kind.ASSOCIATE, _Nature.ORGANISATION, "Association Villages Solidaires", "BE"),
)


# Someone asks to become an associate member: the request waits in the secretariat's queue.
ASSOCIATE_REQUEST = {
    "kind": _Kind.ASSOCIATE,
    "nature": _Nature.PERSON,
    "name": "Ana Ribeiro",
    "country": "PT",
    "website": "",
    "description": "Teacher in Lisbon; ran two homogeneous groups with her pupils.",
    "motivation": "I want to follow the network's work and help Portuguese-speaking platforms.",
    "applicant_name": "Ana Ribeiro",
    "applicant_email": "ana@example.org",
    "applicant_language": "pt",
}


def _site_language(languages: list[str]) -> str:
    """The group's first language the site speaks (the emails' language), else English."""
    spoken = {code for code, _name in settings.LANGUAGES}
    return next((code for code in languages or [] if code in spoken), "en")


def _join(*, group: CoordinationGroup, facilitator: User, secretariat: User) -> None:
    """The platform's facilitator asks for full membership and the secretariat approves."""
    request = membership_request_submit(
        actor=facilitator,
        data=MembershipDetails(
            kind=_Kind.FULL,
            nature=_Nature.COORDINATION_GROUP,
            name=group.name,
            coordination_group=group,
            country=group.country,
            website="",
            description=group.platform_description,
            motivation="We run the SPIRAL method and want a voice in the network.",
            applicant_name=facilitator.public_name,
            applicant_email=facilitator.email or "facilitator@example.org",
            applicant_language=_site_language(group.languages),
            consent_to_list=True,
        ),
    )
    membership_request_approve(request=request, actor=secretariat, message="")


def _associate_request_open() -> bool:
    """Send the demo associate request unless it was sent before; True when sent now."""
    fields = dict(ASSOCIATE_REQUEST)
    country = Country.objects.filter(code=fields.pop("country")).first()
    if country is None or MembershipRequest.objects.filter(name=fields["name"]).exists():
        return False
    membership_request_submit(
        actor=None,
        data=MembershipDetails(
            **fields, coordination_group=None, country=country, consent_to_list=True
        ),
    )
    return True


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
        created = {
            "groups": 0,
            "homogeneous groups": 0,
            "applications": 0,
            "members": 0,
            "membership requests": 0,
        }
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
            if demo.member:
                _join(group=group, facilitator=facilitator, secretariat=secretariat)
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
        if _associate_request_open():
            created["membership requests"] += 1
        summary = ", ".join(f"{count} {what}" for what, count in created.items())
        self.stdout.write(f"Demo territories added: {summary}.")
