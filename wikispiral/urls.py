from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from wikispiral import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    path("lang/<str:code>/", views.set_language_get, name="set_language_get"),
    path("accounts/", include("wikispiral.accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("territories.directory.urls")),
    path("", include("territories.groups.urls")),
    path("", include("territories.applications.urls")),
    path("", include("territories.secretariat.urls")),
    path("", include("criteria.grid.urls")),
    path("", include("criteria.entry.urls")),
    path("", include("criteria.classification.urls")),
    path("", include("criteria.transfer.urls")),
    path("", include("criteria.info.urls")),
    path("", include("syntheses.urls")),
    path("", include("syntheses.report_urls")),
    path("", include("projects.urls")),
    path("", include("wikispiral.wiki.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
