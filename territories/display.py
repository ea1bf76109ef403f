"""How numbers of participants read on pages, feeds and reports.

A homogeneous group whose facilitators gave no number has an unknown number of participants,
never zero (a group of citizens has at least one; the model refuses 0). A sum over groups
where some gave no number is a lower bound: it reads "at least N", and "not given" when no
group gave one. The syntheses store such groups with 0 in their groups table, which is why
they pass the number of groups without one as `unknown`.
"""

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext


def _number(count: int) -> str:
    return number_format(count, force_grouping=True)


def participants_text(count: int | None, *, unknown: int = 0) -> str:
    """A phrase: "12 participants", "at least 12 participants" when `unknown` groups gave no
    number, "number of participants not given" when nothing is known."""
    if not count and (unknown or count is None):
        return _("number of participants not given")
    count = count or 0
    if unknown:
        return ngettext(
            "at least %(counter)s participant", "at least %(counter)s participants", count
        ) % {"counter": _number(count)}
    # The msgid the group page's template had: its French and Portuguese serve here as they are.
    return ngettext("%(counter)s participant", "%(counter)s participants", count) % {
        "counter": _number(count)
    }


def participants_figure(count: int | None, *, unknown: int = 0) -> str:
    """The same for a cell under a "Participants" heading: "12", "at least 12", "not given"."""
    # With a context: the words agree with "number of participants" in gendered languages.
    if not count and (unknown or count is None):
        return pgettext("number of participants", "not given")
    count = count or 0
    if unknown:
        return pgettext("number of participants", "at least %(count)s") % {"count": _number(count)}
    return _number(count)
