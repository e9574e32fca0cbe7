"""Which address a login comes from, for counting failed logins per client.

Behind a reverse proxy every connection comes from the proxy, so the client is the address the
proxy appended to ``X-Forwarded-For``. That header is written by whoever sends the request, so it
is believed only from the proxies named in ``TRUSTED_PROXIES``, and only up to the first address
that is not one of them: anything left of that was written by the client and may be invented.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

LOCAL = "127.0.0.1"
"""Streamlit reports no address for a browser on the same machine; this stands for it."""


def parse_networks(entries: Iterable[str]) -> list[Network]:
    """``TRUSTED_PROXIES`` entries (addresses or CIDR ranges); a typo fails at start, loudly."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an address or range") from None
    return networks


def _trusted(address: str, networks: list[Network]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Iterable[str]) -> str:
    """The client's address: the connection's peer, or, when the peer is a trusted proxy, the
    right-most ``X-Forwarded-For`` entry that is not itself a trusted proxy."""
    address = (peer or LOCAL).strip()
    networks = parse_networks(trusted)
    if not networks or not _trusted(address, networks):
        return address
    for hop in reversed([part.strip() for part in (forwarded_for or "").split(",")]):
        if not hop:
            continue
        address = hop
        if not _trusted(hop, networks):
            break
    return address
