from django.urls import path

from criteria.classification import views

app_name = "classification"

urlpatterns = [
    path("cg/<slug:cg>/classify/", views.queue, name="queue"),
    path("cg/<slug:cg>/criteria/<int:criterion>/", views.criterion, name="criterion"),
    path("cg/<slug:cg>/criteria/<int:criterion>/classify/", views.classify, name="classify"),
    path("cg/<slug:cg>/criteria/<int:criterion>/dispute/", views.dispute, name="dispute"),
]
