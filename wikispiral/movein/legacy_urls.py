"""The old Tiki site's addresses (issue 15): each answers a 301 to what the move-in made of it,
or the helpful 404 (wikispiral/movein/legacy.py).

The patterns have no names on purpose: nothing here ever links to an old address, so nothing
reverses them. (That also keeps them out of tests/test_outsider_urls.py's walk, which only knows
named patterns; tests/movein/test_legacy_links.py holds their outsider tests instead.)
"""

from django.urls import re_path

from wikispiral.movein import legacy

app_name = "legacy"

urlpatterns = [
    re_path(r"^tiki-(?:index|index_p|print)\.php$", legacy.page),
    re_path(r"^tiki-view_tracker_item\.php$", legacy.tracker_item),
    re_path(r"^tiki-download_file\.php$", legacy.download_file),
    re_path(r"^tiki-list_file_gallery\.php$", legacy.file_gallery),
    re_path(r"^tiki-wiki_rss\.php$", legacy.wiki_rss),
    re_path(r"^tiki-tracker_rss\.php$", legacy.tracker_rss),
]
