from django.urls import path

from projects import views
from projects.reports import views as report_views
from projects.wellbeing import views as wellbeing_views
from wikispiral.invitations.views import invitation

app_name = "projects"

urlpatterns = [
    path("right-choices/", views.home, name="home"),
    path("right-choices/join/", views.join, name="join"),
    path("right-choices/summary/", views.summary, name="summary_project"),
    path("right-choices/summary/<str:key>/", views.summary, name="summary"),
    path(
        "right-choices/summary/<str:key>/export.<str:kind>",
        views.summary_export,
        name="summary_export",
    ),
    path(
        "right-choices/summary/<str:key>/report.pdf",
        report_views.summary_report,
        name="summary_report",
    ),
    path("right-choices/workshops/", views.workshops, name="workshops"),
    path("right-choices/workshops/new/", views.workshop_new, name="workshop_new"),
    path("right-choices/workshops/<int:workshop>/", views.workshop, name="workshop"),
    path(
        "right-choices/workshops/<int:workshop>/signup/",
        views.workshop_signup,
        name="workshop_signup",
    ),
    path(
        "right-choices/workshops/<int:workshop>/leave/", views.workshop_leave, name="workshop_leave"
    ),
    path(
        "right-choices/workshops/<int:workshop>/cancel/",
        views.workshop_cancel,
        name="workshop_cancel",
    ),
    path(
        "right-choices/workshops/<int:workshop>/conclusions/",
        views.workshop_conclude,
        name="workshop_conclude",
    ),
    path("right-choices/charters/", views.charters, name="charters"),
    path("right-choices/charters/new/", views.charter_new, name="charter_new"),
    path("right-choices/charters/<int:charter>/", views.charter, name="charter"),
    path("right-choices/charters/<int:charter>/open/", views.charter_open, name="charter_open"),
    path("right-choices/charters/<int:charter>/vote/", views.charter_vote, name="charter_vote"),
    path("right-choices/review/", views.reviews, name="reviews"),
    path("right-choices/review/<int:year>/q<int:quarter>/", views.review, name="review"),
    path(
        "right-choices/review/<int:year>/q<int:quarter>/theme/",
        views.review_theme,
        name="review_theme",
    ),
    path(
        "right-choices/review/<int:year>/q<int:quarter>/report/",
        views.review_report,
        name="review_report",
    ),
    path("right-choices/feed.rss", views.feed_rss, name="feed_rss"),
    path("right-choices/feed.atom", views.feed_atom, name="feed_atom"),
    # Before the participants' addresses, which would otherwise take "invitations" for one.
    path(
        "right-choices/invitations/<str:token>/",
        invitation,
        {"kind": "projects"},
        name="invitation",
    ),
    path("right-choices/<slug:participant>/", views.participant_page, name="participant"),
    path("right-choices/<slug:participant>/choices/new/", views.choice_new, name="choice_new"),
    path("right-choices/<slug:participant>/choices/<int:pk>/", views.choice, name="choice"),
    path(
        "right-choices/<slug:participant>/choices/<int:pk>/edit/",
        views.choice_edit,
        name="choice_edit",
    ),
    path(
        "right-choices/<slug:participant>/choices/<int:pk>/comment/",
        views.choice_comment,
        name="choice_comment",
    ),
    path(
        "right-choices/<slug:participant>/choices/<int:pk>/too/",
        views.choice_share,
        name="choice_share",
    ),
    path(
        "right-choices/<slug:participant>/footprint/new/", views.footprint_new, name="footprint_new"
    ),
    path(
        "right-choices/<slug:participant>/edit/",
        views.participant_edit,
        name="participant_edit",
    ),
    path(
        "right-choices/<slug:participant>/wellbeing/",
        wellbeing_views.wellbeing,
        name="wellbeing",
    ),
    path(
        "right-choices/<slug:participant>/wellbeing/<int:pk>/remove/",
        wellbeing_views.wellbeing_remove,
        name="wellbeing_remove",
    ),
    path(
        "right-choices/<slug:participant>/members/",
        views.participant_members,
        name="participant_members",
    ),
    path(
        "right-choices/<slug:participant>/members/<int:user_id>/remove/",
        views.participant_member_remove,
        name="participant_member_remove",
    ),
    path(
        "right-choices/<slug:participant>/invitations/<int:pk>/revoke/",
        views.participant_invitation_revoke,
        name="participant_invitation_revoke",
    ),
]
