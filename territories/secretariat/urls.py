from django.urls import path

from territories.secretariat import views

app_name = "secretariat"

urlpatterns = [
    path("secretariat/", views.dashboard, name="dashboard"),
    path("network/members/", views.members, name="members"),
]
