"""Which address a request comes from, behind reverse proxies that identity trusts.

The sign-in throttle counts failures per client address. Behind a proxy every request comes
from the proxy, so one attacker would lock everybody out at 50 failures; the proxy says who the
client was in `X-Forwarded-For`. Anyone can send that header, so it is read only from a peer
that is a trusted proxy, and only as far back as trusted proxies wrote it: walking the list from
the right (the entry our nearest proxy appended), the first address that is not a trusted proxy
is the client. Entries further left were written by that client and are ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Trusted proxies as networks: `10.0.0.5`, `10.0.0.0/8`, `::1` (ValueError on anything else)."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())


def _address(text: str) -> Address | None:
    candidate = text.strip()
    if candidate.startswith("[") and "]" in candidate:  # [v6]:port
        candidate = candidate[1 : candidate.index("]")]
    elif candidate.count(":") == 1:  # v4:port
        candidate = candidate.split(":", 1)[0]
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        return None


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(peer: str, forwarded_for: Sequence[str], proxies: Sequence[Network]) -> str:
    """The client behind `peer` (the TCP peer) given the `X-Forwarded-For` header values.

    With no trusted proxies, or a peer that is not one, the peer itself: its header is ignored.
    """
    hop = _address(peer)
    if hop is None or not _trusted(hop, proxies):
        return peer
    entries = [e for value in forwarded_for for e in value.split(",") if e.strip()]
    for entry in reversed(entries):
        address = _address(entry)
        if address is None:
            break  # a trusted proxy wrote nonsense: the last address it vouched for stands
        hop = address
        if not _trusted(hop, proxies):
            break
    return str(hop)
