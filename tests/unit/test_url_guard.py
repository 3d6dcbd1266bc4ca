"""The outbound URL guard's rules (SPEC §13): which addresses a tenant-supplied host may resolve to,
and how a name's addresses are vetted. Nothing here connects anywhere: addresses are data, and
names resolve through a stub resolver."""

import ipaddress
import socket

import pytest
from pydantic import ValidationError
from switchboard.providers.errors import FailureKind, ProviderError
from switchboard.providers.url_guard import UrlGuard, refused_kind, resolve_with_getaddrinfo
from switchboard.server.settings import Settings


def networks(*cidrs: str) -> tuple:
    return tuple(ipaddress.ip_network(cidr) for cidr in cidrs)


@pytest.mark.parametrize(
    ("address", "allowed", "expected"),
    [
        # Public addresses pass.
        ("8.8.8.8", (), None),
        ("2606:4700::1111", (), None),
        ("::ffff:8.8.8.8", (), None),
        ("64:ff9b::808:808", (), None),  # NAT64 of a public address
        ("2002:808:808::1", (), None),  # 6to4 of a public address
        # The server's own network.
        ("127.0.0.1", (), "loopback"),
        ("127.1.2.3", (), "loopback"),
        ("::1", (), "loopback"),
        ("0.0.0.0", (), "unspecified"),
        ("::", (), "unspecified"),
        ("169.254.169.254", (), "link-local"),  # cloud metadata
        ("fe80::1", (), "link-local"),
        ("10.0.0.5", (), "private"),
        ("172.16.0.1", (), "private"),
        ("192.168.1.1", (), "private"),
        ("fd00:ec2::254", (), "private"),  # unique local (fc00::/7), AWS's IPv6 metadata
        ("fec0::1", (), "site-local"),
        ("100.64.0.1", (), "non-public"),  # carrier-grade NAT
        ("192.0.2.1", (), "private"),  # documentation
        ("224.0.0.1", (), "multicast"),
        ("ff02::1", (), "multicast"),
        ("240.0.0.1", (), "reserved"),
        ("255.255.255.255", (), "reserved"),
        ("::7f00:1", (), "reserved"),  # IPv4-compatible, deprecated
        # IPv6 spellings of IPv4 addresses are judged by the IPv4 address they reach.
        ("::ffff:127.0.0.1", (), "loopback"),
        ("::ffff:169.254.169.254", (), "link-local"),
        ("64:ff9b::a00:5", (), "private"),
        ("2002:7f00:1::1", (), "loopback"),
        ("2002:a00:5::1", (), "private"),
        # An allowed network lets its addresses through, whatever their spelling...
        ("127.0.0.1", networks("127.0.0.1/32"), None),
        ("::ffff:127.0.0.1", networks("127.0.0.1/32"), None),
        ("10.1.2.3", networks("10.0.0.0/8"), None),
        ("64:ff9b::a00:5", networks("10.0.0.0/8"), None),
        ("fd00::5", networks("fd00::/8"), None),
        # ...and only those.
        ("127.0.0.2", networks("127.0.0.1/32"), "loopback"),
        ("169.254.169.254", networks("10.0.0.0/8", "fd00::/8"), "link-local"),
        # An IPv6 network never matches an IPv4 address (their bits would).
        ("0.0.0.1", networks("::/96"), "private"),
    ],
)
def test_refused_kind(address, allowed, expected):
    assert refused_kind(ipaddress.ip_address(address), allowed) == expected


class StubResolver:
    """Answers from a table; a name not in it does not resolve. Records what it was asked."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.answers[host]


async def vetted(guard: UrlGuard, host: str) -> str:
    return str(await guard.vetted_address("Asterisk ARI", host, 8088))


async def refusal(guard: UrlGuard, host: str) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        await guard.vetted_address("Asterisk ARI", host, 8088)
    return caught.value


async def test_a_public_name_gets_its_first_address():
    resolver = StubResolver({"pbx.example.test": ["2606:4700::1111", "8.8.8.8"]})
    assert await vetted(UrlGuard((), resolver), "pbx.example.test") == "2606:4700::1111"
    assert resolver.asked == [("pbx.example.test", 8088)]


async def test_one_internal_address_refuses_the_whole_name():
    resolver = StubResolver({"rebind.example.test": ["8.8.8.8", "10.0.0.5"]})
    error = await refusal(UrlGuard((), resolver), "rebind.example.test")
    assert error.kind is FailureKind.BLOCKED
    assert error.message == (
        "rebind.example.test resolves to a private address, which Switchboard does not call unless the "
        "server's SWITCHBOARD_ALLOWED_PRIVATE_NETWORKS setting includes its network."
    )
    assert "10.0.0.5" not in error.message


async def test_a_literal_address_is_judged_without_resolving():
    resolver = StubResolver({})
    error = await refusal(UrlGuard((), resolver), "169.254.169.254")
    assert error.message.startswith("169.254.169.254 is a link-local address, which Switchboard does not call")
    assert await vetted(UrlGuard(networks("127.0.0.0/8"), resolver), "127.0.0.1") == "127.0.0.1"
    assert resolver.asked == []


@pytest.mark.parametrize(
    ("literal", "kind"),
    [
        ("127.0.0.1", "a loopback"),
        ("0.0.0.0", "an unspecified"),
        ("::", "an unspecified"),
        ("169.254.169.254", "a link-local"),
        ("224.0.0.1", "a multicast"),
        ("240.0.0.1", "a reserved"),
        ("10.0.0.5", "a private"),
        ("fec0::1", "a site-local"),
        ("100.64.0.1", "a non-public"),
    ],
)
async def test_a_refusal_names_the_kind_of_address_with_its_article(literal, kind):
    error = await refusal(UrlGuard((), StubResolver({})), literal)
    assert error.message == (
        f"{literal} is {kind} address, which Switchboard does not call unless the server's "
        "SWITCHBOARD_ALLOWED_PRIVATE_NETWORKS setting includes its network."
    )


async def test_a_refusal_is_logged_with_the_address_the_user_is_not_told(caplog):
    resolver = StubResolver({"rebind.example.test": ["8.8.8.8", "10.0.0.5"]})
    with caplog.at_level("WARNING", logger="switchboard.providers"):
        await refusal(UrlGuard((), resolver), "rebind.example.test")
    assert [record.getMessage() for record in caplog.records] == ["refused to call rebind.example.test at 10.0.0.5 (private)"]


async def test_the_system_resolver_gives_the_addresses_of_a_host_once_each():
    assert await resolve_with_getaddrinfo("127.0.0.2", 8088) == ["127.0.0.2"]


async def test_an_allowed_network_admits_a_name():
    resolver = StubResolver({"pbx.internal.test": ["10.0.0.5"]})
    assert await vetted(UrlGuard(networks("10.0.0.0/24"), resolver), "pbx.internal.test") == "10.0.0.5"


async def test_a_name_that_does_not_resolve_is_unreachable():
    for answers in ({}, {"void.example.test": []}):
        error = await refusal(UrlGuard((), StubResolver(answers)), "void.example.test")
        assert (error.kind, error.message) == (
            FailureKind.UNREACHABLE,
            "Could not connect to Asterisk ARI (void.example.test does not resolve).",
        )


def test_the_setting_takes_comma_separated_networks(monkeypatch):
    monkeypatch.setenv("SWITCHBOARD_ALLOWED_PRIVATE_NETWORKS", " 10.0.0.0/8, 127.0.0.1 ,fd00::/8,")
    assert Settings().allowed_private_networks == list(networks("10.0.0.0/8", "127.0.0.1/32", "fd00::/8"))


def test_the_setting_defaults_to_no_network(monkeypatch):
    monkeypatch.delenv("SWITCHBOARD_ALLOWED_PRIVATE_NETWORKS", raising=False)
    assert Settings().allowed_private_networks == []


@pytest.mark.parametrize("value", ["10.0.0.5/8", "10.0.0.0/33", "intranet", "10.0.0.0/8;192.168.0.0/16"])
def test_a_network_that_is_not_cidr_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("SWITCHBOARD_ALLOWED_PRIVATE_NETWORKS", value)
    with pytest.raises(ValidationError, match="SWITCHBOARD_ALLOWED_PRIVATE_NETWORKS: .* is not a network in CIDR notation"):
        Settings()
