"""The secretariat's move-in pages (secretariat only, 404 to anyone else)."""

from django.urls import path

from wikispiral.movein import views

app_name = "movein"

urlpatterns = [
    path("secretariat/move-in/", views.start, name="start"),
    path("secretariat/move-in/<int:move>/", views.detail, name="detail"),
    path("secretariat/move-in/<int:move>/again/", views.again, name="again"),
    path("secretariat/move-in/<int:move>/retry/", views.retry, name="retry"),
    path("secretariat/move-in/<int:move>/report.json", views.report_json, name="report_json"),
    path("secretariat/move-in/<int:move>/report.csv", views.report_csv_download, name="report_csv"),
]
