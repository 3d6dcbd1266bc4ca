"""Cloudonix's voice application requests at the front door.

Cloudonix signs nothing: the application URL that attach pushed names the domain and carries the
configuration's token, and Cloudonix requests exactly that URL, with the call's parameters in a
JSON body (POST, as attach sets it) or in the query (GET)."""

import secrets
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from front_door import AGENT_URL, bind_number, calls_of, front_door_url, get_webhook, post_webhook
from helpers import create_config, create_number

NUMBER = "+14155550100"
APP = "switchboard-agents"


class Domain:
    """A fresh Cloudonix domain with Switchboard's voice application."""

    def __init__(self, fake) -> None:
        self.fake = fake
        self.name = f"t{secrets.token_hex(6)}.cloudonix.net"
        self.credentials = {"bearerToken": "XI" + secrets.token_hex(16), "domainId": self.name, "applicationName": APP}
        fake.add_domain(self.name, self.credentials["bearerToken"])
        fake.add_application(self.name, APP)

    @property
    def app_url(self) -> str:
        """The URL Cloudonix requests for the domain's calls: what attach pushed."""
        return self.fake.application(self.name, APP).url


@pytest.fixture
def domain(fakes) -> Domain:
    return Domain(fakes["cloudonix"])


def call(call_sid: str, to: str = NUMBER, **extra: str) -> dict[str, str]:
    return {
        "CallSid": call_sid,
        "From": "+16175551212",
        "To": to,
        "Direction": "inbound",
        "Session": secrets.token_hex(8),
        "CallerName": "Alice",
        **extra,
    }


async def deliver(server, url: str, fields: dict[str, str]) -> httpx.Response:
    return await post_webhook(server.url, url, json=fields)


def with_query(url: str, **changes: str | None) -> str:
    """`url` with query parameters replaced (None drops one)."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return parts._replace(query=urlencode({k: v for k, v in query.items() if v is not None})).geturl()


def rejected(response: httpx.Response) -> bool:
    document = ET.fromstring(response.content)
    return [child.tag for child in document] == ["Say", "Hangup"]


async def test_a_bound_number_streams_to_the_agent_and_the_call_is_logged(synced_server, synced_api, domain):
    bound = await bind_number(synced_api, {"cloudonix": domain.credentials}, NUMBER)
    assert domain.app_url == bound.inbound_url
    assert bound.inbound_url.startswith(front_door_url("cloudonix", query=urlencode({"account": domain.name})) + "&token=")
    response = await deliver(synced_server, domain.app_url, call("cx-1"))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    document = ET.fromstring(response.content)
    assert [child.tag for child in document] == ["Connect", "Hangup"], "the call ends when the stream does"
    [stream] = document.find("Connect")
    assert stream.tag == "Stream" and list(stream) == []
    url = urlsplit(stream.get("url"))
    assert f"{url.scheme}://{url.netloc}{url.path}" == AGENT_URL
    [record] = await calls_of(synced_api, bound.number_id)
    assert parse_qs(url.query) == {
        "callId": [record["id"]],
        "workflowId": [bound.workflow_id],
        "from": ["+16175551212"],
        "to": [NUMBER],
    }
    assert (record["status"], record["provider"], record["providerCallId"]) == ("CONNECTED", "CLOUDONIX", "cx-1")
    assert (record["from"], record["to"]) == ("+16175551212", NUMBER)


async def test_a_get_request_with_the_dnid_without_its_plus_routes_the_same(synced_server, synced_api, domain):
    """The application's default method is GET (query parameters), and To is the DNID as dialled."""
    bound = await bind_number(synced_api, {"cloudonix": domain.credentials}, NUMBER)
    url = domain.app_url + "&" + urlencode(call("cx-get", to="14155550100"))
    response = await get_webhook(synced_server.url, url)
    assert ET.fromstring(response.content).find("./Connect/Stream") is not None
    [record] = await calls_of(synced_api, bound.number_id)
    assert (record["providerCallId"], record["to"]) == ("cx-get", NUMBER)


async def test_a_retried_request_gets_the_same_answer_and_one_record(synced_server, synced_api, domain):
    bound = await bind_number(synced_api, {"cloudonix": domain.credentials}, NUMBER)
    first = await deliver(synced_server, domain.app_url, call("cx-retried"))
    again = await deliver(synced_server, domain.app_url, call("cx-retried"))
    assert first.content == again.content
    assert len(await calls_of(synced_api, bound.number_id)) == 1


async def test_cloudonix_has_no_status_callback_so_the_call_stays_connected(synced_server, synced_api, domain):
    """No per-call status webhook is documented: calls stop counting after SWITCHBOARD_CALL_MAX_SECONDS."""
    bound = await bind_number(synced_api, {"cloudonix": domain.credentials}, NUMBER)
    await deliver(synced_server, domain.app_url, call("cx-status"))
    status = domain.app_url.replace("/inbound?", "/status?")
    response = await post_webhook(synced_server.url, status, json={"CallSid": "cx-status", "CallStatus": "completed"})
    assert response.status_code == 400
    [record] = await calls_of(synced_api, bound.number_id)
    assert record["status"] == "CONNECTED"


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"token": "x" * 43}, id="wrong token"),
        pytest.param({"token": None}, id="no token"),
        pytest.param({"token": ""}, id="empty token"),
    ],
)
async def test_a_request_without_the_token_is_rejected_and_nothing_is_stored(synced_server, synced_api, domain, changes):
    bound = await bind_number(synced_api, {"cloudonix": domain.credentials}, NUMBER)
    response = await deliver(synced_server, with_query(domain.app_url, **changes), call("cx-forged"))
    assert response.status_code == 200 and rejected(response)
    assert await calls_of(synced_api, bound.number_id) == []


async def test_the_token_of_another_configuration_is_refused(synced_server, synced_api, domain, fakes):
    bound = await bind_number(synced_api, {"cloudonix": domain.credentials}, NUMBER)
    other = Domain(fakes["cloudonix"])
    config = (await create_config(synced_api, "Other domain", {"cloudonix": other.credentials}))["telephonyConfig"]
    await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=bound.workflow_id)
    theirs = parse_qs(urlsplit(other.app_url).query)["token"][0]
    response = await deliver(synced_server, with_query(domain.app_url, token=theirs), call("cx-theirs"))
    assert rejected(response)
    assert await calls_of(synced_api, bound.number_id) == []


async def test_an_unknown_number_gets_the_same_answer_as_a_forged_call(synced_server, synced_api, domain):
    await bind_number(synced_api, {"cloudonix": domain.credentials}, NUMBER)
    forged = await deliver(synced_server, with_query(domain.app_url, token="forged"), call("cx-u1"))
    unknown = await deliver(synced_server, domain.app_url, call("cx-u2", to="+14155550199"))
    elsewhere = await deliver(synced_server, with_query(domain.app_url, account="other.cloudonix.net"), call("cx-u3"))
    extension = await deliver(synced_server, domain.app_url, call("cx-u4", to="1001"))
    assert forged.status_code == unknown.status_code == elsewhere.status_code == extension.status_code == 200
    assert forged.content == unknown.content == elsewhere.content == extension.content


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"data": {"CallSid": "cx", "To": NUMBER}}, "a form body"),
        ({"content": b"CallSid=cx", "headers": {"content-type": "text/plain"}}, "not JSON"),
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, "broken JSON"),
        ({"json": [{"CallSid": "cx"}]}, "not an object"),
        ({"json": {"To": NUMBER}}, "no CallSid"),
        ({"json": {"CallSid": "cx", "To": 14155550100}}, "To not a string"),
    ],
)
async def test_requests_that_are_not_cloudonix_call_requests_are_400(synced_server, kwargs, why):
    async with httpx.AsyncClient(base_url=synced_server.url) as client:
        response = await client.post("/telephony/cloudonix/inbound?account=acme.cloudonix.net&token=t", **kwargs)
    assert response.status_code == 400, (why, response.text)


async def test_a_url_without_the_account_is_400(synced_server):
    async with httpx.AsyncClient(base_url=synced_server.url) as client:
        response = await client.post("/telephony/cloudonix/inbound?token=t", json=call("cx"))
    assert response.status_code == 400 and "account" in response.text
