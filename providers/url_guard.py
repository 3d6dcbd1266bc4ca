"""Hosts that tenants supply and Switchboard calls (SPEC §13): which addresses it refuses.

An ARI endpoint or a SignalWire space names a host a tenant chose. Calling it must not let a tenant
reach, or probe, the server's own networks: loopback, the cloud metadata service at
169.254.169.254, private ranges. So the name is resolved once, every address it resolves to must be
public or inside a network the deployment allows (SWITCHBOARD_ALLOWED_PRIVATE_NETWORKS), and the
request then goes to that vetted address (`ProviderHttp`), leaving no second resolution for a
rebinding DNS server to answer differently. A name with any refused address is refused as a whole:
public and private answers mixed are the shape of a rebinding attack, not of a real server.
"""

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from .errors import FailureKind, ProviderError

log = logging.getLogger("switchboard.providers")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
#: (host, port) -> the addresses the host name resolves to, best first. Raises OSError when it
#: does not resolve.
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

ALLOWED_NETWORKS_SETTING = "SWITCHBOARD_ALLOWED_PRIVATE_NETWORKS"

# NAT64's well-known prefix: where it is routed, 64:ff9b::a00:5 reaches 10.0.0.5.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


async def resolve_with_getaddrinfo(host: str, port: int) -> list[str]:
    """The system resolver, in getaddrinfo's order (RFC 6724: the preferred address first)."""
    answers = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [sockaddr[0] for *_, sockaddr in answers]


def refused_kind(address: IPAddress, allowed_networks: Sequence[IPNetwork]) -> str | None:
    """What kind of non-public address `address` is ("loopback", "private", ...), or None when
    Switchboard may connect to it: a public address, or one inside an allowed network.

    An IPv6 address that carries an IPv4 one (IPv4-mapped, NAT64, 6to4) is judged by that IPv4
    address, since that is where a connection to it ends up."""
    if _allowed(address, allowed_networks):
        return None
    reached = _reached(address)
    return None if _allowed(reached, allowed_networks) else _non_public_kind(reached)


def _allowed(address: IPAddress, allowed_networks: Sequence[IPNetwork]) -> bool:
    # `in` compares bits without looking at the version: 0.0.0.1 would be "in" ::/96.
    return any(network.version == address.version and address in network for network in allowed_networks)


def _reached(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour or address


def _non_public_kind(address: IPAddress) -> str | None:
    # Most specific first: 127.0.0.1 is also private, ::1 also reserved, 169.254.x also private.
    kinds = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("site-local", isinstance(address, ipaddress.IPv6Address) and address.is_site_local),
        # What remains, such as the carrier-grade NAT range 100.64.0.0/10.
        ("non-public", not address.is_global),
    )
    return next((kind for kind, matches in kinds if matches), None)


def refusal_message(host: str, kind: str, *, literal: bool) -> str:
    """What a user reads: the host, the kind of address, and the setting that would allow it."""
    article = "an" if kind[0] in "aeiou" else "a"
    verb = "is" if literal else "resolves to"
    return (
        f"{host} {verb} {article} {kind} address, which Switchboard does not call unless the server's "
        f"{ALLOWED_NETWORKS_SETTING} setting includes its network."
    )


@dataclass(frozen=True, slots=True)
class UrlGuard:
    """The deployment's allowed networks and the resolver (tests inject a stub: the system boundary)."""

    allowed_networks: tuple[IPNetwork, ...] = ()
    resolver: Resolver = resolve_with_getaddrinfo

    async def vetted_address(self, provider: str, host: str, port: int) -> IPAddress:
        """The address to connect to for `host`, a name or a literal address: the first one the
        name resolves to, once every one of them has passed. ProviderError before any connection
        otherwise, so a refusal says nothing about whether a port is open."""
        literal = _literal(host)
        addresses = [literal] if literal else await self._resolve(provider, host, port)
        for address in addresses:
            if kind := refused_kind(address, self.allowed_networks):
                log.warning("refused to call %s at %s (%s)", host, address, kind)
                raise ProviderError(FailureKind.BLOCKED, refusal_message(host, kind, literal=literal is not None))
        return addresses[0]

    async def _resolve(self, provider: str, host: str, port: int) -> list[IPAddress]:
        try:
            addresses = [ipaddress.ip_address(answer) for answer in await self.resolver(host, port)]
        except OSError:
            addresses = []
        if not addresses:
            raise ProviderError(FailureKind.UNREACHABLE, f"Could not connect to {provider} ({host} does not resolve).")
        return addresses


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None
