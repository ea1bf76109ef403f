"""Seed the second half of the SPIRAL method on the demo facilitator's platform (Mulhouse when
seed_territories made it): three published progress indicators on components its synthesis has
criteria for (one shared with the network, its title translated), two published evaluation
sessions a year apart whose tallies improve, two published co-responsibility actions with their
pledges, measured between the two sessions, and the impact report of the action that is done.

Runs after `seed_demo`, `seed_territories` and `generate_demo_data` (the logins, the groups, and
the criteria and syntheses the indicators start from). Everything is written through the
services of projects/{indicators,evaluations,actions,impact}, in one transaction: the report's
job starts once it commits (drawn at once when tasks run inline, as in `make run`). Safe to run
again: a platform that has indicators is left as it is.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from criteria.models import Component, Criterion
from criteria.selectors import criterion_list
from projects.actions.services import (
    action_create,
    action_publish,
    action_set_evaluations,
    pledge_create,
    pledge_keep,
    pledge_withdraw,
)
from projects.evaluations.selectors import group_choices
from projects.evaluations.services import session_create, session_publish, session_tally_set
from projects.impact.services import impact_report_request
from projects.indicators.selectors import (
    HIGH_QUESTION,
    LOW_QUESTION,
    criteria_for_component,
    facilitated_groups,
    indicator_list,
    synthesis_top_components,
)
from projects.indicators.services import (
    indicator_create,
    indicator_publish,
    indicator_share,
    indicator_update,
)
from projects.models import Action, EvaluationSession, ImpactReport, Indicator, Pledge
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.accounts.models import User
from wikispiral.accounts.selectors import user_by_username
from wikispiral.tenancy import tenant_scope

MULHOUSE = "GC136526"  # seed_territories' network id: the demo platform of choice
INDICATORS = 3
ACTION_QUESTION = "Q3"  # "what are you ready to do": what actions grow from
LEVEL_NAMES = {
    "fr": ("Très mauvais", "Mauvais", "Moyen", "Bon", "Idéal"),
    "en": ("Very bad", "Bad", "Average", "Good", "Ideal"),
    "pt": ("Muito mau", "Mau", "Médio", "Bom", "Ideal"),
}
# Placements per level (worst first) of each indicator, before and after, spread over a session's
# participants: every indicator moves up.
BEFORE = ((3, 4, 3, 2, 0), (4, 4, 2, 2, 0), (2, 5, 3, 1, 1))
AFTER = ((1, 2, 3, 4, 1), (1, 3, 3, 3, 1), (0, 2, 4, 3, 2))


@dataclass(frozen=True)
class Scale:
    """An indicator in one language: title, description, the five situations worst first, and
    the action the platform takes for it (title, description)."""

    title: str
    description: str
    levels: tuple[str, str, str, str, str]
    action: tuple[str, str]


SCALES: dict[str, dict[str, Scale]] = {
    "A11": {
        "fr": Scale(
            "Être bien informé dans le quartier",
            "Savoir ce qui se passe près de chez soi et pouvoir croire ce qu'on lit.",
            (
                "On n'apprend rien de ce qui se passe ici, ou seulement des rumeurs.",
                "On sait quelques nouvelles par le bouche-à-oreille, souvent trop tard.",
                "Ceux qui ont internet savent ce qui se passe, les autres non.",
                "Un journal ou un panneau donne les nouvelles, presque tout le monde le lit.",
                "Chacun sait ce qui se passe, peut vérifier une information et donner la sienne.",
            ),
            (
                "Un journal de quartier écrit par les habitants",
                "Quatre numéros par an, écrits et distribués par les habitants, en papier et "
                "en ligne.",
            ),
        ),
        "en": Scale(
            "Being well informed in the neighbourhood",
            "Knowing what happens near home, and being able to trust what we read.",
            (
                "We hear nothing about what happens here, or only rumours.",
                "A bit of news goes round by word of mouth, often too late.",
                "Those with internet know what is going on, the others do not.",
                "A newsletter or a notice board gives the news; nearly everyone reads it.",
                "Everyone knows what is going on, can check a piece of news and share their own.",
            ),
            (
                "A neighbourhood newsletter written by the residents",
                "Four issues a year, written and handed out by the residents, on paper and online.",
            ),
        ),
        "pt": Scale("Estar bem informado no bairro", "", ("", "", "", "", ""), ("", "")),
    },
    "A07": {
        "fr": Scale(
            "Des loisirs pour tous",
            "Pouvoir faire du sport, lire, sortir, quel que soit son âge ou son budget.",
            (
                "Il n'y a rien à faire ici, surtout pour les jeunes.",
                "Il y a des activités, mais trop chères ou trop loin.",
                "On trouve des activités, mais il faut savoir où chercher.",
                "Chacun trouve une activité près de chez lui, à un prix possible.",
                "Tout le monde participe, et les habitants proposent eux-mêmes des activités.",
            ),
            (
                "La médiathèque ouverte le samedi",
                "Des bénévoles tiennent la médiathèque le samedi et lisent des histoires aux "
                "enfants.",
            ),
        ),
        "en": Scale(
            "Leisure for everyone",
            "Being able to play sport, read and go out, whatever one's age or budget.",
            (
                "There is nothing to do here, above all for young people.",
                "There are activities, but too dear or too far away.",
                "There are activities, but you have to know where to look.",
                "Everyone finds an activity near home, at a price they can pay.",
                "Everyone takes part, and the residents run activities themselves.",
            ),
            (
                "The library open on Saturdays",
                "Volunteers keep the library open on Saturdays and read stories to the children.",
            ),
        ),
        "pt": Scale("Lazer para todos", "", ("", "", "", "", ""), ("", "")),
    },
    "D03": {
        "fr": Scale(
            "Avoir des amis près de chez soi",
            "Ne pas rester seul : avoir quelqu'un sur qui compter dans le quartier.",
            (
                "Beaucoup de gens sont seuls et ne parlent à personne de la semaine.",
                "On se dit bonjour, mais on ne compte pas les uns sur les autres.",
                "On a quelques amis, mais les nouveaux venus restent à l'écart.",
                "La plupart des gens ont des amis ici et se rendent service.",
                "Personne n'est seul : chacun a quelqu'un à qui parler et sur qui compter.",
            ),
            (
                "Un café des voisins chaque mercredi",
                "Un café ouvert à tous dans la salle du centre social, chaque mercredi après-midi.",
            ),
        ),
        "en": Scale(
            "Having friends close by",
            "Not being alone: having someone to count on in the neighbourhood.",
            (
                "Many people are alone and speak to nobody all week.",
                "We say hello, but we do not count on each other.",
                "We have a few friends, but newcomers stay on their own.",
                "Most people have friends here and help each other out.",
                "Nobody is alone: everyone has someone to talk to and to count on.",
            ),
            (
                "A neighbours' café every Wednesday",
                "A café open to all in the community centre's hall, every Wednesday afternoon.",
            ),
        ),
        "pt": Scale("Ter amigos perto de casa", "", ("", "", "", "", ""), ("", "")),
    },
    "A06": {
        "fr": Scale(
            "Un travail digne",
            "Avoir un travail qui fait vivre, et qui a du sens.",
            (
                "Presque personne ne trouve de travail, surtout les jeunes.",
                "On trouve des petits boulots, mal payés et sans lendemain.",
                "Une partie des gens ont un vrai travail, les autres attendent.",
                "La plupart trouvent un travail correct près de chez eux.",
                "Chacun a un travail bien payé qui lui plaît, ou de l'aide pour en trouver un.",
            ),
            (
                "Des parrains pour les jeunes qui cherchent un emploi",
                "Des retraités et des commerçants accompagnent chacun un jeune pendant six mois.",
            ),
        ),
        "en": Scale(
            "Decent work",
            "Having a job one can live on, and that means something.",
            (
                "Almost nobody finds work, young people least of all.",
                "There are odd jobs, badly paid and with no future.",
                "Some people have a real job, the others are waiting.",
                "Most people find a fair job near home.",
                "Everyone has a well-paid job they like, or help to find one.",
            ),
            (
                "Mentors for young job seekers",
                "Retired people and shopkeepers each stand by a young person for six months.",
            ),
        ),
        "pt": Scale("Um trabalho digno", "", ("", "", "", "", ""), ("", "")),
    },
    "A10": {
        "fr": Scale(
            "Se déplacer facilement",
            "Aller au travail, chez le médecin ou en ville sans voiture et sans se ruiner.",
            (
                "Sans voiture, on reste bloqué chez soi.",
                "Le bus passe rarement et coûte cher.",
                "On se débrouille, mais cela prend beaucoup de temps.",
                "Les bus sont fréquents et pas chers, les pistes cyclables sûres.",
                "Chacun va où il veut, à pied, à vélo ou en bus, même la nuit.",
            ),
            (
                "Le covoiturage des voisins",
                "Un tableau au centre social et un groupe de messages pour partager les trajets.",
            ),
        ),
        "en": Scale(
            "Getting around easily",
            "Going to work, to the doctor or to town without a car and without going broke.",
            (
                "Without a car you are stuck at home.",
                "The bus rarely comes and costs too much.",
                "We manage, but it takes a lot of time.",
                "Buses are frequent and cheap, cycle lanes are safe.",
                "Everyone goes where they like, on foot, by bike or by bus, even at night.",
            ),
            (
                "Neighbours' car sharing",
                "A board at the community centre and a message group to share journeys.",
            ),
        ),
        "pt": Scale("Deslocar-se facilmente", "", ("", "", "", "", ""), ("", "")),
    },
    "B04": {
        "fr": Scale(
            "De la nature en ville",
            "Des arbres, des parcs et des jardins près de chez soi.",
            (
                "Du béton partout, on abat les arbres pour faire des parkings.",
                "Il reste quelques arbres, mais pas d'endroit pour s'asseoir au vert.",
                "Il y a un parc, mais loin ou mal entretenu.",
                "Chacun a un coin de verdure à quelques minutes à pied.",
                "Des arbres dans chaque rue et des jardins que les habitants cultivent ensemble.",
            ),
            (
                "Un jardin partagé au pied des immeubles",
                "Des bacs potagers et des arbres fruitiers plantés et soignés par les voisins.",
            ),
        ),
        "en": Scale(
            "Nature in town",
            "Trees, parks and gardens near home.",
            (
                "Concrete everywhere; trees are cut down to make car parks.",
                "A few trees are left, but nowhere green to sit.",
                "There is a park, but far away or badly kept.",
                "Everyone has a green corner a few minutes' walk away.",
                "Trees in every street, and gardens the residents grow together.",
            ),
            (
                "A shared garden at the foot of the flats",
                "Vegetable beds and fruit trees planted and looked after by the neighbours.",
            ),
        ),
        "pt": Scale("Natureza na cidade", "", ("", "", "", "", ""), ("", "")),
    },
    "H01": {
        "fr": Scale(
            "Le respect entre habitants",
            "Être accepté comme on est, quels que soient son âge, son origine ou sa religion.",
            (
                "On se méfie, on s'insulte, certains n'osent plus sortir.",
                "Chacun reste avec les siens, on ne se parle pas.",
                "On se tolère, mais les moqueries sont fréquentes.",
                "On se respecte et on s'entraide entre voisins différents.",
                "Chacun est accueilli tel qu'il est et se sent chez lui.",
            ),
            (
                "Une fête des cultures du quartier",
                "Une journée où chaque communauté fait goûter sa cuisine et raconte son histoire.",
            ),
        ),
        "en": Scale(
            "Respect between residents",
            "Being accepted as one is, whatever one's age, origin or faith.",
            (
                "People distrust and insult each other; some no longer dare go out.",
                "Everyone keeps to their own; we do not talk.",
                "We put up with each other, but there is a lot of mockery.",
                "We respect and help each other, different as we are.",
                "Everyone is welcomed as they are and feels at home.",
            ),
            (
                "A festival of the neighbourhood's cultures",
                "A day when each community shares its food and tells its story.",
            ),
        ),
        "pt": Scale("O respeito entre moradores", "", ("", "", "", "", ""), ("", "")),
    },
}
# Any other component: texts built on its name.
GENERIC = {
    "fr": Scale(
        "{label} : où en sommes-nous ?",
        "Comment les habitants vivent « {label} » dans leur quartier.",
        (
            "Personne n'y trouve son compte : c'est un souci de tous les jours.",
            "Quelques-uns s'en sortent, la plupart non.",
            "Ça va pour une partie des habitants, pas pour tous.",
            "La plupart des habitants en sont contents.",
            "Tout le monde en profite, même les plus fragiles.",
        ),
        ("Agir ensemble : {label}", "Ce que les habitants et leurs partenaires font ensemble."),
    ),
    "en": Scale(
        "{label}: where do we stand?",
        "How the residents live “{label}” in their neighbourhood.",
        (
            "Nobody is satisfied: it is a worry every day.",
            "A few manage, most do not.",
            "It is fine for some of the residents, not for all.",
            "Most residents are happy with it.",
            "Everyone benefits, even the most fragile.",
        ),
        ("Acting together: {label}", "What the residents and their partners do together."),
    ),
}
# What the demo writes besides the indicators, per language.
WORDS = {
    "fr": {
        "group_session": "Évaluation avec le groupe « {group} »",
        "platform_session": "Évaluation de toute la plateforme",
        "notes": "Chacun a placé le quartier sur l'échelle, puis nous en avons parlé.",
        "public_body": "Ville de {place}",
        "organisation": "Centre social du quartier",
        "time": "Deux samedis matin par mois",
        "skills": "Les jeunes animent les ateliers et les réseaux sociaux",
        "money": "Une subvention pour le matériel",
        "equipment": "Des tables, des chaises et une imprimante",
        "place": "La grande salle, le mercredi après-midi",
        "training": "Une formation à l'animation de groupes",
        "withdrawn": "Une heure par semaine (je déménage)",
    },
    "en": {
        "group_session": "Evaluation with the group “{group}”",
        "platform_session": "Evaluation by the whole platform",
        "notes": "Each of us placed the neighbourhood on the scale, then we talked it over.",
        "public_body": "City of {place}",
        "organisation": "The neighbourhood community centre",
        "time": "Two Saturday mornings a month",
        "skills": "The young people run the workshops and the social media",
        "money": "A grant for the equipment",
        "equipment": "Tables, chairs and a printer",
        "place": "The main hall, on Wednesday afternoons",
        "training": "Training in running group meetings",
        "withdrawn": "One hour a week (I am moving away)",
    },
}
TEXT_LANGUAGES = tuple(WORDS)


def _spread(weights: tuple[int, ...], total: int) -> dict[int, int]:
    """weights scaled to total placements ({level position: count}, largest remainders)."""
    scale = sum(weights)
    exact = [weight * total / scale for weight in weights]
    counts = [int(value) for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return {position: count for position, count in enumerate(counts, start=1) if count}


@dataclass
class Made:
    indicators: list[Indicator]
    sessions: list[EvaluationSession]
    actions: list[Action]
    pledges: list[Pledge]
    report: ImpactReport


class Command(BaseCommand):
    help = (
        "Seed progress indicators, evaluations, actions with pledges and an impact report on "
        "the demo facilitator's platform. Local use only."
    )

    def handle(self, *args: object, **options: Any) -> None:
        loud = int(options.get("verbosity", 1)) >= 1
        facilitator = user_by_username(username="facilitator")
        citizen = user_by_username(username="citizen")
        if facilitator is None or citizen is None:
            self.stdout.write("Demo logins missing: run seed_demo first.")
            return
        groups = facilitated_groups(facilitator)
        group = next((g for g in groups if g.network_id == MULHOUSE), None) or next(
            iter(groups), None
        )
        if group is None:
            self.stdout.write(
                "The demo facilitator has no coordination group: run seed_territories."
            )
            return
        if indicator_list(group, facilitator):
            if loud:
                self.stdout.write(f"Progress: {group.name} already has indicators, left as it is.")
            return
        language = next((code for code in group.languages if code in TEXT_LANGUAGES), "en")
        components = self._components(group)
        if len(components) < INDICATORS:
            self.stdout.write(
                f"Progress: {group.name} has no synthesis with criteria yet: run "
                "generate_demo_data first."
            )
            return
        with transaction.atomic():
            made = self._seed(group, facilitator, citizen, language, components)
        # The report's job ran once the transaction committed when tasks run inline.
        with tenant_scope(group):
            made.report.refresh_from_db()
        if loud:
            kept = sum(1 for pledge in made.pledges if pledge.state == Pledge.State.KEPT)
            drawn = (
                "drawn"
                if made.report.status == ImpactReport.Status.DONE
                else f"{made.report.get_status_display().lower()}"
            )
            self.stdout.write(
                f"Progress for {group.name}: {len(made.indicators)} indicators (1 shared), "
                f"{len(made.sessions)} evaluation sessions, {len(made.actions)} actions with "
                f"{len(made.pledges)} pledges ({kept} kept), 1 impact report ({drawn})."
            )

    # --- What the indicators are about ---------------------------------------------------------

    def _components(self, group: CoordinationGroup) -> list[tuple[Component, dict[str, list[int]]]]:
        """INDICATORS components the group's synthesis counts criteria for, with the classified
        criteria of each by question code, newest first: components with texts of their own and
        with ill-being and well-being criteria first, in the synthesis' order."""
        found = []
        for top in synthesis_top_components(group, limit=30):
            by_question = {
                entry.question.code: [criterion.pk for criterion in entry.criteria]
                for entry in criteria_for_component(group, top.component, shown=6)
            }
            if not by_question.get(LOW_QUESTION) and not by_question.get(HIGH_QUESTION):
                continue
            both = bool(by_question.get(LOW_QUESTION) and by_question.get(HIGH_QUESTION))
            found.append(((top.component.code not in SCALES, not both), top.component, by_question))
        found.sort(key=lambda item: item[0])  # stable: the synthesis' order within each rank
        return [(component, by_question) for _rank, component, by_question in found][:INDICATORS]

    def _scale(self, component: Component, language: str) -> Scale:
        own = SCALES.get(component.code, {}).get(language)
        if own is not None:
            return own
        label = component.label(language)
        generic = GENERIC[language]
        return Scale(
            generic.title.format(label=label),
            generic.description.format(label=label),
            generic.levels,
            (generic.action[0].format(label=label), generic.action[1]),
        )

    # --- Writing -------------------------------------------------------------------------------

    def _seed(
        self,
        group: CoordinationGroup,
        facilitator: User,
        citizen: User,
        language: str,
        components: list[tuple[Component, dict[str, list[int]]]],
    ) -> Made:
        indicators = [
            self._indicator(group, facilitator, language, component, by_question)
            for component, by_question in components
        ]
        first = indicator_share(
            tenant=group, actor=facilitator, indicator=indicators[0], shared=True
        )
        indicators[0] = self._translate(group, facilitator, first, language)
        sessions = self._sessions(group, facilitator, language, indicators)
        actions, pledges = self._actions(
            group, facilitator, citizen, language, indicators, sessions
        )
        done = actions[0]
        report = impact_report_request(
            tenant=group, actor=facilitator, action=done, language=done.language
        )
        return Made(indicators, sessions, actions, pledges, report)

    def _indicator(
        self,
        group: CoordinationGroup,
        facilitator: User,
        language: str,
        component: Component,
        by_question: dict[str, list[int]],
    ) -> Indicator:
        """A published indicator whose low levels hold some ill-being criteria and high levels
        some well-being ones."""
        scale = self._scale(component, language)
        low, high = by_question.get(LOW_QUESTION, []), by_question.get(HIGH_QUESTION, [])
        criteria = [low[:2], low[2:3], [], high[2:3], high[:2]]
        indicator = indicator_create(
            tenant=group,
            actor=facilitator,
            component=component,
            language=language,
            title=scale.title,
            description=scale.description,
            levels=[
                {"name": name, "description": description, "criteria": linked}
                for name, description, linked in zip(
                    LEVEL_NAMES[language], scale.levels, criteria, strict=True
                )
            ],
        )
        return indicator_publish(tenant=group, actor=facilitator, indicator=indicator)

    def _translate(
        self, group: CoordinationGroup, facilitator: User, indicator: Indicator, language: str
    ) -> Indicator:
        """The shared indicator in the site's other languages: whole where the demo has the
        texts, else its title and level names."""
        for other in (code for code, _name in settings.LANGUAGES if code != language):
            scale = SCALES.get(indicator.component.code, {}).get(other)
            if scale is None and other in GENERIC:
                scale = self._scale(indicator.component, other)
            if scale is None or not scale.title or other not in LEVEL_NAMES:
                continue
            indicator = indicator_update(
                tenant=group,
                actor=facilitator,
                indicator=indicator,
                base_revision=indicator.revision,
                language=other,
                title=scale.title,
                description=scale.description,
                levels=[
                    {"name": name, "description": description, "criteria": None}
                    for name, description in zip(LEVEL_NAMES[other], scale.levels, strict=True)
                ],
            )
        return indicator

    def _sessions(
        self,
        group: CoordinationGroup,
        facilitator: User,
        language: str,
        indicators: list[Indicator],
    ) -> list[EvaluationSession]:
        """A homogeneous group's session a year ago and the whole platform's three weeks ago,
        both published, each placing the territory on every indicator."""
        words = WORDS[language]
        homogeneous: HomogeneousGroup | None = max(
            group_choices(group), key=lambda hg: hg.participants or 0, default=None
        )
        after_on = timezone.localdate() - datetime.timedelta(days=21)
        before_on = after_on - datetime.timedelta(days=365)
        plans = [
            (
                words["group_session"].format(group=homogeneous.name)
                if homogeneous is not None
                else words["platform_session"],
                before_on,
                homogeneous,
                (homogeneous.participants if homogeneous is not None else 0) or 12,
                BEFORE,
            ),
            (words["platform_session"], after_on, None, 11, AFTER),
        ]
        sessions = []
        for title, held_on, hg, participants, profiles in plans:
            session = session_create(
                tenant=group,
                actor=facilitator,
                title=title,
                held_on=held_on,
                group=hg,
                participants=participants,
                indicators=indicators,
                notes=words["notes"],
            )
            session_tally_set(
                tenant=group,
                actor=facilitator,
                session=session,
                tallies={
                    indicator: _spread(profiles[number % len(profiles)], participants)
                    for number, indicator in enumerate(indicators)
                },
            )
            sessions.append(session_publish(tenant=group, actor=facilitator, session=session))
        return sessions

    def _action_criteria(self, group: CoordinationGroup, components: list[Component]) -> list[int]:
        """A few of the group's classified answers to Q3 on these components (else on any)."""
        with tenant_scope(group):
            answers = criterion_list(tenant=group, status=Criterion.Status.CLASSIFIED).filter(
                question__code=ACTION_QUESTION
            )
            newest = ("-session_date", "-id")
            found = list(
                answers.filter(component__in=components)
                .order_by(*newest)
                .values_list("pk", flat=True)[:3]
            )
            return found or list(answers.order_by(*newest).values_list("pk", flat=True)[:2])

    def _actions(
        self,
        group: CoordinationGroup,
        facilitator: User,
        citizen: User,
        language: str,
        indicators: list[Indicator],
        sessions: list[EvaluationSession],
    ) -> tuple[list[Action], list[Pledge]]:
        """The action of the first indicator, done between the two sessions, and the one of the
        other two, under way since a little after the first session; both measured between the
        two sessions, with their pledges."""
        words = WORDS[language]
        before, after = sessions
        homogeneous = before.group
        place = group.locality.name if group.locality_id else group.name
        person = citizen if citizen.pk != facilitator.pk else facilitator
        plans = [
            (
                indicators[:1],
                Action.Status.DONE,
                before.held_on + datetime.timedelta(days=30),
                after.held_on - datetime.timedelta(days=30),
            ),
            (
                indicators[1:],
                Action.Status.UNDER_WAY,
                before.held_on + datetime.timedelta(days=60),
                None,
            ),
        ]
        actions = []
        for aimed, status, starts_on, ends_on in plans:
            components = [indicator.component for indicator in aimed]
            title, description = self._scale(components[0], language).action
            action = action_create(
                tenant=group,
                actor=facilitator,
                title=title,
                description=description,
                language=language,
                status=status,
                starts_on=starts_on,
                ends_on=ends_on,
                indicators=aimed,
                components=components,
                groups=[homogeneous] if homogeneous is not None else [],
                criteria=self._action_criteria(group, components),
            )
            action = action_publish(tenant=group, actor=facilitator, action=action)
            actions.append(
                action_set_evaluations(
                    tenant=group, actor=facilitator, action=action, before=before, after=after
                )
            )
        done, under_way = actions
        Pledger, Offer = Pledge.Pledger, Pledge.Offer
        # (action, pledger, offer, description, amount, then: keep / withdraw / leave offered)
        plans_pledges: list[tuple[Action, str, str, str, str | None, str]] = [
            (done, Pledger.PERSON, Offer.TIME, words["time"], None, "keep"),
            (done, Pledger.HOMOGENEOUS_GROUP, Offer.SKILLS, words["skills"], None, "keep"),
            (done, Pledger.PUBLIC_BODY, Offer.MONEY, words["money"], "1500.00", "keep"),
            (done, Pledger.ORGANISATION, Offer.EQUIPMENT, words["equipment"], None, "keep"),
            (under_way, Pledger.ORGANISATION, Offer.PLACE, words["place"], None, "keep"),
            (under_way, Pledger.PUBLIC_BODY, Offer.SKILLS, words["training"], None, ""),
            (under_way, Pledger.PERSON, Offer.TIME, words["withdrawn"], None, "withdraw"),
        ]
        pledges = []
        for action, pledger, offer, description, amount, then in plans_pledges:
            if pledger == Pledger.HOMOGENEOUS_GROUP and homogeneous is None:
                continue
            pledge = pledge_create(
                tenant=group,
                actor=facilitator,
                action=action,
                pledger=pledger,
                offer=offer,
                person=person if pledger == Pledger.PERSON else None,
                group=homogeneous if pledger == Pledger.HOMOGENEOUS_GROUP else None,
                name=words["public_body"].format(place=place)
                if pledger == Pledger.PUBLIC_BODY
                else words["organisation"]
                if pledger == Pledger.ORGANISATION
                else "",
                description=description,
                amount=amount,
                unit="EUR" if amount is not None else "",
            )
            if then == "keep":
                pledge = pledge_keep(tenant=group, actor=facilitator, pledge=pledge)
            elif then == "withdraw":
                pledge = pledge_withdraw(tenant=group, actor=facilitator, pledge=pledge)
            pledges.append(pledge)
        return actions, pledges
