"""What every rate-limited view shares: who "one client" is, and the 429 page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wikispiral.clientip import client_ip


def client_key(request: HttpRequest) -> str:
    """One client, as the login throttling sees it (client_ip, honouring TRUSTED_PROXIES), so
    every limit agrees when the site runs behind a reverse proxy."""
    return client_ip(request) or "unknown"


def rate_limited_response(request: HttpRequest, *, retry_after_seconds: int) -> HttpResponse:
    """The 429 page, telling browsers and robots when to come back."""
    response = render(request, "accounts/rate_limited.html", status=429)
    response["Retry-After"] = str(retry_after_seconds)
    return response
