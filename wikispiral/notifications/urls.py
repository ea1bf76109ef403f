from django.urls import path

from wikispiral.notifications import views

app_name = "notifications"

urlpatterns = [
    path("follow/", views.follow, name="follow"),
    path("unfollow/", views.unfollow, name="unfollow"),
    path("my/notifications/", views.notification_list, name="list"),
    path("my/notifications/settings/", views.settings_page, name="settings"),
    path("my/following/", views.following, name="following"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
