import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserLanguageMiddleware:
    """Language order: the person's profile, then the switcher cookie, then the browser. Also
    the time zone of the person's profile, if they chose one.

    LocaleMiddleware (before authentication) already applied cookie and Accept-Language; this
    one, placed after AuthenticationMiddleware, lets a saved preference win for logged-in people.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        preferred = getattr(user, "preferred_language", "") if user is not None else ""
        if user is not None and user.is_authenticated and preferred in self.languages:
            translation.activate(preferred)
            request.LANGUAGE_CODE = preferred
        zone = getattr(user, "time_zone", "") if user is not None else ""
        if zone:
            # Times are shown in the person's own zone; everyone else reads UTC.
            timezone.activate(zoneinfo.ZoneInfo(zone))
        else:
            timezone.deactivate()
        return self.get_response(request)
