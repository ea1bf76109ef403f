"""Site-wide endpoints that belong to no app: health check and the language switcher."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and Redis, when configured) answer; 503 otherwise."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy", reported as text
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


@require_GET
def livez(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: the process answers, nothing else is checked."""
    return HttpResponse(b"ok", content_type="text/plain")


@require_GET
def set_language_get(request: HttpRequest, code: str) -> HttpResponse:
    """Switch the interface language with a plain link, so it works without JavaScript or forms.

    A GET that only sets a preference cookie (and the profile's language) is safe to link to;
    keeping it a link also keeps anonymous pages free of CSRF tokens, hence cacheable.
    """
    next_url = request.GET.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if code not in dict(settings.LANGUAGES):
        return response
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )
    if request.user.is_authenticated and request.user.preferred_language != code:
        request.user.preferred_language = code
        request.user.save(update_fields=["preferred_language"])
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A translated, friendly page for an expired or foreign form (Django's is English-only)."""
    from django.shortcuts import render

    return render(request, "403_csrf.html", status=403)
