"""axe-core in Chromium on every main page, for each role, in English, French and Portuguese, at
phone width (360 px), and in English on a desktop screen: 0 violations (issue 16).

The site is the demo site `make run` builds (the same seeding commands), so the pages carry the
content a visitor of the demo sees. One test walks every page for every role (the site is seeded
once) and fails with every violation found (rule, impact, the nodes), not only the first.

axe-core comes from axe-playwright-python (it bundles axe-core 4.12 and injects it through
Playwright's evaluate, which the site's Content-Security-Policy does not block).
"""

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.helpers import browser_page
from wikispiral.tenancy import cross_tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("en", "fr", "pt")
PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
DEMO_PASSWORDS = {
    "citizen": "demo-citizen-2026",
    "facilitator": "demo-facilitator-2026",
    "secretariat": "demo-secretariat-2026",
}
AXE = Axe()


@pytest.fixture
def demo_site(settings) -> dict[str, str]:
    """The demo site (as `make run` seeds it, with fewer generated criteria) and the addresses
    of its main pages for each role."""
    call_command("import_geography", verbosity=0)
    call_command("seed_demo", "--force", "--quiet")
    call_command("seed_territories", verbosity=0)
    call_command("generate_demo_data", "--criteria", "120", "--force", verbosity=0)
    call_command("seed_projects", verbosity=0)
    call_command("seed_progress", verbosity=0)
    call_command("seed_events", "--force", verbosity=0)
    call_command("seed_letters", "--force", verbosity=0)
    return _addresses()


def _addresses() -> dict[str, str]:
    from criteria.models import Criterion
    from projects.models import Participant
    from territories.models import Application, CoordinationGroup, Membership
    from wikispiral.wiki.models import Page as WikiPage

    with cross_tenant():
        membership = (
            Membership.objects.filter(user__username="facilitator", role="facilitator")
            .select_related("tenant")
            .order_by("tenant__slug")
            .first()
        )
        assert membership is not None, "the demo facilitator facilitates no group"
        tenant = membership.tenant
        criterion = Criterion.objects.filter(tenant=tenant).select_related("group").first()
        assert criterion is not None, "the demo facilitator's group has no criteria"
        country_id = tenant.country_id
        public_group = CoordinationGroup.objects.filter(is_hidden=False).order_by("pk").first()
    wiki_page = WikiPage.objects.filter(space__slug="network", language="en").order_by("pk").first()
    assert wiki_page is not None
    participant = Participant.objects.order_by("pk").first()
    application = Application.objects.order_by("pk").first()
    addresses = {
        "home": "/",
        "wiki page": wiki_page.get_absolute_url(),
        "directory": reverse("directory:directory"),
        "group page": reverse("directory:group", kwargs={"cg": public_group.slug}),
        "grid": reverse("grid:grid"),
        "network synthesis": reverse("syntheses:synthesis", kwargs={"key": "network"}),
        "country synthesis": reverse(
            "syntheses:synthesis", kwargs={"key": f"country-{country_id}"}
        ),
        "group synthesis": reverse("syntheses:synthesis", kwargs={"key": f"cg-{tenant.pk}"}),
        "right choices": reverse("projects:home"),
        "recent changes": reverse("wiki:recent_changes"),
        "search": reverse("wiki:search") + "?q=spiral",
        "login": reverse("accounts:login"),
        "sign up": reverse("accounts:signup"),
        "apply": reverse("applications:apply"),
        "members": reverse("secretariat:members"),
        "my wikispiral": reverse("mine:home"),
        "profile": reverse("accounts:profile"),
        "join": reverse("projects:join"),
        "entry": reverse("entry:entry", kwargs={"cg": tenant.slug, "hg": criterion.group.slug}),
        "classification queue": reverse("classification:queue", kwargs={"cg": tenant.slug}),
        "reports": reverse("reports:list", kwargs={"key": f"cg-{tenant.pk}"}),
        "secretariat": reverse("secretariat:dashboard"),
        "applications": reverse("applications:queue"),
    }
    if participant is not None:
        addresses["participant page"] = reverse(
            "projects:participant", kwargs={"participant": participant.slug}
        )
    if application is not None:
        addresses["application"] = reverse("applications:detail", kwargs={"pk": application.pk})
    addresses.update(_progress_addresses())
    addresses.update(_network_life_addresses(tenant.slug))
    return addresses


def _network_life_addresses(cg: str) -> dict[str, str]:
    """Membership, contact, events, the network letter and notifications (issue 18)."""
    from territories.models import Event, NetworkLetter

    event = Event.objects.filter(status="published").order_by("starts_at").first()
    assert event is not None, "seed_events made no published event"
    letter = NetworkLetter.objects.filter(status="sent").first()
    assert letter is not None, "seed_letters sent no letter"
    return {
        "membership": reverse("membership:page"),
        "membership apply": reverse("membership:apply"),
        "group membership": reverse("membership:group_apply", kwargs={"cg": cg}),
        "membership queue": reverse("membership:queue"),
        "contact": reverse("contact:secretariat"),
        "group contact": reverse("contact:group", kwargs={"cg": cg}),
        "group inbox": reverse("contact:group_inbox", kwargs={"cg": cg}),
        "contact inbox": reverse("contact:inbox"),
        "events": reverse("events:list"),
        "event": reverse("events:detail", kwargs={"event": event.slug}),
        "new event": reverse("events:new"),
        "letters": reverse("letters:list"),
        "letter": reverse("letters:detail", kwargs={"letter": letter.pk}),
        "letters manage": reverse("letters:manage_list"),
        "notifications": reverse("notifications:list"),
        "following": reverse("notifications:following"),
        "notification settings": reverse("notifications:settings"),
    }


def _progress_addresses() -> dict[str, str]:
    """The pages of the demo platform's indicators, evaluations, actions and reports."""
    from projects.models import Action, EvaluationSession, Indicator

    with cross_tenant():
        indicator = (
            Indicator.objects.filter(status="published").select_related("tenant").order_by("pk")
        ).first()
        assert indicator is not None, "seed_progress made no indicator"
        cg = indicator.tenant.slug
        session = EvaluationSession.objects.filter(tenant=indicator.tenant, status="published")
        action = Action.objects.filter(tenant=indicator.tenant, published=True)
        session_pk, action_pk = session.first().pk, action.first().pk
    in_group = {"cg": cg}
    return {
        "indicators": reverse("indicators:list", kwargs=in_group),
        "indicator": reverse("indicators:detail", kwargs={**in_group, "indicator": indicator.pk}),
        "indicator edit": reverse(
            "indicators:edit", kwargs={**in_group, "indicator": indicator.pk}
        ),
        "new indicator": reverse("indicators:new", kwargs=in_group),
        "shared indicators": reverse("indicators:shared"),
        "evaluations": reverse("evaluations:list", kwargs=in_group),
        "evaluation": reverse("evaluations:detail", kwargs={**in_group, "session": session_pk}),
        "tally": reverse("evaluations:placements", kwargs={**in_group, "session": session_pk}),
        "actions": reverse("actions:list", kwargs=in_group),
        "action": reverse("actions:detail", kwargs={**in_group, "action": action_pk}),
        "new action": reverse("actions:new", kwargs=in_group),
        "impact reports": reverse("impact:list", kwargs=in_group),
        "network evaluations": reverse("evaluation_scopes:scope", kwargs={"key": "network"}),
        "group evaluations": reverse(
            "evaluation_scopes:scope", kwargs={"key": f"cg-{indicator.tenant_id}"}
        ),
    }


ROLE_PAGES = {
    "anonymous": [
        "home",
        "wiki page",
        "directory",
        "group page",
        "grid",
        "network synthesis",
        "country synthesis",
        "right choices",
        "participant page",
        "recent changes",
        "search",
        "login",
        "sign up",
        "apply",
        "members",
        "indicators",
        "indicator",
        "shared indicators",
        "evaluations",
        "evaluation",
        "actions",
        "action",
        "impact reports",
        "network evaluations",
        "group evaluations",
        "membership",
        "membership apply",
        "contact",
        "group contact",
        "events",
        "event",
        "letters",
        "letter",
    ],
    "citizen": [
        "my wikispiral",
        "profile",
        "join",
        "home",
        "event",
        "notifications",
        "following",
        "notification settings",
    ],
    "facilitator": [
        "my wikispiral",
        "entry",
        "classification queue",
        "group synthesis",
        "reports",
        "group page",
        "new indicator",
        "indicator edit",
        "tally",
        "new action",
        "action",
        "group membership",
        "group inbox",
    ],
    "secretariat": [
        "my wikispiral",
        "secretariat",
        "applications",
        "application",
        "membership queue",
        "contact inbox",
        "new event",
        "letters manage",
    ],
}


def _log_in(page: Page, username: str) -> None:
    page.goto(reverse("accounts:login"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORDS[username])
    page.locator("main form button[type=submit]").click()
    expect(page.locator("form[action='/accounts/logout/'] button")).to_have_count(1)


def _use_language(page: Page, code: str) -> None:
    """Choose the language as a person does, through the switcher's address (it also saves the
    preference of a logged-in person)."""
    page.goto(reverse("set_language_get", kwargs={"code": code}) + "?next=/")


def _violations(page: Page) -> list[str]:
    results = AXE.run(page)
    found = []
    for violation in results.response["violations"]:
        targets = "; ".join(
            " ".join(str(part) for part in node["target"]) for node in violation["nodes"][:5]
        )
        found.append(
            f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} nodes): "
            f"{violation['help']} [{targets}]"
        )
    return found


def _walk(
    browser: Browser,
    base_url: str,
    role: str,
    addresses: dict[str, str],
    *,
    viewport: dict[str, int],
    languages: tuple[str, ...],
    screenshot: Callable[[Page, str], None] | None = None,
) -> list[str]:
    problems = []
    with browser_page(browser, base_url, viewport=viewport) as page:
        if role != "anonymous":
            _log_in(page, role)
        for code in languages:
            _use_language(page, code)
            for name in ROLE_PAGES[role]:
                if name not in addresses:
                    continue
                response = page.goto(addresses[name])
                where = f"{role} · {code} · {viewport['width']}px · {name} ({addresses[name]})"
                if response is None or response.status != 200:
                    problems.append(f"{where}: HTTP {response.status if response else '?'}")
                    continue
                assert page.locator("html").get_attribute("lang") == code, where
                problems.extend(f"{where}: {v}" for v in _violations(page))
                if screenshot is not None and code == "en":
                    screenshot(page, f"{role}-{name.replace(' ', '-')}")
    return problems


def _screenshots() -> Callable[[Page, str], None] | None:
    """Full-page screenshots at phone width when SCREENSHOTS names a folder (CI keeps them)."""
    folder = os.environ.get("SCREENSHOTS")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> None:
        page.screenshot(path=f"{folder}/phone-{name}.png", full_page=True)

    return take


def test_every_main_page_has_no_axe_violation_for_each_role_language_and_width(
    browser: Browser, live_server: LiveServer, demo_site: dict[str, str]
) -> None:
    """One test for all (the demo site is seeded once): each role at phone width in the three
    languages, then in English on a desktop screen."""
    problems = []
    for role in ROLE_PAGES:
        problems += _walk(
            browser,
            live_server.url,
            role,
            demo_site,
            viewport=PHONE,
            languages=LANGUAGES,
            screenshot=_screenshots(),
        )
        problems += _walk(
            browser, live_server.url, role, demo_site, viewport=DESKTOP, languages=("en",)
        )
    assert not problems, "\n".join(problems)


def test_axe_finds_a_violation_when_there_is_one(
    browser: Browser, live_server: LiveServer, db: None
) -> None:
    """The check can fail: an image without a text alternative is reported."""
    with browser_page(browser, live_server.url, viewport=PHONE) as page:
        page.goto(reverse("accounts:login"))
        page.evaluate(
            "document.querySelector('main').insertAdjacentHTML('beforeend',"
            " '<img src=\"/static/none.png\">')"
        )
        assert any(v.startswith("image-alt") for v in _violations(page))
