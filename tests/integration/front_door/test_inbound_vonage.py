"""Vonage's answer and event webhooks at the front door, signed in the test as Vonage's signed
callbacks (a JWT checked with vonage-jwt's verify_signature), answered with NCCOs."""

import json
import uuid
from urllib.parse import urlencode

import httpx
import pytest
from front_door import AGENT_URL, bind_number, calls_of, front_door_url, get_webhook, post_webhook, simulate
from signers import vonage_token
from switchboard.providers.inbound import REJECTION_MESSAGE
from vonage_jwt.verify_jwt import verify_signature
from vonage_voice.models.webhooks import AnswerWebhook

NUMBER = "+14155550100"
CALLER = "+14155559876"


def vonage_credentials() -> dict[str, str]:
    return {
        "apiKey": uuid.uuid4().hex[:8],
        "apiSecret": "Sx" + uuid.uuid4().hex[:14],
        "applicationId": str(uuid.uuid4()),
        "privateKey": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
        "signatureSecret": uuid.uuid4().hex,
    }


def answer_fields(call_uuid: str, to: str = NUMBER) -> dict[str, str]:
    fields = {
        "to": to.lstrip("+"),
        "from": CALLER.lstrip("+"),
        "endpoint_type": "phone",
        "uuid": call_uuid,
        "conversation_uuid": "CON-" + str(uuid.uuid4()),
        "region_url": "https://api-us-3.vonage.com",
    }
    AnswerWebhook.model_validate(fields)  # the SDK's shape
    return fields


def event_fields(call_uuid: str, status: str) -> dict[str, str]:
    return {
        "uuid": call_uuid,
        "conversation_uuid": "CON-" + str(uuid.uuid4()),
        "status": status,
        "direction": "inbound",
        "from": CALLER.lstrip("+"),
        "to": NUMBER.lstrip("+"),
        "timestamp": "2026-12-06T10:00:07.000Z",
        "duration": "7",
    }


class Vonage:
    """The fake with one account: our application (answering elsewhere for now) and the number."""

    def __init__(self, fake) -> None:
        self.fake = fake
        self.credentials = vonage_credentials()
        self.key, self.secret = self.credentials["apiKey"], self.credentials["signatureSecret"]
        fake.add_account(self.key, self.credentials["apiSecret"])
        fake.add_application(self.key, self.credentials["applicationId"], "Agents", "https://old.example/answer")
        fake.add_number(self.key, NUMBER.lstrip("+"))
        self.inbound = front_door_url("vonage", query=f"account={self.key}")
        self.status = front_door_url("vonage", "status", query=f"account={self.key}")

    def authorization(self, payload: bytes, *, secret: str | None = None, api_key: str | None = None) -> dict[str, str]:
        token = vonage_token(secret or self.secret, api_key or self.key, payload)
        assert verify_signature(token, secret or self.secret)  # the SDK agrees
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def vonage(fakes) -> Vonage:
    return Vonage(fakes["vonage"])


async def deliver(server, vonage: Vonage, fields: dict, url: str | None = None, **signing) -> httpx.Response:
    body = json.dumps(fields, separators=(",", ":")).encode()
    headers = {"content-type": "application/json", **vonage.authorization(body, **signing)}
    return await post_webhook(server.url, url or vonage.inbound, content=body, headers=headers)


def stream_of(response: httpx.Response) -> dict:
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    [action] = response.json()
    assert action["action"] == "connect", action
    return action


def is_rejection(response: httpx.Response) -> bool:
    return response.status_code == 200 and response.json() == [{"action": "talk", "text": REJECTION_MESSAGE}]


async def test_a_bound_number_streams_to_the_agent_and_the_call_is_logged(synced_server, synced_api, vonage):
    bound = await bind_number(synced_api, {"vonage": vonage.credentials}, NUMBER)
    assert bound.inbound_url == vonage.inbound
    call_uuid = str(uuid.uuid4())
    action = stream_of(await deliver(synced_server, vonage, answer_fields(call_uuid)))

    [logged] = await calls_of(synced_api, bound.number_id)
    assert (logged["status"], logged["providerCallId"], logged["provider"]) == ("CONNECTED", call_uuid, "VONAGE")
    assert (logged["from"], logged["to"]) == (CALLER, NUMBER)
    assert action["from"] == "14155550100"
    [endpoint] = action["endpoint"]
    assert (endpoint["type"], endpoint["uri"], endpoint["content-type"]) == ("websocket", AGENT_URL, "audio/l16;rate=16000")
    assert endpoint["headers"] == {"callId": logged["id"], "workflowId": bound.workflow_id, "from": CALLER, "to": NUMBER}


async def test_a_get_answer_webhook_is_taken_too(synced_server, synced_api, vonage):
    """GET with query parameters is Vonage's default answer method; the JWT hashes them as JSON."""
    bound = await bind_number(synced_api, {"vonage": vonage.credentials}, NUMBER)
    fields = answer_fields(str(uuid.uuid4()))
    url = f"{vonage.inbound}&{urlencode(fields)}"
    headers = vonage.authorization(json.dumps(fields, separators=(",", ":")).encode())
    stream_of(await get_webhook(synced_server.url, url, headers=headers))
    [logged] = await calls_of(synced_api, bound.number_id)
    assert logged["status"] == "CONNECTED"


async def test_a_retried_webhook_gets_the_same_answer_and_one_record(synced_server, synced_api, vonage):
    bound = await bind_number(synced_api, {"vonage": vonage.credentials}, NUMBER)
    fields = answer_fields(str(uuid.uuid4()))
    first = await deliver(synced_server, vonage, fields)
    again = await deliver(synced_server, vonage, fields)
    assert first.content == again.content and stream_of(first)
    assert len(await calls_of(synced_api, bound.number_id)) == 1


async def test_the_completed_event_ends_the_call_and_a_forged_one_does_not(synced_server, synced_api, vonage):
    bound = await bind_number(synced_api, {"vonage": vonage.credentials}, NUMBER)
    call_uuid = str(uuid.uuid4())
    await deliver(synced_server, vonage, answer_fields(call_uuid))

    forged = await deliver(synced_server, vonage, event_fields(call_uuid, "completed"), url=vonage.status, secret=uuid.uuid4().hex)
    answered = await deliver(synced_server, vonage, event_fields(call_uuid, "answered"), url=vonage.status)
    assert forged.status_code == answered.status_code == 204
    [logged] = await calls_of(synced_api, bound.number_id)
    assert logged["status"] == "CONNECTED", "neither a forged event nor a non-final status ends the call"

    response = await deliver(synced_server, vonage, event_fields(call_uuid, "completed"), url=vonage.status)
    assert response.status_code == 204
    [logged] = await calls_of(synced_api, bound.number_id)
    assert logged["status"] == "ENDED" and logged["endedAt"] is not None


@pytest.mark.parametrize("status", ["busy", "failed", "rejected", "timeout", "cancelled", "unanswered"])
async def test_every_final_status_ends_the_call(synced_server, synced_api, vonage, status):
    bound = await bind_number(synced_api, {"vonage": vonage.credentials}, NUMBER)
    call_uuid = str(uuid.uuid4())
    await deliver(synced_server, vonage, answer_fields(call_uuid))
    await deliver(synced_server, vonage, event_fields(call_uuid, status), url=vonage.status)
    [logged] = await calls_of(synced_api, bound.number_id)
    assert logged["status"] == "ENDED"


# Each tamper changes a signed request's headers and returns the body to send.
def _signed_with(**signing):
    def tamper(vonage, body, headers):
        headers.update(vonage.authorization(body, **signing))
        return body

    return tamper


def _unsigned(vonage, body, headers):
    del headers["Authorization"]
    return body


def _not_a_jwt(vonage, body, headers):
    headers["Authorization"] = "Bearer x.y.z"
    return body


def _changed_body(vonage, body, headers):
    return body.replace(CALLER.lstrip("+").encode(), b"14155550000")


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(_signed_with(secret="another-signature-secret-0123456"), id="another secret"),
        pytest.param(_unsigned, id="unsigned"),
        pytest.param(_not_a_jwt, id="not a JWT"),
        pytest.param(_signed_with(api_key="ffff0000"), id="the JWT of another account"),
        pytest.param(_changed_body, id="a changed body"),
    ],
)
async def test_an_unauthentic_webhook_is_rejected_and_nothing_is_stored(synced_server, synced_api, vonage, tamper):
    bound = await bind_number(synced_api, {"vonage": vonage.credentials}, NUMBER)
    body = json.dumps(answer_fields(str(uuid.uuid4()))).encode()
    headers = {"content-type": "application/json", **vonage.authorization(body)}
    sent = tamper(vonage, body, headers)
    response = await post_webhook(synced_server.url, vonage.inbound, content=sent, headers=headers)
    assert is_rejection(response)
    assert await calls_of(synced_api, bound.number_id) == []


async def test_an_unknown_number_gets_the_same_answer_as_a_forged_call(synced_server, synced_api, vonage):
    await bind_number(synced_api, {"vonage": vonage.credentials}, NUMBER)
    forged = await deliver(synced_server, vonage, answer_fields(str(uuid.uuid4())), secret=uuid.uuid4().hex)
    unknown = await deliver(synced_server, vonage, answer_fields(str(uuid.uuid4()), to="+14155550199"))
    other_account = front_door_url("vonage", query="account=ffff0000")
    other = await deliver(synced_server, vonage, answer_fields(str(uuid.uuid4())), url=other_account, api_key="ffff0000")
    assert is_rejection(forged) and forged.content == unknown.content == other.content


@pytest.mark.parametrize(("setup", "reason"), [({"isActive": False}, "NUMBER_INACTIVE"), ({"agent_url": None}, "NO_AGENT_URL")])
async def test_a_signed_call_that_cannot_be_taken_is_rejected_with_its_reason(synced_server, synced_api, vonage, setup, reason):
    options = dict(setup)
    agent_url = options.pop("agent_url", AGENT_URL)
    bound = await bind_number(synced_api, {"vonage": vonage.credentials}, NUMBER, agent_url=agent_url, **options)
    response = await deliver(synced_server, vonage, answer_fields(str(uuid.uuid4())))
    assert is_rejection(response) and reason.lower().replace("_", " ") not in response.text.lower()
    [logged] = await calls_of(synced_api, bound.number_id)
    assert (logged["status"], logged["rejectReason"]) == ("REJECTED", reason)


async def test_a_configuration_without_the_signature_secret_takes_no_call(synced_server, synced_api, vonage):
    credentials = {name: value for name, value in vonage.credentials.items() if name != "signatureSecret"}
    bound = await bind_number(synced_api, {"vonage": credentials}, NUMBER)
    response = await deliver(synced_server, vonage, answer_fields(str(uuid.uuid4())))
    assert is_rejection(response)
    assert await calls_of(synced_api, bound.number_id) == []


@pytest.mark.parametrize(
    ("query", "kwargs"),
    [
        ("account=abcd1234", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
        ("account=abcd1234", {"data": {"uuid": "x", "to": "14155550100"}}),
        ("account=abcd1234", {"json": ["uuid"]}),
        ("account=abcd1234", {"json": {"to": "14155550100", "from": "14155559876"}}),
        ("", {"json": {"uuid": "x", "to": "14155550100", "from": "14155559876"}}),
    ],
    ids=["not JSON", "a form", "not an object", "no uuid", "no account in the URL"],
)
async def test_requests_that_are_not_vonage_answer_webhooks_are_a_400(synced_server, query, kwargs):
    async with httpx.AsyncClient(base_url=synced_server.url) as client:
        response = await client.post("/telephony/vonage/inbound" + (f"?{query}" if query else ""), **kwargs)
    assert response.status_code == 400, response.text
    assert response.text.startswith("Not a Vonage call webhook")


async def test_the_simulation_shows_the_ncco(synced_api, vonage):
    bound = await bind_number(synced_api, {"vonage": vonage.credentials}, NUMBER)
    simulation = await simulate(synced_api, bound.number_id, CALLER)
    [action] = json.loads(simulation["providerAnswer"]["body"])
    assert (action["action"], action["from"]) == ("connect", "14155550100")
    assert action["endpoint"][0]["headers"]["callId"] == "simulated"
