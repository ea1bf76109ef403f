"""Form widgets shared by the apps."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

_SELECTED = mark_safe(" selected")  # noqa: S308 - a constant


class FastSelect(forms.Select):
    """A flat <select> whose options are written in Python.

    Django renders each option through its own template, about 25 µs apiece: a filter listing
    the hundreds of homogeneous groups of a coordination group cost more than the rest of the
    page. No optgroups (flat choices only).
    """

    def render(
        self, name: str, value: object, attrs: dict | None = None, renderer: object = None
    ) -> SafeString:
        chosen = {str(item) for item in (value if isinstance(value, list | tuple) else [value])}
        chosen.discard("None")
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, _SELECTED if str(key) in chosen else "", label) for key, label in self.choices),
        )
        final = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), options)
