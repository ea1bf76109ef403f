from django.urls import path

from criteria.entry import views

app_name = "entry"

urlpatterns = [
    path("cg/<slug:cg>/groups/<slug:hg>/criteria/", views.entry, name="entry"),
    path("cg/<slug:cg>/groups/<slug:hg>/criteria/add/", views.add, name="add"),
    path("cg/<slug:cg>/groups/<slug:hg>/criteria/undo/", views.undo, name="undo"),
    path("cg/<slug:cg>/groups/<slug:hg>/criteria/restore/", views.restore, name="restore"),
    path("cg/<slug:cg>/groups/<slug:hg>/criteria/<int:criterion>/", views.row, name="row"),
    path("cg/<slug:cg>/groups/<slug:hg>/criteria/<int:criterion>/edit/", views.edit, name="edit"),
    path(
        "cg/<slug:cg>/groups/<slug:hg>/criteria/<int:criterion>/remove/",
        views.remove,
        name="remove",
    ),
]
