"""Stored and reflected XSS, checked where it matters: in a real Chromium.

Every payload of the shared corpus is saved through the real services (as a page body, in page
titles and edit summaries), then every screen that shows it is opened. Three independent signals
say whether anything ran or could run:

- execution: ``alert``/``confirm``/``prompt``/``print`` are replaced before any page script, and
  report to the test through a Playwright binding, which survives navigations; real dialogs,
  console output written by a script and uncaught page errors count too;
- markup: after each load the DOM is searched for what the escaping and the sanitiser must never
  let through (event-handler attributes, foreign scripts, frames, ``javascript:`` URLs, htmx
  attributes in user content), because the Content-Security-Policy would otherwise hide a
  sanitiser bug from the execution signal;
- policy: every HTML document answers with a Content-Security-Policy whose script-src has no
  ``'unsafe-inline'``; the violations it reports are counted in the failure messages.

The same tests run a second time in a context that ignores the Content-Security-Policy
(``bypass_csp``), so escaping and sanitising are shown to be enough on their own.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Error, Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.helpers import log_in_through_form
from tests.factories import make_page, make_user
from tests.wiki.xss_payloads import XSS_PAYLOADS
from wikispiral.accounts.models import User
from wikispiral.wiki import services
from wikispiral.wiki.models import Page as WikiPage
from wikispiral.wiki.services import MAX_TITLE_LENGTH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Payloads that fire on a later event (an image error, autofocus, a toggle) need a moment after
# the load event; a whole batch on one page gets longer.
SETTLE_MS_SINGLE = 30
SETTLE_MS_BATCH = 300
PREVIEW_PAYLOAD_COUNT = 8

INIT_SCRIPT = """
(() => {
  const describe = (args) => Array.from(args, (arg) => {
    try { return String(arg); } catch (error) { return "<unprintable>"; }
  }).join(", ");
  const report = (kind, args) => {
    window.__xss.push(kind + "(" + describe(args) + ")");
    try { window.__xssReport(kind, describe(args), String(location.href)); } catch (error) {}
  };
  Object.defineProperty(window, "__xss", { value: [], writable: false, configurable: false });
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    Object.defineProperty(window, name, {
      value: function () { report(name, arguments); },
      writable: false,
      configurable: false,
    });
  }
  document.addEventListener("securitypolicyviolation", (event) => {
    const text = event.effectiveDirective + " blocked " + (event.blockedURI || "inline")
      + " at " + event.sourceFile + ":" + event.lineNumber;
    try { window.__cspReport(text, String(location.href)); } catch (error) {}
  });
})();
"""

# What escaping and sanitising must never let into a page, whatever the CSP does.
UNSAFE_MARKUP_SCRIPT = """
(htmxSrc) => {
  const found = [];
  const where = (el) => {
    const html = el.outerHTML;
    return el.tagName.toLowerCase() + ": " + (html.length > 160 ? html.slice(0, 160) + "…" : html);
  };
  const urlAttributes = ["href", "src", "action", "formaction", "xlink:href", "data", "poster",
                         "background", "srcdoc"];
  for (const el of document.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    if (tag === "script" && el.src !== htmxSrc) found.push("script " + where(el));
    if (["iframe", "frame", "frameset", "object", "embed", "base", "applet"].includes(tag)) {
      found.push("element " + where(el));
    }
    if (tag === "meta" && el.hasAttribute("http-equiv")) found.push("meta " + where(el));
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\u0000-\\u0020\\u007f]/g, "").toLowerCase();
      if (name.startsWith("on")) found.push("handler " + name + " on " + where(el));
      if (urlAttributes.includes(name)
          && (/^(javascript|vbscript|livescript):/.test(value) || value.startsWith("data:text/html")
              || name === "srcdoc")) {
        found.push("url " + name + " on " + where(el));
      }
      const isOurPreviewButton = tag === "button" && el.getAttribute("value") === "preview";
      // The follow button (notifications/_follow.html), outside the page's text.
      const isOurFollowForm = tag === "form" && !el.closest(".wiki-content")
        && el.parentElement !== null && el.parentElement.classList.contains("follow")
        && ["/follow/", "/unfollow/"].includes(el.getAttribute("action"));
      if ((name.startsWith("hx-") || name.startsWith("data-hx-"))
          && !(tag === "body" && name === "hx-headers") && !isOurPreviewButton
          && !isOurFollowForm) {
        found.push("htmx " + name + " on " + where(el));
      }
    }
  }
  return found;
}
"""


@dataclass
class XssWatch:
    """One browser page that records every sign of script coming from the payloads."""

    page: Page
    base_url: str
    # Calls reported through the binding, real dialogs, console output, uncaught errors.
    executions: list[str] = field(default_factory=list)
    # The same calls read back from each document (guards against a lost binding call).
    in_page_calls: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    unsafe_markup: list[str] = field(default_factory=list)
    csp_problems: list[str] = field(default_factory=list)
    console_noise: list[str] = field(default_factory=list)
    documents_checked: int = 0

    def visit(self, path: str, *, settle_ms: int = SETTLE_MS_SINGLE) -> Response:
        response = self.page.goto(path, wait_until="load")
        assert response is not None, path
        assert response.ok, f"{path} answered {response.status}"
        self.check_policy(path, response)
        self.inspect(path, settle_ms=settle_ms)
        return response

    def check_policy(self, where: str, response: Response) -> None:
        policy = response.headers.get("content-security-policy")
        if policy is None:
            self.csp_problems.append(f"{where}: no Content-Security-Policy header")
            return
        directives: dict[str, list[str]] = {}
        for directive in policy.split(";"):
            name, *values = directive.split() or [""]
            directives.setdefault(name.lower(), [value.lower() for value in values])
        script_sources = directives.get("script-src", directives.get("default-src"))
        if script_sources is None:
            self.csp_problems.append(f"{where}: neither script-src nor default-src in {policy!r}")
            return
        for name, sources in [
            ("script-src", script_sources),
            ("script-src-elem", directives.get("script-src-elem", [])),
            ("script-src-attr", directives.get("script-src-attr", [])),
        ]:
            if "'unsafe-inline'" in sources:
                self.csp_problems.append(f"{where}: {name} allows 'unsafe-inline' in {policy!r}")

    def inspect(self, where: str, *, settle_ms: int) -> None:
        self.page.wait_for_timeout(settle_ms)
        htmx_src = self.base_url + "/static/js/htmx.min.js"
        for found in self.page.evaluate(UNSAFE_MARKUP_SCRIPT, htmx_src):
            self.unsafe_markup.append(f"{where}: {found}")
        for call in self.page.evaluate("() => window.__xss"):
            self.in_page_calls.append(f"{where}: {call}")
        if len(self.page.frames) > 1:
            self.unsafe_markup.append(f"{where}: {len(self.page.frames) - 1} frame(s)")
        self.documents_checked += 1

    def summary(self) -> str:
        return (
            f"{self.documents_checked} documents checked; {len(self.violations)} CSP violation "
            f"report(s) {self.violations[:5]}; console errors {self.console_noise[:5]}"
        )


def _record_dialog(watch: XssWatch, dialog: Dialog) -> None:
    watch.executions.append(f"{watch.page.url}: dialog {dialog.type}({dialog.message})")
    dialog.dismiss()


# The app never writes to the console, so output of these kinds can only come from a script that
# ran. Errors, warnings and verbose lines are the browser's own (a CSP refusal, a broken image).
SCRIPT_CONSOLE_TYPES = {
    "log",
    "info",
    "debug",
    "trace",
    "dir",
    "dirxml",
    "table",
    "count",
    "timeEnd",
}


def _record_console(watch: XssWatch, message: ConsoleMessage) -> None:
    if message.type in SCRIPT_CONSOLE_TYPES:
        watch.executions.append(f"{watch.page.url}: console.{message.type}({message.text})")
    else:
        watch.console_noise.append(f"{message.type}: {message.text}")


def _record_page_error(watch: XssWatch, error: Error) -> None:
    watch.executions.append(f"{watch.page.url}: uncaught {error.name}: {error.message}")


_log_in = log_in_through_form


@pytest.fixture(params=["csp_enforced", "csp_bypassed"])
def watch(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[XssWatch]:
    """A logged-in editor's page (who sees the most: edit links, translate links), watched."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        bypass_csp=request.param == "csp_bypassed",
        # Payloads point at outside hosts: send everything but the live server to a proxy that
        # nothing answers, so no request leaves the machine (a route would disable the cache).
        proxy={"server": "http://127.0.0.1:9", "bypass": urlsplit(live_server.url).hostname},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch = XssWatch(page=page, base_url=live_server.url)
    context.expose_function(
        "__xssReport", lambda kind, detail, url: watch.executions.append(f"{url}: {kind}({detail})")
    )
    context.expose_function(
        "__cspReport", lambda text, url: watch.violations.append(f"{url}: {text}")
    )
    context.add_init_script(INIT_SCRIPT)
    page.on("dialog", lambda dialog: _record_dialog(watch, dialog))
    page.on("console", lambda message: _record_console(watch, message))
    page.on("pageerror", lambda error: _record_page_error(watch, error))
    try:
        _log_in(page, make_user(username="reader"))
        yield watch
    finally:
        context.close()


PAYLOADS = list(XSS_PAYLOADS)
# A control character other than tab and line ends never reaches a view from a browser: the edge
# refuses the query string or form holding it with 400 (tests/test_edge_input.py).
EDGE_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Corpus:
    author: User
    singles: list[WikiPage]
    batch: WikiPage
    summaries: WikiPage


def _revise(wiki_page: WikiPage, *, actor: User, body: str, comment: str = "") -> None:
    services.page_revise(
        page=wiki_page,
        actor=actor,
        title=wiki_page.title,
        body=body,
        base_revision_id=wiki_page.current_revision_id,
        comment=comment,
    )


def _store_corpus() -> Corpus:
    """Store the corpus through the real services.

    One page per payload (the payload as its body and in its title, and as the summary of its
    creation); one page holding them all, then changing every line (so diffs show each payload
    deleted and inserted); one small page with one revision per payload, the payload as summary.
    """
    author = make_user(username="payload-author")
    singles = []
    for number, payload in enumerate(PAYLOADS, start=1):
        title = " ".join(f"XSS {number} {payload}".split())
        singles.append(
            make_page(
                title=title if len(title) <= MAX_TITLE_LENGTH else f"XSS {number}",
                slug=f"xss-{number}",
                body=payload,
                author=author,
                comment=payload,
            )
        )
    batch = make_page(title="All payloads", slug="all-payloads", body="Nothing yet.", author=author)
    _revise(batch, actor=author, body="\n\n".join(PAYLOADS), comment="every payload")
    _revise(batch, actor=author, body="\n".join(f"- changed {payload}" for payload in PAYLOADS))
    summaries = make_page(title="Summaries", slug="summaries", body="Edit 0", author=author)
    for number, payload in enumerate(PAYLOADS, start=1):
        _revise(summaries, actor=author, body=f"Edit {number}", comment=payload)
    return Corpus(author=author, singles=singles, batch=batch, summaries=summaries)


def _url(name: str, wiki_page: WikiPage, **extra: object) -> str:
    kwargs = {"space": wiki_page.space.slug, "lang": wiki_page.language, "slug": wiki_page.slug}
    return reverse(name, kwargs={**kwargs, **extra})


def test_each_stored_payload_stays_inert_alone_on_its_page(watch: XssWatch) -> None:
    corpus = _store_corpus()

    titles = []
    for wiki_page in corpus.singles:
        watch.visit(wiki_page.get_absolute_url())
        titles.append(watch.page.locator("h1").inner_text())

    assert [title.split(" ")[:2] for title in titles] == [
        ["XSS", str(number)] for number in range(1, len(PAYLOADS) + 1)
    ]
    assert watch.executions == [], watch.summary()
    assert watch.in_page_calls == [], watch.summary()
    assert watch.unsafe_markup == [], watch.summary()
    assert watch.csp_problems == []


def test_stored_payloads_stay_inert_in_history_diffs_and_recent_changes(watch: XssWatch) -> None:
    corpus = _store_corpus()
    batch = corpus.batch
    last = batch.current_revision.number
    diff = _url("wiki:diff", batch)

    for path in [
        batch.get_absolute_url(),
        _url("wiki:print", batch),
        _url("wiki:revision", batch, number=last - 1),
        _url("wiki:history", batch),
        f"{diff}?from=1&to={last - 1}",
        f"{diff}?from={last - 1}&to={last}",
        f"{diff}?from=1&to={last}&mode=inline",
        reverse("wiki:recent_changes"),
        reverse("wiki:recent_changes") + "?" + urlencode({"user": corpus.author.username}),
    ]:
        watch.visit(path, settle_ms=SETTLE_MS_BATCH)
    summaries = []
    history = _url("wiki:history", corpus.summaries)
    while history:
        watch.visit(history, settle_ms=SETTLE_MS_BATCH)
        summaries += watch.page.locator("ol.history q").all_inner_texts()
        older = watch.page.get_by_role("link", name="Older")
        history = urljoin(watch.page.url, older.get_attribute("href")) if older.count() else None

    # Every payload was on screen as a summary, bar blank ones (summaries fold whitespace).
    assert len(summaries) == sum(1 for payload in PAYLOADS if payload.split())
    assert watch.executions == [], watch.summary()
    assert watch.in_page_calls == [], watch.summary()
    assert watch.unsafe_markup == [], watch.summary()
    assert watch.csp_problems == []


def test_payloads_stay_inert_in_search_queries_titles_and_snippets(watch: XssWatch) -> None:
    _store_corpus()

    for payload in PAYLOADS:
        if not EDGE_REFUSED.search(payload):
            watch.visit(reverse("wiki:search") + "?" + urlencode({"q": payload}))
    hits = 0
    results = reverse("wiki:search") + "?" + urlencode({"q": "XSS"})
    while results:
        watch.visit(results, settle_ms=SETTLE_MS_BATCH)
        hits += watch.page.locator("ol.search-results > li").count()
        more = watch.page.get_by_role("link", name="More results")
        results = urljoin(watch.page.url, more.get_attribute("href")) if more.count() else None

    assert hits >= len(PAYLOADS)
    assert watch.executions == [], watch.summary()
    assert watch.in_page_calls == [], watch.summary()
    assert watch.unsafe_markup == [], watch.summary()
    assert watch.csp_problems == []


def test_payloads_stay_inert_in_preview_edit_form_and_conflict_screen(watch: XssWatch) -> None:
    corpus = _store_corpus()
    batch = corpus.batch
    page = watch.page
    edit_path = _url("wiki:edit", batch)

    # The edit form puts the whole corpus in a textarea.
    watch.visit(edit_path, settle_ms=SETTLE_MS_BATCH)
    chosen = PAYLOADS[:PREVIEW_PAYLOAD_COUNT]
    for payload in chosen:
        page.get_by_label("Text").fill(payload)
        with page.expect_response(lambda r: r.request.method == "POST") as preview:
            page.get_by_role("button", name="Preview").click()
        assert preview.value.status == 200
        assert preview.value.request.headers.get("hx-request") == "true"
        expect(page.locator("#preview")).to_contain_text("Preview (not saved yet)")
        watch.inspect(f"htmx preview of {payload!r}", settle_ms=SETTLE_MS_SINGLE * 3)

    # The whole-page preview a browser without JavaScript gets: submitting the form itself
    # does not go through htmx's click handler on the button.
    page.get_by_label("Text").fill("\n\n".join(chosen))
    page.get_by_label("Title").fill(f"Preview {chosen[0]}"[:MAX_TITLE_LENGTH])
    page.get_by_label("Summary of your change").fill(chosen[-1][:255])
    with page.expect_navigation() as navigation:
        page.evaluate(
            "() => document.querySelector('form.edit-form')"
            ".requestSubmit(document.querySelector('button[value=preview]'))"
        )
    response = navigation.value
    assert response is not None and response.status == 200
    expect(page.locator("#preview")).to_contain_text("Preview (not saved yet)")
    watch.check_policy("whole-page preview", response)
    watch.inspect("whole-page preview", settle_ms=SETTLE_MS_BATCH)

    # An edit conflict shows their text and the line differences, full of payloads.
    watch.visit(edit_path, settle_ms=SETTLE_MS_BATCH)
    base_body = batch.current_revision.body
    services.page_revise(
        page=batch,
        actor=corpus.author,
        title=batch.title,
        body=base_body.replace("- changed", "- theirs", 1),
        base_revision_id=batch.current_revision_id,
    )
    page.get_by_label("Text").fill(
        EDGE_REFUSED.sub("", base_body.replace("- changed", "- mine", 1))
    )
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save").click()
    response = navigation.value
    assert response is not None and response.status == 409
    expect(page.get_by_role("heading", name="Edit conflict")).to_be_visible()
    watch.check_policy("edit conflict", response)
    watch.inspect("edit conflict", settle_ms=SETTLE_MS_BATCH)

    assert watch.documents_checked == len(chosen) + 4
    assert watch.executions == [], watch.summary()
    assert watch.in_page_calls == [], watch.summary()
    assert watch.unsafe_markup == [], watch.summary()
    assert watch.csp_problems == []
