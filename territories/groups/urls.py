from django.urls import path

from territories.groups import views

app_name = "groups"

urlpatterns = [
    path("cg/<slug:cg>/", views.group, name="group"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
