from django.urls import path

from territories.directory import views

app_name = "directory"

# A group's latest additions (directory:group_feed_rss and directory:group_feed_atom) gather
# several apps: wikispiral/site_feeds.py, added to this namespace in wikispiral/urls.py.

urlpatterns = [
    path("groups/", views.directory, name="directory"),
    path("groups/feed.rss", views.feed_groups_rss, name="feed_groups_rss"),
    path("groups/feed.atom", views.feed_groups_atom, name="feed_groups_atom"),
    path("groups/homogeneous/feed.rss", views.feed_homogeneous_rss, name="feed_homogeneous_rss"),
    path("groups/homogeneous/feed.atom", views.feed_homogeneous_atom, name="feed_homogeneous_atom"),
    path("cg/<slug:cg>/", views.group, name="group"),
]
