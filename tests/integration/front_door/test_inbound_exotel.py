"""Exotel's flow applets at the front door.

Exotel signs nothing: the URL pasted into the flow (the number's inboundWebhookUrl) names the account
and carries the configuration's token. A synchronous Passthru applet requests it with the call in the
query (CallSid, CallFrom, CallTo, as Indian national numbers) and follows 200 to the Voicebot
applet, which requests the same URL for the wss URL to stream to, or 302 to the flow's refusal;
a Passthru applet after the Voicebot requests the status URL."""

import json
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from front_door import AGENT_URL, bind_number, calls_of, front_door_url, get_webhook, post_webhook
from helpers import create_config, create_number

NUMBER = "+918030752401"
NATIONAL = "08030752401"
CALLER = "09876543210"


def account_credentials() -> dict[str, str]:
    return {
        "accountSid": "acme" + secrets.token_hex(4),
        "apiKey": secrets.token_hex(8),
        "apiToken": secrets.token_hex(8),
        "subdomain": "api.in.exotel.com",
    }


def call(call_sid: str, to: str = NATIONAL, **extra: str) -> dict[str, str]:
    """The query of a Passthru or Voicebot request, as Exotel's applets send it."""
    return {
        "CallSid": call_sid,
        "CallFrom": CALLER,
        "CallTo": to,
        "Direction": "incoming",
        "Created": "Mon, 07 Dec 2026 10:00:00",
        "DialCallDuration": "0",
        "From": CALLER,
        "To": to,
        "DialWhomNumber": "",
        "CustomField": "",
        **extra,
    }


def with_query(url: str, **changes: str | None) -> str:
    """`url` with query parameters added or replaced (None drops one)."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    query.update(changes)
    return parts._replace(query=urlencode({k: v for k, v in query.items() if v is not None})).geturl()


async def request(server, url: str, fields: dict[str, str]) -> httpx.Response:
    return await get_webhook(server.url, with_query(url, **fields))


def status_url(inbound_url: str) -> str:
    return inbound_url.replace("/telephony/exotel/inbound?", "/telephony/exotel/status?")


def refused(response: httpx.Response) -> bool:
    """What makes a synchronous Passthru take its other branch: 302, nothing to follow."""
    return response.status_code == 302 and response.content == b"" and "location" not in response.headers


@pytest.fixture
def credentials() -> dict[str, str]:
    return account_credentials()


async def test_the_passthru_goes_on_and_the_voicebot_gets_the_agent_url(synced_server, synced_api, credentials):
    bound = await bind_number(synced_api, {"exotel": credentials}, NUMBER)
    assert bound.inbound_url.startswith(front_door_url("exotel", query=urlencode({"account": credentials["accountSid"]})) + "&token=")
    passthru = await request(synced_server, bound.inbound_url, call("exo-1"))
    voicebot = await request(synced_server, bound.inbound_url, call("exo-1"))

    assert passthru.status_code == voicebot.status_code == 200
    assert passthru.content == voicebot.content, "the Voicebot's request is the same call again"
    assert voicebot.headers["content-type"].startswith("application/json")
    stream = json.loads(voicebot.content)["url"]
    base, _, query = stream.partition("?")
    [record] = await calls_of(synced_api, bound.number_id)
    assert base == AGENT_URL
    assert parse_qs(query) == {"callId": [record["id"]], "workflowId": [bound.workflow_id]}, "3 custom pairs at most"
    assert (record["status"], record["provider"], record["providerCallId"]) == ("CONNECTED", "EXOTEL", "exo-1")
    assert (record["from"], record["to"]) == (CALLER, NATIONAL)


async def test_the_agent_urls_own_query_is_kept(synced_server, synced_api, credentials):
    bound = await bind_number(synced_api, {"exotel": credentials}, NUMBER, agent_url=AGENT_URL + "?sample-rate=16000")
    response = await request(synced_server, bound.inbound_url, call("exo-rate"))
    stream = json.loads(response.content)["url"]
    assert stream.startswith(AGENT_URL + "?sample-rate=16000&callId=")
    assert list(parse_qs(urlsplit(stream).query)) == ["sample-rate", "callId", "workflowId"]


@pytest.mark.parametrize("to", ["+918030752401", "918030752401"], ids=["E.164", "without the plus"])
async def test_the_called_number_in_other_forms_routes_the_same(synced_server, synced_api, credentials, to):
    bound = await bind_number(synced_api, {"exotel": credentials}, NUMBER)
    response = await request(synced_server, bound.inbound_url, call("exo-form", to=to))
    assert response.status_code == 200 and "url" in json.loads(response.content)
    assert len(await calls_of(synced_api, bound.number_id)) == 1


async def test_the_passthru_after_the_voicebot_ends_the_call(synced_server, synced_api, credentials):
    bound = await bind_number(synced_api, {"exotel": credentials}, NUMBER)
    await request(synced_server, bound.inbound_url, call("exo-end"))
    after = {"CallSid": "exo-end", "CallType": "completed", "DialCallDuration": "42", "CallFrom": CALLER, "CallTo": NATIONAL}
    forged = await request(synced_server, with_query(status_url(bound.inbound_url), token="forged"), after)
    assert forged.status_code == 204
    [record] = await calls_of(synced_api, bound.number_id)
    assert record["status"] == "CONNECTED", "a status request without the token must not end the call"

    assert (await request(synced_server, status_url(bound.inbound_url), after)).status_code == 204
    [record] = await calls_of(synced_api, bound.number_id)
    assert record["status"] == "ENDED" and record["endedAt"] is not None


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"token": "x" * 43}, id="wrong token"),
        pytest.param({"token": None}, id="no token"),
        pytest.param({"token": ""}, id="empty token"),
    ],
)
async def test_a_request_without_the_token_is_refused_and_nothing_is_stored(synced_server, synced_api, credentials, changes):
    bound = await bind_number(synced_api, {"exotel": credentials}, NUMBER)
    response = await request(synced_server, with_query(bound.inbound_url, **changes), call("exo-forged"))
    assert refused(response)
    assert await calls_of(synced_api, bound.number_id) == []


async def test_the_token_of_another_configuration_is_refused(synced_server, synced_api, credentials):
    bound = await bind_number(synced_api, {"exotel": credentials}, NUMBER)
    config = (await create_config(synced_api, "Other account", {"exotel": account_credentials()}))["telephonyConfig"]
    other = await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=bound.workflow_id)
    theirs = parse_qs(urlsplit(other["phoneNumber"]["inboundWebhookUrl"]).query)["token"][0]
    response = await request(synced_server, with_query(bound.inbound_url, token=theirs), call("exo-theirs"))
    assert refused(response)
    assert await calls_of(synced_api, bound.number_id) == []


async def test_an_unknown_number_gets_the_same_answer_as_a_forged_call(synced_server, synced_api, credentials):
    bound = await bind_number(synced_api, {"exotel": credentials}, NUMBER)
    forged = await request(synced_server, with_query(bound.inbound_url, token="forged"), call("exo-u1"))
    unknown = await request(synced_server, bound.inbound_url, call("exo-u2", to="08030752499"))
    elsewhere = await request(synced_server, with_query(bound.inbound_url, account="someone-else"), call("exo-u3"))
    assert refused(forged) and refused(unknown) and refused(elsewhere)
    assert forged.headers["content-type"] == unknown.headers["content-type"] == elsewhere.headers["content-type"]


async def test_a_call_that_cannot_be_taken_is_refused_with_its_reason(synced_server, synced_api, credentials):
    bound = await bind_number(synced_api, {"exotel": credentials}, NUMBER, agent_url=None)
    response = await request(synced_server, bound.inbound_url, call("exo-no-agent"))
    assert refused(response)
    [record] = await calls_of(synced_api, bound.number_id)
    assert (record["status"], record["rejectReason"]) == ("REJECTED", "NO_AGENT_URL")


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ({"account": "acme", "token": "t", "CallTo": NATIONAL}, "no CallSid"),
        ({"account": "acme", "token": "t", "CallSid": "exo"}, "no CallTo or To"),
        ({"token": "t", "CallSid": "exo", "CallTo": NATIONAL}, "no account"),
    ],
)
async def test_requests_that_are_not_exotel_applet_requests_are_400(synced_server, query, why):
    response = await get_webhook(synced_server.url, front_door_url("exotel", query=urlencode(query)))
    assert response.status_code == 400, (why, response.text)


async def test_a_json_body_is_400(synced_server):
    url = front_door_url("exotel", query="account=acme&token=t")
    response = await post_webhook(synced_server.url, url, json={"CallSid": "exo", "CallTo": NATIONAL})
    assert response.status_code == 400
