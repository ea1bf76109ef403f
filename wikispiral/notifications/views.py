"""Following, the notifications page, the watch list, the choices, and the one-click unsubscribe.

Every form posts and answers with a redirect (or, for htmx, the button it replaces), so all of
it works without JavaScript. Following something one may not see answers 404, as the thing's
own page would. The unsubscribe page is the one page reached without signing in: the signed
link of a mail is its only credential.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wikispiral.notifications import selectors, services
from wikispiral.notifications.forms import FollowForm, SettingsForm
from wikispiral.notifications.registry import describe, followable_get, visible
from wikispiral.notifications.tokens import unsubscribe_token_read
from wikispiral.typing import AuthenticatedHttpRequest, HtmxHttpRequest


def _safe_next(request: HtmxHttpRequest, value: str) -> str | None:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


def _follow_change(request: HtmxHttpRequest, *, following: bool) -> HttpResponse:
    form = FollowForm(request.POST)
    if not form.is_valid():
        # An unknown kind or key names nothing one may follow: as its page would, 404.
        raise Http404(_("There is nothing to follow here."))
    kind, key = form.cleaned_data["kind"], form.cleaned_data["key"]
    back = _safe_next(request, form.cleaned_data["next"])
    if not request.user.is_authenticated:
        login = redirect_to_login(back or reverse("mine:home"))
        if request.htmx:
            # A session that ran out under the page: the whole window goes to the login.
            refused = HttpResponse(status=403)
            refused["HX-Redirect"] = login["Location"]
            return refused
        return login
    user = request.user
    followable = followable_get(kind)
    described = describe(kind, visible(kind, user, {key}))
    if following:
        if followable is None or key not in described:
            raise Http404(_("There is nothing to follow here."))
        services.follow_add(user=user, kind=kind, key=key)
        notice = _("You follow it now: what others change there comes to your notifications.")
    else:
        services.follow_remove(user=user, kind=kind, key=key)
        notice = _("You no longer follow it.")
    if request.htmx:
        context = {
            "followable": followable,
            "kind": kind,
            "key": key,
            "following": following,
            "next": back or "",
            "notice": notice,
        }
        return render(request, "notifications/_follow.html", context)
    messages.success(request, notice)
    if back is None:
        back = described[key].url if key in described else reverse("notifications:following")
    return HttpResponseRedirect(back)


@require_POST
def follow(request: HtmxHttpRequest) -> HttpResponse:
    return _follow_change(request, following=True)


@require_POST
def unfollow(request: HtmxHttpRequest) -> HttpResponse:
    return _follow_change(request, following=False)


@require_GET
@never_cache
@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What changed in what she follows, by others, newest first; opening it marks them seen."""
    opened = timezone.now()
    found = selectors.notifications_page(user=request.user, number=request.GET.get("page", "1"))
    services.notifications_seen(user=request.user, at=opened)
    page = found.page
    context = {
        "rows": found.rows,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
        "new_count": sum(1 for row in found.rows if row.is_new),
    }
    return render(request, "notifications/notifications.html", context)


@require_GET
@never_cache
@login_required
def following(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Her watch list: what she follows, with a button to stop each."""
    return render(
        request,
        "notifications/following.html",
        {"kinds": selectors.following_list(user=request.user)},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def settings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How often the digest comes, whether she follows what she edits, the network letter."""
    user = request.user
    preference = services.preference_get(user=user)
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            services.preferences_save(
                user=user,
                frequency=data["frequency"],
                follow_edits=data["follow_edits"],
                letter=data["letter"],
            )
            messages.success(request, _("Your choices were saved."))
            return redirect("notifications:settings")
        status = 400
    else:
        form = SettingsForm(
            initial={
                "frequency": preference.frequency,
                "follow_edits": preference.follow_edits,
                "letter": selectors.letter_subscribed(user=user),
            }
        )
        status = 200
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "has_email": bool(user.email and user.email_confirmed_at)},
        status=status,
    )


# Mail clients post here without a session or a CSRF token (RFC 8058 one-click): the signed
# token is the whole credential, and it can only stop mail.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@never_cache
def unsubscribe(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """GET: a page asking to confirm; POST: stop that mail. A tampered link: 400."""
    found = unsubscribe_token_read(token)
    if found is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    user_id, what = found
    context = {"what": what, "token": token}
    if request.method == "GET":
        return render(request, "notifications/unsubscribe.html", context)
    if not services.unsubscribe(user_id=user_id, what=what):
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    return render(request, "notifications/unsubscribe.html", {**context, "done": True})
