from django.urls import path

from projects.impact import views

app_name = "impact"

# One address lists the platform's reports (GET, impact:list) and asks for one (POST,
# impact:ask); an action's reports likewise (GET and POST, impact:ask_action).
urlpatterns = [
    path("cg/<slug:cg>/impact/", views.report_list, name="list"),
    path("cg/<slug:cg>/impact/", views.report_list, name="ask"),
    path("cg/<slug:cg>/actions/<int:action>/impact/", views.action_reports, name="ask_action"),
    path("cg/<slug:cg>/impact/<int:report>/", views.report_status, name="report"),
    path(
        "cg/<slug:cg>/impact/<int:report>/download/",
        views.report_download,
        name="download",
    ),
]
