"""Moving the old site in, in a real Chromium with a real worker: the secretariat uploads the
old site's exports on its page, watches the progress bar while the worker imports them, reads
the report, and follows an old tiki-index.php?page= link to the imported page."""

import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from territories.services import locality_ensure, region_ensure
from tests.browser.helpers import browser_page, log_in_through_form
from tests.factories import make_country, make_user, reference_data
from tests.movein.tiki_site import write_site
from wikispiral.movein.models import MoveIn

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]


def test_the_secretariat_moves_the_old_site_in_and_old_links_work(
    browser: Browser, live_server: LiveServer, private_workers, settings, tmp_path: Path
):
    reference_data()
    region = region_ensure(country=make_country(), name="Grand Est")[0]
    locality_ensure(region=region, name="Mulhouse")
    secretary = make_user(username="secretary", secretariat=True)
    site = write_site(tmp_path / "export")
    trackers = tmp_path / "trackers.zip"
    with zipfile.ZipFile(trackers, "w") as archive:
        for path in site.trackers.iterdir():
            archive.write(path, path.name)
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    # The worker stops a few seconds after the first page, so the bar is seen half-way.
    private_workers(
        JOBS_TEST_PAUSE_SECONDS="4",
        MEDIA_ROOT=str(media),
        PRIVATE_ROOT=str(settings.PRIVATE_ROOT),
    )
    settings.CELERY_TASK_DEFAULT_QUEUE = private_workers.queue

    with browser_page(browser, live_server.url) as office:
        log_in_through_form(office, secretary)
        office.goto("/secretariat/")
        office.get_by_role("link", name="Move in").click()
        expect(office.get_by_role("heading", level=1)).to_have_text("Move in from the old site")
        office.get_by_label("Page export").set_input_files(site.pages)
        office.get_by_label("Tree and translations").set_input_files(site.structure)
        office.get_by_label("Tracker exports").set_input_files(trackers)
        office.get_by_label("Mapping").set_input_files(site.mapping)
        office.get_by_label("Gallery files").set_input_files(site.files)
        office.get_by_label("Dry run: show what would happen, write nothing").uncheck()
        office.get_by_role("button", name="Start").click()

        status = office.get_by_role("status")
        bar = office.get_by_role("progressbar")
        expect(bar).to_be_visible(timeout=20_000)
        expect(status).to_contain_text("Wiki pages", timeout=20_000)
        # The page follows the run by itself (htmx), then shows the report.
        expect(office.get_by_role("heading", name="What was imported")).to_be_visible(
            timeout=90_000
        )
        expect(bar).to_have_count(0)
        counts = office.get_by_role("table").first
        expect(counts.get_by_role("row", name="Criteria")).to_contain_text("created: 30")
        expect(counts.get_by_role("row", name="Revisions")).to_contain_text("created: 13")
        expect(office.get_by_role("link", name="Download the report (CSV)")).to_be_visible()

        office.goto("/tiki-index.php?page=History%20of%20TOGETHER%27s%20activities")
        expect(office).to_have_url(
            f"{live_server.url}/wiki/network/en/history-of-togethers-activities/"
        )
        expect(office.get_by_role("heading", level=1)).to_contain_text(
            "History of TOGETHER's activities"
        )
        office.goto("/tiki-index.php?page=A%20page%20that%20never%20was")
        expect(office.get_by_label("Look for it on this site")).to_have_value(
            "A page that never was"
        )
    move = MoveIn.objects.get()
    assert move.status == MoveIn.Status.DONE and move.error_count == 0
