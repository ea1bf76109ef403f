from django.urls import path

from syntheses.reports import views

app_name = "reports"

# One address lists a scope's reports (GET, reports:list) and asks for one (POST,
# reports:request): the request form posts where the list is.
urlpatterns = [
    path("syntheses/<str:key>/reports/", views.report_list, name="list"),
    path("syntheses/<str:key>/reports/", views.report_list, name="request"),
    path("syntheses/<str:key>/reports/<int:report>/", views.report_status, name="report"),
    path(
        "syntheses/<str:key>/reports/<int:report>/download/",
        views.report_download,
        name="download",
    ),
]
