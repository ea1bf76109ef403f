from typing import cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wikispiral.wiki.models import Page
from wikispiral.wiki.services import MAX_COMMENT_LENGTH, MAX_TITLE_LENGTH


class PageEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE_LENGTH)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "true"}),
        help_text=_(
            "Markdown: # Heading, **bold**, *italic*, - list, | table |, [[Page title]] or "
            "[[Page title|label]] for a link to another page, ![description](attachment:name.png)."
        ),
    )
    comment = forms.CharField(
        label=_("Summary of your change"), max_length=MAX_COMMENT_LENGTH, required=False
    )
    base_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PageNewForm(PageEditForm):
    parent = forms.ModelChoiceField(
        label=_("Parent page"),
        queryset=Page.objects.none(),
        required=False,
        help_text=_("Where the page sits in the structure (breadcrumbs)."),
    )
    translation_of = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, parent_choices: list[Page] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ids = [page.pk for page in parent_choices or []]
        parent = cast(forms.ModelChoiceField, self.fields["parent"])
        parent.queryset = Page.objects.filter(pk__in=ids).order_by("title")


class PageMoveForm(forms.Form):
    title = forms.CharField(label=_("New title"), max_length=MAX_TITLE_LENGTH)
    slug = forms.SlugField(
        label=_("New address"),
        required=False,
        max_length=Page._meta.get_field("slug").max_length,
        allow_unicode=True,
        help_text=_("Leave empty to derive it from the title."),
    )
    comment = forms.CharField(label=_("Reason"), max_length=MAX_COMMENT_LENGTH, required=False)


class ReasonForm(forms.Form):
    comment = forms.CharField(label=_("Reason"), max_length=MAX_COMMENT_LENGTH, required=False)


class ProtectForm(ReasonForm):
    protected = forms.BooleanField(label=_("Only the secretariat may edit"), required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    name = forms.CharField(label=_("Name (optional)"), max_length=150, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "PNG, JPEG, GIF, WebP or PDF, up to %(max)d MB."
        ) % {"max": settings.WIKI_ATTACHMENT_MAX_BYTES // (1024 * 1024)}
