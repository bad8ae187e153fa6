"""Where a request came from: its direct peer's address, checked against networks with :mod:`ipaddress`.

Only the direct peer (``request.remote_addr``) is used: ``X-Forwarded-For`` is whatever the client
wrote unless a proxy we trust wrote it, so it is never read here.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(peer: str | None):
    try:
        return ipaddress.ip_address(peer) if peer else None
    except ValueError:
        return None


def peer_in(peer: str | None, networks: Iterable[Network]) -> bool:
    """Whether the peer address is in any of ``networks`` (an unparseable peer never is)."""
    addr = _address(peer)
    if addr is None:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped  # ::ffff:127.0.0.1 from a dual-stack socket
    return any(addr.version == n.version and addr in n for n in networks)


def is_loopback(peer: str | None) -> bool:
    addr = _address(peer)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return bool(addr is not None and addr.is_loopback)
