from django.urls import path

from projects.evaluations import views

app_name = "evaluations"

urlpatterns = [
    path("cg/<slug:cg>/evaluations/", views.sessions, name="list"),
    path("cg/<slug:cg>/evaluations/new/", views.session_new, name="new"),
    path("cg/<slug:cg>/evaluations/compare/", views.compare, name="compare"),
    path("cg/<slug:cg>/evaluations/<int:session>/", views.session, name="detail"),
    path("cg/<slug:cg>/evaluations/<int:session>/edit/", views.session_edit, name="edit"),
    path("cg/<slug:cg>/evaluations/<int:session>/delete/", views.session_delete, name="delete"),
    path("cg/<slug:cg>/evaluations/<int:session>/placements/", views.placements, name="placements"),
    path(
        "cg/<slug:cg>/evaluations/<int:session>/placements/add/",
        views.placement_add,
        name="placement_add",
    ),
    path("cg/<slug:cg>/evaluations/<int:session>/publish/", views.session_publish, name="publish"),
    path(
        "cg/<slug:cg>/evaluations/<int:session>/unpublish/",
        views.session_unpublish,
        name="unpublish",
    ),
]
