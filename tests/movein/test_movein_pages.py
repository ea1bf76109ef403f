"""The secretariat's move-in pages: start a dry run from uploads, read its report, import for
real from the same files, download the report; only the secretariat gets in; bad uploads get a
clear message and a 400."""

import csv
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from criteria.models import Criterion
from territories.services import locality_ensure, region_ensure
from tests.factories import make_coordination_group, make_country, make_user
from tests.movein.tiki_site import write_site
from wikispiral.movein.models import MoveIn
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Revision

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    country = make_country()
    region = region_ensure(country=country, name="Grand Est")[0]
    locality_ensure(region=region, name="Mulhouse")
    return write_site(tmp_path / "export")


@pytest.fixture
def secretary(client_for):
    return client_for(make_user(secretariat=True))


def _uploads(site, **only) -> dict:
    trackers = io.BytesIO()
    with zipfile.ZipFile(trackers, "w") as archive:
        for path in site.trackers.iterdir():
            archive.writestr(path.name, path.read_bytes())
    files = {
        "pages": SimpleUploadedFile("pages.zip", site.pages.read_bytes()),
        "structure": SimpleUploadedFile("structure.csv", site.structure.read_bytes()),
        "trackers": SimpleUploadedFile("trackers.zip", trackers.getvalue()),
        "mapping": SimpleUploadedFile("mapping.toml", site.mapping.read_bytes()),
        "files": SimpleUploadedFile("files.zip", site.files.read_bytes()),
    }
    return {name: upload for name, upload in files.items() if not only or name in only}


def test_dry_run_then_import_from_the_same_files(
    secretary, site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = secretary.post(reverse("movein:start"), {**_uploads(site), "dry_run": "on"})
    assert response.status_code == 302
    dry = MoveIn.objects.get()
    assert response["Location"] == reverse("movein:detail", kwargs={"move": dry.pk})
    assert dry.status == MoveIn.Status.DONE and dry.dry_run
    with cross_tenant():
        assert Criterion.objects.count() == 0
    page = secretary.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "What the import would do" in html and "Import for real from the same files" in html
    assert "Criteria" in html and "created: 30" in html
    assert "marie" in html  # an author without an account, listed

    with django_capture_on_commit_callbacks(execute=True):
        response = secretary.post(reverse("movein:again", kwargs={"move": dry.pk}))
    real = MoveIn.objects.latest("pk")
    assert response["Location"] == reverse("movein:detail", kwargs={"move": real.pk})
    assert real.status == MoveIn.Status.DONE and not real.dry_run and real.error_count == 0
    with cross_tenant():
        assert Criterion.objects.count() == 30
    assert Revision.objects.filter(source_format="tiki").count() == 13
    html = secretary.get(response["Location"]).content.decode()
    assert "What was imported" in html and "Import for real" not in html

    report = secretary.get(reverse("movein:report_csv", kwargs={"move": real.pk}))
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(report.content.decode())))
    assert rows[0] == ["Level", "Kind", "About", "Message"]
    assert ["Criteria", "created", "30"] in rows
    data = json.loads(
        secretary.get(reverse("movein:report_json", kwargs={"move": real.pk})).content
    )
    assert data["counts"]["criteria"] == {"created": 30}


def test_the_progress_part_is_served_to_htmx_while_the_run_waits(secretary, site):
    # No on-commit capture: the job is recorded but not run, as when the worker is busy.
    response = secretary.post(reverse("movein:start"), _uploads(site, pages=1))
    move = MoveIn.objects.get()
    assert move.status == MoveIn.Status.QUEUED
    page = secretary.get(response["Location"])
    html = page.content.decode()
    assert '<progress id="movein-progress"' in html and 'http-equiv="refresh"' in html
    part = secretary.get(response["Location"], HTTP_HX_REQUEST="true")
    assert 'id="movein-status"' in part.content.decode() and "<h1>" not in part.content.decode()


@pytest.mark.parametrize(
    ("only", "field", "message"),
    [
        ({"structure"}, "pages", "Give at least the page export"),
        ({"trackers"}, "mapping", "Tracker exports need their mapping file."),
    ],
)
def test_incomplete_uploads_are_refused_with_a_message(secretary, site, only, field, message):
    response = secretary.post(reverse("movein:start"), _uploads(site, **dict.fromkeys(only, 1)))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MoveIn.objects.exists()


def test_a_file_over_the_limit_is_refused(secretary, site, settings):
    settings.MOVEIN_MAX_UPLOAD_BYTES = 100
    response = secretary.post(reverse("movein:start"), _uploads(site, pages=1))
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not MoveIn.objects.exists()


def test_a_damaged_archive_is_a_line_of_the_report_not_an_error_page(
    secretary, site, django_capture_on_commit_callbacks
):
    damaged = {"pages": SimpleUploadedFile("pages.zip", site.pages.read_bytes()[:300])}
    with django_capture_on_commit_callbacks(execute=True):
        response = secretary.post(reverse("movein:start"), damaged)
    move = MoveIn.objects.get()
    assert move.status == MoveIn.Status.DONE and move.error_count >= 1
    html = secretary.get(response["Location"]).content.decode()
    assert "Error" in html


def test_only_the_secretariat_gets_in(client, client_for, site):
    move = MoveIn.objects.create(created_by=make_user(secretariat=True))
    facilitator = make_user()
    make_coordination_group(facilitator=facilitator)
    urls = [
        reverse("movein:start"),
        reverse("movein:detail", kwargs={"move": move.pk}),
        reverse("movein:report_csv", kwargs={"move": move.pk}),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to the login page
        assert client_for(facilitator).get(url).status_code == 404
    assert client_for(facilitator).post(reverse("movein:start"), _uploads(site)).status_code == 404
    assert MoveIn.objects.count() == 1


def test_one_import_at_a_time(secretary, site):
    first = secretary.post(reverse("movein:start"), _uploads(site, pages=1))
    assert first.status_code == 302  # queued; its worker has not taken it yet
    second = secretary.post(reverse("movein:start"), _uploads(site, pages=1))
    assert second.status_code == 400
    assert "An import is already running" in second.content.decode()
    # A dry run may go beside it: it writes nothing.
    dry = secretary.post(reverse("movein:start"), {**_uploads(site, pages=1), "dry_run": "on"})
    assert dry.status_code == 302
    assert MoveIn.objects.count() == 2
