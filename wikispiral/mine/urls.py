"""My wikispiral: one page, at /my/."""

from django.urls import path

from wikispiral.mine import views

app_name = "mine"

urlpatterns = [
    path("", views.home, name="home"),
]
