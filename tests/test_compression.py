"""Every dynamic answer is compressed for browsers that accept it (GZipMiddleware), with the
BREACH mitigation Django gives it: random padding in the gzip header, so the same page never
has the same compressed length twice. Cached anonymous pages and streamed downloads too."""

import gzip

import pytest
from django.http import HttpResponse
from django.urls import reverse

from tests.factories import make_coordination_group, make_criterion, make_page
from wikispiral.edge import TextCompressionMiddleware

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_an_html_page_comes_back_gzipped_with_vary_and_a_random_length(client):
    page = make_page(title="Eating well", body="Good bread, shared. " * 50)
    plain = client.get(page.get_absolute_url())  # fills the anonymous page cache

    answers = [client.get(page.get_absolute_url(), **GZIP) for _ in range(6)]

    for response in answers:
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        assert gzip.decompress(response.content) == plain.content
    # The same page, the same bytes once decompressed, yet lengths differ: the random padding.
    lengths = {len(response.content) for response in answers}
    assert len(lengths) > 1, f"every compressed answer was {lengths} bytes long"
    assert all(len(response.content) < len(plain.content) for response in answers)


def test_a_page_served_from_the_anonymous_cache_is_compressed_too(client):
    page = make_page(body="Cached words. " * 80)
    client.get(page.get_absolute_url())

    hit = client.get(page.get_absolute_url(), **GZIP)

    assert hit["X-Page-Cache"] == "hit"
    assert hit["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in hit["Vary"] and "Accept-Language" in hit["Vary"]
    assert b"Cached words." in gzip.decompress(hit.content)


def test_without_accept_encoding_nothing_is_compressed(client):
    page = make_page(body="Plain words. " * 80)

    response = client.get(page.get_absolute_url())

    assert not response.has_header("Content-Encoding")
    assert b"Plain words." in response.content


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_streamed_export_decompresses_to_the_same_file(client, settings, tmp_path, fmt):
    settings.PRIVATE_ROOT = tmp_path / "private"
    tenant = make_coordination_group(name="Mulhouse")
    for number in range(40):
        make_criterion(tenant=tenant, text=f"Criterion {number} about food", component="A01")
    url = reverse("transfer:export_cg", kwargs={"cg": tenant.slug, "fmt": fmt})
    plain = client.get(url)

    compressed = client.get(url, **GZIP)

    assert compressed.status_code == 200
    assert compressed["Content-Encoding"] == "gzip"
    assert compressed["Content-Disposition"] == plain["Content-Disposition"]
    assert gzip.decompress(_body(compressed)) == _body(plain)


@pytest.mark.parametrize(
    ("content_type", "compressed"),
    [
        ("application/pdf", False),
        ("application/zip", False),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
        ("image/png", False),
        ("text/html; charset=utf-8", True),
        ("text/csv; charset=utf-8", True),
        ("application/json", True),
    ],
)
def test_only_what_compresses_is_compressed(rf, content_type, compressed):
    """A PDF or an archive keeps its bytes and its Content-Length (a download's progress bar);
    text is gzipped."""
    body = b"%PDF-1.7 " + b"stream of bytes " * 400

    def view(request):
        response = HttpResponse(body, content_type=content_type)
        response["Content-Length"] = str(len(body))
        return response

    request = rf.get("/file", HTTP_ACCEPT_ENCODING="gzip")
    response = TextCompressionMiddleware(view)(request)
    assert (response.get("Content-Encoding") == "gzip") is compressed
    if compressed:
        assert gzip.decompress(response.content) == body
    else:
        assert response.content == body
        assert response["Content-Length"] == str(len(body))
