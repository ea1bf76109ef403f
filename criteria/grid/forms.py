"""Forms of the grid pages: uploading a new grid version and a group's own questions."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from criteria.grid.files import EXTENSIONS, MAX_BYTES
from criteria.grid.services import QUESTION_SHORT_NAME_MAX, QUESTION_TEXT_MAX
from criteria.models import Question
from wikispiral.typing import StrOrPromise


class GridUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Grid file"),
        help_text=_("A CSV file (UTF-8) or an XLSX workbook, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    name = forms.CharField(
        label=_("Name of the new version"),
        max_length=120,
        help_text=_("For example: Grid 2027, with the official labels."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What changes and why, for those who will read the versions page."),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // 1024 // 1024}
            )
        return upload


class QuestionForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        help_text=_("Short and unique in the group, such as Q4. Q1, Q2 and Q3 are the network's."),
    )
    text_en = forms.CharField(
        label=_("Question in English"),
        required=False,
        max_length=QUESTION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "lang": "en"}),
    )
    text_fr = forms.CharField(
        label=_("Question in French"),
        required=False,
        max_length=QUESTION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "lang": "fr"}),
    )
    text_pt = forms.CharField(
        label=_("Question in Portuguese"),
        required=False,
        max_length=QUESTION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "lang": "pt"}),
    )
    short_name_en = forms.CharField(
        label=_("Short name in English"),
        required=False,
        max_length=QUESTION_SHORT_NAME_MAX,
        widget=forms.TextInput(attrs={"lang": "en"}),
    )
    short_name_fr = forms.CharField(
        label=_("Short name in French"),
        required=False,
        max_length=QUESTION_SHORT_NAME_MAX,
        widget=forms.TextInput(attrs={"lang": "fr"}),
    )
    short_name_pt = forms.CharField(
        label=_("Short name in Portuguese"),
        required=False,
        max_length=QUESTION_SHORT_NAME_MAX,
        widget=forms.TextInput(attrs={"lang": "pt"}),
    )
    order = forms.IntegerField(
        label=_("Order"),
        required=False,
        min_value=0,
        max_value=32767,
        help_text=_("Questions are shown by increasing order; leave empty to put it last."),
    )

    LANGUAGES = ("en", "fr", "pt")

    @classmethod
    def initial_for(cls, question: Question) -> dict[str, object]:
        initial: dict[str, object] = {"code": question.code, "order": question.order}
        for language in cls.LANGUAGES:
            initial[f"text_{language}"] = question.texts.get(language, "")
            initial[f"short_name_{language}"] = question.short_names.get(language, "")
        return initial

    def sections(self) -> list[tuple[StrOrPromise, list[forms.BoundField]]]:
        return [
            (_("Code and order"), [self["code"], self["order"]]),
            (
                _("The question, in one language or more"),
                [self[f"text_{language}"] for language in self.LANGUAGES],
            ),
            (
                _("Short names for column headings (optional)"),
                [self[f"short_name_{language}"] for language in self.LANGUAGES],
            ),
        ]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "texts": {language: data[f"text_{language}"] for language in self.LANGUAGES},
            "short_names": {
                language: data[f"short_name_{language}"] for language in self.LANGUAGES
            },
            "order": data["order"],
        }
