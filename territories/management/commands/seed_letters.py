"""Seed the network letter for a local site: a few subscribers (one per language, one with no
preference), one letter sent with its French and Portuguese translations, and one draft.

Runs after `seed_demo` (its secretariat login writes the letters). Safe to run again: letters
that exist (by title) and subscribers that exist (by username) are left as they are. Refuses to
run when DEBUG is off unless --force: sending the seeded letter mails every subscriber, and a
real site's subscribers are real people.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from territories.letters import selectors, services
from territories.models import NetworkLetter
from wikispiral.accounts.models import User
from wikispiral.accounts.selectors import user_by_username
from wikispiral.accounts.services import demo_user_ensure
from wikispiral.notifications.services import follow_add
from wikispiral.wiki.selectors import page_translation_find
from wikispiral.wiki.services import page_create

SENT_TITLE = "News of the network, spring"
SENT_BODY = """Dear friends of the network,

Three new platforms opened this season, in **Praia**, **Mulhouse** and **Braga**, and more
than 400 citizens wrote their criteria of well-being in homogeneous groups.

# What comes next

- the international meeting, in the autumn;
- the new syntheses of the criteria, by country;
- a workshop on progress indicators, open to every facilitator.

Read more on the [[home|network's home page]].

The secretariat of the TOGETHER network
"""
TRANSLATIONS = {
    "fr": (
        "Nouvelles du réseau, printemps",
        """Chers amis du réseau,

Trois nouvelles plateformes ont ouvert cette saison, à **Praia**, **Mulhouse** et **Braga**,
et plus de 400 citoyens ont écrit leurs critères de bien-être en groupes homogènes.

# La suite

- la rencontre internationale, à l'automne ;
- les nouvelles synthèses des critères, par pays ;
- un atelier sur les indicateurs de progrès, ouvert à tous les facilitateurs.

Le secrétariat du réseau TOGETHER
""",
    ),
    "pt": (
        "Notícias da rede, primavera",
        """Caros amigos da rede,

Três novas plataformas abriram nesta estação, na **Praia**, em **Mulhouse** e em **Braga**,
e mais de 400 cidadãos escreveram os seus critérios de bem-estar em grupos homogéneos.

# O que vem a seguir

- o encontro internacional, no outono;
- as novas sínteses dos critérios, por país;
- uma oficina sobre indicadores de progresso, aberta a todos os facilitadores.

O secretariado da rede TOGETHER
""",
    ),
}
DRAFT_TITLE = "News of the network, summer (draft)"
DRAFT_BODY = "Dear friends,\n\nThe summer letter, still being written.\n"
SUBSCRIBERS = [
    ("letter-reader-en", "en"),
    ("letter-reader-fr", "fr"),
    ("letter-reader-pt", "pt"),
    ("letter-reader", ""),
]


class Command(BaseCommand):
    help = "Seed the network letter: one letter sent (en, fr, pt), one draft, a few subscribers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off (the seeded letter is mailed to every subscriber).",
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to seed the network letter: DEBUG is off, so this looks like a real "
                "site, and sending the seeded letter mails every subscriber. Use --force if you "
                "mean it."
            )
        secretariat = user_by_username(username="secretariat")
        if secretariat is None or not secretariat.is_network_staff:
            self.stdout.write("Demo secretariat login missing: run seed_demo first.")
            return
        for username, language in SUBSCRIBERS:
            self._subscriber(username, language)
        existing = set(NetworkLetter.objects.values_list("title", flat=True))
        if SENT_TITLE not in existing:
            self._sent_letter(secretariat)
        if DRAFT_TITLE not in existing:
            services.letter_create(
                actor=secretariat, title=DRAFT_TITLE, language="en", body=DRAFT_BODY
            )
        # A letter left "sending" (a seed interrupted) is finished here, once.
        for letter_id in services.letters_in_progress():
            services.letter_deliver(letter_id=letter_id)
        self.stdout.write(
            f"Network letter: {NetworkLetter.objects.count()} letters, "
            f"{selectors.subscribers().count()} subscribers."
        )

    def _subscriber(self, username: str, language: str) -> User:
        user, _created = demo_user_ensure(
            username=username,
            email=f"{username}@example.org",
            password=None,
            preferred_language=language,
            email_confirmed=True,
        )
        follow_add(user=user, kind=selectors.FOLLOW_KIND, key=selectors.FOLLOW_KEY)
        return user

    @transaction.atomic
    def _sent_letter(self, secretariat: User) -> None:
        letter = services.letter_create(
            actor=secretariat, title=SENT_TITLE, language="en", body=SENT_BODY
        )
        for language, (title, body) in TRANSLATIONS.items():
            if page_translation_find(page=letter.page, language=language) is None:
                page_create(
                    space=letter.page.space,
                    language=language,
                    title=title,
                    body=body,
                    actor=secretariat,
                    translation_of=letter.page,
                    protected=True,
                )
        services.letter_send(letter=letter, actor=secretariat)
