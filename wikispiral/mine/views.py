"""My wikispiral: the page each person lands on after login."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from wikispiral.mine.selectors import my_wikispiral
from wikispiral.typing import AuthenticatedHttpRequest


@require_GET
@never_cache
@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What needs the person now: her groups' work, her contributions, the secretariat's queues,
    or first steps for someone new."""
    return render(request, "mine/home.html", {"mine": my_wikispiral(user=request.user)})
