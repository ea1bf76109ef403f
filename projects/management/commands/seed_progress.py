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
from projects.management.progress_texts import (
    AFTER,
    BEFORE,
    GENERIC,
    LEVEL_NAMES,
    SCALES,
    TEXT_LANGUAGES,
    WORDS,
    Scale,
)
from projects.models import Action, EvaluationSession, ImpactReport, Indicator, Pledge
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.accounts.models import User
from wikispiral.accounts.selectors import user_by_username
from wikispiral.tenancy import tenant_scope

MULHOUSE = "GC136526"  # seed_territories' network id: the demo platform of choice
INDICATORS = 3
ACTION_QUESTION = "Q3"  # "what are you ready to do": what actions grow from


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
        with transaction.atomic(), tenant_scope(group):
            made = self._seed(group, facilitator, citizen, language, components)
        # The report's job ran once the transaction committed when tasks run inline.
        with tenant_scope(group):
            made.report.refresh_from_db()
        if loud:
            kept = sum(1 for pledge in made.pledges if pledge.state == Pledge.State.KEPT)
            done = made.report.status == ImpactReport.Status.DONE
            drawn = "drawn" if done else made.report.get_status_display().lower()
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
        place = group.locality.name if group.locality is not None else group.name
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
        names: dict[str, str] = {
            Pledger.PUBLIC_BODY: words["public_body"].format(place=place),
            Pledger.ORGANISATION: words["organisation"],
        }
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
                person=citizen if pledger == Pledger.PERSON else None,
                group=homogeneous if pledger == Pledger.HOMOGENEOUS_GROUP else None,
                name=names.get(pledger, ""),
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
