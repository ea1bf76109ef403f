"""The network's geography: imported from CSV all or nothing, labelled in the reader's language."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from territories.models import Country, Locality, Region
from territories.services import geography_import

pytestmark = pytest.mark.django_db

HEADER = "continent,country_code,country,country_fr,country_pt,region,locality\n"


def test_network_geography_imports_once_and_twice_adds_nothing():
    call_command("import_geography", verbosity=0)
    counts = (Country.objects.count(), Region.objects.count(), Locality.objects.count())

    call_command("import_geography", verbosity=0)

    assert counts == (Country.objects.count(), Region.objects.count(), Locality.objects.count())
    assert {
        "FR",
        "BE",
        "PT",
        "IT",
        "ES",
        "RO",
        "BG",
        "GR",
        "LV",
        "LU",
        "MA",
        "TN",
        "CV",
        "GA",
    } <= set(Country.objects.values_list("code", flat=True))
    assert Locality.objects.filter(name="Praia", region__country__code="CV").exists()


def test_place_names_follow_the_readers_language():
    geography_import(
        data=HEADER + "AF,CV,Cape Verde,Cap-Vert,Cabo Verde,Santiago,Praia\n", commit=True
    )
    country = Country.objects.get(code="CV")

    with translation.override("fr"):
        french = str(country)
    with translation.override("pt"):
        portuguese = str(country.continent)

    assert (french, portuguese, country.label("en")) == ("Cap-Vert", "África", "Cape Verde")


def test_one_bad_row_saves_nothing_and_every_error_is_listed_with_its_line():
    data = (
        HEADER
        + "EU,FR,France,,,Grand Est,Mulhouse\n"
        + "XX,BE,Belgium,,,,\n"
        + "EU,france,France,,,,\n"
        + "EU,PT,,,,,Porto\n"
    )

    report = geography_import(data=data, commit=True)

    assert not report.committed
    assert Country.objects.count() == 0
    assert [(e.line, e.message) for e in report.errors] == [
        (3, "Unknown continent code “XX”."),
        (4, "“france” is not an ISO 3166 country code (two capital letters)."),
        (5, "The country name is missing."),
        (5, "A locality needs its region."),
    ]


def test_missing_columns_and_wrong_encoding_are_explained():
    missing = geography_import(data="country,region\nFrance,Alsace\n", commit=True)
    latin1 = geography_import(
        data=(HEADER + "EU,FR,France,,,Île-de-France,Paris\n").encode("latin-1"), commit=True
    )

    assert missing.errors[0].message == "Missing columns: continent, country_code, locality."
    assert latin1.errors[0].message.startswith("The file is not in UTF-8")


def test_a_country_cannot_move_to_another_continent_by_import():
    geography_import(data=HEADER + "EU,FR,France,,,,\n", commit=True)

    report = geography_import(data=HEADER + "AF,FR,France,,,,\n", commit=True)

    assert report.errors[0].message == "France is already recorded in another continent."
    assert Country.objects.get(code="FR").continent.code == "EU"


def test_dry_run_checks_without_saving_and_a_bad_file_fails_the_command(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "ZZ,FR,France,,,,\n", encoding="utf-8")

    call_command("import_geography", "--dry-run", verbosity=0)
    with pytest.raises(CommandError):
        call_command("import_geography", str(bad), verbosity=0)

    assert Country.objects.count() == 0
