from django.urls import path

from criteria.info import views

app_name = "info"

urlpatterns = [
    path("cg/<slug:cg>/info-criteria/", views.group, name="group"),
    path(
        "cg/<slug:cg>/groups/<slug:hg>/info-criteria/",
        views.homogeneous_group,
        name="homogeneous_group",
    ),
]
