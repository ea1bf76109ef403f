"""The demo network planned without the database: coordination groups in a few countries,
their homogeneous groups and how many criteria each writes."""

import datetime as dt
import random
from dataclasses import dataclass, field

from criteria.demo.texts import LANGUAGES
from territories.models import CoordinationGroup

FIRST_DAY = dt.date(2019, 1, 1)
# The last session date: recent, yet early enough that everything dated after it (entry, then
# classification up to two months later) is in the past, so the data never depend on the day
# they are generated.
LAST_DAY = dt.date(2026, 9, 15)


# --- The network --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCountry:
    code: str
    name: str
    name_fr: str
    name_pt: str
    continent: str
    language: str
    weight: int
    # region → ((locality, latitude, longitude), ...)
    regions: dict[str, tuple[tuple[str, float, float], ...]]


COUNTRIES: tuple[DemoCountry, ...] = (
    DemoCountry(
        "FR",
        "France",
        "France",
        "França",
        "EU",
        "fr",
        30,
        {
            "Grand Est": (
                ("Mulhouse", 47.75, 7.34),
                ("Strasbourg", 48.58, 7.75),
                ("Colmar", 48.08, 7.36),
            ),
            "Hauts-de-France": (
                ("Wattrelos", 50.70, 3.22),
                ("Lille", 50.63, 3.06),
                ("Roubaix", 50.69, 3.18),
            ),
            "Île-de-France": (("Paris", 48.86, 2.35), ("Montreuil", 48.86, 2.44)),
            "Occitanie": (("Toulouse", 43.60, 1.44), ("Montpellier", 43.61, 3.88)),
        },
    ),
    DemoCountry(
        "BE",
        "Belgium",
        "Belgique",
        "Bélgica",
        "EU",
        "fr",
        12,
        {
            "Wallonia": (
                ("Charleroi", 50.41, 4.44),
                ("Namur", 50.47, 4.87),
                ("Liège", 50.63, 5.57),
            ),
            "Brussels-Capital": (("Brussels", 50.85, 4.35), ("Schaerbeek", 50.87, 4.38)),
        },
    ),
    DemoCountry(
        "PT",
        "Portugal",
        "Portugal",
        "Portugal",
        "EU",
        "pt",
        15,
        {
            "Lisbon": (
                ("Lisbon", 38.72, -9.14),
                ("Amadora", 38.75, -9.23),
                ("Almada", 38.68, -9.16),
            ),
            "Norte": (("Porto", 41.15, -8.61), ("Braga", 41.55, -8.42)),
            "Centro": (("Coimbra", 40.21, -8.43),),
        },
    ),
    DemoCountry(
        "IT",
        "Italy",
        "Italie",
        "Itália",
        "EU",
        "en",
        10,
        {
            "Piedmont": (("Turin", 45.07, 7.69),),
            "Sardinia": (("Cagliari", 39.22, 9.12),),
            "Lombardy": (("Milan", 45.46, 9.19), ("Bergamo", 45.70, 9.67)),
            "Lazio": (("Rome", 41.90, 12.50),),
        },
    ),
    DemoCountry(
        "CV",
        "Cape Verde",
        "Cap-Vert",
        "Cabo Verde",
        "AF",
        "pt",
        10,
        {
            "Santiago": (("Praia", 14.93, -23.51), ("Assomada", 15.10, -23.68)),
            "São Vicente": (("Mindelo", 16.89, -24.98),),
            "Fogo": (("São Filipe", 14.90, -24.50),),
        },
    ),
    DemoCountry(
        "MA",
        "Morocco",
        "Maroc",
        "Marrocos",
        "AF",
        "fr",
        8,
        {
            "Rabat-Salé-Kénitra": (("Rabat", 34.02, -6.84), ("Salé", 34.05, -6.80)),
            "Casablanca-Settat": (("Casablanca", 33.57, -7.59),),
            "Marrakech-Safi": (("Marrakech", 31.63, -8.01),),
        },
    ),
    DemoCountry(
        "RO",
        "Romania",
        "Roumanie",
        "Roménia",
        "EU",
        "en",
        7,
        {
            "Bucharest-Ilfov": (("Bucharest", 44.43, 26.10),),
            "Cluj": (("Cluj-Napoca", 46.77, 23.62),),
            "Iași": (("Iași", 47.16, 27.59),),
        },
    ),
    DemoCountry(
        "GA",
        "Gabon",
        "Gabon",
        "Gabão",
        "AF",
        "fr",
        8,
        {
            "Estuaire": (("Libreville", 0.39, 9.45), ("Owendo", 0.29, 9.50)),
            "Haut-Ogooué": (("Franceville", -1.63, 13.58),),
            "Ogooué-Maritime": (("Port-Gentil", -0.72, 8.78),),
        },
    ),
)

DISTRICTS: dict[str, tuple[str, ...]] = {
    "en": (
        "Centre",
        "North District",
        "Old Town",
        "Riverside",
        "Station District",
        "Hillside",
        "East End",
        "Harbour",
    ),
    "fr": (
        "Centre-ville",
        "Quartier Nord",
        "Vieille Ville",
        "Les Coteaux",
        "La Gare",
        "Le Port",
        "Les Jardins",
        "Quartier Sud",
    ),
    "pt": (
        "Centro",
        "Bairro Alto",
        "Zona Norte",
        "Vila Nova",
        "Ribeira",
        "Bairro da Estação",
        "Alto da Serra",
        "Zona Sul",
    ),
}
ACTORS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("General hospital", "Hospital"),
        ("Primary school", "School"),
        ("Secondary school", "School"),
        ("Community centre", "Social centre"),
        ("Farmers' cooperative", "Cooperative"),
        ("Town hall staff", "Public administration"),
        ("Bus company", "Company"),
    ),
    "fr": (
        ("Hôpital", "Hospital"),
        ("École Jean Jaurès", "School"),
        ("Lycée Victor Hugo", "School"),
        ("Centre social", "Social centre"),
        ("Coopérative agricole", "Cooperative"),
        ("Services municipaux", "Public administration"),
        ("Entreprise de transports", "Company"),
    ),
    "pt": (
        ("Centro de Saúde", "Hospital"),
        ("Escola Básica", "School"),
        ("Escola Secundária", "School"),
        ("Centro Comunitário", "Social centre"),
        ("Cooperativa Agrícola", "Cooperative"),
        ("Serviços Municipais", "Public administration"),
        ("Empresa de Transportes", "Company"),
    ),
}


# --- Planning (no database) ---------------------------------------------------------------------


@dataclass
class PlannedGroup:
    name: str
    profile_slug: str | None
    meeting_dates: list[dt.date]
    participants: int
    women: int
    men: int
    other: int
    size: int


@dataclass
class PlannedPlatform:
    index: int
    name: str
    kind: str
    actor_type: str
    country: DemoCountry
    region: str
    locality: str
    latitude: float
    longitude: float
    status: str
    start: dt.date
    groups: list[PlannedGroup] = field(default_factory=list)

    @property
    def language(self) -> str:
        return self.country.language


def _group_sizes(rng: random.Random, criteria: int) -> list[int]:
    """Criteria per homogeneous group, 20 to 120 each (one smaller group when fewer than 20)."""
    sizes: list[int] = []
    remaining = criteria
    while remaining > 0:
        if remaining <= 120:
            size = remaining
        else:
            size = round(rng.triangular(20, 120, 95))
            if remaining - size < 20:
                size = remaining - 20
        sizes.append(size)
        remaining -= size
    rng.shuffle(sizes)
    return sizes


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def plan_network(
    rng: random.Random,
    *,
    criteria: int,
    platforms: int | None,
    profiles: list[tuple[str, dict[str, str]]],
) -> list[PlannedPlatform]:
    """Coordination groups with their homogeneous groups and how many criteria each writes.

    profiles are (slug, {language: label}) pairs, in order.
    """
    sizes = _group_sizes(rng, criteria)
    if not sizes:
        return []
    # About four homogeneous groups per coordination group, and at least three coordination
    # groups so that even a small network speaks English, French and Portuguese.
    count = platforms or max(min(3, len(sizes)), round(len(sizes) / 4))
    count = max(1, min(count, len(sizes)))
    weights = [country.weight for country in COUNTRIES]
    first_languages = rng.sample(LANGUAGES, len(LANGUAGES))
    planned: list[PlannedPlatform] = []
    names: set[str] = set()
    for index in range(count):
        if index < len(first_languages):
            pool = [c for c in COUNTRIES if c.language == first_languages[index]]
            country = rng.choices(pool, [c.weight for c in pool])[0]
        else:
            country = rng.choices(COUNTRIES, weights)[0]
        region = rng.choice(list(country.regions))
        locality, latitude, longitude = rng.choice(country.regions[region])
        language = country.language
        # Territories are named after a district of their town, so that they never take the
        # plain town names real platforms (and seed_territories) use.
        districts = rng.sample(DISTRICTS[language], len(DISTRICTS[language]))
        if rng.random() < 0.22:
            actor, actor_type = rng.choice(ACTORS[language])
            candidates = [f"{actor}, {locality}"]
            candidates += [f"{actor}, {locality} – {district}" for district in districts]
            kind = CoordinationGroup.Kind.COLLECTIVE_ACTOR
        else:
            candidates = [f"{locality} – {district}" for district in districts]
            actor_type, kind = "", CoordinationGroup.Kind.TERRITORY
        name = next(
            (candidate for candidate in candidates if candidate not in names),
            f"{candidates[0]} {index + 1}",
        )
        names.add(name)
        start = _day_between(rng, FIRST_DAY, LAST_DAY - dt.timedelta(days=90))
        planned.append(
            PlannedPlatform(
                index=index,
                name=name,
                kind=kind,
                actor_type=actor_type,
                country=country,
                region=region,
                locality=locality,
                latitude=round(latitude + rng.uniform(-0.02, 0.02), 5),
                longitude=round(longitude + rng.uniform(-0.02, 0.02), 5),
                status=(
                    CoordinationGroup.Status.VALIDATED
                    if rng.random() < 0.7
                    else CoordinationGroup.Status.ACTIVE
                ),
                start=start,
            )
        )
    activity = [rng.uniform(0.4, 2.0) for _ in planned]
    owners = list(range(len(planned)))[: len(sizes)]
    owners += rng.choices(range(len(planned)), activity, k=len(sizes) - len(owners))
    for size, owner in zip(sizes, owners, strict=True):
        platform = planned[owner]
        platform.groups.append(_plan_group(rng, platform, size, profiles))
    return planned


def _plan_group(
    rng: random.Random,
    platform: PlannedPlatform,
    size: int,
    profiles: list[tuple[str, dict[str, str]]],
) -> PlannedGroup:
    language = platform.language
    slug, labels = rng.choice(profiles) if profiles else (None, {})
    label = labels.get(language) or labels.get("en") or "Group"
    taken = {group.name for group in platform.groups}
    if platform.kind == CoordinationGroup.Kind.TERRITORY:
        district = rng.choice(DISTRICTS[language])
        name = f"{label} · {district}"
    else:
        name = label
    base, number = name, 2
    while name in taken:
        name, number = f"{base} {number}", number + 1
    window_end = min(LAST_DAY, platform.start + dt.timedelta(days=3 * 365))
    first = _day_between(rng, platform.start, window_end)
    dates = [first]
    if rng.random() < 0.15:
        dates.append(min(LAST_DAY, first + dt.timedelta(days=rng.randint(7, 60))))
    participants = rng.randint(6, 25)
    other = 1 if rng.random() < 0.05 else 0
    women = min(participants - other, round(participants * rng.uniform(0.3, 0.7)))
    return PlannedGroup(
        name=name,
        profile_slug=slug,
        meeting_dates=sorted(set(dates)),
        participants=participants,
        women=women,
        men=participants - women - other,
        other=other,
        size=size,
    )
