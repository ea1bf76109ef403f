"""The secretariat's move-in form: the old site's exports, each optional, and a dry run."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

ARCHIVES = ".zip,.tar,.tgz,.gz,application/zip,application/x-tar,application/gzip"


def max_bytes() -> int:
    return int(settings.MOVEIN_MAX_UPLOAD_BYTES)


class MoveInForm(forms.Form):
    pages = forms.FileField(
        label=_("Page export"),
        required=False,
        help_text=_("Tiki's “export wiki pages”: a zip or tar of the page files."),
        widget=forms.ClearableFileInput(attrs={"accept": ARCHIVES}),
    )
    structure = forms.FileField(
        label=_("Tree and translations"),
        required=False,
        help_text=_("Optional CSV: page, parent, position, language, translation of."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    trackers = forms.FileField(
        label=_("Tracker exports"),
        required=False,
        help_text=_("A zip of the trackers' CSV exports, or one CSV."),
        widget=forms.ClearableFileInput(attrs={"accept": ARCHIVES + ",.csv,text/csv"}),
    )
    mapping = forms.FileField(
        label=_("Mapping"),
        required=False,
        help_text=_("The TOML file that says which tracker is which and which column is which."),
        widget=forms.ClearableFileInput(attrs={"accept": ".toml,text/plain"}),
    )
    files = forms.FileField(  # type: ignore[assignment]  # a field, not BaseForm.files
        label=_("Gallery files"),
        required=False,
        help_text=_("A zip of the files with their listing (listing.csv) inside."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: show what would happen, write nothing"),
        required=False,
        initial=True,
    )

    SOURCES = ("pages", "structure", "trackers", "mapping", "files")

    def clean(self) -> dict:
        data = super().clean() or {}
        limit = max_bytes()
        for name in self.SOURCES:
            upload = data.get(name)
            if upload is not None and upload.size > limit:
                self.add_error(
                    name,
                    _("The file is larger than %(size)d MB.") % {"size": limit // (1024 * 1024)},
                )
        if not any(data.get(name) for name in ("pages", "trackers", "files")):
            raise forms.ValidationError(
                _("Give at least the page export, the tracker exports or the gallery files.")
            )
        if data.get("trackers") and not data.get("mapping"):
            self.add_error("mapping", _("Tracker exports need their mapping file."))
        return data

    def uploads(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in self.SOURCES if self.cleaned_data.get(name)
        }
