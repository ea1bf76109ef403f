"""Seed a local site: the network space, its first pages in every seeded language, demo logins.

Safe to run again: existing spaces, pages and users are left exactly as they are, so a second
run adds no revision and never resets a password someone changed.
"""

import csv
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.text import slugify

from wikispiral.accounts.models import User
from wikispiral.accounts.selectors import user_by_username
from wikispiral.accounts.services import demo_user_ensure
from wikispiral.wiki.models import Page, PageRedirect, Space
from wikispiral.wiki.selectors import HOME_SLUG, NETWORK_SPACE_SLUG
from wikispiral.wiki.services import page_create

SEED_DIR = Path(__file__).resolve().parents[2] / "seed"
FIXTURES_DIR = Path(settings.BASE_DIR) / "criteria" / "fixtures"
GRID_CSV = FIXTURES_DIR / "grid-seed.csv"
SENSES_CSV = FIXTURES_DIR / "senses.csv"

SEED_COMMENT = "Seeded by seed_demo"
FRONT_MATTER_FIELDS = frozenset({"title", "parent", "position", "key", "protected"})

# Words of the generated tables; a language missing here falls back to English.
TABLE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "code": "Code",
        "component": "Component",
        "covers": "What it covers",
        "category": "Category",
        "meaning": "Meaning",
        "provisional": "(provisional label)",
        "translation": "(provisional translation)",
    },
    "fr": {
        "code": "Code",
        "component": "Composante",
        "covers": "Ce qu'elle recouvre",
        "category": "Catégorie",
        "meaning": "Signification",
        "provisional": "(libellé provisoire)",
        "translation": "(traduction provisoire)",
    },
    "pt": {
        "code": "Código",
        "component": "Componente",
        "covers": "O que abrange",
        "category": "Categoria",
        "meaning": "Significado",
        "provisional": "(designação provisória)",
        "translation": "(tradução provisória)",
    },
}
# Columns of the reference CSVs that are our own translation, not the network's wording (as
# criteria.seed.SEED_TRANSLATIONS says for the grid): their table column is marked provisional.
OUR_TRANSLATIONS = frozenset(
    {"label_pt", "description_fr", "description_pt", "meaning_fr", "meaning_pt"}
)
PROVISIONAL_STATUS = "provisional"


@dataclass(frozen=True)
class SeedPage:
    language: str
    slug: str
    title: str
    parent: str | None
    position: int
    key: str
    protected: bool
    body: str


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    display_name: str
    preferred_language: str = "en"
    flags: dict[str, bool] = field(default_factory=dict)


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("citizen", "demo-citizen-2026", "registered citizen", "Demo citizen"),
    DemoUser(
        "facilitator",
        "demo-facilitator-2026",
        "facilitator of the demo coordination groups (Mulhouse, Charleroi…)",
        "Demo facilitator",
        preferred_language="fr",
    ),
    DemoUser(
        "secretariat",
        "demo-secretariat-2026",
        "network secretariat",
        "Demo secretariat",
        flags={"is_secretariat": True},
    ),
    DemoUser(
        "admin",
        "demo-admin-2026",
        "administrator (superuser, staff)",
        "Demo admin",
        flags={"is_staff": True, "is_superuser": True},
    ),
)
SEED_AUTHOR = "secretariat"


# --- Reading the seed files ---------------------------------------------------------------------


def seed_languages(seed_dir: Path = SEED_DIR) -> list[str]:
    """Languages with a seed folder, the site's default language first (translations link to it)."""
    configured = [code for code, _name in settings.LANGUAGES]
    present = [code for code in configured if (seed_dir / code).is_dir()]
    return sorted(
        present, key=lambda code: (code != settings.LANGUAGE_CODE, configured.index(code))
    )


def parse_seed_file(path: Path, language: str) -> SeedPage:
    """One seed page from a Markdown file that opens with a small `---` front matter block."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].strip() != "---" or "---" not in (line.strip() for line in lines[1:]):
        raise CommandError(f"{path}: the file must start with a front matter block between ---.")
    end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    meta: dict[str, str] = {}
    for line in lines[1:end]:
        name, sep, value = line.partition(":")
        if not sep or name.strip() not in FRONT_MATTER_FIELDS:
            raise CommandError(f"{path}: unexpected front matter line {line!r}.")
        meta[name.strip()] = value.strip()
    missing = FRONT_MATTER_FIELDS - meta.keys()
    if missing:
        raise CommandError(f"{path}: front matter lacks {', '.join(sorted(missing))}.")
    if meta["protected"] not in {"true", "false"}:
        raise CommandError(f"{path}: protected must be true or false.")
    if not meta["position"].isdigit() or not meta["title"] or not meta["key"]:
        raise CommandError(f"{path}: title, key and a numeric position are required.")
    # macOS hands file names back decomposed; slugs are stored composed.
    slug = unicodedata.normalize("NFC", path.stem)
    if slug != HOME_SLUG and slug != slugify(meta["title"], allow_unicode=True):
        # [[Title]] links find a page by its slugified title, so the two must agree.
        raise CommandError(
            f"{path}: the file name must be the slugified title "
            f"({slugify(meta['title'], allow_unicode=True)}.md)."
        )
    return SeedPage(
        language=language,
        slug=slug,
        title=meta["title"],
        parent=unicodedata.normalize("NFC", meta["parent"]) or None,
        position=int(meta["position"]),
        key=meta["key"],
        protected=meta["protected"] == "true",
        body="\n".join(lines[end + 1 :]).strip() + "\n",
    )


def _parents_first(pages: list[SeedPage], language: str) -> list[SeedPage]:
    """Pages sorted by depth in the tree, then position: every parent comes before its children."""
    by_slug = {page.slug: page for page in pages}

    def depth(page: SeedPage) -> int:
        trail = [page.slug]
        while page.parent is not None:
            if page.parent not in by_slug:
                raise CommandError(f"seed/{language}/{page.slug}.md: no parent {page.parent}.")
            page = by_slug[page.parent]
            if page.slug in trail:
                raise CommandError(f"seed/{language}: the parents of {page.slug} form a loop.")
            trail.append(page.slug)
        return len(trail)

    return sorted(pages, key=lambda page: (depth(page), page.position, page.slug))


def load_seed_pages(seed_dir: Path = SEED_DIR) -> list[SeedPage]:
    """Every seed page with its placeholders filled, by language, parents before children."""
    grid = read_csv(GRID_CSV)
    senses = read_csv(SENSES_CSV)
    pages: list[SeedPage] = []
    for language in seed_languages(seed_dir):
        parsed = [
            parse_seed_file(path, language) for path in sorted((seed_dir / language).glob("*.md"))
        ]
        keys = [page.key for page in parsed]
        duplicates = {key for key in keys if keys.count(key) > 1}
        if duplicates:
            raise CommandError(
                f"seed/{language}: keys used twice: {', '.join(sorted(duplicates))}."
            )
        for page in _parents_first(parsed, language):
            body = fill_placeholders(page.body, language=language, grid=grid, senses=senses)
            pages.append(replace(page, body=body))
    return pages


# --- Tables generated from the reference CSVs ---------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _words(language: str) -> dict[str, str]:
    return {**TABLE_WORDS["en"], **TABLE_WORDS.get(language, {})}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _localised(row: dict[str, str], column: str, language: str) -> str:
    return row.get(f"{column}_{language}") or row[f"{column}_en"]


def _table(header: list[str], rows: Iterable[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(_cell(value) for value in row) + " |" for row in rows)
    return "\n".join(lines)


def _header(words: dict[str, str], word: str, column: str, language: str) -> str:
    """A column's header, marked when that column is our provisional translation."""
    if f"{column}_{language}" in OUR_TRANSLATIONS:
        return f"{words[word]} *{words['translation']}*"
    return words[word]


def grid_table(grid: list[dict[str, str]], language: str) -> str:
    """One `###` section per family with a table of its components, in grid order."""
    words = _words(language)
    families: dict[str, list[dict[str, str]]] = {}
    for row in grid:
        families.setdefault(row["family"], []).append(row)
    header = [
        words["code"],
        _header(words, "component", "label", language),
        _header(words, "covers", "description", language),
    ]
    sections = []
    for letter, rows in families.items():
        table_rows = []
        for row in rows:
            label = _localised(row, "label", language)
            if row["status"] == PROVISIONAL_STATUS:
                label = f"{label} *{words['provisional']}*"
            table_rows.append([f"`{row['code']}`", label, _localised(row, "description", language)])
        family_name = _localised(rows[0], "family", language)
        sections.append(f"### {letter}. {family_name}\n\n{_table(header, table_rows)}")
    return "\n\n".join(sections)


def senses_table(senses: list[dict[str, str]], language: str) -> str:
    words = _words(language)
    header = [
        words["code"],
        _header(words, "category", "label", language),
        _header(words, "meaning", "meaning", language),
    ]
    rows = [
        [
            f"`{row['code']}`",
            _localised(row, "label", language),
            _localised(row, "meaning", language),
        ]
        for row in senses
    ]
    return _table(header, rows)


def fill_placeholders(
    body: str, *, language: str, grid: list[dict[str, str]], senses: list[dict[str, str]]
) -> str:
    """Replace the placeholder lines {{grid_table}} and {{senses_table}} with generated tables."""
    generated = {
        "{{grid_table}}": lambda: grid_table(grid, language),
        "{{senses_table}}": lambda: senses_table(senses, language),
    }
    lines = [
        generated[line.strip()]() if line.strip() in generated else line
        for line in body.split("\n")
    ]
    return "\n".join(lines)


# --- The command --------------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Create the network space, its first pages (en, fr, pt) and demo logins. Local use only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off (the demo accounts have published passwords).",
        )
        parser.add_argument("--quiet", action="store_true", help="Print nothing on success.")
        parser.add_argument(
            "--logins",
            action="store_true",
            help="Seed nothing, print the demo logins only (`make run` shows them last).",
        )

    def handle(
        self, *args: Any, force: bool, quiet: bool, logins: bool = False, **options: Any
    ) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to seed demo data: DEBUG is off, so this looks like a real site, and the "
                "demo accounts have passwords printed in the source. Use --force if you mean it."
            )
        if logins:
            self.print_logins(self.demo_passwords_kept())
            return
        self.quiet = quiet
        pages = load_seed_pages()
        with transaction.atomic():
            created_users = self.create_users()
            space = self.create_space()
            author = user_by_username(username=SEED_AUTHOR)
            if author is None:
                raise CommandError(f"The seed author {SEED_AUTHOR} is missing.")
            self.create_pages(space=space, pages=pages, author=author)
        if not quiet:
            self.print_logins(created_users)

    @staticmethod
    def demo_passwords_kept() -> set[str]:
        """The demo accounts whose password is still the one printed (new ones always are)."""
        kept = set()
        for demo in DEMO_USERS:
            user = user_by_username(username=demo.username)
            if user is not None and user.check_password(demo.password):
                kept.add(demo.username)
        return kept

    def say(self, message: str) -> None:
        if not self.quiet:
            self.stdout.write(message)

    def create_users(self) -> set[str]:
        created: set[str] = set()
        for demo in DEMO_USERS:
            try:
                _user, made = demo_user_ensure(
                    username=demo.username,
                    email=f"{demo.username}@example.org",
                    password=demo.password,
                    display_name=demo.display_name,
                    preferred_language=demo.preferred_language,
                    email_confirmed=True,
                    flags=demo.flags,
                )
            except ValidationError as exc:
                raise CommandError(f"{demo.username}: demo password rejected: {exc}") from exc
            if not made:
                self.say(f"User {demo.username}: exists, left as it is")
                continue
            created.add(demo.username)
            self.say(f"User {demo.username}: created")
        return created

    def create_space(self) -> Space:
        space, created = Space.objects.get_or_create(
            slug=NETWORK_SPACE_SLUG,
            defaults={"name": "wikispiral", "kind": Space.Kind.NETWORK, "is_public": True},
        )
        self.say(f"Space {space.slug}: {'created' if created else 'exists'}")
        return space

    def create_pages(self, *, space: Space, pages: list[SeedPage], author: User) -> None:
        placed: dict[tuple[str, str], Page] = {}
        first_of_key: dict[str, Page] = {}
        for seed in pages:
            translation_of = first_of_key.get(seed.key)
            page = self.existing_page(space, seed, translation_of)
            if page is not None:
                self.say(f"Page {seed.language}/{seed.slug}: exists")
            else:
                page = page_create(
                    space=space,
                    language=seed.language,
                    title=seed.title,
                    body=seed.body,
                    actor=author,
                    slug=seed.slug,
                    parent=placed[(seed.language, seed.parent)] if seed.parent else None,
                    comment=SEED_COMMENT,
                    position=seed.position,
                    translation_of=translation_of,
                    protected=seed.protected,
                )
                self.say(f"Page {seed.language}/{seed.slug}: created ({seed.title})")
            placed[(seed.language, seed.slug)] = page
            first_of_key.setdefault(seed.key, page)

    @staticmethod
    def existing_page(space: Space, seed: SeedPage, translation_of: Page | None) -> Page | None:
        """The page already standing for this seed: at its address, moved away, or translated."""
        page = Page.objects.filter(space=space, language=seed.language, slug=seed.slug).first()
        if page is not None:
            return page
        # Someone renamed the page: its old address redirects, and recreating it there would
        # silently replace the redirect with a duplicate.
        redirect = (
            PageRedirect.objects.select_related("target")
            .filter(space=space, language=seed.language, slug=seed.slug)
            .first()
        )
        if redirect is not None:
            return redirect.target
        if translation_of is not None:
            return Page.objects.filter(
                translation_key=translation_of.translation_key, language=seed.language
            ).first()
        return None

    def print_logins(self, created: set[str]) -> None:
        """The logins, for the accounts in created (made now, or --logins: still with their
        demo password) and the others, whose password may have changed."""
        lines = ["", "Demo logins (local only):"]
        lines += [f"  {u.username:<12} / {u.password:<21} {u.role}" for u in DEMO_USERS]
        if len(created) < len(DEMO_USERS):
            lines.append(
                "  (passwords are set only when an account is created; existing ones were kept)"
            )
        lines.append(f"Open {settings.SITE_URL or 'http://127.0.0.1:8000'}")
        self.stdout.write("\n".join(lines))
