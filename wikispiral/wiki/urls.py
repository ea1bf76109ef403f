from django.urls import path

from wikispiral.wiki import views

app_name = "wiki"

# The site's latest additions (wiki:feed_latest_rss and wiki:feed_latest_atom) gather several
# apps: wikispiral/site_feeds.py, added to this namespace in wikispiral/urls.py.

page = "wiki/<slug:space>/<str:lang>/<str:slug>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("recent/", views.recent_changes, name="recent_changes"),
    path("search/", views.search, name="search"),
    path("wiki/<slug:space>/", views.space_home, name="space_home"),
    path("wiki/<slug:space>/<str:lang>/new/", views.page_new, name="page_new"),
    path("wiki/<slug:space>/attachments/", views.attachment_list, name="attachments"),
    path("wiki/<slug:space>/attachments/<str:name>", views.attachment_file, name="attachment_file"),
    path(page, views.page_detail, name="page"),
    path(page + "edit/", views.page_edit, name="edit"),
    path(page + "history/", views.page_history, name="history"),
    path(page + "diff/", views.page_diff, name="diff"),
    path(page + "revision/<int:number>/", views.revision_detail, name="revision"),
    path(page + "revert/<int:number>/", views.page_revert, name="revert"),
    path(page + "move/", views.page_move, name="move"),
    path(page + "delete/", views.page_delete, name="delete"),
    path(page + "restore/", views.page_restore, name="restore"),
    path(page + "protect/", views.page_protect, name="protect"),
    path(page + "print/", views.page_print, name="print"),
    path(page + "feed.rss", views.page_history_feed, name="history_feed"),
]
