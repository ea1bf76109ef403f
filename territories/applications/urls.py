from django.urls import path

from territories.applications import views

app_name = "applications"

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("apply/sent/", views.sent, name="sent"),
    path("apply/<str:key>/", views.edit, name="edit"),
    path("secretariat/applications/", views.queue, name="queue"),
    path("secretariat/applications/<int:pk>/", views.detail, name="detail"),
    path("secretariat/applications/<int:pk>/comment/", views.comment, name="comment"),
    path(
        "secretariat/applications/<int:pk>/request-changes/",
        views.request_changes,
        name="request_changes",
    ),
    path("secretariat/applications/<int:pk>/approve/", views.approve, name="approve"),
    path("secretariat/applications/<int:pk>/reject/", views.reject, name="reject"),
]
