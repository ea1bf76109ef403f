from django.urls import path

from territories.secretariat.bulk import views

# Included from territories/secretariat/urls.py: the names live in the "secretariat" namespace.
urlpatterns = [
    path("secretariat/bulk/groups/", views.groups, name="bulk_groups"),
    path("secretariat/bulk/groups/open/", views.groups_open, name="bulk_groups_open"),
    path(
        "secretariat/bulk/groups/template.csv", views.groups_template, name="bulk_groups_template"
    ),
    path(
        "secretariat/bulk/homogeneous-groups/",
        views.homogeneous_groups,
        name="bulk_homogeneous_groups",
    ),
    path(
        "secretariat/bulk/homogeneous-groups/open/",
        views.homogeneous_groups_open,
        name="bulk_homogeneous_groups_open",
    ),
    path(
        "secretariat/bulk/homogeneous-groups/template.csv",
        views.homogeneous_groups_template,
        name="bulk_homogeneous_groups_template",
    ),
    path("secretariat/bulk/result/", views.result, name="bulk_result"),
]
