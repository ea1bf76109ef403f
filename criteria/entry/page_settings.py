"""The fast-entry page's settings, carried in its addresses and forms: the session date and the
language of new criteria (when they are not the group's defaults), and the questions whose column
shows every criterion (?all=q<id>)."""

import datetime
import re
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.http import urlencode

from criteria.entry.forms import EntrySettingsForm
from criteria.services import session_date_default
from territories.models import HomogeneousGroup

# An id has at most 19 digits (a BigAutoField); int() refuses strings past 4,300 digits.
MAX_ID_DIGITS = 19
_EXPANDED = re.compile(rf"^q([0-9]{{1,{MAX_ID_DIGITS}}})$")


@dataclass
class Settings:
    """The page's session date and language, whether they are the group's defaults, and the
    columns shown in full."""

    session_date: datetime.date
    language: str
    default_date: datetime.date
    default_language: str
    # The questions whose column shows every criterion (?all=q<id>, without JavaScript).
    expanded: list[int] = field(default_factory=list)

    def query(self, expand: int | None = None) -> str:
        params: list[tuple[str, str]] = []
        if self.session_date != self.default_date:
            params.append(("session_date", self.session_date.isoformat()))
        if self.language != self.default_language:
            params.append(("language", self.language))
        expanded = self.expanded + ([expand] if expand and expand not in self.expanded else [])
        params.extend(("all", f"q{pk}") for pk in expanded)
        return urlencode(params)


def expanded_questions(data: QueryDict | None) -> list[int]:
    """The questions asked for in full: ?all=q12&all=q13 (a few at most)."""
    found: list[int] = []
    for value in data.getlist("all")[:20] if data else []:
        match = _EXPANDED.match(value)
        if match and int(match[1]) not in found:
            found.append(int(match[1]))
    return found


def page_settings(
    group: HomogeneousGroup, data: QueryDict | None = None
) -> tuple[Settings, EntrySettingsForm]:
    """The settings asked for in data (a GET or POST), falling back to the group's defaults."""
    session_date = session_date_default(group)
    defaults = {"session_date": session_date, "language": group.language}
    current = Settings(
        session_date=session_date,
        language=group.language,
        default_date=session_date,
        default_language=group.language,
        expanded=expanded_questions(data),
    )
    asked = {key: data.get(key) for key in defaults if data and data.get(key)}
    if not asked:
        return current, EntrySettingsForm(initial=defaults, group=group)
    form = EntrySettingsForm({**defaults, **asked}, group=group)
    if form.is_valid():
        current.session_date = form.cleaned_data["session_date"]
        current.language = form.cleaned_data["language"]
    return current, form
