"""Fixtures of the move-in tests: the places the synthetic site's group is in, and the
secretariat member who runs the import (with private and media folders of the test's own)."""

import pytest

from territories.services import locality_ensure, region_ensure
from tests.factories import make_country, make_user


@pytest.fixture
def places():
    country = make_country()
    region = region_ensure(country=country, name="Grand Est")[0]
    locality_ensure(region=region, name="Mulhouse")
    return country


@pytest.fixture
def secretary(settings, tmp_path):
    settings.PRIVATE_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return make_user(username="secretary", secretariat=True)
