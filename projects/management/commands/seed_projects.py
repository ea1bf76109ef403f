"""Seed "Together let's learn to make the right choices" for a local site: the demo citizen's
family, the Mulhouse coordination group as a territorial entity (a local platform), a
municipality that joins on its own, a school, an association, a shared house and a few more
citizens, with their choices, a few "I do this too", comments, footprint paths, answers to the
SPIRAL questions (pooled by kind in France's platform) and a charter whose vote is over.

Runs after `seed_demo` and `seed_territories` (their logins and groups). Safe to run again: a
participant that exists (by name) is left as it is.
"""

import datetime
import random

from django.core.management.base import BaseCommand
from django.db import transaction

from projects import services
from projects.models import Participant
from projects.scopes import across_participants
from territories.models import CoordinationGroup, Country
from wikispiral.accounts.models import User
from wikispiral.accounts.selectors import user_by_username
from wikispiral.accounts.services import demo_user_ensure

CHOICES = [
    ("mobility", "We cycle to school and to work", -450),
    ("mobility", "No more flights for holidays in Europe", -1200),
    ("mobility", "We share one car with the neighbours", -900),
    ("food", "Meat once a week", -600),
    ("food", "Vegetables from the market gardener next door", -150),
    ("food", "No more bottled water", -60),
    ("housing", "Heating at 19 °C", -300),
    ("housing", "Roof insulated", -1100),
    ("housing", "Green electricity supplier", -250),
    ("consumption", "Second-hand clothes first", -180),
    ("consumption", "We repair before we replace", -120),
    ("digital", "Keep our phones five years", -90),
    ("leisure", "Holidays by train", -700),
    ("money", "Savings moved to a cooperative bank", None),
    ("public", "A cycle lane asked for at the town council", None),
    ("other", "A tool library in the building", -40),
]
STATUSES = ["started", "started", "kept", "kept", "planned", "given_up"]
# Answers to Q1–Q3 with the component the secretariat gives them ("": left to classify).
WELLBEING = [
    {
        "Q1": [("A01", "Good food from nearby farms"), ("D01", "Time together as a family")],
        "Q2": [("B01", "Traffic noise at night"), ("", "Worrying about the heating bill")],
        "Q3": [("I02", "We cycle and take the train")],
    },
    {
        "Q1": [("B05", "Pupils who feel safe at school"), ("B04", "A green playground")],
        "Q2": [("", "Classrooms too hot in June")],
        "Q3": [("I03", "A school garden run by the pupils")],
    },
    {
        "Q1": [("A01", "Eating well"), ("D03", "Friends close by")],
        "Q2": [("D00", "Loneliness")],
        "Q3": [("H03", "I help at the repair café")],
    },
]


class Command(BaseCommand):
    help = "Seed the right-choices project with demo participants and choices. Local use only."

    @across_participants()  # it writes and reads the rows of many participants
    def handle(self, *args: object, **options: object) -> None:
        rng = random.Random(2020)
        france = Country.objects.filter(code="FR").first()
        citizen = user_by_username(username="citizen")
        facilitator = user_by_username(username="facilitator")
        if citizen is None or facilitator is None:
            self.stdout.write("Demo logins missing: run seed_demo first.")
            return
        people = [citizen]
        for number in range(1, 7):
            user, _created = demo_user_ensure(
                username=f"demo-participant-{number}",
                email=f"demo-participant-{number}@example.org",
                password=None,
            )
            people.append(user)
        plans = [
            (citizen, "citizen", "family", "The demo household", 3),
            (facilitator, "collective", "school", "École Jean Macé", 420),
            (people[1], "citizen", "place_of_life", "La Maison partagée", 7),
            (people[2], "collective", "association", "Repair café de Bourtzwiller", 25),
            *[
                (user, "citizen", "individual", name, 1)
                for user, name in zip(
                    people[1:],
                    ["Amina", "Bruno", "Carla", "Dimitri", "Elena", "Fatou"],
                    strict=True,
                )
            ],
        ]
        if france is not None:
            # A municipality joins on its own, without a coordination group: in its country.
            plans.append((people[3], "territory", "municipality", "Lutterbach", 6500))
        mulhouse = CoordinationGroup.objects.filter(name="Mulhouse").first()
        made = []
        with transaction.atomic():
            for user, kind, subtype, name, count in plans:
                made.append(self._participant(user, kind, subtype, name, count, france, None))
            if mulhouse is not None:
                made.append(
                    self._participant(
                        facilitator,
                        "territory",
                        "local_platform",
                        "Mulhouse",
                        108000,
                        None,
                        mulhouse,
                    )
                )
            for participant in made:
                if participant.choices.exists():
                    continue
                self._choices_and_footprints(rng, participant)
            self._shares_and_comments(rng, [p for p in made if p.kind == "citizen"])
            self._wellbeing([*made[:4], *[p for p in made if p.name == "Amina"]])
            self._workshops_and_charter(facilitator, made)
        self.stdout.write(f"Right choices: {len(made)} participants.")

    def _wellbeing(self, participants: list[Participant]) -> None:
        """Answers to the SPIRAL questions, most of them classified by the secretariat: they
        show in the syntheses of France, the network and the project."""
        from criteria.selectors import component_by_code, question_list
        from criteria.services import criterion_classify
        from projects.wellbeing import wellbeing_answer

        secretariat = user_by_username(username="secretariat")
        questions = {q.code: q for q in question_list()}
        if not {"Q1", "Q2", "Q3"} <= questions.keys():
            return
        for number, participant in enumerate(participants):
            if participant.country_id is None or participant.answers.exists():
                continue
            member = participant.members.filter(role="manager").first()
            rows = WELLBEING[number % len(WELLBEING)]
            criteria = wellbeing_answer(
                participant=participant,
                actor=member.user,
                answers={
                    questions[code].pk: "\n".join(t for _c, t in items)
                    for code, items in rows.items()
                },
                language="en",
                session_date=datetime.date(2026, 10, 10),
            )
            codes = [component for items in rows.values() for component, _t in items]
            for criterion, code in zip(criteria, codes, strict=True):
                component = component_by_code(code=code) if code else None
                if component is not None and secretariat is not None:
                    criterion_classify(
                        tenant=criterion.tenant,
                        criterion=criterion,
                        component=component,
                        actor=secretariat,
                    )

    def _workshops_and_charter(self, facilitator: User, made: list[Participant]) -> None:
        from django.utils import timezone

        from projects.models import Charter, Workshop

        if Workshop.objects.exists():
            return
        soon = services.workshop_create(
            actor=facilitator,
            title="Eating well on a small budget",
            theme="food",
            starts_at=timezone.now() + datetime.timedelta(days=9),
            time_zone="Europe/Paris",
            duration_minutes=90,
            languages=["fr", "en"],
            meeting_url="https://meet.example.org/right-choices-food",
            capacity=25,
            description="Recipes, markets and what changed at home.",
        )
        for participant in made[:3]:
            services.workshop_signup(
                workshop=soon, participant=participant, actor=participant.members.first().user
            )
        held = services.workshop_create(
            actor=facilitator,
            title="Getting around without a car",
            theme="mobility",
            starts_at=timezone.now() + datetime.timedelta(hours=2),
            time_zone="Atlantic/Cape_Verde",
            duration_minutes=60,
            languages=["pt", "en"],
            meeting_url="https://meet.example.org/right-choices-mobility",
            capacity=25,
        )
        Workshop.objects.filter(pk=held.pk).update(
            starts_at=timezone.now() - datetime.timedelta(days=20)
        )
        held.refresh_from_db()
        services.workshop_conclude(
            workshop=held,
            actor=facilitator,
            body="1. Share cars between neighbours.\n2. Ask the town for safe cycle lanes.\n"
            "3. Trains before planes for holidays.",
            language="en",
        )
        held.refresh_from_db()
        if not Charter.objects.exists():
            charter = services.charter_draft(
                actor=facilitator, title="Our mobility charter", workshop=held
            )
            services.charter_open(
                charter=charter,
                actor=facilitator,
                closes_at=timezone.now() + datetime.timedelta(days=30),
            )
            self._charter_decided(facilitator, made)
        today = timezone.localdate()
        services.quarterly_review_theme_set(
            actor=facilitator,
            year=today.year,
            quarter=(today.month - 1) // 3 + 1,
            theme="Getting around without a car",
        )

    def _charter_decided(self, facilitator: User, made: list[Participant]) -> None:
        """A charter whose vote is over, decided by the rule (five approve of six voices)."""
        from django.utils import timezone

        from projects.models import Charter

        charter = services.charter_draft(actor=facilitator, title="Our food charter")
        services.charter_open(
            charter=charter,
            actor=facilitator,
            closes_at=timezone.now() + datetime.timedelta(days=2),
        )
        voices = ["approve", "approve", "remarks", "approve", "approve", "disagree"]
        for participant, voice in zip(made, voices, strict=False):
            services.charter_vote(
                charter=charter,
                participant=participant,
                actor=participant.members.first().user,
                voice=voice,
                remarks="Add something on food waste." if voice == "remarks" else "",
            )
        Charter.objects.filter(pk=charter.pk).update(
            opens_at=timezone.now() - datetime.timedelta(days=40),
            closes_at=timezone.now() - datetime.timedelta(days=10),
        )
        services.charter_close(charter=charter)

    def _participant(self, user, kind, subtype, name, count, country, group) -> Participant:
        found = Participant.objects.filter(name=name).first()
        if found is not None:
            return found
        return services.participant_join(
            actor=user,
            kind=kind,
            subtype=subtype,
            name=name,
            people=count,
            country=country,
            coordination_group=group,
        )

    def _choices_and_footprints(self, rng: random.Random, participant: Participant) -> None:
        manager = participant.members.first().user
        today = datetime.date.today()
        for category, title, change in rng.sample(CHOICES, 4):
            status = rng.choice(STATUSES)
            started = today + datetime.timedelta(days=rng.randint(20, 200))
            if status != "planned":
                started = today - datetime.timedelta(days=rng.randint(30, 900))
            services.choice_create(
                participant=participant,
                actor=manager,
                category=category,
                title=title,
                description="",
                started_on=started,
                status=status,
                results="It took a few weeks to get used to it." if status == "kept" else "",
                emissions_change_kg=None
                if change is None
                else change * participant.people
                if participant.people <= 30
                else None,
            )
        if participant.kind != "citizen":
            return
        per_person = rng.randint(7000, 11000)
        for years_ago in (2, 1, 0):
            measured = today.replace(month=1, day=15)
            measured = measured.replace(year=measured.year - years_ago)
            if measured > today:
                continue
            total = per_person * participant.people
            services.footprint_record(
                participant=participant,
                actor=manager,
                measured_on=measured,
                total_kg=total,
                by_category={"food": total // 4, "mobility": total // 3, "housing": total // 5},
                source="Nos Gestes Climat",
            )
            per_person = int(per_person * rng.uniform(0.78, 0.92))

    def _shares_and_comments(self, rng: random.Random, citizens: list[Participant]) -> None:
        for participant in citizens:
            others = [other for other in citizens if other.pk != participant.pk]
            choice = participant.choices.order_by("pk").first()
            if choice is None or choice.shares.exists():
                continue
            for other in rng.sample(others, min(2, len(others))):
                services.choice_share(
                    choice=choice, participant=other, actor=other.members.first().user
                )
            services.choice_comment(
                choice=choice,
                actor=others[0].members.first().user,
                body="How long did it take before it felt normal?",
            )
