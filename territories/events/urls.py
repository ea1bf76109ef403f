from django.urls import path

from territories.events import views

app_name = "events"

# An event's address is its slug (never "new", "feed" or "calendar": services.RESERVED_SLUGS);
# a session is named by its number under its event. The names avoid <slug> and <session>, which
# name a group's wiki pages and evaluation sessions elsewhere.
urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/new/", views.event_new, name="new"),
    path("events/feed.rss", views.feed_rss, name="feed_rss"),
    path("events/feed.atom", views.feed_atom, name="feed_atom"),
    path("events/calendar.ics", views.calendar, name="calendar"),
    path("events/<slug:event>/", views.event_detail, name="detail"),
    path("events/<slug:event>/calendar.ics", views.event_calendar, name="event_calendar"),
    path("events/<slug:event>/edit/", views.event_edit, name="edit"),
    path("events/<slug:event>/publish/", views.event_publish, name="publish"),
    path("events/<slug:event>/cancel/", views.event_cancel, name="cancel"),
    path("events/<slug:event>/report/", views.report, name="report"),
    path("events/<slug:event>/conclusions/", views.conclusions, name="conclusions"),
    path("events/<slug:event>/sessions/new/", views.session_new, name="session_new"),
    path(
        "events/<slug:event>/sessions/<int:event_session>/edit/",
        views.session_edit,
        name="session_edit",
    ),
    path(
        "events/<slug:event>/sessions/<int:event_session>/remove/",
        views.session_remove,
        name="session_remove",
    ),
    path(
        "events/<slug:event>/sessions/<int:event_session>/report/",
        views.session_report,
        name="session_report",
    ),
    path(
        "events/<slug:event>/sessions/<int:event_session>/signup/",
        views.signup,
        name="signup",
    ),
    path(
        "events/<slug:event>/sessions/<int:event_session>/leave/",
        views.leave,
        name="leave",
    ),
]
