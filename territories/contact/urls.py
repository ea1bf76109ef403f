from django.urls import path

from territories.contact import views

app_name = "contact"

urlpatterns = [
    path("contact/", views.secretariat_write, name="secretariat"),
    path("contact/sent/", views.sent, name="sent"),
    path("cg/<slug:cg>/contact/", views.group_write, name="group"),
    path("secretariat/contact/", views.secretariat_inbox, name="inbox"),
    path("secretariat/contact/<int:pk>/", views.secretariat_message, name="message"),
    path(
        "secretariat/contact/<int:pk>/status/",
        views.secretariat_message_status,
        name="message_status",
    ),
    path("cg/<slug:cg>/contact/inbox/", views.group_inbox, name="group_inbox"),
    path(
        "cg/<slug:cg>/contact/inbox/<int:message>/",
        views.group_message,
        name="group_message",
    ),
    path(
        "cg/<slug:cg>/contact/inbox/<int:message>/status/",
        views.group_message_status,
        name="group_message_status",
    ),
]
