"""Participants' answers to the SPIRAL questions, pooled.

A participant is not a homogeneous group (8–12 people who share a profile): the project's
platform in a country pools the answers of all its participants of one kind (citizens,
collective actors, territorial entities) in one homogeneous group of kind "project"
(AnswerPool), counted by the syntheses like any other. ParticipantAnswer says which of its
criteria are whose, so that a participant sees and takes back its own.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models.right_choices import Participant
from wikispiral.tenancy import RequestScopedManager


class AnswerPool(models.Model):
    """The homogeneous group where a project's platform pools one kind of participant's
    answers (its participants: the sum of those participants' people)."""

    platform = models.ForeignKey(
        "territories.CoordinationGroup",
        verbose_name=_("platform"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind of participant"), max_length=12, choices=Participant.Kind)
    # Its platform's: group.tenant is platform.
    group = models.OneToOneField(
        "territories.HomogeneousGroup",
        verbose_name=_("homogeneous group"),
        on_delete=models.CASCADE,
        related_name="answer_pool",
    )

    class Meta:
        verbose_name = _("pool of answers")
        verbose_name_plural = _("pools of answers")
        constraints = [
            models.UniqueConstraint(fields=["platform", "kind"], name="projects_one_pool_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} answers of {self.platform_id}"


class ParticipantAnswer(models.Model):
    """One criterion of a pool written by one participant."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="answers")
    criterion = models.OneToOneField(
        "criteria.Criterion", on_delete=models.CASCADE, related_name="participant_answer"
    )

    objects = RequestScopedManager(participant="participant")

    class Meta:
        verbose_name = _("participant's answer")
        verbose_name_plural = _("participants' answers")

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.criterion_id}"
