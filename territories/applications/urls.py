from django.urls import path

from territories.applications import views

app_name = "applications"

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("secretariat/applications/", views.queue, name="queue"),
]
