"""The secretariat opens coordination groups and homogeneous groups in bulk from a CSV or XLSX
file: preview, then open all or nothing; the same file again changes nothing."""

import datetime
import io
import re

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from territories.models import (
    CoordinationGroup,
    HomogeneousGroup,
    Invitation,
    Membership,
    NetworkMember,
)
from territories.services import locality_ensure, region_ensure
from tests.factories import make_coordination_group, make_country, make_user
from wikispiral.audit.models import AuditEntry
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Page

pytestmark = pytest.mark.django_db

GROUP_HEADER = [
    "network_id",
    "name",
    "slug",
    "type",
    "country",
    "region",
    "locality",
    "facilitator_email",
    "language",
    "platform_description",
]
GROUP_ROWS = [
    ["GC200001", "Mulhouse en transition", "", "territory", "FR", "Grand Est", "Mulhouse",
     "anne@example.org", "fr", "Une plateforme."],
    ["GC200002", "Toulouse ensemble", "", "collective_actor", "France", "Occitanie", "",
     "bruno@example.org", "fr", ""],
    ["", "Plateforme nationale", "plateforme-fr", "", "fr", "", "", "known@example.org", "en", ""],
]  # fmt: skip
HG_HEADER = ["coordination_group", "key", "name", "profile", "meeting_dates", "participants",
             "language"]  # fmt: skip
HG_ROWS = [
    ["GC200001", "hg-1", "Jeunes du centre", "Young people", "2025-03-14", "10", "fr"],
    ["toulouse-ensemble", "hg-2", "Mères seules", "Single mothers of the district", "", "", ""],
    ["Plateforme nationale", "", "Entrepreneurs", "Entrepreneurs", "2025-04-01;2025-04-08", "9",
     ""],
]  # fmt: skip


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    lines = [header, *rows]
    return "\n".join(",".join(cells) for cells in lines).encode() + b"\n"


def _xlsx(header: list[str], rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def places():
    country = make_country()
    region = region_ensure(country=country, name="Grand Est")[0]
    locality_ensure(region=region, name="Mulhouse")
    region_ensure(country=country, name="Occitanie")
    return country


@pytest.fixture
def secretary(client_for):
    return client_for(make_user(secretariat=True))


def _preview(client, url_name: str, data: bytes, name: str = "groups.csv"):
    return client.post(reverse(url_name), {"file": SimpleUploadedFile(name, data)})


def _payload(response) -> str:
    match = re.search(r'name="payload" value="([^"]+)"', response.content.decode())
    assert match, "the preview offers no Open button"
    return match.group(1)


def _open(client, url_name: str, data: bytes, capture, name: str = "groups.csv"):
    preview = _preview(client, url_name, data, name)
    assert preview.status_code == 200, preview.content.decode()
    with capture(execute=True):
        response = client.post(reverse(f"{url_name}_open"), {"payload": _payload(preview)})
    assert response.status_code == 302
    assert response["Location"] == reverse("secretariat:bulk_result")
    return preview


def _check_groups_opened(mailoutbox) -> None:
    with cross_tenant():
        groups = {group.network_id: group for group in CoordinationGroup.objects.all()}
        assert len(groups) == 3
        mulhouse = groups["GC200001"]
        assert mulhouse.slug == "mulhouse-en-transition"
        assert mulhouse.locality is not None and mulhouse.locality.name == "Mulhouse"
        assert mulhouse.level == CoordinationGroup.Level.LOCALITY
        assert mulhouse.status == CoordinationGroup.Status.VALIDATED
        assert mulhouse.languages == ["fr"]
        assert groups["GC200002"].kind == CoordinationGroup.Kind.COLLECTIVE_ACTOR
        national = next(g for g in groups.values() if g.slug == "plateforme-fr")
        assert re.fullmatch(r"GC\d{6}", national.network_id)
        assert national.network_id not in ("GC200001", "GC200002")
        for group in groups.values():
            assert Page.objects.filter(space=group.space, slug="home").exists()
        assert NetworkMember.objects.filter(coordination_group__in=groups.values()).count() == 3
        invited = sorted(Invitation.objects.values_list("email", flat=True))
        assert invited == ["anne@example.org", "bruno@example.org"]
        assert Membership.objects.filter(
            tenant=national, user__email="known@example.org", role=Membership.Role.FACILITATOR
        ).exists()
    assert sorted(m.to[0] for m in mailoutbox) == ["anne@example.org", "bruno@example.org"]
    opened = AuditEntry.objects.filter(action="territories.coordination_group.bulk_opened")
    assert opened.count() == 3
    assert AuditEntry.objects.filter(action="territories.coordination_group.bulk_file").count() == 1


def test_csv_opens_groups_with_spaces_invitations_and_audit(
    secretary, places, mailoutbox, django_capture_on_commit_callbacks
):
    make_user(email="known@example.org")
    preview = _open(
        secretary, "secretariat:bulk_groups", _csv(GROUP_HEADER, GROUP_ROWS),
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    assert "3 groups to open" in preview.content.decode()
    _check_groups_opened(mailoutbox)
    result = secretary.get(reverse("secretariat:bulk_result")).content.decode()
    assert "3 groups opened" in result and "Mulhouse en transition" in result


def test_xlsx_opens_the_same_groups_and_then_their_homogeneous_groups(
    secretary, places, mailoutbox, django_capture_on_commit_callbacks
):
    make_user(email="known@example.org")
    _open(
        secretary, "secretariat:bulk_groups", _xlsx(GROUP_HEADER, GROUP_ROWS),
        django_capture_on_commit_callbacks, name="groups.xlsx",
    )  # fmt: skip
    _check_groups_opened(mailoutbox)

    # A workbook holds real dates and numbers.
    typed = [row[:] for row in HG_ROWS]
    typed[0][4], typed[0][5] = datetime.date(2025, 3, 14), 10
    _open(
        secretary, "secretariat:bulk_homogeneous_groups", _xlsx(HG_HEADER, typed),
        django_capture_on_commit_callbacks, name="hgs.xlsx",
    )  # fmt: skip
    with cross_tenant():
        hgs = {hg.name: hg for hg in HomogeneousGroup.objects.select_related("tenant", "profile")}
        assert set(hgs) == {"Jeunes du centre", "Mères seules", "Entrepreneurs"}
        young = hgs["Jeunes du centre"]
        assert young.tenant.network_id == "GC200001" and young.external_key == "hg-1"
        assert young.profile is not None and young.meeting_dates == ["2025-03-14"]
        assert young.participants == 10 and young.language == "fr" and young.page is not None
        mothers = hgs["Mères seules"]
        assert mothers.profile is None and mothers.profile_other == "Single mothers of the district"
        assert mothers.tenant.slug == "toulouse-ensemble"
        assert hgs["Entrepreneurs"].meeting_dates == ["2025-04-01", "2025-04-08"]
    assert (
        AuditEntry.objects.filter(action="territories.homogeneous_group.bulk_opened").count() == 3
    )
    assert AuditEntry.objects.filter(action="territories.homogeneous_group.bulk_file").count() == 1


def test_the_same_files_again_open_nothing_and_report_updates(
    secretary, places, mailoutbox, django_capture_on_commit_callbacks
):
    groups_file = _csv(GROUP_HEADER, GROUP_ROWS)
    hg_file = _csv(HG_HEADER, HG_ROWS)
    _open(secretary, "secretariat:bulk_groups", groups_file, django_capture_on_commit_callbacks)
    _open(
        secretary, "secretariat:bulk_homogeneous_groups", hg_file,
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    mailoutbox.clear()

    again = _open(
        secretary, "secretariat:bulk_groups", groups_file, django_capture_on_commit_callbacks
    ).content.decode()
    assert "0 groups to open" in again and "3 groups unchanged" in again
    again = _open(
        secretary, "secretariat:bulk_homogeneous_groups", hg_file,
        django_capture_on_commit_callbacks,
    ).content.decode()  # fmt: skip
    assert "0 groups to open" in again and "3 groups unchanged" in again

    changed = [row[:] for row in GROUP_ROWS]
    changed[1][-1] = "A new description."
    preview = _preview(secretary, "secretariat:bulk_groups", _csv(GROUP_HEADER, changed))
    assert "1 group to update" in preview.content.decode()
    with cross_tenant():
        assert CoordinationGroup.objects.count() == 3
        assert HomogeneousGroup.objects.count() == 3
    assert mailoutbox == []


def test_row_errors_are_listed_and_nothing_is_written(secretary, places, mailoutbox):
    rows = [
        GROUP_ROWS[0],
        ["GC200001", "Again", "", "", "FR", "", "", "", "fr", ""],
        ["GC200003", "Nowhere", "", "", "FR", "Atlantis", "", "not-an-address", "fr", ""],
    ]
    response = _preview(secretary, "secretariat:bulk_groups", _csv(GROUP_HEADER, rows))
    html = response.content.decode()

    assert response.status_code == 400
    assert 'name="payload"' not in html
    assert "Row 3, column “network_id”" in html and "already on row 2" in html
    assert "Row 4, column “region”" in html and "Atlantis" in html
    assert "Row 4, column “facilitator_email”" in html
    assert "Unknown places" in html and reverse("secretariat:geography") in html
    with cross_tenant():
        assert CoordinationGroup.objects.count() == 0
    assert not AuditEntry.objects.exists()
    assert mailoutbox == []


def test_unknown_coordination_group_is_a_row_error(secretary, places):
    make_coordination_group(name="Known", network_id="GC300001")
    rows = [["Known", "", "Ok", "Young people", "", "", ""],
            ["GC999999", "", "Lost", "Young people", "", "", ""]]  # fmt: skip
    response = _preview(secretary, "secretariat:bulk_homogeneous_groups", _csv(HG_HEADER, rows))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Row 3, column “coordination_group”" in html and "GC999999" in html
    assert "Row 2," not in html  # a group named as its own address is found by its name
    with cross_tenant():
        assert HomogeneousGroup.objects.count() == 0


def test_a_tampered_payload_opens_nothing(secretary, places):
    response = secretary.post(reverse("secretariat:bulk_groups_open"), {"payload": "forged"})

    assert response.status_code == 400
    with cross_tenant():
        assert CoordinationGroup.objects.count() == 0


def test_errors_are_in_the_secretarys_language(client_for, places):
    secretary = client_for(make_user(secretariat=True))
    secretary.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    make_coordination_group(name="Known", network_id="GC300001")
    rows = [["GC300001", "", "Sans profil", "", "", "", ""]]
    response = _preview(secretary, "secretariat:bulk_homogeneous_groups", _csv(HG_HEADER, rows))

    assert response.status_code == 400
    assert "Choisissez un profil, ou décrivez-le avec vos propres mots." in (
        response.content.decode()
    )


def test_pages_describe_the_columns_and_link_the_templates(secretary):
    dashboard = secretary.get(reverse("secretariat:dashboard")).content.decode()
    page = secretary.get(reverse("secretariat:bulk_groups"))
    hg_page = secretary.get(reverse("secretariat:bulk_homogeneous_groups")).content.decode()

    assert reverse("secretariat:bulk_groups") in dashboard
    assert page.status_code == 200
    html = page.content.decode()
    assert "facilitator_email" in html and reverse("secretariat:bulk_groups_template") in html
    assert '<label for="id_file">' in html
    assert "coordination_group" in hg_page
    assert reverse("secretariat:bulk_homogeneous_groups_template") in hg_page


def test_template_csv_has_the_header_line(secretary):
    response = secretary.get(reverse("secretariat:bulk_groups_template"))

    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert response.content.decode().splitlines()[0].startswith("network_id,name,slug,type")
    hg = secretary.get(reverse("secretariat:bulk_homogeneous_groups_template")).content.decode()
    assert hg.splitlines()[0].startswith("coordination_group,key,name,profile")


@pytest.mark.parametrize(
    "name",
    [
        "bulk_groups",
        "bulk_groups_open",
        "bulk_groups_template",
        "bulk_homogeneous_groups",
        "bulk_homogeneous_groups_open",
        "bulk_homogeneous_groups_template",
        "bulk_result",
    ],
)
def test_only_the_secretariat_sees_the_bulk_pages(client_for, name):
    facilitator = make_user()
    make_coordination_group(facilitator=facilitator)
    client = client_for(facilitator)
    url = reverse(f"secretariat:{name}")

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_the_templates_themselves_open_cleanly(
    secretary, places, mailoutbox, django_capture_on_commit_callbacks
):
    groups = secretary.get(reverse("secretariat:bulk_groups_template")).content
    hgs = secretary.get(reverse("secretariat:bulk_homogeneous_groups_template")).content

    _open(secretary, "secretariat:bulk_groups", groups, django_capture_on_commit_callbacks)
    _open(secretary, "secretariat:bulk_homogeneous_groups", hgs, django_capture_on_commit_callbacks)

    with cross_tenant():
        group = CoordinationGroup.objects.get(network_id="GC136526")
        assert group.languages == ["fr", "de"]
        hg = HomogeneousGroup.objects.get(tenant=group)
        assert hg.profile is not None and hg.profile.slug == "young-people"
        assert (hg.participants, hg.participants_women, hg.participants_men) == (10, 5, 5)
