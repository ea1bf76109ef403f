"""Who the client is: the socket peer, or, behind trusted reverse proxies, the address they saw.

Each proxy appends the address it received the request from to X-Forwarded-For, so only the
right end of the header is written by proxies we run; everything left of the first address that
is not a trusted proxy was sent by the client and may be forged. Hence the walk from the right,
and no look at the header at all when the socket peer is not a trusted proxy (TRUSTED_PROXIES).
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

type IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, canonical; None when the peer has none (a Unix socket).

    Every login limit (AXES_CLIENT_IP_CALLABLE) and rate limit (client_key) keys on it.
    """
    address = parse_ip(request.META.get("REMOTE_ADDR", ""))
    if address is None:
        return None
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = header.split(",") if header else []
    while hops and _is_trusted_proxy(address):
        previous = parse_ip(hops.pop())
        if previous is None:
            # A trusted proxy passed on something that is not an address: stop at the last
            # address it vouched for rather than guess past it (one shared key, never a forged one).
            break
        address = previous
    return str(address)


def parse_ip(value: str) -> IPAddress | None:
    """An address as proxies write it (with a port, in brackets, with a zone), or None."""
    value = value.strip()
    if value.startswith("["):  # [2001:db8::1]:8080
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # 192.0.2.1:8080
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value.partition("%")[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # ::ffff:192.0.2.1 is the IPv4 client of a dual-stack socket: one client, one key.
        return address.ipv4_mapped
    return address


def _is_trusted_proxy(address: IPAddress) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXIES)
