"""A person's time zone: chosen on the profile, times shown in it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _profile_form(user, **data):
    form = {"display_name": "", "email": user.email, "preferred_language": "en"}
    form.update(data)
    return form


def test_a_person_chooses_a_time_zone_and_an_unknown_one_is_refused(client):
    user = make_user()
    client.force_login(user)

    bad = client.post(reverse("accounts:profile"), _profile_form(user, time_zone="Mars/Olympus"))
    good = client.post(
        reverse("accounts:profile"), _profile_form(user, time_zone="Atlantic/Cape_Verde")
    )

    assert bad.status_code == 400
    assert good.status_code == 302
    user.refresh_from_db()
    assert user.time_zone == "Atlantic/Cape_Verde"


def test_the_middleware_shows_times_in_the_readers_zone(rf):
    from django.contrib.auth.models import AnonymousUser

    from wikispiral.accounts.middleware import UserLanguageMiddleware

    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return None

    middleware = UserLanguageMiddleware(view)
    request = rf.get("/")
    request.user = make_user(time_zone="Asia/Tokyo")
    middleware(request)
    assert seen["zone"] == "Asia/Tokyo"
    request.user = AnonymousUser()
    middleware(request)
    assert seen["zone"] == "UTC"
    noon = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)
    assert timezone.localtime(noon).hour == 12
