"""The forms of following and of a person's choices (never rendered field by field: the
templates lay them out; these check what comes back)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wikispiral.notifications.models import Preference
from wikispiral.notifications.registry import MAX_KEY_LENGTH, followable_kinds


class FollowForm(forms.Form):
    kind = forms.CharField(max_length=20)
    key = forms.CharField(max_length=MAX_KEY_LENGTH)
    next = forms.CharField(max_length=2000, required=False)

    def clean_kind(self) -> str:
        kind: str = self.cleaned_data["kind"]
        if kind not in followable_kinds():
            raise forms.ValidationError(_("There is nothing to follow here."))
        return kind

    def clean_key(self) -> str:
        key: str = self.cleaned_data["key"]
        if "\x00" in key:
            raise forms.ValidationError(_("There is nothing to follow here."))
        return key


class SettingsForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("E-mail digest of what changed in what I follow"),
        choices=Preference.Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how often you want the e-mail digest."),
            "invalid_choice": _(
                "Choose how often you want the e-mail digest: at once, once a day, once a "
                "week, or never."
            ),
        },
    )
    follow_edits = forms.BooleanField(
        label=_("Follow the pages I create or edit"),
        help_text=_("As on most wikis: what you wrote, you hear about when others change it."),
        required=False,
    )
    letter = forms.BooleanField(label=_("Get the network letter by e-mail"), required=False)
