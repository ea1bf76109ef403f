from ipaddress import ip_network

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from wikispiral.accounts.ratelimit import client_key
from wikispiral.clientip import client_ip
from wikispiral.settings import env_networks


def _request(remote_addr: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("trusted", "remote_addr", "forwarded_for", "expected"),
    [
        # No proxy trusted (the default): the header is never read.
        ([], "203.0.113.9", "198.51.100.1", "203.0.113.9"),
        # A peer that is not a trusted proxy cannot name another client.
        (["10.0.0.0/8"], "203.0.113.9", "198.51.100.1", "203.0.113.9"),
        (["10.0.0.0/8"], "10.0.0.2", "198.51.100.1", "198.51.100.1"),
        # Whatever the client wrote left of the address our proxy added is ignored.
        (["10.0.0.0/8"], "10.0.0.2", "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        # Two trusted hops.
        (["10.0.0.0/8", "192.0.2.0/24"], "10.0.0.2", "198.51.100.1,192.0.2.10", "198.51.100.1"),
        (["10.0.0.2"], "10.0.0.2", None, "10.0.0.2"),
        # Only trusted addresses: the farthest one is the client (a request from the proxy host).
        (["10.0.0.0/8"], "10.0.0.2", "10.0.0.5", "10.0.0.5"),
        # Malformed entries stop the walk at the last address a trusted proxy vouched for.
        (["10.0.0.0/8"], "10.0.0.2", "not-an-address", "10.0.0.2"),
        (["10.0.0.0/8"], "10.0.0.2", "198.51.100.1, ", "10.0.0.2"),
        (["10.0.0.0/8"], "10.0.0.2", "198.51.100.1, 10.0.0.3, <script>", "10.0.0.2"),
        # Ports, brackets and spellings some proxies use.
        (["10.0.0.0/8"], "10.0.0.2", "198.51.100.1:51234", "198.51.100.1"),
        (["10.0.0.0/8"], "10.0.0.2", "[2001:DB8::1]:443", "2001:db8::1"),
        (["::1"], "::1", "2001:db8:0:0::0001", "2001:db8::1"),
        ([], "::ffff:198.51.100.1", None, "198.51.100.1"),
    ],
)
def test_client_ip_believes_forwarded_for_only_from_trusted_proxies(
    settings, trusted, remote_addr, forwarded_for, expected
):
    settings.TRUSTED_PROXIES = tuple(ip_network(network) for network in trusted)

    assert client_ip(_request(remote_addr, forwarded_for)) == expected


def test_a_peer_without_an_address_has_no_client_ip_and_one_rate_limit_key(settings):
    settings.TRUSTED_PROXIES = (ip_network("10.0.0.0/8"),)
    request = _request("", "198.51.100.1")

    assert client_ip(request) is None
    assert client_key(request) == "unknown"


def test_trusted_proxies_setting_reads_addresses_and_networks(monkeypatch):
    monkeypatch.setenv("WIKISPIRAL_TEST_PROXIES", " 127.0.0.1, 10.0.0.0/8 ,::1,")

    assert env_networks("WIKISPIRAL_TEST_PROXIES") == (
        ip_network("127.0.0.1/32"),
        ip_network("10.0.0.0/8"),
        ip_network("::1/128"),
    )


def test_trusted_proxies_setting_defaults_to_none(monkeypatch):
    monkeypatch.delenv("WIKISPIRAL_TEST_PROXIES", raising=False)

    assert env_networks("WIKISPIRAL_TEST_PROXIES") == ()


@pytest.mark.parametrize("value", ["10.0.0.300", "10.0.0.1/8", "proxy", "127.0.0.1 10.0.0.1", "2"])
def test_trusted_proxies_setting_refuses_what_is_not_an_address(monkeypatch, value):
    monkeypatch.setenv("WIKISPIRAL_TEST_PROXIES", value)

    with pytest.raises(ImproperlyConfigured, match="WIKISPIRAL_TEST_PROXIES"):
        env_networks("WIKISPIRAL_TEST_PROXIES")
