from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from territories.letters.services import MAX_TITLE_LENGTH


class LetterForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE_LENGTH)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("The language you write it in; translations are added afterwards."),
    )
    body = forms.CharField(
        label=_("Text"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "true"}),
        help_text=_(
            "Markdown, as on every wiki page: # Heading, **bold**, *italic*, - list, "
            "[[Page title]] for a link to a page of the wiki."
        ),
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("A letter needs a text."))
        return body
