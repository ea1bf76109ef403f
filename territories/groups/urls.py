from django.urls import path

from territories.groups import invitations, views
from wikispiral.invitations.views import invitation

app_name = "groups"

# cg/<slug:cg>/ itself and its feeds belong to the directory (directory:group).
urlpatterns = [
    path("cg/<slug:cg>/manage/", views.edit, name="edit"),
    path("cg/<slug:cg>/members/", views.members, name="members"),
    path("cg/<slug:cg>/members/<int:user_id>/role/", views.member_role, name="member_role"),
    path("cg/<slug:cg>/members/<int:user_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "cg/<slug:cg>/invitations/<int:pk>/revoke/",
        invitations.invitation_revoke,
        name="invitation_revoke",
    ),
    path("cg/<slug:cg>/groups/new/", views.homogeneous_group_new, name="homogeneous_group_new"),
    path("cg/<slug:cg>/groups/<slug:hg>/", views.homogeneous_group, name="homogeneous_group"),
    path(
        "cg/<slug:cg>/groups/<slug:hg>/edit/",
        views.homogeneous_group_edit,
        name="homogeneous_group_edit",
    ),
    path("groups/citizens/new/", views.citizens_group_new, name="citizens_group_new"),
    path("invitations/<str:token>/", invitation, {"kind": "groups"}, name="invitation"),
]
