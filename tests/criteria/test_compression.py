"""The heaviest criteria pages are compressed for browsers that accept it (weak networks)."""

import gzip

import pytest
from django.urls import reverse

from tests.factories import (
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_user,
)
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["entry:entry", "classification:queue", "info:group"])
def test_criteria_pages_are_sent_compressed(client_for, name):
    facilitator = make_user()
    tenant = make_coordination_group(facilitator=facilitator)
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant)
    for number in range(30):
        make_criterion(
            tenant=tenant,
            group=group,
            text=f"Criterion number {number} about food",
            component="A01" if number % 2 else None,
        )
    kwargs = {"cg": tenant.slug}
    if name == "entry:entry":
        kwargs["hg"] = group.slug

    response = client_for(facilitator).get(
        reverse(name, kwargs=kwargs), HTTP_ACCEPT_ENCODING="gzip"
    )

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert b"Criterion number 1" in gzip.decompress(response.content)
