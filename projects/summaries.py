"""The project's summaries: for the whole project, each country and each coordination group,
the participants by kind and type, choices by category and status, the emissions avoided, the
distribution of footprints and how it moves over the years, the most shared choices.

One job computes them all with pandas from four reads (participants, choices, shares,
footprints): a participant counts in the project, its country and its coordination group, so
each row is joined once to the scopes it belongs to and every figure is one group-by. A
territorial entity of a hidden coordination group counts nowhere, and hidden groups get no
summary.
"""

import datetime
import math
from collections import defaultdict

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from projects.models import (
    Choice,
    ChoiceShare,
    Footprint,
    Participant,
    Summary,
    SummaryState,
    Workshop,
)
from projects.scopes import across_participants
from wikispiral.frames import queryset_frame
from wikispiral.jobs.services import job_enqueue

Scope = Summary.Scope
# Footprint bands, kg CO2e per person per year (the goal is the first).
BANDS = [0, 2000, 4000, 6000, 8000, 10000, 15000, math.inf]
ACTIVE = (Choice.Status.STARTED, Choice.Status.KEPT)
SHARED_TOP = 10


def _flag(values: pd.Series) -> pd.Series:
    """A boolean column as read from SQLite (0/1, None) or a COPY (t/f, empty)."""
    return values.map(lambda value: value in (True, 1, "t", "True", "true"))


def _number(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.replace("", np.nan), errors="coerce")


def _participants() -> pd.DataFrame:
    frame = queryset_frame(
        Participant.objects.order_by().values_list(
            "id",
            "kind",
            "subtype",
            "people",
            "country_id",
            "coordination_group_id",
            "coordination_group__is_hidden",
            "created_at",
        ),
        ["participant", "kind", "subtype", "people", "country", "cg", "cg_hidden", "created_at"],
    )
    hidden = _flag(frame["cg_hidden"])
    frame = frame[~(hidden & (frame["kind"] == Participant.Kind.TERRITORY))].copy()
    frame["country"] = _number(frame["country"]).fillna(0).astype(np.int64)
    frame["cg"] = _number(frame["cg"]).fillna(0).astype(np.int64).where(~hidden, 0)
    frame["people"] = _number(frame["people"]).fillna(1).astype(np.int64)
    return frame.drop(columns=["cg_hidden"])


def _scopes_of(participants: pd.DataFrame) -> pd.DataFrame:
    """(participant, scope, key): each participant in the project, its country, its group."""
    rows = [participants[["participant"]].assign(scope=Scope.PROJECT.value, key=0)]
    for scope, column in ((Scope.COUNTRY, "country"), (Scope.COORDINATION_GROUP, "cg")):
        present = participants[participants[column] != 0]
        rows.append(
            present[["participant", column]]
            .rename(columns={column: "key"})
            .assign(scope=scope.value)
        )
    return pd.concat(rows, ignore_index=True)


@across_participants()
def summaries_compute() -> dict[tuple[str, int], dict]:
    """Every summary's figures, by (scope, id), from every participant's rows."""
    participants = _participants()
    scopes = _scopes_of(participants)
    figures: dict[tuple[str, int], dict] = defaultdict(_empty)
    _participant_figures(figures, participants, scopes)
    choices = queryset_frame(
        Choice.objects.order_by().values_list(
            "id", "participant_id", "category", "status", "emissions_change_kg", "created_at"
        ),
        ["choice", "participant", "category", "status", "change", "created_at"],
    )
    choices["change"] = _number(choices["change"])
    reviews = _quarter_reviews(participants, choices)
    choices = choices.merge(scopes, on="participant", how="inner")
    _choice_figures(figures, choices)
    _shared_figures(figures, choices)
    _footprint_figures(figures, scopes)
    return dict(figures) | reviews


def _empty() -> dict:
    return {
        "participants": {},
        "subtypes": {},
        "people": 0,
        "choices": 0,
        "by_category": {},
        "avoided_kg": 0,
        "footprints": {"participants": 0, "bands": [], "median_kg": None, "below_goal": 0},
        "years": [],
        "shared": [],
    }


def _participant_figures(figures: dict, participants: pd.DataFrame, scopes: pd.DataFrame) -> None:
    joined = scopes.merge(
        participants[["participant", "kind", "subtype", "people"]], on="participant"
    )
    for (scope, key, kind), count in joined.groupby(["scope", "key", "kind"]).size().items():
        figures[(scope, int(key))]["participants"][kind] = int(count)
    for (scope, key, subtype), count in joined.groupby(["scope", "key", "subtype"]).size().items():
        figures[(scope, int(key))]["subtypes"][subtype] = int(count)
    for (scope, key), people in joined.groupby(["scope", "key"])["people"].sum().items():
        figures[(scope, int(key))]["people"] = int(people)


def _choice_figures(figures: dict, choices: pd.DataFrame) -> None:
    counted = choices.groupby(["scope", "key", "category", "status"]).size()
    for (scope, key, category, status), count in counted.items():
        entry = figures[(scope, int(key))]
        entry["by_category"].setdefault(category, {})[status] = int(count)
        entry["choices"] += int(count)
    active = choices[choices["status"].isin(ACTIVE) & (choices["change"] < 0)]
    for (scope, key), total in active.groupby(["scope", "key"])["change"].sum().items():
        figures[(scope, int(key))]["avoided_kg"] = int(-total)


def _shared_figures(figures: dict, choices: pd.DataFrame) -> None:
    shares = queryset_frame(ChoiceShare.objects.order_by().values_list("choice_id"), ["choice"])
    if shares.empty:
        return
    counts = shares.groupby("choice").size().rename("shares").reset_index()
    ranked = (
        choices[["choice", "scope", "key"]]
        .merge(counts, on="choice")
        .sort_values(["scope", "key", "shares", "choice"], ascending=[True, True, False, True])
        .groupby(["scope", "key"])
        .head(SHARED_TOP)
    )
    described = {
        pk: (title, name, slug)
        for pk, title, name, slug in Choice.objects.filter(
            pk__in=ranked["choice"].unique().tolist()
        ).values_list("pk", "title", "participant__name", "participant__slug")
    }
    for scope, key, choice, count in ranked[["scope", "key", "choice", "shares"]].itertuples(
        index=False
    ):
        title, name, slug = described[int(choice)]
        figures[(scope, int(key))]["shared"].append(
            {
                "choice": int(choice),
                "title": title,
                "participant": name,
                "slug": slug,
                "shares": int(count),
            }
        )


def _footprint_figures(figures: dict, scopes: pd.DataFrame) -> None:
    footprints = queryset_frame(
        Footprint.objects.order_by().values_list(
            "participant_id", "measured_on", "total_kg", "people"
        ),
        ["participant", "measured_on", "total", "people"],
    )
    if footprints.empty:
        return
    footprints["per_person"] = _number(footprints["total"]) / _number(footprints["people"]).clip(
        lower=1
    )
    footprints["year"] = pd.to_datetime(footprints["measured_on"]).dt.year
    latest = (
        footprints.sort_values(["participant", "measured_on"])
        .groupby("participant")
        .tail(1)
        .merge(scopes, on="participant")
    )
    latest["band"] = pd.cut(latest["per_person"], BANDS, right=False, labels=False)
    for (scope, key), group in latest.groupby(["scope", "key"]):
        entry = figures[(scope, int(key))]["footprints"]
        entry["participants"] = int(len(group))
        entry["median_kg"] = int(round(group["per_person"].median()))
        entry["below_goal"] = int((group["per_person"] < BANDS[1]).sum())
        bands = group.groupby("band").size()
        entry["bands"] = [int(bands.get(index, 0)) for index in range(len(BANDS) - 1)]
    yearly = footprints.merge(scopes, on="participant").groupby(["scope", "key", "year"])
    for (scope, key, year), group in yearly["per_person"]:
        figures[(scope, int(key))]["years"].append(
            [int(year), int(round(group.median())), int(len(group))]
        )


@transaction.atomic
def summaries_write(figures: dict[tuple[str, int], dict]) -> int:
    """Store every summary (one statement per batch); summaries no scope has any more go."""
    now = timezone.now()
    Summary.objects.bulk_create(
        [
            Summary(
                scope=scope,
                scope_id=key,
                participants=sum(entry["participants"].values()),
                figures=entry,
                computed_at=now,
            )
            for (scope, key), entry in figures.items()
        ],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["scope", "scope_id"],
        update_fields=["participants", "figures", "computed_at"],
    )
    wanted = {(scope, key) for scope, key in figures}
    stale = [
        pk
        for pk, scope, key in Summary.objects.values_list("pk", "scope", "scope_id")
        if (scope, key) not in wanted
    ]
    Summary.objects.filter(pk__in=stale).delete()
    return len(figures)


def summaries_mark() -> None:
    """Record that the project changed: the job recomputes the summaries soon after."""
    # The latest mark's time: a job clears it only if it began after it.
    now = timezone.now()
    if not SummaryState.objects.filter(pk=1).update(dirty_since=now):
        SummaryState.objects.get_or_create(pk=1, defaults={"dirty_since": now})


SUMMARIES_KEY = "projects.summaries"


def summaries_recompute_enqueue(*, force: bool = False) -> None:
    """A durable job recomputes the summaries once the changes of the next few seconds have
    joined it (PROJECT_SUMMARIES_DELAY_SECONDS); one waits at a time."""
    job_enqueue(
        kind="projects.summaries",
        key=SUMMARIES_KEY + (".forced" if force else ""),
        args={"force": force},
        delay=0 if force else settings.PROJECT_SUMMARIES_DELAY_SECONDS,
    )


def summaries_recompute(*, force: bool = False) -> int:
    """Recompute every summary if the project changed since the last time (or force); returns
    how many were written. Safe twice: a second run finds nothing to do."""
    state = SummaryState.objects.filter(pk=1).values_list("dirty_since", "computed_at").first()
    dirty_since, computed_at = state if state else (None, None)
    if not force and dirty_since is None and computed_at is not None:
        return 0
    started = timezone.now()
    written = summaries_write(summaries_compute())
    # Only what was marked before this run began is in these figures: a later mark stays.
    SummaryState.objects.update_or_create(pk=1, defaults={"computed_at": started})
    SummaryState.objects.filter(pk=1, dirty_since__lte=started).update(dirty_since=None)
    return written


def summaries_stale_since() -> datetime.datetime | None:
    return SummaryState.objects.filter(pk=1).values_list("dirty_since", flat=True).first()


# --- Quarterly reviews ------------------------------------------------------------------------


def quarter_key(moment: datetime.datetime | datetime.date) -> int:
    """20263 for a moment of July to September 2026."""
    return moment.year * 10 + (moment.month - 1) // 3 + 1


def _quarters(values: pd.Series) -> pd.Series:
    moments = pd.to_datetime(values, utc=True, format="ISO8601")
    return moments.dt.year * 10 + (moments.dt.month - 1) // 3 + 1


def _quarter_reviews(
    participants: pd.DataFrame, choices: pd.DataFrame
) -> dict[tuple[str, int], dict]:
    """Each quarter's review: who joined, the choices recorded and what those started or kept
    avoid, the footprints recorded, the workshops held (with their conclusions)."""
    reviews: dict[tuple[str, int], dict] = defaultdict(_empty_review)
    joined = participants.assign(quarter=_quarters(participants["created_at"]))
    for (quarter, kind), count in joined.groupby(["quarter", "kind"]).size().items():
        reviews[(Scope.QUARTER.value, int(quarter))]["participants"][kind] = int(count)
    visible = set(participants["participant"].tolist())
    choices = choices[choices["participant"].isin(visible)]
    if not choices.empty:
        choices = choices.assign(quarter=_quarters(choices["created_at"]))
        for (quarter, category), count in choices.groupby(["quarter", "category"]).size().items():
            entry = reviews[(Scope.QUARTER.value, int(quarter))]
            entry["by_category"][category] = int(count)
            entry["choices"] += int(count)
        active = choices[choices["status"].isin(ACTIVE) & (choices["change"] < 0)]
        for quarter, total in active.groupby("quarter")["change"].sum().items():
            reviews[(Scope.QUARTER.value, int(quarter))]["avoided_kg"] = int(-total)
    footprints = Footprint.objects.filter(participant_id__in=list(visible)).values_list(
        "measured_on", flat=True
    )
    for measured_on in footprints.iterator(chunk_size=5000):
        reviews[(Scope.QUARTER.value, quarter_key(measured_on))]["footprints"] += 1
    held = Workshop.objects.filter(
        cancelled_at__isnull=True, starts_at__lte=timezone.now()
    ).order_by("starts_at", "pk")
    for workshop in held.values("pk", "title", "starts_at", "conclusions_id"):
        reviews[(Scope.QUARTER.value, quarter_key(workshop["starts_at"]))]["workshops"].append(
            {
                "pk": workshop["pk"],
                "title": workshop["title"],
                "starts_at": workshop["starts_at"].isoformat(),
                "concluded": workshop["conclusions_id"] is not None,
            }
        )
    return dict(reviews)


def _empty_review() -> dict:
    return {
        "participants": {},
        "choices": 0,
        "by_category": {},
        "avoided_kg": 0,
        "footprints": 0,
        "workshops": [],
    }
