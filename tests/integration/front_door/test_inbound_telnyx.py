"""Telnyx's call events at the front door: signed in the test with the account's Ed25519 key (and
checked with telnyx-python's verifier), answered with Call Control commands sent to the fake."""

import base64
import json
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fakes.telnyx import new_id
from front_door import AGENT_URL, bind_number, calls_of, front_door_url, post_webhook, simulate
from helpers import UPDATE_NUMBER
from signers import TelnyxKey
from switchboard.providers.inbound import REJECTION_MESSAGE
from telnyx import AsyncTelnyx
from telnyx.lib.webhook_verification import verify_webhook_signature
from telnyx.types.call_hangup_webhook_event import CallHangupWebhookEvent
from telnyx.types.call_initiated_webhook_event import CallInitiatedWebhookEvent

NUMBER = "+14155550100"
CALLER = "+14155559876"
INBOUND = front_door_url("telnyx")
STATUS = front_door_url("telnyx", "status")
REJECT = {"cause": "CALL_REJECTED", "command_id": "switchboard-reject"}


def event(event_type: str, payload: dict) -> dict:
    return {
        "data": {
            "record_type": "event",
            "event_type": event_type,
            "id": str(uuid.uuid4()),
            "occurred_at": "2026-12-06T10:00:00.000000Z",
            "payload": payload,
        },
        "meta": {"attempt": 1, "delivered_to": INBOUND},
    }


def call_initiated(connection_id: str, call_control_id: str, to: str = NUMBER, direction: str = "incoming") -> dict:
    body = event(
        "call.initiated",
        {
            "call_control_id": call_control_id,
            "call_leg_id": str(uuid.uuid4()),
            "call_session_id": str(uuid.uuid4()),
            "connection_id": connection_id,
            "direction": direction,
            "from": CALLER,
            "to": to,
            "state": "parked",
            "start_time": "2026-12-06T10:00:00.000000Z",
            "caller_id_name": "Caller",
            "client_state": None,
            "tags": [],
        },
    )
    CallInitiatedWebhookEvent.model_validate(body)  # the SDK's shape
    return body


def call_hangup(connection_id: str, call_control_id: str) -> dict:
    body = event(
        "call.hangup",
        {
            "call_control_id": call_control_id,
            "call_leg_id": str(uuid.uuid4()),
            "call_session_id": str(uuid.uuid4()),
            "connection_id": connection_id,
            "from": CALLER,
            "to": NUMBER,
            "hangup_cause": "normal_clearing",
            "hangup_source": "caller",
            "sip_hangup_cause": "200",
            "start_time": "2026-12-06T10:00:00.000000Z",
        },
    )
    CallHangupWebhookEvent.model_validate(body)
    return body


class Telnyx:
    """The fake with one account whose Call Control application holds the number, and the key pair
    that signs the account's webhooks."""

    def __init__(self, fake) -> None:
        self.fake = fake
        self.key = TelnyxKey()
        self.connection_id = new_id()
        self.credentials = {
            "apiKey": "KEY" + uuid.uuid4().hex.upper() + "_" + base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="),
            "connectionId": self.connection_id,
            "webhookPublicKey": self.key.public,
        }
        fake.add_account(self.credentials["apiKey"])
        fake.add_application(self.credentials["apiKey"], self.connection_id, "Agents")
        fake.add_number(self.credentials["apiKey"], NUMBER)

    def new_call(self):
        return self.fake.add_call(self.credentials["apiKey"])

    def commands(self, action: str = "") -> list:
        return self.fake.sent("POST", f"/actions/{action}")

    def signed(self, body: bytes, *, key: TelnyxKey | None = None, timestamp: int | None = None) -> dict[str, str]:
        headers = {"content-type": "application/json", **(key or self.key).headers(body, timestamp)}
        if timestamp is None:
            verify_webhook_signature(body, headers, (key or self.key).public)  # the SDK agrees
        return headers


@pytest.fixture
def telnyx(fakes) -> Telnyx:
    return Telnyx(fakes["telnyx"])


async def deliver(server, telnyx: Telnyx, body: dict, url: str = INBOUND, **signing) -> httpx.Response:
    raw = json.dumps(body).encode()
    return await post_webhook(server.url, url, content=raw, headers=telnyx.signed(raw, **signing))


async def test_a_bound_number_is_answered_with_a_stream_to_the_agent(synced_server, synced_api, telnyx):
    bound = await bind_number(synced_api, {"telnyx": telnyx.credentials}, NUMBER)
    assert bound.inbound_url == INBOUND
    call = telnyx.new_call()
    response = await deliver(synced_server, telnyx, call_initiated(telnyx.connection_id, call.call_control_id))

    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    [logged] = await calls_of(synced_api, bound.number_id)
    assert (logged["status"], logged["providerCallId"], logged["provider"]) == ("CONNECTED", call.call_control_id, "TELNYX")
    assert (logged["from"], logged["to"], logged["workflow"]["id"]) == (CALLER, NUMBER, bound.workflow_id)

    [sent] = telnyx.commands()
    assert sent.path == f"/v2/calls/{call.call_control_id}/actions/answer"
    assert sent.headers["authorization"] == f"Bearer {telnyx.credentials['apiKey']}"
    assert call.state == "answered" and call.commands == [("answer", sent.json)]
    command = sent.json
    assert response.json() == command, "the webhook's answer shows the command Telnyx received"
    stream = urlsplit(command["stream_url"])
    assert f"{stream.scheme}://{stream.netloc}{stream.path}" == AGENT_URL
    names = {name: values[0] for name, values in parse_qs(stream.query).items()}
    assert names == {"callId": logged["id"], "workflowId": bound.workflow_id, "from": CALLER, "to": NUMBER}
    assert (command["stream_track"], command["stream_bidirectional_mode"], command["stream_bidirectional_codec"]) == (
        "inbound_track",
        "rtp",
        "PCMU",
    )
    assert command["command_id"] == logged["id"]
    assert json.loads(base64.b64decode(command["client_state"])) == {"callId": logged["id"]}


async def test_a_retried_webhook_sends_the_same_command_which_telnyx_ignores(synced_server, synced_api, telnyx):
    bound = await bind_number(synced_api, {"telnyx": telnyx.credentials}, NUMBER)
    call = telnyx.new_call()
    body = call_initiated(telnyx.connection_id, call.call_control_id)
    first = await deliver(synced_server, telnyx, body)
    again = await deliver(synced_server, telnyx, body)
    assert first.status_code == again.status_code == 200 and first.content == again.content
    assert len(await calls_of(synced_api, bound.number_id)) == 1
    sent = telnyx.commands("answer")
    assert len(sent) == 2 and sent[0].json == sent[1].json
    assert len(call.commands) == 1, "Telnyx took the command once"


async def test_a_failed_answer_command_still_acknowledges_and_the_retry_answers(synced_server, synced_api, telnyx):
    """Telnyx answering 5xx to the command must not make the webhook fail; its next delivery of
    the webhook sends the command again."""
    bound = await bind_number(synced_api, {"telnyx": telnyx.credentials}, NUMBER)
    call = telnyx.new_call()
    body = call_initiated(telnyx.connection_id, call.call_control_id)
    telnyx.fake.fail_next("status", status=503, times=3)
    response = await deliver(synced_server, telnyx, body)
    assert response.status_code == 200 and "stream_url" in response.json()
    assert call.state == "parked" and len(telnyx.commands("answer")) == 3
    [logged] = await calls_of(synced_api, bound.number_id)
    assert logged["status"] == "CONNECTED"

    await deliver(synced_server, telnyx, body)
    assert call.state == "answered"
    assert len(await calls_of(synced_api, bound.number_id)) == 1


@pytest.mark.parametrize("url", [INBOUND, STATUS], ids=["on the application's URL", "on the status URL"])
async def test_the_hangup_event_ends_the_call_and_a_forged_one_does_not(synced_server, synced_api, telnyx, url):
    bound = await bind_number(synced_api, {"telnyx": telnyx.credentials}, NUMBER)
    call = telnyx.new_call()
    await deliver(synced_server, telnyx, call_initiated(telnyx.connection_id, call.call_control_id))
    hangup = call_hangup(telnyx.connection_id, call.call_control_id)

    forged = await deliver(synced_server, telnyx, hangup, url=url, key=TelnyxKey())
    assert forged.status_code == 204
    [logged] = await calls_of(synced_api, bound.number_id)
    assert logged["status"] == "CONNECTED", "a hangup signed with another key must not end the call"
    stale = await deliver(synced_server, telnyx, hangup, url=url, timestamp=int(time.time()) - 301)
    assert stale.status_code == 204
    [logged] = await calls_of(synced_api, bound.number_id)
    assert logged["status"] == "CONNECTED", "a replayed hangup must not end the call"

    response = await deliver(synced_server, telnyx, hangup, url=url)
    assert response.status_code == 204 and response.content == b""
    [logged] = await calls_of(synced_api, bound.number_id)
    assert logged["status"] == "ENDED" and logged["endedAt"] is not None


async def test_events_other_than_a_new_incoming_call_or_a_hangup_are_acknowledged_and_ignored(synced_server, synced_api, telnyx):
    bound = await bind_number(synced_api, {"telnyx": telnyx.credentials}, NUMBER)
    call = telnyx.new_call()
    outgoing = call_initiated(telnyx.connection_id, call.call_control_id, direction="outgoing")
    answered = event("call.answered", {"call_control_id": call.call_control_id, "connection_id": telnyx.connection_id})
    for body in (outgoing, answered):
        response = await deliver(synced_server, telnyx, body)
        assert response.status_code == 204
    assert await calls_of(synced_api, bound.number_id) == [] and telnyx.commands() == []


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda telnyx, raw, headers: headers.update(TelnyxKey().headers(raw)), id="signed with another key"),
        pytest.param(lambda telnyx, raw, headers: headers.pop("telnyx-signature-ed25519"), id="unsigned"),
        pytest.param(
            lambda telnyx, raw, headers: headers.update(telnyx.key.headers(raw, int(time.time()) - 301)), id="replayed after 301 s"
        ),
        pytest.param(
            lambda telnyx, raw, headers: headers.update(telnyx.key.headers(raw, int(time.time()) + 301)), id="dated 301 s ahead"
        ),
    ],
)
async def test_an_unauthentic_call_is_rejected_and_nothing_is_stored_or_sent(synced_server, synced_api, telnyx, tamper):
    bound = await bind_number(synced_api, {"telnyx": telnyx.credentials}, NUMBER)
    call = telnyx.new_call()
    raw = json.dumps(call_initiated(telnyx.connection_id, call.call_control_id)).encode()
    headers = telnyx.signed(raw)
    tamper(telnyx, raw, headers)
    response = await post_webhook(synced_server.url, INBOUND, content=raw, headers=headers)
    assert response.status_code == 200 and response.json() == REJECT
    assert await calls_of(synced_api, bound.number_id) == []
    assert telnyx.commands() == [] and call.state == "parked"


async def test_a_tampered_body_is_rejected(synced_server, synced_api, telnyx):
    bound = await bind_number(synced_api, {"telnyx": telnyx.credentials}, NUMBER)
    call = telnyx.new_call()
    raw = json.dumps(call_initiated(telnyx.connection_id, call.call_control_id)).encode()
    headers = telnyx.signed(raw)
    tampered = raw.replace(CALLER.encode(), b"+14155550000")
    response = await post_webhook(synced_server.url, INBOUND, content=tampered, headers=headers)
    assert response.json() == REJECT
    assert await calls_of(synced_api, bound.number_id) == [] and telnyx.commands() == []


async def test_an_unknown_number_gets_the_same_answer_as_a_forged_call(synced_server, synced_api, telnyx):
    await bind_number(synced_api, {"telnyx": telnyx.credentials}, NUMBER)
    forged = await deliver(synced_server, telnyx, call_initiated(telnyx.connection_id, telnyx.new_call().call_control_id), key=TelnyxKey())
    unknown = await deliver(synced_server, telnyx, call_initiated(telnyx.connection_id, telnyx.new_call().call_control_id, to="+14155550199"))
    other_application = await deliver(synced_server, telnyx, call_initiated(new_id(), telnyx.new_call().call_control_id))
    assert forged.status_code == unknown.status_code == other_application.status_code == 200
    assert forged.content == unknown.content == other_application.content
    assert telnyx.commands() == []


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ({"isActive": False}, "NUMBER_INACTIVE"),
        ({"agent_url": None}, "NO_AGENT_URL"),
    ],
)
async def test_a_signed_call_that_cannot_be_taken_is_rejected_through_the_api(synced_server, synced_api, telnyx, setup, reason):
    options = dict(setup)
    agent_url = options.pop("agent_url", AGENT_URL)
    bound = await bind_number(synced_api, {"telnyx": telnyx.credentials}, NUMBER, agent_url=agent_url, **options)
    call = telnyx.new_call()
    body = call_initiated(telnyx.connection_id, call.call_control_id)
    response = await deliver(synced_server, telnyx, body)
    assert response.status_code == 200 and response.json() == REJECT
    [logged] = await calls_of(synced_api, bound.number_id)
    assert (logged["status"], logged["rejectReason"]) == ("REJECTED", reason)
    [sent] = telnyx.commands()
    assert sent.path == f"/v2/calls/{call.call_control_id}/actions/reject" and sent.json == REJECT
    assert call.state == "rejected"

    await deliver(synced_server, telnyx, body)
    assert len(telnyx.commands("reject")) == 2 and len(call.commands) == 1, "the repeated reject is ignored by its command_id"
    assert REJECTION_MESSAGE not in response.text and reason.lower() not in response.text.lower()


async def test_the_commands_are_sent_as_telnyx_python_sends_them(synced_server, synced_api, telnyx):
    """The SDK, at the same fake, sends Switchboard's answer and reject commands: the same path
    (the call control id escaped alike), key and JSON body; and it takes every parameter."""
    bound = await bind_number(synced_api, {"telnyx": telnyx.credentials}, NUMBER)
    answered, rejected = telnyx.new_call(), telnyx.new_call()
    await deliver(synced_server, telnyx, call_initiated(telnyx.connection_id, answered.call_control_id))
    await synced_api.query(UPDATE_NUMBER, {"input": {"id": bound.number_id, "isActive": False}})
    await deliver(synced_server, telnyx, call_initiated(telnyx.connection_id, rejected.call_control_id))
    [answer], [reject] = telnyx.commands("answer"), telnyx.commands("reject")

    async with AsyncTelnyx(api_key=telnyx.credentials["apiKey"], base_url=f"{telnyx.fake.url}/v2", max_retries=0) as sdk:
        for ours, send in (
            (answer, lambda: sdk.calls.actions.answer(answered.call_control_id, **answer.json)),
            (reject, lambda: sdk.calls.actions.reject(rejected.call_control_id, **reject.json)),
        ):
            telnyx.fake.reset()
            await send()  # the repeated command_id: Telnyx ignores it
            [theirs] = telnyx.fake.requests
            assert (ours.method, ours.path, ours.json, ours.headers["authorization"]) == (
                theirs.method,
                theirs.path,
                theirs.json,
                theirs.headers["authorization"],
            )
    assert (answered.state, rejected.state) == ("answered", "rejected")


async def test_a_configuration_without_the_webhook_public_key_takes_no_call(synced_server, synced_api, telnyx):
    credentials = {name: value for name, value in telnyx.credentials.items() if name != "webhookPublicKey"}
    bound = await bind_number(synced_api, {"telnyx": credentials}, NUMBER)
    call = telnyx.new_call()
    response = await deliver(synced_server, telnyx, call_initiated(telnyx.connection_id, call.call_control_id))
    assert response.status_code == 200 and response.json() == REJECT
    assert await calls_of(synced_api, bound.number_id) == []
    assert telnyx.commands() == [] and call.state == "parked"


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("POST", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
        ("POST", {"data": {"call_control_id": "v3:x"}}),
        ("POST", {"json": {"event_type": "call.initiated"}}),
        ("POST", {"json": {"data": {"event_type": "call.initiated", "payload": {"direction": "incoming", "to": NUMBER}}}}),
        ("POST", {"json": {"data": {"event_type": "call.hangup", "payload": {}}}}),
        ("GET", {"params": {"event_type": "call.initiated"}}),
    ],
    ids=["not JSON", "a form", "no data", "an incoming call without ids", "a hangup without its call", "GET"],
)
async def test_requests_that_are_not_telnyx_events_are_a_400(synced_server, method, kwargs):
    async with httpx.AsyncClient(base_url=synced_server.url) as client:
        response = await client.request(method, "/telephony/telnyx/inbound", **kwargs)
    assert response.status_code == 400, response.text
    assert response.text.startswith("Not a Telnyx call webhook")


async def test_the_fake_refuses_commands_telnyx_would_refuse(telnyx):
    """The fake's own fidelity: auth, unknown parameters, enum values, the required cause."""
    call = telnyx.new_call()
    url = f"/v2/calls/{call.call_control_id}/actions"
    auth = {"Authorization": f"Bearer {telnyx.credentials['apiKey']}"}
    async with httpx.AsyncClient(base_url=telnyx.fake.url) as client:
        unauthorized = await client.post(f"{url}/answer", json={}, headers={"Authorization": "Bearer KEYnope"})
        unknown = await client.post(f"{url}/answer", json={"stream_url": AGENT_URL, "custom_parameters": []}, headers=auth)
        bad_enum = await client.post(f"{url}/answer", json={"stream_bidirectional_mode": "websocket"}, headers=auth)
        no_cause = await client.post(f"{url}/reject", json={"command_id": "x"}, headers=auth)
        no_call = await client.post("/v2/calls/v3:nope/actions/answer", json={}, headers=auth)
    assert unauthorized.status_code == 401 and unauthorized.json()["errors"][0]["code"] == "10009"
    for refused, pointer in ((unknown, "/custom_parameters"), (bad_enum, "/stream_bidirectional_mode"), (no_cause, "/cause")):
        assert refused.status_code == 422
        [error] = refused.json()["errors"]
        assert {"code", "title", "detail"} <= error.keys() and error["source"] == {"pointer": pointer}
    assert no_call.status_code == 404
    assert call.state == "parked"


async def test_the_simulation_shows_the_answer_command_and_sends_nothing(synced_api, telnyx):
    bound = await bind_number(synced_api, {"telnyx": telnyx.credentials}, NUMBER)
    telnyx.fake.reset()
    simulation = await simulate(synced_api, bound.number_id, CALLER)
    answer = simulation["providerAnswer"]
    assert simulation["accepted"] is True and answer["contentType"] == "application/json"
    command = json.loads(answer["body"])
    assert command["command_id"] == "simulated" and "callId=simulated" in command["stream_url"]
    assert telnyx.fake.requests == []
