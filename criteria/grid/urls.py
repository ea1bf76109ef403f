from django.urls import path

from criteria.grid import views

app_name = "grid"

urlpatterns = [
    # Public reference data: the grid holds no group's data.
    path("grid/", views.grid, name="grid"),
    path("grid/v<int:version>/", views.version, name="version"),
    # The secretariat.
    path("secretariat/grid/", views.versions, name="versions"),
    path("secretariat/grid/template.csv", views.template, name="template"),
    path("secretariat/grid/import/", views.import_upload, name="import"),
    path("secretariat/grid/import/<str:token>/", views.import_preview, name="import_preview"),
    # A coordination group's own questions (facilitators).
    path("cg/<slug:cg>/questions/", views.questions, name="questions"),
    path(
        "cg/<slug:cg>/questions/<int:question>/edit/",
        views.question_edit,
        name="question_edit",
    ),
    path(
        "cg/<slug:cg>/questions/<int:question>/deactivate/",
        views.question_deactivate,
        name="question_deactivate",
    ),
    path(
        "cg/<slug:cg>/questions/<int:question>/reactivate/",
        views.question_reactivate,
        name="question_reactivate",
    ),
    path(
        "cg/<slug:cg>/questions/<int:question>/delete/",
        views.question_delete,
        name="question_delete",
    ),
]
