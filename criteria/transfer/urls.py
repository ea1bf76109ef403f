"""Import and export of criteria.

A format is part of the address (export.csv, export.xlsx, export.json), one pattern per format
under one name: reverse with fmt, e.g. {% url 'transfer:export_cg' cg=... fmt='xlsx' %}. Any
other extension matches no pattern (404).
"""

from collections.abc import Callable

from django.http import HttpResponseBase
from django.urls import URLPattern, path

from criteria.transfer import views

app_name = "transfer"

FORMATS = ("csv", "xlsx", "json")


def _formats(
    route: str,
    view: Callable[..., HttpResponseBase],
    name: str,
    formats: tuple[str, ...] = FORMATS,
) -> list[URLPattern]:
    return [path(f"{route}.{fmt}", view, {"fmt": fmt}, name=name) for fmt in formats]


urlpatterns = [
    path("cg/<slug:cg>/criteria/import/", views.import_upload, name="import"),
    *_formats(
        "cg/<slug:cg>/criteria/import/template",
        views.import_template,
        "import_template",
        ("csv", "xlsx"),
    ),
    path("cg/<slug:cg>/criteria/import/<int:batch>/", views.import_batch, name="import_batch"),
    path(
        "cg/<slug:cg>/criteria/import/<int:batch>/commit/",
        views.import_commit,
        name="import_commit",
    ),
    path(
        "cg/<slug:cg>/criteria/import/<int:batch>/retry/",
        views.import_retry,
        name="import_retry",
    ),
    path("cg/<slug:cg>/criteria/export/", views.export_page, name="export"),
    *_formats("cg/<slug:cg>/criteria/export", views.export_cg, "export_cg"),
    *_formats("cg/<slug:cg>/groups/<slug:hg>/criteria/export", views.export_hg, "export_hg"),
    *_formats("criteria/export/<str:country>", views.export_country, "export_country"),
    *_formats("criteria/export", views.export_network, "export_network"),
    path("criteria/open-data.zip", views.open_data, name="open_data"),
]
