"""The filters of a synthesis (GET forms) and the choice of what to compare it with.

The lists offer what the scope's snapshot holds (its years, questions, group profiles and
languages); values outside them are still accepted when they name something real (a shared
link may ask for a year or a profile the scope does not have: "nothing matches", not an error).
Values that name nothing (a year that is not a number, an unknown question or profile) are
refused: the view answers 400 with the message.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from criteria.models import Question
from syntheses.selectors import Filters
from territories.models import Profile
from wikispiral.tenancy import cross_tenant
from wikispiral.text import language_name
from wikispiral.typing import StrOrPromise

YEAR_MIN = 1900
YEAR_MAX = 2200
FILTER_FIELDS = ("year_from", "year_to", "question", "profile", "language")
COMPARE_PREFIX = "with_"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})?$", re.IGNORECASE)
# Checked before any query: a NUL byte or a long string never reaches the database.
_QUESTION = re.compile(r"^[\w.-]{1,12}$")


@dataclass(frozen=True)
class Facets:
    """What a snapshot holds, for the filter lists: years, (question code, name),
    (profile id, name), language codes."""

    years: list[int] = field(default_factory=list)
    questions: list[tuple[str, str]] = field(default_factory=list)
    profiles: list[tuple[int, str]] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)


def filters_data(query: QueryDict, prefix: str = "") -> QueryDict:
    """The query string with `year` (or `with_year`) spelled out as a one-year period."""
    data = query.copy()
    year = data.get(f"{prefix}year", "")
    if year:
        for name in ("year_from", "year_to"):
            if not data.get(f"{prefix}{name}"):
                data[f"{prefix}{name}"] = year
    return data


def filters_query(filters: Filters, prefix: str = "") -> str:
    """Filters as a query string (without "?"), "" when none."""
    return urlencode({f"{prefix}{name}": value for name, value in filters.as_dict().items()})


class _YearField(forms.IntegerField):
    def __init__(self, *, label: StrOrPromise) -> None:
        super().__init__(
            label=label,
            required=False,
            min_value=YEAR_MIN,
            max_value=YEAR_MAX,
            widget=forms.Select,
            error_messages={
                "invalid": _("Give a year as a number, such as 2024."),
                "min_value": _("Give a year between 1900 and 2200."),
                "max_value": _("Give a year between 1900 and 2200."),
            },
        )


class FiltersForm(forms.Form):
    """Year or period, question, group profile, language; every field optional."""

    year_from = _YearField(label=_("From the year"))
    year_to = _YearField(label=_("To the year"))
    # No max_length: a <select> takes no maxlength attribute; clean_* check the values.
    question = forms.CharField(label=_("Question"), required=False, widget=forms.Select)
    profile = forms.IntegerField(
        label=_("Group profile"),
        required=False,
        min_value=1,
        widget=forms.Select,
        error_messages={
            "invalid": _("Choose a group profile from the list."),
            "min_value": _("Choose a group profile from the list."),
        },
    )
    language = forms.CharField(
        label=_("Language of the criteria"), required=False, widget=forms.Select
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        facets: Facets,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.facets = facets
        self._offer()

    def _offer(self) -> None:
        """Fill the lists, keeping a value asked for that the snapshot lacks selected."""
        asked = {name: self.data.get(self.add_prefix(name), "") for name in FILTER_FIELDS}
        years = [str(year) for year in self.facets.years]
        for name, empty in (("year_from", _("Any year")), ("year_to", _("Any year"))):
            extra = [asked[name]] if asked[name] and asked[name] not in years else []
            self.fields[name].widget.choices = [("", empty)] + [
                (year, year) for year in sorted(years + extra)
            ]
        questions = [("", _("All questions")), *self.facets.questions]
        if asked["question"] and asked["question"] not in dict(self.facets.questions):
            questions.append((asked["question"], asked["question"]))
        self.fields["question"].widget.choices = questions
        profiles = [("", _("All group profiles"))] + [
            (str(pk), name) for pk, name in self.facets.profiles
        ]
        if asked["profile"] and asked["profile"] not in {pk for pk, _name in profiles}:
            profiles.append((asked["profile"], asked["profile"]))
        self.fields["profile"].widget.choices = profiles
        languages = [("", _("All languages"))] + [
            (code, language_name(code)) for code in self.facets.languages
        ]
        if asked["language"] and asked["language"] not in self.facets.languages:
            languages.append((asked["language"], asked["language"]))
        self.fields["language"].widget.choices = languages

    def clean_question(self) -> str:
        code = self.cleaned_data["question"].strip()
        if not code or code in dict(self.facets.questions):
            return code
        with cross_tenant():
            known = bool(_QUESTION.match(code)) and Question.objects.filter(code=code).exists()
        if not known:
            raise forms.ValidationError(_("There is no such question: choose one from the list."))
        return code

    def clean_profile(self) -> int | None:
        pk = self.cleaned_data["profile"]
        if pk is None or pk in dict(self.facets.profiles):
            return pk
        if not Profile.objects.filter(pk=pk).exists():
            raise forms.ValidationError(
                _("There is no such group profile: choose one from the list.")
            )
        return pk

    def clean_language(self) -> str:
        code = self.cleaned_data["language"].strip()
        if code and not _LANGUAGE.match(code):
            raise forms.ValidationError(_("Choose a language from the list."))
        return code

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        low, high = data.get("year_from"), data.get("year_to")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError(_("The first year of the period comes after the last."))
        return data

    def filters(self) -> Filters:
        """The valid filters (call after is_valid())."""
        return Filters.from_cleaned(self.cleaned_data)


class CompareForm(FiltersForm):
    """What to compare a synthesis with: another scope (`with`, a synthesis key; the same one
    by default) and its own period, profile and language (`with_year_from`, `with_year`…). The
    question is shared: it is taken from the first side's filters."""

    scope = forms.CharField(label=_("Compare with"), required=False, max_length=40)

    field_order = ["scope", "year_from", "year_to", "profile", "language"]

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        facets: Facets,
        scopes: list[tuple[str, str]],
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, facets=facets, initial=initial)
        del self.fields["question"]
        self.fields["scope"].widget = forms.Select(choices=scopes)
        asked = self.data.get(self.add_prefix("scope"), "")
        if asked and asked not in dict(scopes):
            self.fields["scope"].widget.choices = [*scopes, (asked, asked)]
        self.fields["year_from"].label = _("Its first year")
        self.fields["year_to"].label = _("Its last year")
        self.fields["profile"].label = _("Its group profile")
        self.fields["language"].label = _("Its language")

    def add_prefix(self, field_name: str) -> str:
        return "with" if field_name == "scope" else f"{COMPARE_PREFIX}{field_name}"

    def clean_question(self) -> str:
        return ""
