import datetime
import io
from html import unescape

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from criteria.models import Classification, Component, Criterion, ImportBatch, Question
from criteria.transfer.imports import ERRORS_KEPT
from criteria.transfer.services import (
    criteria_import_commit,
    criteria_import_enqueue,
    criteria_import_preview,
)
from criteria.transfer.storage import import_file_path
from territories.models import Membership
from territories.services import membership_set
from tests.factories import make_coordination_group, make_homogeneous_group, make_user
from wikispiral.audit.models import AuditEntry
from wikispiral.errors import DomainError
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import job_run
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

HEADER = "group,question,text,date,language,component,full_code\n"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"
    return settings.PRIVATE_ROOT


@pytest.fixture
def facilitator():
    return make_user(username="facilitator", email="facilitator@example.org")


@pytest.fixture
def tenant(facilitator):
    return make_coordination_group(name="Braga", facilitator=facilitator)


@pytest.fixture
def young(tenant):
    return make_homogeneous_group(
        tenant=tenant, name="Young people", slug="young-people", language="pt"
    )


@pytest.fixture
def elders(tenant):
    return make_homogeneous_group(tenant=tenant, name="Elders", slug="elders", language="en")


@pytest.fixture
def client_f(client_for, facilitator):
    return client_for(facilitator)


def _upload(client, tenant, data: bytes, name: str = "criteria.csv"):
    return client.post(
        reverse("transfer:import", kwargs={"cg": tenant.slug}),
        {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
    )


def _batch(tenant) -> ImportBatch:
    with cross_tenant():
        return ImportBatch.objects.filter(tenant=tenant).latest("created_at")


def _criteria(tenant) -> list[Criterion]:
    with cross_tenant():
        return list(Criterion.objects.filter(tenant=tenant).select_related("component"))


def _xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Templates ----------------------------------------------------------------------------------


def test_csv_template_has_the_header_and_two_example_rows(client_f, tenant, young):
    response = client_f.get(
        reverse("transfer:import_template", kwargs={"cg": tenant.slug, "fmt": "csv"})
    )

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0] == HEADER.strip()
    assert len(lines) == 3
    assert lines[1].startswith("young-people,Q1,")


def test_xlsx_template_lists_groups_questions_and_grid_codes(client_f, tenant, young, elders):
    response = client_f.get(
        reverse("transfer:import_template", kwargs={"cg": tenant.slug, "fmt": "xlsx"})
    )

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    first, reference = workbook.worksheets
    assert [cell.value for cell in first[1]] == HEADER.strip().split(",")
    assert first.max_row == 3
    values = {cell.value for row in reference.iter_rows() for cell in row}
    assert {"young-people", "elders", "Q1", "Q2", "Q3", "A01", "I00"} <= values


def test_filled_template_imports_as_is(
    client_f, tenant, young, elders, django_capture_on_commit_callbacks
):
    template = client_f.get(
        reverse("transfer:import_template", kwargs={"cg": tenant.slug, "fmt": "csv"})
    ).content

    _upload(client_f, tenant, template)
    batch = _batch(tenant)
    assert batch.error_count == 0, batch.errors
    with django_capture_on_commit_callbacks(execute=True):
        client_f.post(
            reverse("transfer:import_commit", kwargs={"cg": tenant.slug, "batch": batch.pk})
        )

    assert len(_criteria(tenant)) == 2


# --- Preview ------------------------------------------------------------------------------------


def test_preview_lists_every_kind_of_error_with_its_row_and_column(client_f, tenant, young):
    Component.objects.filter(version__is_current=True, code="A02").update(is_active=False)
    rows = [
        "young-people,Q1,Good food,2025-03-14,,,",  # 2: valid
        "nobody,Q1,Friends,2025-03-14,,,",  # 3
        "young-people,Q9,Friends,2025-03-14,,,",  # 4
        "young-people,Q1,,2025-03-14,,,",  # 5
        f"young-people,Q1,{'x' * 1001},2025-03-14,,,",  # 6
        "young-people,Q1,Friends,14.03.2025,,,",  # 7
        "young-people,Q1,Friends,2025-03-14,,Z99,",  # 8
        "young-people,Q1,Friends,2025-03-14,,A02,",  # 9
        "young-people,Q1,Friends,2025-03-14,,A01,B02-1",  # 10
        "young-people,Q1,Friends,2025-03-14,english,,",  # 11
        ",Q1,Friends,,,,",  # 12: two errors
    ]
    response = _upload(client_f, tenant, (HEADER + "\n".join(rows)).encode())

    batch = _batch(tenant)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "transfer:import_batch", kwargs={"cg": tenant.slug, "batch": batch.pk}
    )
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.rows == 11
    found = {(error["row"], error["column"]) for error in batch.errors}
    assert found == {
        (3, "group"),
        (4, "question"),
        (5, "text"),
        (6, "text"),
        (7, "date"),
        (8, "component"),
        (9, "component"),
        (10, "full_code"),
        (11, "language"),
        (12, "group"),
        (12, "date"),
    }
    assert batch.error_count == 11
    messages = {error["row"]: error["message"] for error in batch.errors}
    assert "nobody" in messages[3]
    assert "Q9" in messages[4]
    assert "1001" in messages[6]
    assert "14.03.2025" in messages[7]
    assert "Z99" in messages[8]
    assert "no longer in use" in messages[9]
    assert "does not belong to component A01" in messages[10]

    page = client_f.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert "There is no homogeneous group “nobody”" in content
    assert reverse("transfer:import_commit", kwargs={"cg": tenant.slug, "batch": batch.pk}) not in (
        content
    )
    assert _criteria(tenant) == []


def test_errors_are_paginated_and_counted_beyond_the_kept_ones(client_f, tenant, young):
    rows = "\n".join(f"nobody,Q1,Text {i},2025-03-14,,," for i in range(ERRORS_KEPT + 50))

    _upload(client_f, tenant, (HEADER + rows).encode())

    batch = _batch(tenant)
    assert batch.error_count == ERRORS_KEPT + 50
    assert len(batch.errors) == ERRORS_KEPT
    assert batch.errors[0]["row"] == 2
    url = reverse("transfer:import_batch", kwargs={"cg": tenant.slug, "batch": batch.pk})
    page = client_f.get(url + "?page=3").content.decode()
    assert "Page 3 of 20" in page
    assert "Only the first 2000 of the 2050 errors are listed." in page


def test_valid_file_shows_a_sample_and_the_import_button(client_f, tenant, young):
    data = HEADER + "young-people,Q1,Good food,14/03/2025,,A01,A01-11/p15/K\n"

    _upload(client_f, tenant, data.encode())

    batch = _batch(tenant)
    assert batch.error_count == 0
    page = client_f.get(
        reverse("transfer:import_batch", kwargs={"cg": tenant.slug, "batch": batch.pk})
    )
    content = page.content.decode()
    assert "Good food" in content
    assert "A01-11/P15/k" in content
    assert "Import 1 criterion" in content


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "empty.csv", "The submitted file is empty."),
        (b"\n\n", "blank.csv", "The file is empty."),
        (HEADER.encode(), "header.csv", "The file has a header but no criteria under it."),
        (b"%PDF-1.4\x00\x01\x02", "criteria.pdf", "is a PDF document, not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls", "old Excel file (.xls)"),
        (b"not a workbook", "criteria.xlsx", "is not a readable Excel workbook"),
        (b"name;text\nA;B\n", "criteria.csv", "Required columns are missing: group, question"),
    ],
)
def test_a_file_that_cannot_be_used_is_explained(client_f, tenant, young, data, name, expected):
    response = _upload(client_f, tenant, data, name)

    if response.status_code == 400:
        content = response.content.decode()
    else:
        content = client_f.get(response["Location"]).content.decode()
        assert _batch(tenant).error_count == 1
    assert expected in content
    assert _criteria(tenant) == []


def test_a_csv_that_is_not_utf8_says_so_and_how_to_fix_it(client_f, tenant, young):
    data = (HEADER + "young-people,Q1,Santé et éducation,2025-03-14,fr,,\n").encode("cp1252")

    response = _upload(client_f, tenant, data)

    message = unescape(response.content.decode())
    assert response.status_code == 400
    assert "not in UTF-8" in message
    assert "line 2" in message
    assert "Windows-1252" in message
    assert "CSV UTF-8" in message
    assert "Santé" in message
    with cross_tenant():
        assert not ImportBatch.objects.filter(tenant=tenant).exists()


def test_utf8_with_bom_semicolons_and_french_headers_are_read(client_f, tenant, young):
    data = (
        "\ufeffGroupe;Question;Texte;Date;Langue;Composante;Code complet\n"
        "Young People;q2;« Solitude »;01/02/2024;FR;;\n"
    ).encode()

    _upload(client_f, tenant, data)

    batch = _batch(tenant)
    assert batch.error_count == 0, batch.errors
    assert criteria_import_commit(tenant=tenant, batch=batch) == 1
    [criterion] = _criteria(tenant)
    assert criterion.text == "« Solitude »"
    assert criterion.language == "fr"
    assert criterion.question.code == "Q2"
    assert criterion.session_date == datetime.date(2024, 2, 1)


def test_language_defaults_to_the_groups(tenant, young, facilitator):
    batch = criteria_import_preview(
        tenant=tenant,
        actor=facilitator,
        filename="c.csv",
        data=b"group,question,text,date\nyoung-people,Q1,Bread,2024-05-01\n",
    )

    criteria_import_commit(tenant=tenant, batch=batch)

    assert _criteria(tenant)[0].language == "pt"


# --- Commit -------------------------------------------------------------------------------------


def test_commit_creates_every_row_and_classifies_rows_with_a_component(
    client_f, tenant, young, elders, facilitator, django_capture_on_commit_callbacks
):
    data = HEADER + (
        "young-people,Q1,Good food,2025-03-14,,A01,A01-11/P15/k\n"
        "elders,Q2,Loneliness,2025-03-15,,,\n"
        "Elders,Q3,Visiting neighbours,2025-03-15,fr,D01,\n"
    )
    _upload(client_f, tenant, data.encode())
    batch = _batch(tenant)
    path = import_file_path(batch)
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_f.post(
            reverse("transfer:import_commit", kwargs={"cg": tenant.slug, "batch": batch.pk})
        )

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert batch.rows_done == 3
    assert batch.finished_at is not None
    assert not path.exists()
    criteria = {c.text: c for c in _criteria(tenant)}
    assert set(criteria) == {"Good food", "Loneliness", "Visiting neighbours"}
    food = criteria["Good food"]
    assert food.status == Criterion.Status.CLASSIFIED
    assert food.component.code == "A01"
    assert food.full_code == "A01-11/P15/k"
    assert food.classified_by == facilitator
    assert food.entered_by == facilitator
    assert food.import_batch == batch
    assert food.group == young
    assert criteria["Loneliness"].status == Criterion.Status.UNCLASSIFIED
    assert criteria["Loneliness"].component is None
    with cross_tenant():
        history = list(Classification.objects.filter(tenant=tenant).select_related("component"))
    assert sorted((h.criterion.text, h.component.code) for h in history) == [
        ("Good food", "A01"),
        ("Visiting neighbours", "D01"),
    ]
    entry = AuditEntry.objects.get(action="criteria.import.committed")
    assert entry.tenant_id == tenant.pk
    assert entry.data["rows"] == 3
    page = client_f.get(response["Location"]).content.decode()
    assert "3 criteria imported" in page


def test_a_full_code_alone_names_its_component(tenant, young, facilitator):
    batch = criteria_import_preview(
        tenant=tenant,
        actor=facilitator,
        filename="c.csv",
        data=(HEADER + "young-people,Q1,Bread,2024-05-01,,,a01-2/o\n").encode(),
    )

    assert criteria_import_commit(tenant=tenant, batch=batch) == 1

    [criterion] = _criteria(tenant)
    assert (criterion.component.code, criterion.full_code) == ("A01", "A01-2/O")


def test_xlsx_file_imports(client_f, tenant, young, django_capture_on_commit_callbacks):
    data = _xlsx(
        [
            ["Group", "Question", "Text", "Date", "Component"],
            ["young-people", "Q1", "Clean air", datetime.datetime(2024, 6, 1), "I01"],
            ["Young people", "Q2", "Noise", "2024-06-01", None],
            ["young-people", 3, "Planting trees", 45000, None],
            [None, None, None, None, None],
        ]
    )

    _upload(client_f, tenant, data, "criteria.xlsx")
    batch = _batch(tenant)
    assert batch.error_count == 0, batch.errors
    assert batch.rows == 3
    with django_capture_on_commit_callbacks(execute=True):
        client_f.post(
            reverse("transfer:import_commit", kwargs={"cg": tenant.slug, "batch": batch.pk})
        )

    criteria = {c.text: c for c in _criteria(tenant)}
    assert criteria["Clean air"].session_date == datetime.date(2024, 6, 1)
    assert criteria["Clean air"].component.code == "I01"
    assert criteria["Noise"].question.code == "Q2"
    # A bare question number, and a date cell showing Excel's day count.
    assert criteria["Planting trees"].question.code == "Q3"
    assert criteria["Planting trees"].session_date == datetime.date(2023, 3, 15)


def test_nothing_is_saved_when_one_row_is_bad(client_f, tenant, young):
    data = HEADER + "young-people,Q1,Good,2025-03-14,,,\nyoung-people,Q1,Bad,2025-13-45,,,\n"
    _upload(client_f, tenant, data.encode())
    batch = _batch(tenant)

    response = client_f.post(
        reverse("transfer:import_commit", kwargs={"cg": tenant.slug, "batch": batch.pk})
    )

    assert response.status_code == 409
    assert "Correct the errors" in response.content.decode()
    assert criteria_import_commit(tenant=tenant, batch=batch) == 0
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert _criteria(tenant) == []


def test_a_failure_during_the_insert_leaves_nothing(tenant, young, facilitator, monkeypatch):
    data = HEADER + "young-people,Q1,One,2025-03-14,,A01,\nyoung-people,Q1,Two,2025-03-14,,,\n"
    batch = criteria_import_preview(
        tenant=tenant, actor=facilitator, filename="c.csv", data=data.encode()
    )

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("criteria.transfer.services._insert_classifications", broken)

    assert criteria_import_commit(tenant=tenant, batch=batch) == 0

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert "nothing was saved" in batch.message
    assert _criteria(tenant) == []
    with cross_tenant():
        assert not Classification.objects.filter(tenant=tenant).exists()


def test_commit_checks_again_and_refuses_what_changed_since_the_preview(tenant, young, facilitator):
    batch = criteria_import_preview(
        tenant=tenant,
        actor=facilitator,
        filename="c.csv",
        data=(HEADER + "young-people,Q1,One,2025-03-14,,A03,\n").encode(),
    )
    Component.objects.filter(version__is_current=True, code="A03").update(is_active=False)

    assert criteria_import_commit(tenant=tenant, batch=batch) == 0

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.error_count == 1
    assert "no longer passes the checks" in batch.message
    assert _criteria(tenant) == []


def test_the_same_file_is_refused_once_imported(client_f, tenant, young):
    data = (HEADER + "young-people,Q1,Good food,2025-03-14,,,\n").encode()
    _upload(client_f, tenant, data)
    criteria_import_commit(tenant=tenant, batch=_batch(tenant))

    response = _upload(client_f, tenant, data, "renamed.csv")

    assert response.status_code == 400
    content = response.content.decode()
    assert "This file was already imported into this coordination group on" in content
    assert "(1 criterion)" in content
    assert len(_criteria(tenant)) == 1
    with cross_tenant():
        assert ImportBatch.objects.filter(tenant=tenant).count() == 1


def test_the_same_file_may_go_to_another_coordination_group(tenant, young, facilitator):
    other = make_coordination_group(facilitator=facilitator)
    make_homogeneous_group(tenant=other, slug="young-people")
    data = (HEADER + "young-people,Q1,Good food,2025-03-14,,,\n").encode()
    criteria_import_commit(
        tenant=tenant,
        batch=criteria_import_preview(tenant=tenant, actor=None, filename="a.csv", data=data),
    )

    batch = criteria_import_preview(tenant=other, actor=None, filename="a.csv", data=data)

    assert batch.error_count == 0


def test_a_checked_file_uploaded_again_reuses_its_batch_and_is_checked_again(tenant, facilitator):
    data = (HEADER + "young-people,Q1,Good food,2025-03-14,,,\n").encode()
    first = criteria_import_preview(tenant=tenant, actor=facilitator, filename="a.csv", data=data)
    assert first.error_count == 1
    make_homogeneous_group(tenant=tenant, slug="young-people")

    second = criteria_import_preview(tenant=tenant, actor=facilitator, filename="b.csv", data=data)

    assert second.pk == first.pk
    assert second.error_count == 0
    assert second.filename == "b.csv"


def test_too_large_a_file_is_refused(tenant, facilitator, monkeypatch):
    monkeypatch.setattr("criteria.transfer.services.MAX_UPLOAD_BYTES", 10)

    with pytest.raises(DomainError) as error:
        criteria_import_preview(tenant=tenant, actor=facilitator, filename="a.csv", data=b"x" * 11)

    assert "larger than" in error.value.message


def test_import_job_run_twice_imports_once(tenant, young, facilitator):
    data = (HEADER + "young-people,Q1,Good food,2025-03-14,,,\n").encode()
    batch = criteria_import_preview(tenant=tenant, actor=facilitator, filename="a.csv", data=data)
    criteria_import_enqueue(tenant=tenant, batch=batch)  # the message waits for the commit
    job = Job.objects.get(kind="criteria.import")

    assert job_run(job_id=job.pk, heartbeat=False) == "done"
    assert job_run(job_id=job.pk, heartbeat=False) == "skipped"
    Job.objects.filter(pk=job.pk).update(state="waiting")  # a duplicate message, a stale row
    assert job_run(job_id=job.pk, heartbeat=False) == "done"

    job.refresh_from_db()
    assert job.result == {"created": 0}
    assert len(_criteria(tenant)) == 1


def test_a_second_click_on_import_enqueues_nothing(
    client_f, tenant, young, django_capture_on_commit_callbacks
):
    _upload(client_f, tenant, (HEADER + "young-people,Q1,Good food,2025-03-14,,,\n").encode())
    batch = _batch(tenant)
    url = reverse("transfer:import_commit", kwargs={"cg": tenant.slug, "batch": batch.pk})

    with django_capture_on_commit_callbacks(execute=True) as first:
        client_f.post(url)
    with django_capture_on_commit_callbacks(execute=True) as second:
        response = client_f.post(url)

    assert first  # the task, then removing the stored file
    assert second == []
    assert response.status_code == 302
    assert len(_criteria(tenant)) == 1


# --- Progress -----------------------------------------------------------------------------------


def test_a_running_import_page_polls_and_refreshes_without_javascript(client_f, tenant, young):
    data = (HEADER + "young-people,Q1,Good food,2025-03-14,,,\n").encode()
    batch = criteria_import_preview(tenant=tenant, actor=None, filename="a.csv", data=data)
    with cross_tenant():
        ImportBatch.objects.filter(pk=batch.pk).update(status="running", rows_done=0)
    url = reverse("transfer:import_batch", kwargs={"cg": tenant.slug, "batch": batch.pk})

    page = client_f.get(url).content.decode()
    fragment = client_f.get(url, headers={"HX-Request": "true"})

    assert 'hx-trigger="every 1s"' in page
    assert '<meta http-equiv="refresh"' in page
    assert "<progress" in page
    assert fragment.content.decode().lstrip().startswith('<div id="import-status"')
    assert "HX-Refresh" not in fragment
    criteria_import_commit(tenant=tenant, batch=batch)  # running: not claimed again
    with cross_tenant():
        ImportBatch.objects.filter(pk=batch.pk).update(status="done", rows_done=1)
    done = client_f.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    assert "every 1s" not in done.content.decode()


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, Membership.Role.MEMBER])
def test_import_pages_answer_404_to_outsiders_and_plain_members(client_for, tenant, young, role):
    batch = criteria_import_preview(
        tenant=tenant,
        actor=None,
        filename="a.csv",
        data=(HEADER + "young-people,Q1,Good food,2025-03-14,,,\n").encode(),
    )
    outsider = make_user()
    make_coordination_group(facilitator=outsider)
    if role:
        membership_set(group=tenant, user=outsider, role=role)
    client = client_for(outsider)
    kwargs = {"cg": tenant.slug}

    assert client.get(reverse("transfer:import", kwargs=kwargs)).status_code == 404
    assert _upload(client, tenant, b"group,question,text,date\n").status_code == 404
    for fmt in ("csv", "xlsx"):
        url = reverse("transfer:import_template", kwargs={**kwargs, "fmt": fmt})
        assert client.get(url).status_code == 404
    batch_kwargs = {**kwargs, "batch": batch.pk}
    assert client.get(reverse("transfer:import_batch", kwargs=batch_kwargs)).status_code == 404
    commit = client.post(reverse("transfer:import_commit", kwargs=batch_kwargs))
    assert commit.status_code == 404
    assert _criteria(tenant) == []


def test_another_groups_batch_is_not_found(client_f, tenant, facilitator):
    other = make_coordination_group(facilitator=make_user())
    batch = criteria_import_preview(
        tenant=other, actor=None, filename="a.csv", data=HEADER.encode() + b"x,Q1,t,2024-01-01\n"
    )

    url = reverse("transfer:import_batch", kwargs={"cg": tenant.slug, "batch": batch.pk})

    assert client_f.get(url).status_code == 404


def test_an_editor_may_import(client_for, tenant, young):
    editor = make_user()
    membership_set(group=tenant, user=editor, role=Membership.Role.EDITOR)

    response = client_for(editor).get(reverse("transfer:import", kwargs={"cg": tenant.slug}))

    assert response.status_code == 200


def test_upload_page_query_count_is_pinned(client_f, tenant, young, django_assert_max_num_queries):
    for number in range(5):
        criteria_import_preview(
            tenant=tenant,
            actor=None,
            filename=f"{number}.csv",
            data=(HEADER + f"young-people,Q1,Text {number},2025-03-14,,,\n").encode(),
        )

    with django_assert_max_num_queries(8):
        response = client_f.get(reverse("transfer:import", kwargs={"cg": tenant.slug}))

    assert response.status_code == 200
    assert Question.objects.exists()


# --- A real Celery worker -----------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_a_queued_file(celery_worker_process, settings, client_for):
    import time

    from tests.factories import reference_data

    reference_data()
    # The worker is another process: the file must wait where its settings look.
    del settings.PRIVATE_ROOT
    facilitator = make_user()
    tenant = make_coordination_group(facilitator=facilitator)
    make_homogeneous_group(tenant=tenant, slug="young-people")
    client = client_for(facilitator)
    rows = "".join(f"young-people,Q1,Text {i},2025-03-14,,A01,\n" for i in range(50))
    _upload(client, tenant, (HEADER + rows).encode())
    batch = _batch(tenant)

    client.post(reverse("transfer:import_commit", kwargs={"cg": tenant.slug, "batch": batch.pk}))

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.status not in ("queued", "running"):
            break
        time.sleep(0.2)
    assert batch.status == ImportBatch.Status.DONE, (batch.message, celery_worker_process.log())
    assert len(_criteria(tenant)) == 50
    with cross_tenant():
        assert Classification.objects.filter(tenant=tenant).count() == 50
    assert not import_file_path(batch).exists()
    _wait_until_the_worker_is_idle()


def _wait_until_the_worker_is_idle(seconds: float = 60) -> None:
    """The import's commit queued the syntheses' recomputation, which the worker runs next:
    the test ends only once no job runs and none is due, or the database's flush at teardown
    would meet the worker's transaction (a deadlock)."""
    import time

    from django.db.models import Q
    from django.utils import timezone

    from wikispiral.jobs.models import Job

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        busy = Job.objects.filter(
            Q(state=Job.State.RUNNING)
            | Q(state=Job.State.WAITING)
            & (Q(run_after__isnull=True) | Q(run_after__lte=timezone.now()))
        ).exists()
        if not busy:
            return
        time.sleep(0.2)
    raise AssertionError("the worker was still busy after the import")


# --- A durable job ------------------------------------------------------------------------------


def _queued(tenant, data: bytes) -> ImportBatch:
    batch = criteria_import_preview(tenant=tenant, actor=None, filename="a.csv", data=data)
    criteria_import_enqueue(tenant=tenant, batch=batch)  # no commit hook: the message waits
    return batch


def test_an_interrupted_import_says_so_and_is_taken_back(client_f, tenant, young, monkeypatch):
    from django.utils import timezone

    from wikispiral.jobs import services as jobs

    batch = _queued(tenant, (HEADER + "young-people,Q1,Good food,2025-03-14,,,\n").encode())
    job = Job.objects.get(kind="criteria.import")
    # A worker claimed it, then died mid-insert: its transaction died with it.
    Job.objects.filter(pk=job.pk).update(
        state="running", attempts=1, token=Job.new_token(), lease_until=timezone.now()
    )
    with cross_tenant():
        ImportBatch.objects.filter(pk=batch.pk).update(status="running", rows_done=0)
    monkeypatch.setattr(jobs, "_send", lambda *args, **kwargs: None)  # the broker is away
    jobs.jobs_sweep()
    url = reverse("transfer:import_batch", kwargs={"cg": tenant.slug, "batch": batch.pk})

    page = client_f.get(url).content.decode()

    batch.refresh_from_db()
    assert batch.status == "queued"
    assert "Interrupted, starting again" in page
    assert 'hx-trigger="every 1s"' in page
    assert job_run(job_id=job.pk, heartbeat=False) == "done"
    assert len(_criteria(tenant)) == 1


def test_an_import_that_keeps_dying_fails_with_its_reason(client_f, tenant, young):
    from django.utils import timezone

    from wikispiral.jobs.services import jobs_sweep

    batch = _queued(tenant, (HEADER + "young-people,Q1,Good food,2025-03-14,,,\n").encode())
    Job.objects.filter(kind="criteria.import").update(
        state="running", attempts=3, token=Job.new_token(), lease_until=timezone.now()
    )
    jobs_sweep()
    url = reverse("transfer:import_batch", kwargs={"cg": tenant.slug, "batch": batch.pk})

    page = unescape(client_f.get(url).content.decode())

    batch.refresh_from_db()
    assert batch.status == "failed"
    assert "It stopped after 3 attempts. Its worker stopped before the end." in page
    assert "Try the import again" in page


def test_a_failed_import_is_tried_again_from_its_stored_file(
    client_f, tenant, young, django_capture_on_commit_callbacks
):
    batch = _queued(tenant, (HEADER + "young-people,Q1,Good food,2025-03-14,,,\n").encode())
    with cross_tenant():
        ImportBatch.objects.filter(pk=batch.pk).update(status="failed", message="Stopped.")
    Job.objects.filter(kind="criteria.import").update(state="failed", message="Stopped.")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_f.post(
            reverse("transfer:import_retry", kwargs={"cg": tenant.slug, "batch": batch.pk})
        )

    batch.refresh_from_db()
    assert response.status_code == 302
    assert (batch.status, batch.rows_done) == ("done", 1)
    assert len(_criteria(tenant)) == 1
    imports = Job.objects.filter(kind="criteria.import").order_by("pk")
    assert list(imports.values_list("state", flat=True)) == ["failed", "done"]


def test_retrying_an_import_that_did_not_fail_is_refused(client_f, tenant, young, facilitator):
    batch = criteria_import_preview(
        tenant=tenant,
        actor=facilitator,
        filename="c.csv",
        data=(HEADER + "young-people,Q1,Good food,2025-03-14,,,\n").encode(),
    )
    criteria_import_commit(tenant=tenant, batch=batch)

    response = client_f.post(
        reverse("transfer:import_retry", kwargs={"cg": tenant.slug, "batch": batch.pk})
    )

    assert response.status_code == 409
    assert "Only a failed import can be started again." in response.content.decode()


def test_a_second_click_on_try_again_changes_nothing(client_f, tenant, young):
    batch = _queued(tenant, (HEADER + "young-people,Q1,Good food,2025-03-14,,,\n").encode())

    response = client_f.post(
        reverse("transfer:import_retry", kwargs={"cg": tenant.slug, "batch": batch.pk})
    )

    assert response.status_code == 302
    assert Job.objects.filter(kind="criteria.import").count() == 1


def test_uploading_again_the_file_of_a_failed_import_offers_to_import_it(client_f, tenant, young):
    data = (HEADER + "young-people,Q1,Good food,2025-03-14,,,\n").encode()
    batch = _queued(tenant, data)
    with cross_tenant():
        ImportBatch.objects.filter(pk=batch.pk).update(status="failed", message="Stopped.")

    response = _upload(client_f, tenant, data)

    batch.refresh_from_db()
    assert response.status_code == 302
    assert batch.status == "previewed"
    assert "Import 1 criterion" in client_f.get(response.url).content.decode()


def test_a_batch_left_queued_without_a_job_gets_one_from_the_sweep(
    tenant, young, django_capture_on_commit_callbacks
):
    from wikispiral.jobs.services import jobs_sweep

    batch = _queued(tenant, (HEADER + "young-people,Q1,Good food,2025-03-14,,,\n").encode())
    Job.objects.all().delete()  # queued before jobs existed: the stuck batch of the issue

    with django_capture_on_commit_callbacks(execute=True):
        swept = jobs_sweep()

    batch.refresh_from_db()
    assert len(swept.adopted) == 1
    assert batch.status == "done"
    assert len(_criteria(tenant)) == 1


def test_texts_our_csv_export_neutralised_come_back_as_typed(tenant, young, facilitator):
    data = (
        HEADER
        + "young-people,Q1,'- more parks,2025-03-14,,,\n"
        + "young-people,Q1,'=SUM(1+1),2025-03-14,,,\n"
        + "young-people,Q1,'quoted on purpose,2025-03-14,,,\n"
    ).encode()
    batch = criteria_import_preview(tenant=tenant, actor=facilitator, filename="c.csv", data=data)

    criteria_import_commit(tenant=tenant, batch=batch)

    assert sorted(c.text for c in _criteria(tenant)) == [
        "'quoted on purpose",
        "- more parks",
        "=SUM(1+1)",
    ]


def test_an_operator_retrying_a_failed_import_job_imports_it(
    tenant, young, django_capture_on_commit_callbacks
):
    from wikispiral.jobs.services import job_retry

    batch = _queued(tenant, (HEADER + "young-people,Q1,Good food,2025-03-14,,,\n").encode())
    with cross_tenant():
        ImportBatch.objects.filter(pk=batch.pk).update(status="failed", message="Stopped.")
    Job.objects.filter(kind="criteria.import").update(state="failed", message="Stopped.")

    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job=Job.objects.get(kind="criteria.import"))

    batch.refresh_from_db()
    assert (batch.status, batch.rows_done) == ("done", 1)
    assert len(_criteria(tenant)) == 1


def test_a_run_that_lost_its_batch_does_not_mark_it_failed_over_its_successor(
    tenant, young, facilitator
):
    batch = criteria_import_preview(
        tenant=tenant,
        actor=facilitator,
        filename="c.csv",
        data=(HEADER + "young-people,Q1,Good food,2025-03-14,,,\n").encode(),
    )
    criteria_import_commit(tenant=tenant, batch=batch)  # the successor imported it
    from criteria.transfer.services import _fail

    with cross_tenant():
        _fail(batch, "The uploaded file is no longer on the server: upload it again.")

    batch.refresh_from_db()
    assert batch.status == "done"
