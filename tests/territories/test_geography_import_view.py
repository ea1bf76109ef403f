"""The secretariat previews a geography CSV, then imports it all or nothing."""

import re
import time
from unittest import mock

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from territories.models import Country, Locality, Region
from territories.secretariat.forms import GEOGRAPHY_MAX_AGE_SECONDS, geography_sign
from tests.factories import make_country, make_user
from wikispiral.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

HEADER = "continent,country_code,country,country_fr,country_pt,region,locality\n"
GOOD = HEADER + "AF,CV,Cape Verde,Cap-Vert,Cabo Verde,Santiago,Praia\nAF,CV,Cape Verde,,,Fogo,\n"


@pytest.fixture
def secretary(client_for):
    return client_for(make_user(secretariat=True))


def _upload(client, content: bytes | str, name: str = "places.csv"):
    if isinstance(content, str):
        content = content.encode()
    return client.post(
        reverse("secretariat:geography"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def _payload(response) -> str:
    match = re.search(r'name="payload" value="([^"]+)"', response.content.decode())
    assert match, "the preview offers no Import button"
    return match.group(1)


def _counts() -> tuple[int, int, int]:
    return Country.objects.count(), Region.objects.count(), Locality.objects.count()


def test_page_describes_the_columns_and_offers_a_template(secretary):
    html = secretary.get(reverse("secretariat:geography")).content.decode()
    template = secretary.get(reverse("secretariat:geography_template"))

    assert "country_code" in html and reverse("secretariat:geography_template") in html
    assert template.status_code == 200
    assert template["Content-Type"].startswith("text/csv")
    assert "attachment" in template["Content-Disposition"]
    lines = template.content.decode().splitlines()
    assert lines[0] == HEADER.strip() and len(lines) == 3


def test_the_template_itself_imports_cleanly(secretary):
    template = secretary.get(reverse("secretariat:geography_template")).content

    response = _upload(secretary, template)

    assert response.status_code == 200
    assert "Import" in response.content.decode()


def test_preview_counts_what_would_be_created_and_saves_nothing(secretary):
    before = _counts()

    response = _upload(secretary, GOOD)

    html = response.content.decode()
    assert response.status_code == 200
    assert "2 rows read" in html
    assert "1 country" in html and "2 regions" in html and "1 locality" in html
    assert _counts() == before
    assert not AuditEntry.objects.exists()


def test_import_after_preview_creates_the_places_and_records_it(secretary):
    preview = _upload(secretary, GOOD)

    response = secretary.post(
        reverse("secretariat:geography_import"), {"payload": _payload(preview)}, follow=True
    )

    assert response.status_code == 200
    assert "Imported 2 rows" in response.content.decode()
    assert Locality.objects.filter(name="Praia", region__country__code="CV").exists()
    assert Region.objects.filter(name="Fogo").exists()
    entry = AuditEntry.objects.get(action="territories.geography.imported")
    assert entry.data == {"rows": 2, "countries": 1, "regions": 2, "localities": 1}
    assert entry.actor is not None


def test_every_error_is_listed_with_its_line_and_nothing_can_be_imported(secretary):
    data = HEADER + "AF,CV,Cape Verde,,,Santiago,Praia\nXX,BE,Belgium,,,,\nEU,fr,,,,,\n"

    response = _upload(secretary, data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Line 3" in html and "Unknown continent code" in html
    assert "Line 4" in html and "not an ISO 3166 country code" in html
    assert "The country name is missing" in html
    assert 'name="payload"' not in html
    assert not Country.objects.filter(code="CV").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty"),
        (b"continent,country\nEU,France\n", "Missing columns"),
        (HEADER.encode() + "EU,FR,Fran\xe7e,,,,\n".encode("latin-1"), "not in UTF-8"),
        (b"\x00\x01binary\xff\xfe", "contains a NUL character on line 1"),
        (HEADER.encode() + b'EU,FR,"' + b"x" * 200_000 + b'",,,,\n', "longer than 200,000"),
    ],
    ids=["empty", "columns", "latin1", "binary", "huge-field"],
)
def test_unusable_files_answer_400_with_a_message(secretary, content, message):
    before = _counts()

    response = _upload(secretary, content)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _counts() == before


def test_no_file_answers_400(secretary):
    response = secretary.post(reverse("secretariat:geography"))

    assert response.status_code == 400
    assert "Choose a CSV file" in response.content.decode()


def test_a_file_over_one_megabyte_is_refused(secretary):
    big = HEADER + "EU,FR,France,,,Grand Est,Mulhouse\n" * 40_000

    response = _upload(secretary, big)

    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert not Country.objects.filter(code="FR").exists()


def test_a_tampered_payload_is_refused_and_imports_nothing(secretary):
    signed = geography_sign(GOOD)
    forged = geography_sign(GOOD)[:-3] + "abc"
    other_salt = signing.TimestampSigner(salt="elsewhere").sign_object(GOOD, compress=True)

    answers = [
        secretary.post(reverse("secretariat:geography_import"), {"payload": payload})
        for payload in (forged, other_salt, "", "not-signed-at-all")
    ]

    assert [a.status_code for a in answers] == [400] * 4
    assert "could not be read back" in answers[0].content.decode()
    assert not Country.objects.filter(code="CV").exists()
    assert not AuditEntry.objects.exists()
    assert signed != forged


def test_an_expired_preview_is_refused(secretary):
    signed_at = time.time() - GEOGRAPHY_MAX_AGE_SECONDS - 60
    with mock.patch("django.core.signing.time.time", return_value=signed_at):
        payload = geography_sign(GOOD)

    response = secretary.post(reverse("secretariat:geography_import"), {"payload": payload})

    assert response.status_code == 400
    assert "more than an hour old" in response.content.decode()
    assert not Country.objects.filter(code="CV").exists()


def test_a_payload_that_no_longer_passes_the_checks_imports_nothing(secretary):
    # Valid when previewed; meanwhile Cape Verde was recorded in another continent.
    payload = _payload(_upload(secretary, GOOD))
    make_country(code="CV", name="Cape Verde", continent="EU")

    response = secretary.post(reverse("secretariat:geography_import"), {"payload": payload})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in html and "another continent" in html
    assert not Region.objects.filter(name__in=["Santiago", "Fogo"]).exists()
    assert not AuditEntry.objects.filter(action="territories.geography.imported").exists()


def test_importing_the_same_file_twice_adds_nothing_the_second_time(secretary):
    for _round in range(2):
        payload = _payload(_upload(secretary, GOOD))
        secretary.post(reverse("secretariat:geography_import"), {"payload": payload})

    entries = AuditEntry.objects.filter(action="territories.geography.imported").order_by("pk")
    assert [e.data["regions"] for e in entries] == [2, 0]
    assert Region.objects.filter(country__code="CV").count() == 2
