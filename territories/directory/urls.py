from django.urls import path

from territories.directory import views

app_name = "directory"

urlpatterns = [
    path("groups/", views.directory, name="directory"),
    path("groups/feed.rss", views.feed_groups_rss, name="feed_groups_rss"),
    path("groups/feed.atom", views.feed_groups_atom, name="feed_groups_atom"),
    path("groups/homogeneous/feed.rss", views.feed_homogeneous_rss, name="feed_homogeneous_rss"),
    path("groups/homogeneous/feed.atom", views.feed_homogeneous_atom, name="feed_homogeneous_atom"),
    path("cg/<slug:cg>/", views.group, name="group"),
    path("cg/<slug:cg>/feed.rss", views.group_feed_rss, name="group_feed_rss"),
    path("cg/<slug:cg>/feed.atom", views.group_feed_atom, name="group_feed_atom"),
]
