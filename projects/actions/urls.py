from django.urls import path

from projects.actions import views

app_name = "actions"

urlpatterns = [
    path("cg/<slug:cg>/actions/", views.action_list, name="list"),
    path("cg/<slug:cg>/actions/new/", views.action_new, name="new"),
    path("cg/<slug:cg>/actions/<int:action>/", views.action_detail, name="detail"),
    path("cg/<slug:cg>/actions/<int:action>/edit/", views.action_edit, name="edit"),
    path("cg/<slug:cg>/actions/<int:action>/publish/", views.action_publish, name="publish"),
    path(
        "cg/<slug:cg>/actions/<int:action>/evaluations/",
        views.action_evaluations,
        name="evaluations",
    ),
    path("cg/<slug:cg>/actions/<int:action>/pledges/new/", views.pledge_new, name="pledge_new"),
    path(
        "cg/<slug:cg>/actions/<int:action>/pledges/<int:pledge>/keep/",
        views.pledge_keep,
        name="pledge_keep",
    ),
    path(
        "cg/<slug:cg>/actions/<int:action>/pledges/<int:pledge>/withdraw/",
        views.pledge_withdraw,
        name="pledge_withdraw",
    ),
]
