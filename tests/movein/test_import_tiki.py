"""manage.py import_tiki end to end: a synthetic export of a small network (tests/movein/
tiki_site.py) imported and checked (histories, tree, translations, groups, criteria per
synthesis scope, files, old addresses); imported again (nothing changes); then a later export
(two new revisions, five new criteria) imports exactly those. A dry run writes nothing."""

from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from criteria.models import Criterion
from criteria.selectors import grid_current
from syntheses.models import Scope, Snapshot
from territories.models import CoordinationGroup, HomogeneousGroup
from tests.movein.tiki_site import CG_ITEM, CRITERIA_FIRST_ITEM, HG_ITEMS, NETWORK_ID, write_site
from wikispiral.audit.models import AuditEntry
from wikispiral.movein.models import LegacyAddress, MoveIn
from wikispiral.movein.report import report_load
from wikispiral.movein.storage import report_path
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Attachment, Page, Revision

pytestmark = pytest.mark.django_db


@pytest.fixture
def components() -> tuple[str, ...]:
    return tuple(c.code for c in grid_current().components.filter(is_active=True)[:4])


def run_import(paths, capture, *options: str) -> MoveIn:
    with capture(execute=True):
        call_command("import_tiki", *options, "--as", "secretary", **paths.options())
    return MoveIn.objects.latest("pk")


def _errors(move: MoveIn) -> list:
    report = report_load(report_path(move))
    assert report is not None
    return [line for line in report.lines if line.level == "error"]


def _state() -> dict:
    """Everything the import writes, counted."""
    with cross_tenant():
        return {
            "groups": CoordinationGroup.objects.count(),
            "hgs": HomogeneousGroup.objects.count(),
            "criteria": Criterion.objects.count(),
            "pages": Page.objects.count(),
            "revisions": Revision.objects.count(),
            "attachments": Attachment.objects.count(),
            "addresses": LegacyAddress.objects.count(),
        }


def test_a_small_network_moves_in_and_a_later_export_brings_only_what_changed(
    tmp_path, places, secretary, components, django_capture_on_commit_callbacks, client
):
    capture = django_capture_on_commit_callbacks
    site = write_site(tmp_path / "export", components=components)
    move = run_import(site, capture)
    assert move.status == MoveIn.Status.DONE and not _errors(move)

    # Groups and criteria, through the services: the same group as a secretariat's file opens.
    with cross_tenant():
        group = CoordinationGroup.objects.get(network_id=NETWORK_ID)
        assert (group.locality.name, group.country.code) == ("Mulhouse", "FR")
        hgs = {hg.external_key: hg for hg in HomogeneousGroup.objects.filter(tenant=group)}
        assert set(hgs) == {str(HG_ITEMS[0]), str(HG_ITEMS[1])}
        assert hgs[str(HG_ITEMS[0])].participants == 10
        criteria = Criterion.objects.filter(tenant=group)
        assert criteria.count() == 30
        assert Counter(criteria.values_list("group__external_key", flat=True)) == {
            str(HG_ITEMS[0]): 15,
            str(HG_ITEMS[1]): 15,
        }
        assert criteria.filter(external_key=f"tiki-{CRITERIA_FIRST_ITEM}").exists()
        classified = criteria.filter(status=Criterion.Status.CLASSIFIED).count()
        assert classified == 15

    # The syntheses count them at every level, as for criteria entered here.
    for scope, scope_id in [
        (Scope.COORDINATION_GROUP, group.pk),
        (Scope.LOCALITY, group.locality_id),
        (Scope.REGION, group.region_id),
        (Scope.COUNTRY, group.country_id),
        (Scope.NETWORK, 0),
    ]:
        assert Snapshot.objects.get(scope=scope, scope_id=scope_id).criteria_count == classified

    # Pages with their whole history: times, authors (no accounts invented), original text.
    network_home = Page.objects.get(space__slug="network", language="en", slug="home")
    history = list(network_home.revisions.order_by("number"))
    assert [r.comment for r in history] == ["version 1", "version 2", "version 3"]
    assert [r.author_name for r in history] == ["admin", "marie", "admin"]
    assert history[0].created_at < history[1].created_at < history[2].created_at
    assert history[-1].source.startswith("!Welcome") and history[-1].source_format == "tiki"
    assert "**" not in history[0].body and history[-1].body.startswith("# Welcome")
    # The group's page became its space's home page, its old history after the opening one.
    group_home = Page.objects.get(space=group.space, slug="home", language="fr")
    assert group_home.revisions.filter(source_format="tiki").count() == 3
    assert group_home.revisions.order_by("number").first().source_format == ""
    # The homogeneous group's page took its page's history; the mapping sent the agenda there.
    assert hgs[str(HG_ITEMS[0])].page.revisions.filter(source_format="tiki").count() == 1
    assert Page.objects.filter(space=group.space, slug="mulhouse-agenda").exists()

    # Tree and translations.
    spiral = Page.objects.get(space__slug="network", slug="spiral")
    history_page = Page.objects.get(space__slug="network", slug="history-of-togethers-activities")
    assert spiral.parent == network_home and history_page.parent == spiral
    accueil = Page.objects.get(space__slug="network", language="fr", slug="accueil")
    assert accueil.translation_key == network_home.translation_key
    assert "Ça marche" in accueil.revisions.get().body  # ISO-8859-1 part read right

    # Files became attachments of the spaces whose pages use them.
    logo = Attachment.objects.get(space=network_home.space, name="tiki-101-logo.png")
    assert "attachment:tiki-101-logo.png" in history[-1].body
    assert Attachment.objects.filter(space=group.space, name="tiki-103-mulhouse.png").exists()
    assert Attachment.objects.get(name="tiki-102-report-2015.pdf").content_type == (
        "application/pdf"
    )

    # Old addresses recorded for every kind.
    def target(kind: str, key: str):
        return LegacyAddress.objects.get(kind=kind, key=key).target

    assert target("page", "history of together's activities") == history_page
    assert target("page_ref", "2") == spiral
    assert target("item", str(CG_ITEM)) == group
    assert target("item", str(HG_ITEMS[1])) == hgs[str(HG_ITEMS[1])]
    assert target("file", "101") == logo
    assert target("gallery", "7") == network_home.space
    assert LegacyAddress.objects.get(kind="tracker", key="1").feed == "groups"
    # ...and followed: permanent redirects to what the import made.
    for old, new in [
        ("/tiki-index.php?page=history+of+together%27s+activities", history_page),
        ("/tiki-index.php?page=Home&lang=fr", accueil),
        ("/tiki-index.php?page_ref_id=2", spiral),
    ]:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new.get_absolute_url())
    download = client.get("/tiki-download_file.php?fileId=101&display")
    assert download.status_code == 301 and download["Location"].endswith("/tiki-101-logo.png")
    # A criterion's item: found by its external key, it leads to its homogeneous group's page.
    criterion_link = client.get(f"/tiki-view_tracker_item.php?itemId={CRITERIA_FIRST_ITEM}")
    assert criterion_link.status_code == 301
    assert criterion_link["Location"] == hgs[str(HG_ITEMS[0])].page.get_absolute_url()
    group_link = client.get(f"/tiki-view_tracker_item.php?itemId={CG_ITEM}")
    assert group_link.status_code == 301 and group.slug in group_link["Location"]
    assert client.get("/tiki-index.php?page=Never+written").status_code == 404

    # The report is kept and names the doubt ({FANCYTABLE} is converted or kept visibly).
    report = report_load(report_path(move))
    assert report.counts["revisions"]["created"] == 13
    assert report.counts["criteria"]["created"] == 30
    assert "marie" in report.authors_unmatched
    assert AuditEntry.objects.filter(action="movein.imported").count() == 1

    # The same export again: nothing changes.
    before = _state()
    again = run_import(site, capture)
    assert again.status == MoveIn.Status.DONE and not _errors(again)
    assert _state() == before
    assert again.counts["criteria"] == {"unchanged": 30}
    assert "created" not in again.counts.get("pages", {})

    # A later export: two new revisions of SPIRAL and five new criteria, exactly.
    later = write_site(tmp_path / "later", later=True, components=components)
    third = run_import(later, capture)
    assert third.status == MoveIn.Status.DONE and not _errors(third)
    after = _state()
    assert after["revisions"] == before["revisions"] + 2
    assert after["criteria"] == before["criteria"] + 5
    assert after["pages"] == before["pages"]
    assert spiral.revisions.count() == 4
    assert third.counts["criteria"] == {"created": 5, "unchanged": 30}


def test_a_dry_run_reports_everything_and_writes_nothing(
    tmp_path, places, secretary, components, django_capture_on_commit_callbacks
):
    site = write_site(tmp_path / "export", components=components)
    before = _state()
    move = run_import(site, django_capture_on_commit_callbacks, "--dry-run")
    assert move.status == MoveIn.Status.DONE and move.dry_run
    assert _state() == before
    assert not list((tmp_path / "media").rglob("*.png"))
    # The preview counts what the import would do, exactly.
    assert move.counts["coordination_groups"] == {"created": 1}
    assert move.counts["criteria"] == {"created": 30}
    assert move.counts["revisions"] == {"created": 13}
    assert move.counts["files"] == {"created": 3}


def test_an_unknown_group_refuses_the_criteria_tracker_whole(
    tmp_path, places, secretary, django_capture_on_commit_callbacks
):
    site = write_site(tmp_path / "export")
    criteria = site.trackers / "criteria.csv"
    lines = criteria.read_text().splitlines()
    assert str(HG_ITEMS[1]) in lines[2]
    lines[2] = lines[2].replace(str(HG_ITEMS[1]), "9999")
    criteria.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError):
        run_import(site, django_capture_on_commit_callbacks)
    move = MoveIn.objects.latest("pk")
    errors = _errors(move)
    assert any("criteria.csv, row 3" in line.subject for line in errors)
    with cross_tenant():
        assert Criterion.objects.count() == 0
        assert CoordinationGroup.objects.filter(network_id=NETWORK_ID).exists()
    assert move.counts["criteria"] == {"refused": 30}


def test_a_later_run_without_the_trackers_leaves_group_pages_and_files_where_they_are(
    tmp_path, places, secretary, components, django_capture_on_commit_callbacks, settings
):
    capture = django_capture_on_commit_callbacks
    site = write_site(tmp_path / "export", components=components)
    run_import(site, capture)
    with cross_tenant():
        group = CoordinationGroup.objects.get(network_id=NETWORK_ID)
    before = _state()
    network_files = Attachment.objects.filter(space__slug="network").count()
    # The pages and files again, alone: no tracker says which page is the group's.
    with capture(execute=True):
        call_command(
            "import_tiki",
            "--as",
            "secretary",
            "--pages",
            str(site.pages),
            "--files",
            str(site.files),
        )
    again = MoveIn.objects.latest("pk")
    assert again.status == MoveIn.Status.DONE and not _errors(again)
    assert _state() == before  # no copy of the group's pages or pictures in the network's space
    assert Attachment.objects.filter(space__slug="network").count() == network_files
    assert Attachment.objects.filter(space=group.space, name="tiki-103-mulhouse.png").count() == 1
    assert again.counts["pages"] == {"unchanged": 7}


def test_a_dry_run_after_the_import_leaves_no_file_and_changes_nothing(
    tmp_path, places, secretary, components, django_capture_on_commit_callbacks, settings
):
    capture = django_capture_on_commit_callbacks
    site = write_site(tmp_path / "export", components=components)
    run_import(site, capture)
    before = _state()
    private = tmp_path / "private"
    private_files = sorted(str(p.relative_to(private)) for p in private.rglob("*") if p.is_file())
    dry = run_import(site, capture, "--dry-run")
    assert dry.status == MoveIn.Status.DONE and not _errors(dry)
    assert _state() == before
    assert dry.counts["criteria"] == {"unchanged": 30}
    after = sorted(str(p.relative_to(private)) for p in private.rglob("*") if p.is_file())
    assert [name for name in after if name not in private_files] == [f"movein/{dry.pk}/report.json"]
