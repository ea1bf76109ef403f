from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from territories.directory import urls as directory_urls
from wikispiral import site_feeds, views
from wikispiral.wiki import urls as wiki_urls

# Feeds that gather several apps live at the project level (site_feeds) and keep the URL names
# of the app whose pages link them: they join that app's namespace here.
directory_patterns = [
    *directory_urls.urlpatterns,
    path("cg/<slug:cg>/feed.rss", site_feeds.group_feed_rss, name="group_feed_rss"),
    path("cg/<slug:cg>/feed.atom", site_feeds.group_feed_atom, name="group_feed_atom"),
]
wiki_patterns = [
    path("feeds/latest.rss", site_feeds.feed_latest_rss, name="feed_latest_rss"),
    path("feeds/latest.atom", site_feeds.feed_latest_atom, name="feed_latest_atom"),
    *wiki_urls.urlpatterns,
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    path("lang/<str:code>/", views.set_language_get, name="set_language_get"),
    path("accounts/", include("wikispiral.accounts.urls")),
    path("my/", include("wikispiral.mine.urls")),
    path("admin/", admin.site.urls),
    path("", include((directory_patterns, directory_urls.app_name))),
    path("", include("territories.groups.urls")),
    path("", include("territories.applications.urls")),
    path("", include("territories.secretariat.urls")),
    path("", include("territories.membership.urls")),
    path("", include("territories.contact.urls")),
    path("", include("territories.events.urls")),
    path("", include("territories.letters.urls")),
    path("", include("wikispiral.notifications.urls")),
    path("", include("criteria.grid.urls")),
    path("", include("criteria.entry.urls")),
    path("", include("criteria.classification.urls")),
    path("", include("criteria.transfer.urls")),
    path("", include("criteria.transfer.network.urls")),
    path("", include("criteria.info.urls")),
    path("", include("syntheses.urls")),
    path("", include("syntheses.reports.urls")),
    path("", include("projects.urls")),
    path("", include("projects.indicators.urls")),
    path("", include("projects.evaluations.urls")),
    path("", include("projects.evaluations.scopes.urls")),
    path("", include("projects.actions.urls")),
    path("", include("projects.impact.urls")),
    path("", include("wikispiral.movein.urls")),
    path("", include("wikispiral.movein.legacy_urls")),
    path("", include((wiki_patterns, wiki_urls.app_name))),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
