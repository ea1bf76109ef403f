from django.urls import path

from territories.letters import views

app_name = "letters"

urlpatterns = [
    path("secretariat/letters/", views.manage_list, name="manage_list"),
    path("secretariat/letters/new/", views.new, name="new"),
    path("secretariat/letters/<int:letter>/", views.manage, name="manage"),
    path("secretariat/letters/<int:letter>/send/", views.send, name="send"),
    path("letters/", views.letter_list, name="list"),
    path("letters/feed.rss", views.feed_rss, name="feed_rss"),
    path("letters/feed.atom", views.feed_atom, name="feed_atom"),
    path("letters/<int:letter>/", views.detail, name="detail"),
]
