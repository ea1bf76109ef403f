import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from criteria import hooks
from criteria.models import Classification, Criterion, ImportBatch, NetworkImportBatch
from criteria.transfer.network.services import (
    criteria_network_import_commit,
    criteria_network_import_enqueue,
    criteria_network_import_preview,
    network_file_path,
)
from tests.factories import make_coordination_group, make_homogeneous_group, make_user
from wikispiral.audit.models import AuditEntry
from wikispiral.errors import DomainError
from wikispiral.jobs.models import Job
from wikispiral.jobs.services import job_run
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

HEADER = "coordination_group,group,question,text,date,language,component,full_code,external_key\n"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"
    return settings.PRIVATE_ROOT


@pytest.fixture
def secretariat(secretariat_user):
    return secretariat_user


@pytest.fixture
def client_s(client_for, secretariat):
    return client_for(secretariat)


@pytest.fixture
def braga():
    return make_coordination_group(name="Braga", slug="braga", network_id="GC136526")


@pytest.fixture
def praia():
    return make_coordination_group(name="Praia", slug="praia", network_id="GC200001")


@pytest.fixture
def groups(braga, praia):
    return {
        "young": make_homogeneous_group(tenant=braga, name="Young people", slug="young-people"),
        "elders": make_homogeneous_group(tenant=braga, name="Elders", slug="elders", language="pt"),
        "women": make_homogeneous_group(tenant=praia, name="Women", slug="women", language="pt"),
        "farmers": make_homogeneous_group(tenant=praia, name="Farmers", slug="farmers"),
    }


def _criteria(tenant) -> list[Criterion]:
    with cross_tenant():
        return list(Criterion.objects.filter(tenant=tenant).select_related("group", "component"))


def _upload(client, data: str, name: str = "network.csv"):
    return client.post(
        reverse("network_import:upload"),
        {"file": SimpleUploadedFile(name, data.encode(), content_type="text/csv")},
    )


GOOD = HEADER + (
    "braga,young-people,Q1,Good food,2025-03-14,,A01,,k1\n"
    "GC136526,Elders,Q2,Loneliness,2025-03-15,,,,k2\n"
    "braga,elders,Q3,Visiting neighbours,2025-03-15,fr,D01,,k3\n"
    "praia,women,Q1,Clean water,2025-04-01,,,,k1\n"
    "gc200001,farmers,Q2,Drought,2025-04-02,,,,k5\n"
)


def test_a_file_of_two_groups_is_previewed_then_committed_through_the_job(
    client_s, braga, praia, groups, secretariat, django_capture_on_commit_callbacks, monkeypatch
):
    told = []
    monkeypatch.setattr(
        hooks, "_criteria_changed", [lambda *, tenant, groups=None: told.append(tenant.pk)]
    )

    response = _upload(client_s, GOOD)

    assert response.status_code == 302
    batch = NetworkImportBatch.objects.get()
    assert batch.error_count == 0, batch.errors
    assert batch.rows == 5
    assert {g["slug"]: g["new"] for g in batch.groups} == {"braga": 3, "praia": 2}
    page = client_s.get(response["Location"]).content.decode()
    assert "Import 5 criteria" in page
    assert "Clean water" in page  # the sample, with its coordination group
    assert _criteria(braga) == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client_s.post(reverse("network_import:commit", kwargs={"batch": batch.pk}))

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == NetworkImportBatch.Status.DONE
    assert batch.rows_done == 5
    assert not network_file_path(batch).exists()
    job = Job.objects.get(kind="criteria.network_import")
    assert job.state == "done"
    assert job.result == {"created": 5}
    braga_criteria = {c.text: c for c in _criteria(braga)}
    praia_criteria = {c.text: c for c in _criteria(praia)}
    assert set(braga_criteria) == {"Good food", "Loneliness", "Visiting neighbours"}
    assert set(praia_criteria) == {"Clean water", "Drought"}
    assert braga_criteria["Loneliness"].group == groups["elders"]
    assert braga_criteria["Loneliness"].language == "pt"
    assert braga_criteria["Good food"].component.code == "A01"
    assert braga_criteria["Good food"].entered_by == secretariat
    assert braga_criteria["Good food"].external_key == "k1"
    assert praia_criteria["Clean water"].external_key == "k1"  # a key is unique per group
    # One done ImportBatch per group, which its facilitators see among their imports.
    with cross_tenant():
        per_group = {b.tenant_id: b for b in ImportBatch.objects.all()}
        history = Classification.objects.filter(tenant=braga).count()
    assert per_group[braga.pk].rows_done == 3
    assert per_group[praia.pk].rows_done == 2
    assert per_group[braga.pk].status == ImportBatch.Status.DONE
    assert braga_criteria["Good food"].import_batch_id == per_group[braga.pk].pk
    assert history == 2
    # Syntheses are told as by a group's own import: where rows came classified.
    assert told == [braga.pk]
    assert AuditEntry.objects.filter(action="criteria.import.committed").count() == 2
    entry = AuditEntry.objects.get(action="criteria.network_import.committed")
    assert entry.data["rows"] == 5
    done = client_s.get(response["Location"]).content.decode()
    assert "5 criteria imported" in done
    group_page = reverse(
        "transfer:import_batch", kwargs={"cg": braga.slug, "batch": per_group[braga.pk].pk}
    )
    assert group_page in done
    assert "3 criteria imported" in client_s.get(group_page).content.decode()


def test_an_unknown_coordination_group_is_a_row_error_and_nothing_is_written(
    braga, praia, groups, secretariat
):
    data = GOOD + "lisboa,young-people,Q1,Sunshine,2025-03-14,,,,k9\n"

    batch = criteria_network_import_preview(actor=secretariat, filename="n.csv", data=data.encode())

    assert batch.error_count == 1
    [error] = batch.errors
    assert error["row"] == 7
    assert error["column"] == "coordination_group"
    assert "There is no coordination group “lisboa”" in error["message"]
    with pytest.raises(DomainError):
        criteria_network_import_enqueue(batch=batch)
    assert criteria_network_import_commit(batch=batch) == 0
    assert _criteria(braga) == [] and _criteria(praia) == []


def test_a_homogeneous_group_of_another_coordination_group_is_an_error(braga, praia, groups):
    data = HEADER + "braga,women,Q1,Water,2025-03-14,,,,\n"

    batch = criteria_network_import_preview(actor=None, filename="n.csv", data=data.encode())

    [error] = batch.errors
    assert error["column"] == "group"
    assert "There is no homogeneous group “women” in this coordination group" in error["message"]


def test_an_error_in_one_groups_rows_writes_nothing_in_another(
    client_s, braga, praia, groups, django_capture_on_commit_callbacks
):
    data = GOOD + "praia,farmers,Q1,Rain,2025-13-45,,,,k6\n"
    _upload(client_s, data)
    batch = NetworkImportBatch.objects.get()
    assert batch.error_count == 1
    assert batch.errors[0]["row"] == 7

    with django_capture_on_commit_callbacks(execute=True):
        response = client_s.post(reverse("network_import:commit", kwargs={"batch": batch.pk}))

    assert response.status_code == 409
    assert _criteria(braga) == [] and _criteria(praia) == []
    assert Job.objects.filter(kind="criteria.network_import").count() == 0


def test_a_failure_in_the_second_group_rolls_back_the_first(
    braga, praia, groups, secretariat, monkeypatch
):
    from criteria.transfer.network import services

    batch = criteria_network_import_preview(actor=secretariat, filename="n.csv", data=GOOD.encode())
    real = services._insert
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_insert", failing)

    assert criteria_network_import_commit(batch=batch) == 0

    batch.refresh_from_db()
    assert batch.status == NetworkImportBatch.Status.FAILED
    assert "nothing was saved" in batch.message
    assert _criteria(braga) == [] and _criteria(praia) == []
    with cross_tenant():
        assert ImportBatch.objects.count() == 0


def test_reimporting_with_external_keys_adds_only_the_new_rows(braga, praia, groups, secretariat):
    first = criteria_network_import_preview(actor=secretariat, filename="n.csv", data=GOOD.encode())
    assert criteria_network_import_commit(batch=first) == 5

    again = criteria_network_import_preview(actor=secretariat, filename="n.csv", data=GOOD.encode())
    assert again.pk != first.pk
    assert again.rows_existing == 5
    assert criteria_network_import_commit(batch=again) == 0
    again.refresh_from_db()
    assert again.status == NetworkImportBatch.Status.DONE
    assert again.rows_existing == 5

    later = GOOD + (
        "praia,women,Q3,Planting trees,2025-05-01,,,,k7\n"
        "braga,elders,Q1,Grandchildren,2025-05-02,,,,k8\n"
    )
    batch = criteria_network_import_preview(
        actor=secretariat, filename="n2.csv", data=later.encode()
    )
    assert batch.rows_existing == 5
    assert {g["slug"]: (g["new"], g["existing"]) for g in batch.groups} == {
        "braga": (1, 3),
        "praia": (1, 2),
    }
    assert criteria_network_import_commit(batch=batch) == 2

    assert len(_criteria(braga)) == 4
    assert len(_criteria(praia)) == 3
    batch.refresh_from_db()
    assert (batch.rows_done, batch.rows_existing) == (2, 5)


def test_a_file_with_keyless_rows_is_refused_once_imported(braga, groups, secretariat):
    data = HEADER + "braga,young-people,Q1,Good food,2025-03-14,,,,\n"
    batch = criteria_network_import_preview(actor=secretariat, filename="n.csv", data=data.encode())
    assert criteria_network_import_commit(batch=batch) == 1

    with pytest.raises(DomainError) as error:
        criteria_network_import_preview(actor=secretariat, filename="n.csv", data=data.encode())

    assert "already imported" in error.value.message
    assert len(_criteria(braga)) == 1


def test_a_key_twice_for_the_same_group_is_an_error(braga, groups):
    data = HEADER + (
        "braga,young-people,Q1,One,2025-03-14,,,,k1\nbraga,elders,Q1,Two,2025-03-14,,,,k1\n"
    )

    batch = criteria_network_import_preview(actor=None, filename="n.csv", data=data.encode())

    [error] = batch.errors
    assert (error["row"], error["column"]) == (3, "external_key")


def test_the_job_run_twice_imports_once(braga, praia, groups, secretariat):
    batch = criteria_network_import_preview(actor=secretariat, filename="n.csv", data=GOOD.encode())
    criteria_network_import_enqueue(batch=batch)
    job = Job.objects.get(kind="criteria.network_import")

    assert job_run(job_id=job.pk, heartbeat=False) == "done"
    Job.objects.filter(pk=job.pk).update(state="waiting")
    assert job_run(job_id=job.pk, heartbeat=False) == "done"

    job.refresh_from_db()
    assert job.result == {"created": 0}
    assert len(_criteria(braga)) + len(_criteria(praia)) == 5


def test_a_running_import_page_polls_and_refreshes_without_javascript(client_s, braga, groups):
    data = HEADER + "braga,young-people,Q1,Good food,2025-03-14,,,,\n"
    batch = criteria_network_import_preview(actor=None, filename="n.csv", data=data.encode())
    NetworkImportBatch.objects.filter(pk=batch.pk).update(status="running")
    url = reverse("network_import:batch", kwargs={"batch": batch.pk})

    page = client_s.get(url).content.decode()
    fragment = client_s.get(url, headers={"HX-Request": "true"})

    assert 'hx-trigger="every 1s"' in page
    assert '<meta http-equiv="refresh"' in page
    assert "<progress" in page
    assert fragment.content.decode().lstrip().startswith('<div id="import-status"')
    NetworkImportBatch.objects.filter(pk=batch.pk).update(status="done", rows_done=1)
    done = client_s.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_the_upload_page_and_template_are_served_to_the_secretariat(client_s):
    assert client_s.get(reverse("network_import:upload")).status_code == 200
    template = client_s.get(reverse("network_import:template"))
    assert template.status_code == 200
    assert template.content.decode().startswith("coordination_group,group,")


def test_a_file_without_the_coordination_group_column_is_explained(client_s, braga, groups):
    response = _upload(client_s, "group,question,text,date\nyoung-people,Q1,x,2025-03-14\n")

    assert response.status_code == 400
    assert "Required columns are missing: coordination_group" in response.content.decode()
    assert NetworkImportBatch.objects.count() == 0


def test_a_facilitator_gets_404_and_an_anonymous_visitor_is_sent_to_log_in(
    client, client_for, braga, groups
):
    facilitator = make_user()
    make_coordination_group(facilitator=facilitator)
    batch = criteria_network_import_preview(actor=None, filename="n.csv", data=GOOD.encode())
    other = client_for(facilitator)
    batch_kwargs = {"batch": batch.pk}

    assert other.get(reverse("network_import:upload")).status_code == 404
    assert _upload(other, GOOD).status_code == 404
    assert other.get(reverse("network_import:template")).status_code == 404
    assert other.get(reverse("network_import:batch", kwargs=batch_kwargs)).status_code == 404
    assert other.post(reverse("network_import:commit", kwargs=batch_kwargs)).status_code == 404
    assert other.post(reverse("network_import:retry", kwargs=batch_kwargs)).status_code == 404
    assert client.get(reverse("network_import:upload")).status_code == 302
    assert _criteria(braga) == []
