"""Current reports: the network, every continent and every country get a fresh PDF report after
their figures change, without anyone asking, at most once a day each.

When a recomputation writes a snapshot of one of those scopes whose figures changed (a new
digest: syntheses.services), current_reports_schedule makes sure one "current report" job waits
for the scope, not before max(now + CURRENT_SETTLE, the start of its last current report +
CURRENT_EVERY). The jobs engine keeps one waiting job per key (a unique constraint), so the
changes that arrive meanwhile, however many and however concurrent, join the job already
waiting: the first change after a report sets the time, the next ones change nothing. The job
(syntheses/jobs.py) then starts the report as a facilitator's is started, a Report row and a
"syntheses.report" job: drawn from the frozen snapshot with WeasyPrint, listed on the synthesis
page and in the feeds once done, published by the network (no person: created_by is empty,
the audit entry has no actor).

Delays come from the jobs engine (a job's run_after; the minute sweep sends a job whose time
has come if its message was lost): no beat schedule of their own. In the engine's inline mode
(no broker: `make run`, the tests) jobs have no delays and run inside the request that changed
the figures: current reports are not scheduled there (three PDFs drawn on a click, and every
test that changes criteria drawing them); with a worker they are.
"""

import datetime
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone

from syntheses.models import Report, Scope, Snapshot
from syntheses.reports.services import IN_PROGRESS, report_job_key
from syntheses.selectors import ScopeRef, scope_get
from territories.directory.selectors import visible_group_languages
from wikispiral.jobs.models import Job
from wikispiral.jobs.selectors import job_latest
from wikispiral.jobs.services import job_enqueue, jobs_inline

# The scopes that get current reports.
CURRENT_SCOPES = (Scope.NETWORK, Scope.CONTINENT, Scope.COUNTRY)
# Changes arriving within this time after the first (an import, a classification session) join
# one report.
CURRENT_SETTLE = datetime.timedelta(minutes=10)
# At most one current report per scope in this time.
CURRENT_EVERY = datetime.timedelta(hours=24)
CURRENT_KIND = "syntheses.current_report"


def current_report_key(scope: str, scope_id: int) -> str:
    """The job's key: "syntheses.current_report:country-12" (one waits per scope)."""
    key = scope if scope == Scope.NETWORK else f"{scope}-{scope_id}"
    return f"{CURRENT_KIND}:{key}"


def _scopes_q(scopes: Iterable[tuple[str, int]]) -> Q:
    by_kind: dict[str, set[int]] = {}
    for scope, pk in scopes:
        by_kind.setdefault(scope, set()).add(pk)
    found = Q(pk__in=[])
    for scope, ids in by_kind.items():
        found |= Q(scope=scope, scope_id__in=sorted(ids))
    return found


def _last_started(scopes: list[tuple[str, int]]) -> dict[tuple[str, int], datetime.datetime]:
    """When the latest current report of each scope was started (failed ones aside)."""
    rows = (
        Report.objects.filter(_scopes_q(scopes), current=True)
        .exclude(status=Report.Status.FAILED)
        .values("scope", "scope_id")
        .annotate(latest=Max("created_at"))
        .values_list("scope", "scope_id", "latest")
    )
    return {(scope, pk): latest for scope, pk, latest in rows}


def current_reports_schedule(*, scopes: Iterable[tuple[str, int]]) -> list[Job]:
    """The figures of these scopes changed (called in the recomputation's transaction, after
    the snapshots are written): one current-report job waits for each network, continent or
    country among them, not before max(now + CURRENT_SETTLE, its last current report's start
    + CURRENT_EVERY). A job already waiting for a scope is kept as it is (the change joins
    it). A scope whose figures are empty and that never had a current report gets none
    (nothing to publish). Returns the waiting jobs: none in the jobs engine's inline mode."""
    wanted = sorted({(scope, pk) for scope, pk in scopes if scope in CURRENT_SCOPES})
    if not wanted or jobs_inline():
        # Inline, the job would draw now, in the request of the change (see the module).
        return []
    now = timezone.now()
    last = _last_started(wanted)
    empty = set(
        Snapshot.objects.filter(_scopes_q(wanted), criteria_count=0).values_list(
            "scope", "scope_id"
        )
    )
    jobs = []
    for scope, pk in wanted:
        if (scope, pk) in empty and (scope, pk) not in last:
            continue
        key = current_report_key(scope, pk)
        begun = last.get((scope, pk))
        latest = job_latest(key=key)
        if latest is not None and latest.state == Job.State.RUNNING and latest.claimed_at:
            # Its report may not be recorded yet: the run counts as the latest start.
            begun = max(begun, latest.claimed_at) if begun else latest.claimed_at
        not_before = now + CURRENT_SETTLE
        if begun is not None:
            not_before = max(not_before, begun + CURRENT_EVERY)
        jobs.append(
            job_enqueue(
                kind=CURRENT_KIND,
                key=key,
                args={"scope": scope, "scope_id": pk},
                language=settings.LANGUAGE_CODE,
                delay=(not_before - now).total_seconds(),
            )
        )
    return jobs


def current_report_language(ref: ScopeRef) -> str:
    """The language of a scope's current report: for a continent or a country, the first
    language most of its visible coordination groups name (the site's language on a tie with
    it, or when none names one of the site's); for the network, the site's language."""
    if ref.scope == Scope.NETWORK:
        return settings.LANGUAGE_CODE
    if ref.scope == Scope.COUNTRY:
        group_languages = visible_group_languages(country_id=ref.scope_id)
    else:
        group_languages = visible_group_languages(continent_id=ref.scope_id)
    offered = dict(settings.LANGUAGES)
    counts = Counter(
        languages[0] for languages in group_languages if languages and languages[0] in offered
    )
    if not counts:
        return settings.LANGUAGE_CODE
    most = max(counts.values())
    if counts.get(settings.LANGUAGE_CODE) == most:
        return settings.LANGUAGE_CODE
    return min(language for language, n in counts.items() if n == most)


@transaction.atomic
def current_report_start(*, scope: str, scope_id: int, reschedule: bool = False) -> Report | None:
    """Start the current report of a scope: a Report (current, no filters, in the scope's
    language, asked by nobody) and its drawing job, in one transaction. Returns it; or the one
    already on its way; or None when the scope is gone, is not one that gets current reports,
    or had a current report started less than CURRENT_EVERY ago (an operator's retry; with
    reschedule, the job's own run, the change then waits again until that day has passed).
    Safe to run twice."""
    if scope not in CURRENT_SCOPES:
        return None
    try:
        ref = scope_get(scope if scope == Scope.NETWORK else f"{scope}-{scope_id}")
    except Http404:
        return None
    latest = (
        Report.objects.filter(scope=scope, scope_id=scope_id, current=True)
        .exclude(status=Report.Status.FAILED)
        .defer("frozen")
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is not None and latest.status in IN_PROGRESS:
        return latest
    now = timezone.now()
    if latest is not None and latest.created_at > now - CURRENT_EVERY:
        if reschedule:
            # The job ran before its time (it was timed from its predecessor's claim, a few ms
            # before that report was recorded; or a clock or an ETA ran early): the change it
            # stands for waits again, for the right time, instead of being dropped.
            job_enqueue(
                kind=CURRENT_KIND,
                key=current_report_key(scope, scope_id),
                args={"scope": scope, "scope_id": scope_id},
                language=settings.LANGUAGE_CODE,
                delay=(latest.created_at + CURRENT_EVERY - now).total_seconds(),
            )
        return None
    language = current_report_language(ref)
    report = Report.objects.create(
        scope=scope, scope_id=scope_id, language=language, filters={}, current=True
    )
    job_enqueue(
        kind="syntheses.report",
        key=report_job_key(report.pk),
        args={"report_id": report.pk},
        language=language,
    )
    return report
