from django.urls import path

from territories.membership import views

app_name = "membership"

urlpatterns = [
    path("membership/", views.page, name="page"),
    path("membership/apply/", views.apply, name="apply"),
    path("membership/sent/", views.sent, name="sent"),
    path("membership/request/<str:key>/", views.edit, name="edit"),
    path("cg/<slug:cg>/membership/", views.group_apply, name="group_apply"),
    path("secretariat/membership/", views.queue, name="queue"),
    path("secretariat/membership/<int:pk>/", views.detail, name="detail"),
    path("secretariat/membership/<int:pk>/comment/", views.comment, name="comment"),
    path(
        "secretariat/membership/<int:pk>/request-changes/",
        views.request_changes,
        name="request_changes",
    ),
    path("secretariat/membership/<int:pk>/approve/", views.approve, name="approve"),
    path("secretariat/membership/<int:pk>/reject/", views.reject, name="reject"),
]
