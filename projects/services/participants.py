"""Joining the project as a participant, and what follows a territory's visibility."""

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from projects.models import (
    Participant,
    ParticipantMember,
)
from projects.permissions import can_manage_participant
from projects.selectors import participant_answered
from projects.services.validation import (
    MAX_PEOPLE,
    MAX_PEOPLE_OF_SUBTYPE,
    SUBTYPES,
    Kind,
    ProjectError,
    Subtype,
    _clean_line,
    _summaries_changed,
)
from territories.models import CoordinationGroup, Country
from territories.permissions import can_manage_group
from wikispiral.accounts.models import User
from wikispiral.audit.services import audit_record
from wikispiral.wiki.models import Space
from wikispiral.wiki.selectors import space_slug_taken
from wikispiral.wiki.services import page_create
from wikispiral.wiki.spaces import (
    space_create,
    space_visibility_set,
)


def _participant_check(*, kind: str, subtype: str, people: int) -> None:
    if kind not in SUBTYPES:
        raise ProjectError(_("Choose what kind of participant you are."), "kind")
    if subtype not in SUBTYPES[kind]:
        raise ProjectError(_("This type does not go with this kind of participant."), "subtype")
    if subtype == Subtype.INDIVIDUAL and people != 1:
        raise ProjectError(
            _(
                "An individual speaks for one person: choose a family, people sharing a place "
                "of life or a group for more."
            ),
            "people",
        )
    most = MAX_PEOPLE_OF_SUBTYPE.get(subtype, MAX_PEOPLE[kind])
    if not 1 <= people <= most:
        raise ProjectError(
            _("Give a number of people between 1 and %(most)s.") % {"most": f"{most:,}"},
            "people",
        )


def _free_slug(name: str) -> str:
    base = ("p-" + slugify(name))[:70].strip("-") or "p"
    slug, number = base, 1
    while space_slug_taken(slug=slug) or Participant.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def participant_join(
    *,
    actor: User,
    kind: str,
    subtype: str,
    name: str,
    people: int = 1,
    country: Country | None = None,
    coordination_group: CoordinationGroup | None = None,
    language: str = "en",
) -> Participant:
    """Join the project: the participant, its wiki space and home page, actor its manager."""
    name = _clean_line(name, "name", _("A name"), 120)
    _participant_check(kind=kind, subtype=subtype, people=people)
    if kind == Kind.TERRITORY and coordination_group is not None:
        if not can_manage_group(actor, coordination_group):
            raise ProjectError(
                _("Only a facilitator of a coordination group can make it join."),
                "coordination_group",
            )
        if Participant.objects.filter(
            coordination_group=coordination_group, kind=Kind.TERRITORY
        ).exists():
            raise ProjectError(
                _("This coordination group has joined already."), "coordination_group"
            )
        country = coordination_group.country
    elif kind == Kind.TERRITORY and country is None:
        # A municipality or a local platform without a coordination group: its answers and
        # figures count in its country.
        raise ProjectError(_("Say in which country the territory is."), "country")
    elif coordination_group is not None:
        if coordination_group.is_hidden:
            raise ProjectError(
                _("Choose a coordination group of the directory."), "coordination_group"
            )
        country = country or coordination_group.country
    slug = _free_slug(name)
    space = space_create(slug=slug, name=name, kind=Space.Kind.PARTICIPANT, is_public=True)
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                kind=kind,
                subtype=subtype,
                name=name,
                slug=slug,
                people=people,
                country=country,
                coordination_group=coordination_group,
                space=space,
                created_by=actor,
            )
    except IntegrityError as exc:
        # The group's facilitators made it join twice at the same moment.
        raise ProjectError(
            _("This coordination group has joined already."), "coordination_group"
        ) from exc
    ParticipantMember.objects.create(
        participant=participant, user=actor, role=ParticipantMember.Role.MANAGER
    )
    page_create(
        space=space,
        language=language,
        title=name,
        slug="home",
        body=_(
            "%(name)s takes part in *Together let's learn to make the right choices*.\n\n"
            "## Why we joined\n\nTo be written.\n\n"
            "## What we learned\n\nTo be written."
        )
        % {"name": name},
        actor=actor,
        comment=_("Joined the project"),
    )
    audit_record(actor=actor, action="projects.participant.joined", target=participant)
    _summaries_changed()
    return participant


@transaction.atomic
def participant_update(
    *,
    participant: Participant,
    actor: User,
    name: str,
    people: int,
    country: Country | None,
) -> Participant:
    """A manager changes the participant's name, number of people or country. Its address stays
    (links keep working). Once it has answered the SPIRAL questions its answers count in its
    country's platform, so the country stays too; the pool of its answers counts its new
    number of people."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if not can_manage_participant(actor, participant):
        raise ProjectError(_("Only the participant's managers change its details."))
    name = _clean_line(name, "name", _("A name"), 120)
    _participant_check(kind=participant.kind, subtype=participant.subtype, people=people)
    if participant.kind == Kind.TERRITORY and participant.coordination_group is not None:
        country = participant.coordination_group.country
    elif participant.kind == Kind.TERRITORY and country is None:
        raise ProjectError(_("Say in which country the territory is."), "country")
    answered = participant_answered(participant=participant)
    if country != participant.country and answered:
        raise ProjectError(
            _(
                "Your answers to the SPIRAL questions count in %(country)s: the country cannot "
                "change. Ask the secretariat if it must."
            )
            % {"country": participant.country.name},
            "country",
        )
    changed = [
        field
        for field, value in (("name", name), ("people", people), ("country", country))
        if getattr(participant, field) != value
    ]
    if not changed:
        return participant
    participant.name, participant.people, participant.country = name, people, country
    participant.save(update_fields=changed)
    if answered and "people" in changed:
        # Here, not at the top: projects.wellbeing writes through these services.
        from projects.wellbeing import answer_pools_follow

        answer_pools_follow(participant=participant, actor=actor)
    audit_record(
        actor=actor, action="projects.participant.updated", target=participant, fields=changed
    )
    _summaries_changed()
    return participant


def territory_visibility_follow(*, group: CoordinationGroup) -> None:
    """A territorial entity is seen exactly when its coordination group is: its wiki space
    follows the group's visibility and the summaries count it again or no more (the
    secretariat's hide and unhide services call this in their transaction)."""
    participant = (
        Participant.objects.filter(coordination_group=group, kind=Kind.TERRITORY)
        .select_related("space")
        .first()
    )
    if participant is not None:
        space_visibility_set(space=participant.space, hidden=group.is_hidden)
    if Participant.objects.filter(coordination_group=group).exists():
        _summaries_changed()
