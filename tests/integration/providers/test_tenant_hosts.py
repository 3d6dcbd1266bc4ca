"""The outbound URL guard over real HTTP (SPEC §13): hosts that tenants supply (an ARI endpoint, a
SignalWire space) are resolved once, refused at non-public addresses unless
SWITCHBOARD_ALLOWED_PRIVATE_NETWORKS allows them, and reached at the vetted address.

These servers have no SWITCHBOARD_ARI_API_BASE or SWITCHBOARD_SIGNALWIRE_API_BASE, so their calls
go where the tenant said. Every name resolves through a stub (the resolver is the system boundary),
and the only addresses ever connected to are the loopback fakes': the internal addresses below are
answers the stub gives, refused before any connection. (The other provider tests keep their API
base on loopback and no allowed network: operator-configured bases are not guarded.)
"""

import asyncio
import ipaddress
import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest
from conftest import PROVIDER_TIMEOUT, PUBLIC_BASE_URL, free_port, new_organization, running_server, serving
from fakes.ari import AriFake
from helpers import Api, create_config, create_number, create_workflow
from test_ari import VERIFY
from test_ari import credentials as ari_credentials
from test_signalwire import SignalWire
from tls import issue

CREATE_VERIFIED = """
mutation($input: CreateTelephonyConfigInput!) {
  createTelephonyConfig(input: $input) { verification { status message } errors { code } } }"""
SETTING = "SWITCHBOARD_ALLOWED_PRIVATE_NETWORKS"


class StubDns:
    """Answers from `names`, never answers for `hanging`; any other name does not resolve.
    Records what it was asked."""

    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {}
        self.hanging: set[str] = set()
        self.asked: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        if host in self.hanging:
            await asyncio.Event().wait()
        if host not in self.names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.names[host]


def refusal(host: str, kind: str, verb: str = "resolves to") -> str:
    article = "an" if kind[0] in "aeiou" else "a"
    return (
        f"{host} {verb} {article} {kind} address, which Switchboard does not call unless the server's "
        f"{SETTING} setting includes its network."
    )


@pytest.fixture
def dns() -> StubDns:
    return StubDns()


@pytest.fixture
def ari(fakes) -> AriFake:
    return fakes["ari"]


@pytest.fixture
def start(settings, server, fakes, dns, monkeypatch) -> Callable[..., AbstractAsyncContextManager[Api]]:
    """Starts a server calling tenant hosts itself, allowing `networks`; yields a fresh organization's Api."""
    monkeypatch.delenv("SWITCHBOARD_ARI_API_BASE")
    monkeypatch.delenv("SWITCHBOARD_SIGNALWIRE_API_BASE")

    @asynccontextmanager
    async def started(*networks: str) -> AsyncIterator[Api]:
        allowed = [ipaddress.ip_network(network) for network in networks]
        tenant_facing = settings.model_copy(update={"allowed_private_networks": allowed, "public_base_url": PUBLIC_BASE_URL})
        async with running_server(tenant_facing, migrated=False, resolver=dns) as running:
            organization_id, key = await new_organization(running.db, "Tenant")
            async with httpx.AsyncClient(base_url=running.url, timeout=30) as client:
                yield Api(client, key, organization_id)

    return started


async def verified(api: Api, provider: str, credentials: dict[str, str]) -> dict:
    """Create a configuration with `verify: true`; its verification."""
    name = f"{provider} {secrets.token_hex(4)}"
    payload = await api.query(CREATE_VERIFIED, {"input": {"name": name, "credentials": {provider: credentials}, "verify": True}})
    assert payload["createTelephonyConfig"]["errors"] == []
    return payload["createTelephonyConfig"]["verification"]


def ari_user(ari: AriFake, endpoint: str) -> dict[str, str]:
    creds = ari_credentials(endpoint)
    ari.add_user(creds["appName"], creds["appPassword"])
    return creds


def port_of(url: str) -> int:
    return httpx.URL(url).port


async def test_a_loopback_endpoint_is_refused_whether_or_not_its_port_is_open(start, ari, dns):
    async with start() as api:
        open_port = await verified(api, "ari", ari_user(ari, f"http://127.0.0.1:{port_of(ari.url)}"))
        closed_port = await verified(api, "ari", ari_user(ari, f"http://127.0.0.1:{free_port()}"))
    expected = {"status": "UNREACHABLE", "message": refusal("127.0.0.1", "loopback", verb="is")}
    assert open_port == closed_port == expected
    assert ari.requests == [] and dns.asked == []


@pytest.mark.parametrize(
    ("address", "kind"),
    [("169.254.169.254", "link-local"), ("10.0.0.5", "private"), ("::ffff:127.0.0.1", "loopback"), ("fd00::5", "private")],
)
async def test_a_name_resolving_to_an_internal_address_is_refused_before_connecting(start, ari, dns, address, kind):
    dns.names["pbx.example.test"] = [address]
    async with start() as api:
        verification = await verified(api, "ari", ari_user(ari, "http://pbx.example.test:8088"))
    assert verification == {"status": "UNREACHABLE", "message": refusal("pbx.example.test", kind)}
    assert dns.asked == [("pbx.example.test", 8088)]


async def test_an_allowed_network_is_reached_at_the_vetted_address_under_the_host_name(start, ari, dns):
    # Real DNS knows no ari.example.test: the fake answers only because the vetted address is used.
    port = port_of(ari.url)
    dns.names["ari.example.test"] = ["127.0.0.1"]
    creds = ari_user(ari, f"http://ari.example.test:{port}")
    async with start("127.0.0.1/32") as api:
        verification = await verified(api, "ari", creds)
    assert verification == {
        "status": "VERIFIED",
        "message": f"Asterisk 20.5.0 at ari.example.test:{port} accepted the ARI user '{creds['appName']}'.",
    }
    [request] = ari.requests
    assert request.headers["host"] == f"ari.example.test:{port}"
    assert request.basic_auth == (creds["appName"], creds["appPassword"])
    assert dns.asked == [("ari.example.test", port)]


async def test_the_allowance_covers_its_network_only(start, ari, dns):
    dns.names["ari.example.test"] = ["127.0.0.2"]
    async with start("127.0.0.1/32") as api:
        verification = await verified(api, "ari", ari_user(ari, f"http://ari.example.test:{port_of(ari.url)}"))
    assert verification == {"status": "UNREACHABLE", "message": refusal("ari.example.test", "loopback")}
    assert ari.requests == []


async def test_https_is_checked_against_the_host_name_not_the_address(start, dns, tmp_path, monkeypatch):
    tls = issue(tmp_path, "ari.example.test")
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca_certfile))
    secure = AriFake()
    dns.names["ari.example.test"] = dns.names["other.example.test"] = ["127.0.0.1"]
    async with (
        serving(secure.app(), lifespan="off", ssl_certfile=str(tls.certfile), ssl_keyfile=str(tls.keyfile)) as url,
        start("127.0.0.1/32") as api,
    ):
        port = port_of(url)
        good = await verified(api, "ari", ari_user(secure, f"https://ari.example.test:{port}"))
        assert good["status"] == "VERIFIED"
        [request] = secure.requests
        assert request.headers["host"] == f"ari.example.test:{port}"
        # The same server and address under a name its certificate does not carry: no handshake.
        # (Had the first connection been kept, it would have carried this request unchecked.)
        wrong = await verified(api, "ari", ari_user(secure, f"https://other.example.test:{port}"))
    assert wrong["status"] == "UNREACHABLE" and wrong["message"].startswith("Could not connect to Asterisk ARI")
    assert len(secure.requests) == 1


async def test_a_redirect_is_reported_and_not_followed(start, ari, fakes, dns):
    port = port_of(ari.url)
    dns.names["ari.example.test"] = ["127.0.0.1"]
    creds = ari_user(ari, f"http://ari.example.test:{port}")
    elsewhere = fakes["twilio"]
    ari.fail_next("status", status=302, location=f"{elsewhere.url}/ari/asterisk/info")
    async with start("127.0.0.1/32") as api:
        verification = await verified(api, "ari", creds)
    assert verification == {
        "status": "UNREACHABLE",
        "message": "Asterisk ARI answered with a redirect (HTTP 302), which Switchboard does not follow; "
        "if the address has moved, enter the one it redirects to.",
    }
    assert len(ari.requests) == 1 and elsewhere.requests == []


async def test_a_name_that_does_not_resolve_says_so(start, dns):
    async with start() as api:
        verification = await verified(api, "ari", ari_credentials("http://nowhere.example.test:8088"))
    assert verification["status"] == "UNREACHABLE"
    assert verification["message"].startswith("Could not connect to Asterisk ARI (nowhere.example.test does not resolve).")


async def test_a_resolver_that_does_not_answer_is_cut_off_by_the_time_budget(start, dns):
    dns.hanging.add("slow.example.test")
    async with start() as api:
        started = time.monotonic()
        verification = await verified(api, "ari", ari_credentials("http://slow.example.test:8088"))
        elapsed = time.monotonic() - started
    assert verification["status"] == "UNREACHABLE"
    assert verification["message"].startswith("Could not connect to Asterisk ARI (slow.example.test did not resolve in time).")
    assert elapsed < PROVIDER_TIMEOUT + 1.5


async def test_an_ipv6_literal_endpoint_is_judged_as_written(start, ari, dns):
    async with start() as api:
        verification = await verified(api, "ari", ari_user(ari, f"http://[::1]:{port_of(ari.url)}"))
    assert verification == {"status": "UNREACHABLE", "message": refusal("::1", "loopback", verb="is")}
    assert dns.asked == []


async def test_verify_on_an_existing_configuration_is_guarded_too(start, ari, dns):
    dns.names["pbx.example.test"] = ["169.254.169.254"]
    async with start() as api:
        config = await create_config(api, "PBX", {"ari": ari_user(ari, "http://pbx.example.test:8088")})
        payload = await api.query(VERIFY, {"id": config["telephonyConfig"]["id"]})
    verification = payload["verifyTelephonyConfig"]["verification"]
    assert verification == {"status": "UNREACHABLE", "message": refusal("pbx.example.test", "link-local")}


async def test_a_signalwire_space_at_an_internal_address_is_refused(start, fakes, dns):
    signalwire = SignalWire(fakes["signalwire"])
    space = "internal.signalwire.com"
    creds = {**signalwire.credentials, "spaceUrl": space}
    dns.names[space] = ["10.0.0.5"]
    async with start() as api:
        verification = await verified(api, "signalwire", creds)
        config = await create_config(api, "SignalWire", credentials={"signalwire": creds})
        workflow = await create_workflow(api, "Reception")
        bound = await create_number(api, config["telephonyConfig"]["id"], "+14155550100", inboundWorkflowId=workflow)
    expected = refusal(space, "private")
    assert verification == {"status": "UNREACHABLE", "message": expected}
    sync = bound["phoneNumber"]["lastProviderSync"]
    assert bound["errors"] == [] and (sync["ok"], sync["message"]) == (False, expected)
    assert signalwire.fake.requests == []
    assert set(dns.asked) == {(space, 443)}
