import feedparser
import pytest
from django.urls import reverse

from syntheses import reports
from syntheses.selectors import Filters, scope_get
from tests.factories import make_coordination_group, make_criterion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _report(key, language="en"):
    asked = reports.report_request(
        ref=scope_get(key), language=language, filters=Filters(), actor=None
    )
    return reports.report_render(report_id=asked.pk)


def test_a_published_report_appears_in_the_latest_additions_and_its_group_feed(client):
    tenant = make_coordination_group(name="Lisbon platform")
    make_criterion(tenant=tenant, component="A01")
    hidden = make_coordination_group(name="Secret platform", is_hidden=True)
    report = _report(f"cg-{tenant.pk}")
    _report(f"cg-{hidden.pk}")
    download = reverse("reports:download", kwargs={"key": f"cg-{tenant.pk}", "report": report.pk})

    for name in ("wiki:feed_latest_rss", "wiki:feed_latest_atom"):
        body = client.get(reverse(name)).content.decode()
        assert "Report: Lisbon platform (English)" in body
        assert download in body
        assert "Secret platform" not in body
    group_feed = client.get(reverse("directory:group_feed_rss", kwargs={"cg": tenant.slug}))
    assert "Report: Lisbon platform (English)" in group_feed.content.decode()
    other = make_coordination_group(name="Elsewhere")
    other_feed = client.get(reverse("directory:group_feed_rss", kwargs={"cg": other.slug}))
    assert "Lisbon" not in other_feed.content.decode()


def test_a_reports_title_is_plain_text_in_every_feed(client):
    tenant = make_coordination_group(name="Bread & <b>roses</b> d'Ana")
    make_criterion(tenant=tenant, component="A01")
    _report(f"cg-{tenant.pk}")
    expected = "Report: Bread & <b>roses</b> d'Ana (English)"

    for url in (
        reverse("wiki:feed_latest_rss"),
        reverse("wiki:feed_latest_atom"),
        reverse("directory:group_feed_rss", kwargs={"cg": tenant.slug}),
        reverse("directory:group_feed_atom", kwargs={"cg": tenant.slug}),
    ):
        raw = client.get(url).content.decode()
        assert expected in [entry.title for entry in feedparser.parse(raw).entries], url
        assert "Report: Bread &amp; &lt;b&gt;roses&lt;/b&gt; d'Ana (English)" in raw, url
