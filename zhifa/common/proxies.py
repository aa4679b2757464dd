"""Which client address a request came from, trusting X-Real-IP / X-Forwarded-For only from our own proxies.

An audit event's IP, the login lockout and the rate limits key on this address: a header a client sets itself must
not change it. `ZHIFA_TRUSTED_PROXIES` lists the addresses or networks of the reverse proxies (nginx) in front of
the app servers; a request from anywhere else is taken at its socket address (REMOTE_ADDR), headers ignored.

Pure: no Django beyond its exception, so config/settings.py can parse the setting at start-up.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted_proxies(raw: Sequence[str]) -> tuple[Network, ...]:
    """The networks of the configured proxies; ImproperlyConfigured names an entry that is not an address."""
    networks = []
    for text in raw:
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"ZHIFA_TRUSTED_PROXIES 中的 {text!r} 不是 IP 地址或网段，"
                "应写成逗号分隔的地址，例如 127.0.0.1,10.0.0.0/24。"
            ) from None
    return tuple(networks)


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text:
        return None
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, proxies: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def real_client_ip(
    *, remote_addr: str | None, x_real_ip: str | None, x_forwarded_for: str | None, proxies: Sequence[Network]
) -> str | None:
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy; then X-Real-IP (which our nginx sets),
    else the right-most X-Forwarded-For entry that is not itself a trusted proxy. Invalid header values are ignored.
    """
    peer = _address(remote_addr)
    if not _trusted(peer, proxies):
        return str(peer) if peer is not None else None
    real = _address(x_real_ip)
    if real is not None:
        return str(real)
    for hop in reversed((x_forwarded_for or "").split(",")):
        address = _address(hop)
        if address is None:
            break  # a malformed hop: nothing to its left can be trusted
        if not _trusted(address, proxies):
            return str(address)
    return str(peer)
