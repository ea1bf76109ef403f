"""What an evaluation says about one indicator: how many placed the territory at each level
(the distribution) and the median level; and the change between two evaluations.

The median is that of the placements, each one the position of a level (1 is the worst): with
an even number of placements whose two middle ones differ it falls between two levels (2.5,
"between bad and average"), as pandas' median computes it. Shares are of the placements made.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Count
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from projects.models import EvaluationSession, Indicator, IndicatorLevel, Placement
from syntheses.charts import Bar, Chart, PairedBar, compare_svg, count_text, share_text


@dataclass(frozen=True)
class Distribution:
    """counts[i] placements at level i + 1, on a scale of len(counts) levels."""

    counts: tuple[int, ...]

    @property
    def levels(self) -> int:
        return len(self.counts)

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def median(self) -> float | None:
        return median_of(self.counts)

    def shares(self) -> list[float]:
        """Each level's share of the placements, in percent (0 for an empty distribution)."""
        total = self.total
        return [round(100 * count / total, 1) if total else 0.0 for count in self.counts]


def median_of(counts: Iterable[int]) -> float | None:
    """The median position (1-based) of placements counted per level; None without any."""
    counts = list(counts)
    total = sum(counts)
    if total == 0:
        return None

    def value_at(index: int) -> int:
        seen = 0
        for position, count in enumerate(counts, start=1):
            seen += count
            if index < seen:
                return position
        raise AssertionError("index past the placements")

    low, high = value_at((total - 1) // 2), value_at(total // 2)
    return (low + high) / 2


def distribution(counts: Mapping[int, int], levels: int) -> Distribution:
    """A distribution from {position: count} on a scale of levels levels (positions outside
    the scale are not counted: a scale that lost levels keeps only what still fits)."""
    return Distribution(tuple(int(counts.get(position, 0)) for position in range(1, levels + 1)))


def scale_sizes(indicator_ids: Iterable[int]) -> dict[int, int]:
    """The number of levels of each indicator, in one query."""
    ids = list(indicator_ids)
    rows = (
        IndicatorLevel.objects.filter(indicator_id__in=ids)
        .values("indicator_id")
        .annotate(n=Count("id"))
        .values_list("indicator_id", "n")
    )
    return dict(rows)


def sessions_distributions(
    sessions: Iterable[EvaluationSession],
) -> dict[int, dict[int, Distribution]]:
    """{session id: {indicator id: distribution}} for each session's indicators (an indicator
    nobody placed has an empty one), in three queries whatever the number of sessions. The
    caller is in the sessions' tenant scope."""
    ids = [session.pk for session in sessions]
    evaluated = list(
        EvaluationSession.indicators.through.objects.filter(evaluationsession_id__in=ids)
        .values_list("evaluationsession_id", "indicator_id")
        .order_by("evaluationsession_id", "indicator_id")
    )
    sizes = scale_sizes({indicator_id for _session, indicator_id in evaluated})
    counts: dict[int, dict[int, dict[int, int]]] = {pk: {} for pk in ids}
    for session_id, indicator_id in evaluated:
        counts[session_id][indicator_id] = {}
    rows = (
        Placement.objects.filter(session_id__in=ids)
        .values("session_id", "indicator_id", "level")
        .annotate(n=Count("id"))
        .values_list("session_id", "indicator_id", "level", "n")
    )
    for session_id, indicator_id, level, n in rows:
        counts[session_id].setdefault(indicator_id, {})[level] = n
    return {
        session_id: {pk: distribution(levels, sizes.get(pk, 0)) for pk, levels in by.items()}
        for session_id, by in counts.items()
    }


def session_distributions(session: EvaluationSession) -> dict[int, Distribution]:
    """The distribution of each of the session's indicators (see sessions_distributions)."""
    return sessions_distributions([session])[session.pk]


@dataclass(frozen=True)
class Change:
    """One indicator evaluated twice: before, after, and how far the median moved (positive:
    towards the ideal; None when either evaluation has no placement)."""

    indicator: Indicator
    before: Distribution
    after: Distribution

    @property
    def moved(self) -> float | None:
        if self.before.median is None or self.after.median is None:
            return None
        return self.after.median - self.before.median

    @cached_property
    def shown(self) -> "ChangeShown":
        """The change in words and charts, for _change.html (reads the indicator's levels
        once: prefetch indicator.levels for many)."""
        return change_shown(self)


def change_between(
    before: EvaluationSession,
    after: EvaluationSession,
    indicators: Iterable[Indicator] | None = None,
    *,
    evaluated_only: bool = False,
) -> list[Change]:
    """The change per indicator between two sessions of one group: the indicators given (by
    default those both sessions evaluated), in their order; with evaluated_only, only those of
    them that either session evaluated."""
    both = sessions_distributions([before, after])
    first, second = both[before.pk], both[after.pk]
    if indicators is not None and evaluated_only:
        indicators = [i for i in indicators if i.pk in first or i.pk in second]
    if indicators is None:
        wanted = [pk for pk in first if pk in second]
        indicators = Indicator.objects.filter(pk__in=wanted).order_by("id")
    changes = []
    for indicator in indicators:
        size = len(first.get(indicator.pk, Distribution(())).counts) or len(
            second.get(indicator.pk, Distribution(())).counts
        )
        empty = Distribution((0,) * size)
        changes.append(
            Change(indicator, first.get(indicator.pk, empty), second.get(indicator.pk, empty))
        )
    return changes


# --- In words and charts ----------------------------------------------------------------------
#
# What pages show of a distribution or a change: the level names in the reader's language, the
# median in words and as a number, and a server-side SVG chart (syntheses.charts) that the
# templates always follow with the same figures as a table.


def reader_language() -> str:
    """The reader's language code without its region ("pt" for "pt-br")."""
    return (get_language() or "").split("-")[0]


def level_names(
    indicator: Indicator, levels: Iterable[IndicatorLevel] | None = None, size: int | None = None
) -> list[str]:
    """The names of indicator's levels by position (1 first), in the reader's language, else
    the indicator's, else any; a level without a name is "Level n". levels defaults to
    indicator.levels.all() (prefetch it for many indicators); size to their number, as the
    distributions count them."""
    rows = list(indicator.levels.all() if levels is None else levels)
    size = len(rows) if size is None else size
    language = reader_language()
    by_position = {level.position: level for level in rows}
    names = []
    for position in range(1, size + 1):
        level = by_position.get(position)
        name = level.text("name", language, indicator.language) if level else ""
        names.append(name or _("Level %(position)d") % {"position": position})
    return names


def level_number_text(value: float) -> str:
    """A level or a difference of levels as written in the reader's language: 3, 2.5 (2,5)."""
    return number_format(value, 0 if value == int(value) else 1)


def median_words(median: float | None, names: Sequence[str]) -> str:
    """The median in words: a level's name, or "between Bad and Average" when it falls
    between two levels."""
    if median is None:
        return _("No placement yet")
    low, high = math.floor(median), math.ceil(median)
    if low == high:
        return names[low - 1] if 0 < low <= len(names) else level_number_text(median)
    if low < 1 or high > len(names):
        return level_number_text(median)
    return _("between %(lower)s and %(upper)s") % {
        "lower": names[low - 1],
        "upper": names[high - 1],
    }


@dataclass(frozen=True)
class LevelRow:
    position: int
    name: str
    count: int
    share: float  # of the placements, 0 to 1

    @property
    def count_text(self) -> str:
        return count_text(self.count)

    @property
    def share_text(self) -> str:
        return share_text(self.share)


def _rows(counts: Distribution, names: Sequence[str]) -> list[LevelRow]:
    total = counts.total
    return [
        LevelRow(position, name, count, count / total if total else 0.0)
        for position, (name, count) in enumerate(zip(names, counts.counts, strict=False), start=1)
    ]


@dataclass(frozen=True)
class DistributionShown:
    """One distribution as a page shows it: a chart and a table of the same figures, and the
    median in words and as a number (templates/projects/evaluations/_distribution.html)."""

    id: str
    title: str
    distribution: Distribution
    names: list[str]

    @property
    def total(self) -> int:
        return self.distribution.total

    @property
    def total_text(self) -> str:
        return count_text(self.total)

    @property
    def median(self) -> float | None:
        return self.distribution.median

    @property
    def median_words(self) -> str:
        return median_words(self.median, self.names)

    @property
    def median_text(self) -> str:
        return "" if self.median is None else level_number_text(self.median)

    @property
    def rows(self) -> list[LevelRow]:
        return _rows(self.distribution, self.names)

    @property
    def summary(self) -> str:
        """What the chart shows, in a sentence (its <desc>, and the text under it)."""
        placed = ngettext(
            "%(count)s participant placed the territory on this scale.",
            "%(count)s participants placed the territory on this scale.",
            self.total,
        ) % {"count": self.total_text}
        if self.median is None:
            return placed
        return _("%(placed)s Median: %(words)s (%(number)s).") % {
            "placed": placed,
            "words": self.median_words,
            "number": self.median_text,
        }

    @property
    def chart(self) -> Chart:
        bars = [
            Bar(str(row.position), f"{row.position} · {row.name}", row.count, row.share)
            for row in self.rows
        ]
        return Chart(
            id=self.id,
            title=self.title,
            description=_("%(summary)s The table below gives every figure.")
            % {"summary": self.summary},
            label_heading=_("Level"),
            total=self.total,
            bars=bars,
        )


def distribution_shown(
    distribution: Distribution, names: Sequence[str], *, title: str, chart_id: str
) -> DistributionShown:
    """distribution ready for _distribution.html (chart_id: unique on the page)."""
    return DistributionShown(chart_id, title, distribution, list(names))


@dataclass(frozen=True)
class ChangeRow:
    position: int
    name: str
    before: LevelRow
    after: LevelRow


@dataclass(frozen=True)
class ChangeShown:
    """A Change as a page shows it (templates/projects/evaluations/_change.html): both
    distributions, the median moved in words and with an arrow, a paired chart."""

    change: Change
    names: list[str]

    @property
    def indicator(self) -> Indicator:
        return self.change.indicator

    @property
    def id(self) -> str:
        return f"change-{self.change.indicator.pk}"

    @property
    def before(self) -> DistributionShown:
        title = _("%(indicator)s: before") % {"indicator": self.indicator.title}
        return DistributionShown(f"{self.id}-before", title, self.change.before, self.names)

    @property
    def after(self) -> DistributionShown:
        title = _("%(indicator)s: after") % {"indicator": self.indicator.title}
        return DistributionShown(f"{self.id}-after", title, self.change.after, self.names)

    @property
    def moved(self) -> float | None:
        return self.change.moved

    @property
    def direction(self) -> str:
        """ "up" (towards the ideal), "down", "same", or "unknown" without placements."""
        moved = self.moved
        if moved is None:
            return "unknown"
        return "up" if moved > 0 else "down" if moved < 0 else "same"

    @property
    def moved_text(self) -> str:
        """The median's move as a signed number of levels ("+1", "−0.5", "0")."""
        moved = self.moved
        if moved is None:
            return ""
        if moved == 0:
            return level_number_text(0)
        return ("+" if moved > 0 else "\u2212") + level_number_text(abs(moved))

    @property
    def moved_words(self) -> str:
        moved = self.moved
        if moved is None:
            return _("cannot be measured: one of the two evaluations has no placement")
        if moved == 0:
            return _("did not move")
        size = abs(moved)
        if size == 0.5:
            return _("moved up by half a level") if moved > 0 else _("moved down by half a level")
        levels = level_number_text(size)
        plural = 1 if size == 1 else math.ceil(size)
        if moved > 0:
            return ngettext(
                "moved up by %(levels)s level", "moved up by %(levels)s levels", plural
            ) % {"levels": levels}
        return ngettext(
            "moved down by %(levels)s level", "moved down by %(levels)s levels", plural
        ) % {"levels": levels}

    @property
    def rows(self) -> list[ChangeRow]:
        before, after = _rows(self.change.before, self.names), _rows(self.change.after, self.names)
        return [
            ChangeRow(first.position, first.name, first, second)
            for first, second in zip(before, after, strict=False)
        ]

    @property
    def summary(self) -> str:
        before, after = self.before, self.after
        return _("Median before: %(before)s; after: %(after)s. The median %(moved)s.") % {
            "before": f"{before.median_words} ({before.median_text})"
            if before.median is not None
            else before.median_words,
            "after": f"{after.median_words} ({after.median_text})"
            if after.median is not None
            else after.median_words,
            "moved": self.moved_words,
        }

    @property
    def chart(self) -> SafeString:
        return compare_svg(
            chart_id=self.id,
            title=self.indicator.title,
            description=_("%(summary)s Shares of each evaluation's placements per level.")
            % {"summary": self.summary},
            first_name=_("Before"),
            second_name=_("After"),
            bars=[
                PairedBar(
                    str(row.position),
                    f"{row.position} · {row.name}",
                    row.before.share,
                    row.after.share,
                )
                for row in self.rows
            ],
        )


def change_shown(change: Change, levels: Iterable[IndicatorLevel] | None = None) -> ChangeShown:
    """change ready for _change.html; levels default to change.indicator.levels.all()."""
    size = change.before.levels or change.after.levels
    return ChangeShown(change, level_names(change.indicator, levels, size))
