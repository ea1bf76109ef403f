"""Factory functions for tests: plain functions with keyword-only arguments, no magic.

Each returns a saved object with unique, readable defaults; pass the tenant where the object is
tenant-owned.
"""

import itertools

from django.utils import timezone

from wikispiral.accounts.models import User

_sequence = itertools.count(1)

DEFAULT_PASSWORD = "correct horse battery"


def make_user(
    *,
    username: str | None = None,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    confirmed: bool = True,
    secretariat: bool = False,
    **extra: object,
) -> User:
    """A saved user; confirmed=True sets email_confirmed_at, secretariat sets is_secretariat."""
    number = next(_sequence)
    username = username or f"user{number}"
    extra.setdefault("email_confirmed_at", timezone.now() if confirmed else None)
    return User.objects.create_user(
        username=username,
        email=email if email is not None else f"{username}@example.org",
        password=password,
        is_secretariat=secretariat,
        **extra,
    )


def make_space(*, slug: str | None = None, name: str | None = None, **extra: object):
    """A saved wiki space (public network-kind space unless told otherwise)."""
    from wikispiral.wiki.models import Space

    number = next(_sequence)
    slug = slug or f"space{number}"
    return Space.objects.create(slug=slug, name=name or slug.title(), **extra)


def network_space():
    """The network space, created on first use."""
    from wikispiral.wiki.models import Space

    space, _created = Space.objects.get_or_create(
        slug="network", defaults={"name": "wikispiral", "kind": Space.Kind.NETWORK}
    )
    return space


def make_page(
    *,
    space=None,
    title: str | None = None,
    body: str = "Some text.",
    language: str = "en",
    author: User | None = None,
    **extra: object,
):
    """A saved page with its first revision, created through the real service."""
    from wikispiral.wiki.services import page_create

    number = next(_sequence)
    return page_create(
        space=space or network_space(),
        language=language,
        title=title or f"Page {number}",
        body=body,
        actor=author,
        **extra,
    )


def reference_data() -> None:
    """Put back the rows data migrations create (continents, group profiles, the seed grid,
    senses and questions): a transactional
    test (transaction=True) empties every table when it ends, migrations' rows included."""
    import importlib

    from django.apps import apps

    from territories.models import Continent, Profile

    if not Continent.objects.exists():
        importlib.import_module("territories.migrations.0002_continents").add_continents(apps, None)
    if not Profile.objects.exists():
        importlib.import_module("territories.migrations.0005_group_profiles").add_profiles(
            apps, None
        )
    from criteria.models import GridVersion, Question, SenseCategory
    from criteria.seed import load_all

    if not (
        GridVersion.objects.exists()
        and SenseCategory.objects.exists()
        and Question.objects.shared().exists()
    ):
        load_all(apps)


def make_country(*, code: str = "FR", name: str = "France", continent: str = "EU"):
    """A saved country (continents come with the migrations)."""
    from territories.models import Continent, Country

    reference_data()
    country, _created = Country.objects.get_or_create(
        code=code, defaults={"name": name, "continent": Continent.objects.get(code=continent)}
    )
    return country


def make_coordination_group(
    *, name: str | None = None, facilitator: User | None = None, **extra: object
):
    """A coordination group opened through the real service (space, home page, facilitator)."""
    from territories.services import coordination_group_create

    number = next(_sequence)
    extra.setdefault("country", make_country())
    extra.setdefault("network_id", f"GC{100000 + number}")
    return coordination_group_create(
        actor=None, name=name or f"Platform {number}", facilitator=facilitator, **extra
    )


def make_homogeneous_group(*, tenant, name: str | None = None, **extra: object):
    """A saved homogeneous group of tenant (plain row: no wiki page; services make those)."""
    from territories.models import HomogeneousGroup, Profile

    number = next(_sequence)
    name = name or f"Group {number}"
    extra.setdefault("profile", Profile.objects.order_by("order").first())
    return HomogeneousGroup.objects.create(
        tenant=tenant, name=name, slug=extra.pop("slug", f"group-{number}"), **extra
    )


def make_application(**fields: object):
    """A saved application, submitted, with every required field filled."""
    import secrets

    from territories.models import Application

    number = next(_sequence)
    fields.setdefault("country", make_country())
    values = {
        "name": f"Territory {number}",
        "applicant_name": f"Applicant {number}",
        "applicant_role": "Town officer",
        "applicant_email": f"applicant{number}@example.org",
        "description": "A town of 20,000 people.",
        "motivation": "We want to listen to our citizens.",
        "languages": ["en"],
        "consent_to_publish": True,
        "edit_key": secrets.token_urlsafe(32),
    }
    values.update(fields)
    return Application.objects.create(**values)


def make_criterion(
    *,
    tenant,
    group=None,
    question: str = "Q1",
    text: str | None = None,
    component: str | None = None,
    **extra: object,
):
    """A saved criterion of tenant (a new homogeneous group unless given); component="A01"
    classifies it in the current grid."""
    import datetime

    from criteria.models import Component, Criterion, Question
    from wikispiral.tenancy import cross_tenant

    number = next(_sequence)
    with cross_tenant():
        group = group or make_homogeneous_group(tenant=tenant)
    extra.setdefault("language", "en")
    extra.setdefault("session_date", datetime.date(2026, 3, 14))
    if component is not None:
        extra["component"] = Component.objects.get(version__is_current=True, code=component)
        extra.setdefault("status", Criterion.Status.CLASSIFIED)
    return Criterion.objects.create(
        tenant=tenant,
        group=group,
        question=Question.objects.shared().get(code=question),
        text=text or f"Criterion {number}",
        **extra,
    )


def realistic_criterion_text(number: int) -> str:
    """A criterion as long as real ones (about 60 characters), distinct for each number: for
    the page-weight tests."""
    return f"{_REALISTIC_TEXTS[number % len(_REALISTIC_TEXTS)]} ({number})"


_REALISTIC_TEXTS = [
    "Having fresh bread and vegetables from the market every morning",
    "Feeling safe when walking home from the bus stop at night",
    "Time with the grandchildren on Sundays, all of us around the table",
    "Noise from the motorway that keeps us awake in summer",
    "A job close to home so that I do not spend two hours on the bus",
    "Neighbours who say hello and help when someone is ill",
    "Not knowing whether we can pay the heating bill this winter",
    "Planting trees with the pupils in the school garden",
]
