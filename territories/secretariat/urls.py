from django.urls import include, path

from territories.secretariat import views

app_name = "secretariat"

urlpatterns = [
    path("secretariat/", views.dashboard, name="dashboard"),
    path("secretariat/groups/", views.groups, name="groups"),
    path("secretariat/groups/<slug:cg>/", views.group, name="group"),
    path("secretariat/groups/<slug:cg>/validate/", views.group_validate, name="group_validate"),
    path("secretariat/groups/<slug:cg>/hide/", views.group_hide, name="group_hide"),
    path("secretariat/groups/<slug:cg>/unhide/", views.group_unhide, name="group_unhide"),
    path("secretariat/geography/", views.geography, name="geography"),
    path("secretariat/geography/import/", views.geography_import, name="geography_import"),
    path(
        "secretariat/geography/template.csv",
        views.geography_template,
        name="geography_template",
    ),
    path("secretariat/profiles/", views.profiles, name="profiles"),
    path("secretariat/profiles/new/", views.profile_new, name="profile_new"),
    path("secretariat/profiles/<int:pk>/", views.profile_edit, name="profile_edit"),
    path("secretariat/audit/", views.audit, name="audit"),
    path("", include("territories.secretariat.bulk.urls")),
    path("network/members/", views.members, name="members"),
    path("network/members/new/", views.member_new, name="member_new"),
    path("network/members/<int:pk>/edit/", views.member_edit, name="member_edit"),
]
