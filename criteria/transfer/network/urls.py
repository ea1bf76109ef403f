"""The secretariat's network-wide import of criteria (secretariat only, 404 to anyone else)."""

from django.urls import path

from criteria.transfer.network import views

app_name = "network_import"

urlpatterns = [
    path("secretariat/criteria/import/", views.upload, name="upload"),
    path("secretariat/criteria/import/template.csv", views.template, name="template"),
    path("secretariat/criteria/import/<int:batch>/", views.batch, name="batch"),
    path("secretariat/criteria/import/<int:batch>/commit/", views.commit, name="commit"),
    path("secretariat/criteria/import/<int:batch>/retry/", views.retry, name="retry"),
]
