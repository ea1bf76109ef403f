"""Seed the demo network's events: an international meeting over three days (its programme in
French, English and Portuguese), a training seminar for facilitators, and a quarterly network
meeting that took place, with its report in the wiki.

Runs after `seed_demo` (it uses the demo logins). Safe to run again: an event whose address
exists is left as it is. Times are set from today, so a fresh demo always has events to come.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from territories.events import reports, services
from territories.models import Event
from wikispiral.accounts.models import User

# (title, starts after days, at hour:minute, lasting minutes, languages, place, capacity)
Session = tuple[str, int, tuple[int, int], int, list[str], str, int | None]

INTERNATIONAL: list[Session] = [
    (
        "Opening plenary / Plénière d'ouverture / Plenária de abertura",
        0,
        (9, 30),
        120,
        [],
        "",
        None,
    ),
    ("Atelier : les indicateurs de bien-être des territoires", 0, (14, 0), 90, ["fr"], "", 40),
    ("Workshop: co-responsibility actions with schools", 0, (14, 0), 90, ["en"], "", 40),
    ("Oficina: plataformas multi-atores em Cabo Verde", 0, (14, 0), 90, ["pt"], "", 40),
    ("Day 2: what the syntheses of 2025 tell us", 1, (9, 30), 180, [], "", None),
    ("Visite : quartier Drouot, Mulhouse", 1, (14, 30), 120, ["fr"], "Drouot, Mulhouse", 25),
    ("Closing plenary: the network's next three years", 2, (9, 30), 150, [], "", None),
]
SEMINAR: list[Session] = [
    ("Running a homogeneous group: the three questions", 0, (10, 0), 150, [], "", 20),
    ("Typing and classifying the criteria", 7, (10, 0), 150, [], "", 20),
]
QUARTERLY: list[Session] = [
    ("Quarterly network meeting", 0, (16, 0), 90, [], "", None),
]
QUARTERLY_REPORT = """## Present

Coordination groups of Mulhouse, Charleroi, Praia and Turin; the secretariat.

## Decided

- The international meeting takes place in Mulhouse, on-line for those who cannot travel.
- Each platform sends its 2025 syntheses before the meeting.
- Two training seminars for new facilitators, in French and Portuguese.
"""


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user {username}: run `manage.py seed_demo` first.")
    return user


class Command(BaseCommand):
    help = "Add demo events: an international meeting, a training seminar, a quarterly meeting."

    def _event(
        self,
        organiser: User,
        *,
        slug: str,
        start_in_days: int,
        sessions: list[Session],
        publish: bool = True,
        **fields: object,
    ) -> Event | None:
        if Event.objects.filter(slug=slug).exists():
            return None
        event = services.event_create(actor=organiser, slug=slug, **fields)  # type: ignore[arg-type]
        first_day = timezone.localdate() + datetime.timedelta(days=start_in_days)
        for title, day, (hour, minute), minutes, languages, place, capacity in sessions:
            # Naive: the times are the organiser's, in the event's zone.
            starts = datetime.datetime.combine(
                first_day + datetime.timedelta(days=day), datetime.time(hour, minute)
            )
            services.session_add(
                event=event,
                actor=organiser,
                title=title,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(minutes=minutes),
                languages=languages,
                place=place,
                capacity=capacity,
            )
        if publish:
            event = services.event_publish(event=event, actor=organiser)
        return event

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off (the demo events would show on a real site).",
        )

    @transaction.atomic
    def handle(self, *args: object, force: bool = False, **options: object) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to seed demo events: DEBUG is off, so this looks like a real site. "
                "Use --force if you mean it."
            )
        secretariat = _user("secretariat")
        facilitator = _user("facilitator")
        made = 0
        meeting = self._event(
            secretariat,
            slug="international-meeting-mulhouse",
            start_in_days=45,
            sessions=INTERNATIONAL,
            kind=Event.Kind.INTERNATIONAL_MEETING,
            title="International meeting of the TOGETHER network, Mulhouse",
            description=(
                "Three days of plenaries and workshops in French, English and Portuguese, in "
                "Mulhouse and on-line: what the territories learnt, and the network's next steps."
            ),
            time_zone="Europe/Paris",
            languages=["fr", "en", "pt"],
            place="Mulhouse, Salle des Adieux",
            is_online=True,
            meeting_url="https://meet.example.org/together-international",
            audience="everyone",
        )
        made += meeting is not None
        seminar = self._event(
            secretariat,
            slug="training-seminar-facilitators",
            start_in_days=14,
            sessions=SEMINAR,
            kind=Event.Kind.TRAINING,
            title="Training seminar for new facilitators",
            description="Two on-line mornings to learn to run SPIRAL with a homogeneous group.",
            time_zone="Europe/Paris",
            languages=["fr", "pt", "en"],
            is_online=True,
            meeting_url="https://meet.example.org/together-training",
            audience="facilitators",
        )
        if seminar is not None:
            made += 1
            services.signup_create(
                session=seminar.sessions.order_by("starts_at")[0], actor=facilitator
            )
        quarterly = self._event(
            secretariat,
            slug="quarterly-network-meeting",
            start_in_days=-20,
            sessions=QUARTERLY,
            kind=Event.Kind.QUARTERLY,
            title="Quarterly network meeting",
            description="The coordination groups and the secretariat take stock, on-line.",
            time_zone="Europe/Brussels",
            languages=["en", "fr"],
            is_online=True,
            meeting_url="https://meet.example.org/together-quarterly",
        )
        if quarterly is not None:
            made += 1
            reports.event_report_write(
                event=quarterly, actor=secretariat, body=QUARTERLY_REPORT, language="en"
            )
        self.stdout.write(f"Events: {made} created.")
