"""Login lockout: three limits on django-axes' failure records (AXES_HANDLER and its page).

axes 8 compares the largest count over all AXES_LOCKOUT_PARAMETERS with one AXES_FAILURE_LIMIT,
so listing "ip_address" and "username" there would lock either after 5 failures: anyone could
then lock anyone out. axes keeps its own limit on the pair (username and address); the limits
per address and per username, each with its own number, are counted here from the same
AccessAttempt rows within the same cool-off. Numbers and reasons: settings.py and the README.
"""

from typing import Literal

from axes.attempts import get_cool_off_threshold
from axes.conf import settings as axes_settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

type LockoutReason = Literal["username_and_address", "address", "username"]


class AxesHttpRequest(HttpRequest):
    """A request once axes' handler has seen it (AxesProxyHandler.update_request sets these)."""

    axes_ip_address: str | None
    axes_locked_out: bool
    axes_credentials: dict | None


class LoginLockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a failure limit per address and one per username."""

    def lockout_reason(
        self, request: AxesHttpRequest, credentials: dict | None = None
    ) -> LockoutReason | None:
        """The limit this login attempt is over, or None when it may go ahead."""
        if super().is_locked(request, credentials):
            return "username_and_address"
        address = request.axes_ip_address
        per_address = settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
        if address and 0 < per_address <= self._recent_failures(request, ip_address=address):
            return "address"
        username = get_client_username(request, credentials)
        per_username = settings.LOGIN_FAILURE_LIMIT_PER_USERNAME
        if username and 0 < per_username <= self._recent_failures(request, username=username):
            return "username"
        return None

    def is_locked(self, request: AxesHttpRequest, credentials: dict | None = None) -> bool:
        return self.lockout_reason(request, credentials) is not None

    def user_login_failed(
        self,
        sender: object,
        credentials: dict,
        request: AxesHttpRequest | None = None,
        **kwargs: object,
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        # The parent, once it has recorded the failure, locks on the pair limit only; checking
        # the wider ones here too gives the failure that reaches them the lockout page at once.
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if self.lockout_reason(request, credentials) is not None:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def _recent_failures(self, request: HttpRequest, **lookup: str) -> int:
        recent = AccessAttempt.objects.filter(
            attempt_time__gte=get_cool_off_threshold(request), **lookup
        )
        return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0


def lockout_response(
    request: AxesHttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The lockout page, saying which limit was reached and when to come back."""
    context = {
        "reason": LoginLockoutHandler().lockout_reason(request, credentials)
        or "username_and_address",
        "failure_limit": get_failure_limit(request, credentials),
    }
    response = render(
        request, "accounts/locked_out.html", context, status=axes_settings.AXES_HTTP_RESPONSE_CODE
    )
    response["Retry-After"] = str(int(get_cool_off(request).total_seconds()))
    return response
