from django.urls import path

from projects.indicators import views

app_name = "indicators"

urlpatterns = [
    path("indicators/shared/", views.shared, name="shared"),
    path("cg/<slug:cg>/indicators/", views.index, name="list"),
    path("cg/<slug:cg>/indicators/new/", views.new, name="new"),
    path(
        "cg/<slug:cg>/indicators/adopt/<int:indicator>/",
        views.adopt,
        name="adopt",
    ),
    path("cg/<slug:cg>/indicators/<int:indicator>/", views.detail, name="detail"),
    path("cg/<slug:cg>/indicators/<int:indicator>/edit/", views.edit, name="edit"),
    path("cg/<slug:cg>/indicators/<int:indicator>/history/", views.history, name="history"),
    path(
        "cg/<slug:cg>/indicators/<int:indicator>/history/<int:number>/",
        views.revision,
        name="revision",
    ),
]
