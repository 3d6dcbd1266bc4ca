"""SignalWire's call webhooks at the front door, signed with the project's Signing Key.

Form webhooks are signed with twilio's RequestValidator (signalwire-python's validator hands form
parameters to it); raw-body signatures with a signer written here from SignalWire's documentation
(lower-hex HMAC-SHA1 of the URL followed by the raw body)."""

import hashlib
import hmac
import secrets
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from front_door import AGENT_URL, bind_number, calls_of, front_door_url, post_webhook, twiml_stream
from sqlalchemy import select
from switchboard.db.models import InboundRejectionCount
from twilio.request_validator import RequestValidator

NUMBER = "+14155550100"
INBOUND = front_door_url("signalwire")
STATUS = front_door_url("signalwire", "status")
FORM = "application/x-www-form-urlencoded"


def project_credentials(**overrides: str) -> dict[str, str]:
    """A fresh project: the project id is part of the routing key, shared by the whole session."""
    return {
        "spaceUrl": "example.signalwire.com",
        "projectId": str(uuid.uuid4()),
        "apiToken": "PT" + secrets.token_hex(24),
        "signingKey": "PSK_" + secrets.token_hex(12),
        **overrides,
    }


def call_form(project: str, call_sid: str, to: str = NUMBER, **extra: str) -> dict[str, str]:
    return {
        "CallSid": call_sid,
        "AccountSid": project,
        "From": "+14155559876",
        "To": to,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def signed(key: str, url: str, form: dict[str, str], header: str = "X-SignalWire-Signature") -> dict[str, str]:
    return {header: RequestValidator(key).compute_signature(url, form)}


def raw_signed(key: str, url: str, body: str) -> dict[str, str]:
    """SignalWire's signature of a raw body, from its documentation: hex HMAC-SHA1(key, url + body)."""
    signature = hmac.new(key.encode(), (url + body).encode(), hashlib.sha1).hexdigest()
    return {"X-SignalWire-Signature": signature, "Content-Type": FORM}


class Project:
    def __init__(self, fake, credentials: dict[str, str]) -> None:
        self.fake = fake
        self.credentials = credentials
        self.id = credentials["projectId"].lower()  # as SignalWire writes it (AccountSid)
        self.key = credentials.get("signingKey", "")
        fake.add_account(self.id, credentials["apiToken"])
        fake.add_number(self.id, NUMBER)


@pytest.fixture
def project(fakes) -> Project:
    return Project(fakes["signalwire"], project_credentials())


async def bind(api, project: Project, **options):
    return await bind_number(api, {"signalwire": project.credentials}, NUMBER, **options)


async def deliver(server, project: Project, form: dict[str, str], url: str = INBOUND, key: str | None = None):
    return await post_webhook(server.url, url, data=form, headers=signed(key or project.key, url, form))


def rejected(response) -> bool:
    document = ET.fromstring(response.content)
    return document.find("Say") is not None and document.find("Hangup") is not None and document.find("Connect") is None


async def test_a_bound_number_streams_to_the_agent_and_the_call_is_logged(synced_server, synced_api, project):
    bound = await bind(synced_api, project)
    assert bound.inbound_url == INBOUND
    assert project.fake.number(project.id, NUMBER).status_callback == STATUS
    response = await deliver(synced_server, project, call_form(project.id, "c0ffee00-0000-4000-8000-000000000001"))

    url, parameters = twiml_stream(response)
    assert url == AGENT_URL
    [call] = await calls_of(synced_api, bound.number_id)
    assert parameters == {"callId": call["id"], "workflowId": bound.workflow_id, "from": "+14155559876", "to": NUMBER}
    assert (call["status"], call["rejectReason"], call["provider"]) == ("CONNECTED", None, "SIGNALWIRE")
    assert call["providerCallId"] == "c0ffee00-0000-4000-8000-000000000001"
    assert (call["from"], call["to"]) == ("+14155559876", NUMBER)
    assert call["telephonyConfig"]["id"] == bound.config_id and call["workflow"]["id"] == bound.workflow_id


async def test_a_project_id_typed_in_upper_case_still_routes_the_calls(synced_server, synced_api, project):
    """Project ids are UUIDs: the routing key holds them lower case, as SignalWire's AccountSid has them."""
    shouting = Project(project.fake, project_credentials(projectId=str(uuid.uuid4()).upper()))
    bound = await bind(synced_api, shouting)
    response = await deliver(synced_server, shouting, call_form(shouting.id, "call-upper"))
    assert ET.fromstring(response.content).find("./Connect/Stream") is not None
    assert len(await calls_of(synced_api, bound.number_id)) == 1


async def test_a_retried_webhook_gets_the_same_answer_and_one_record(synced_server, synced_api, project):
    bound = await bind(synced_api, project)
    form = call_form(project.id, "call-retried")
    first = await deliver(synced_server, project, form)
    again = await deliver(synced_server, project, form)
    assert first.content == again.content
    assert len(await calls_of(synced_api, bound.number_id)) == 1


async def test_the_status_callback_ends_the_call(synced_server, synced_api, project):
    bound = await bind(synced_api, project)
    await deliver(synced_server, project, call_form(project.id, "call-ending"))
    ended = {"CallSid": "call-ending", "AccountSid": project.id, "CallStatus": "completed", "CallDuration": "7"}
    forged = await post_webhook(synced_server.url, STATUS, data=ended, headers=signed("PSK_forged", STATUS, ended))
    assert forged.status_code == 204
    [call] = await calls_of(synced_api, bound.number_id)
    assert call["status"] == "CONNECTED", "a wrongly signed status callback must not end the call"

    ringing = dict(ended, CallStatus="in-progress")
    assert (await deliver(synced_server, project, ringing, url=STATUS)).status_code == 204
    [call] = await calls_of(synced_api, bound.number_id)
    assert call["status"] == "CONNECTED", "only an end of the call ends it"

    assert (await deliver(synced_server, project, ended, url=STATUS)).status_code == 204
    [call] = await calls_of(synced_api, bound.number_id)
    assert call["status"] == "ENDED" and call["endedAt"] is not None


async def test_a_raw_body_signature_is_accepted(synced_server, synced_api, project):
    """signalwire-python also validates the raw body (hex HMAC of URL + body), with or without the port."""
    bound = await bind(synced_api, project)
    body = urlencode(call_form(project.id, "call-raw"))
    for signed_url in (INBOUND, INBOUND.replace(".test/", ".test:443/")):
        response = await post_webhook(synced_server.url, INBOUND, content=body, headers=raw_signed(project.key, signed_url, body))
        assert ET.fromstring(response.content).find("./Connect/Stream") is not None
    tampered = body.replace("%2B14155559876", "%2B14155550000")
    response = await post_webhook(synced_server.url, INBOUND, content=tampered, headers=raw_signed(project.key, INBOUND, body))
    assert rejected(response)
    assert len(await calls_of(synced_api, bound.number_id)) == 1


@pytest.mark.parametrize(
    "how",
    [
        pytest.param({"header": "X-Twilio-Signature"}, id="the legacy X-Twilio-Signature header"),
        pytest.param({"url": INBOUND.replace(".test/", ".test:443/")}, id="the URL with its port"),
    ],
)
async def test_signatures_the_sdk_accepts_are_accepted(synced_server, synced_api, project, how):
    await bind(synced_api, project)
    form = call_form(project.id, "call-" + secrets.token_hex(4))
    headers = signed(project.key, how.get("url", INBOUND), form, how.get("header", "X-SignalWire-Signature"))
    response = await post_webhook(synced_server.url, INBOUND, data=form, headers=headers)
    assert ET.fromstring(response.content).find("./Connect/Stream") is not None


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda form, headers, creds: headers.update({"X-SignalWire-Signature": "AAAA"}), id="wrong signature"),
        pytest.param(lambda form, headers, creds: headers.clear(), id="unsigned"),
        pytest.param(lambda form, headers, creds: form.update({"From": "+14155550000"}), id="a changed parameter"),
        pytest.param(
            lambda form, headers, creds: headers.update(signed(creds["apiToken"], INBOUND, form)),
            id="signed with the API token, not the Signing Key",
        ),
    ],
)
async def test_an_unauthentic_webhook_is_rejected_and_nothing_is_stored(synced_server, synced_api, project, tamper):
    bound = await bind(synced_api, project)
    form = call_form(project.id, "call-forged")
    headers = signed(project.key, INBOUND, form)
    tamper(form, headers, project.credentials)
    response = await post_webhook(synced_server.url, INBOUND, data=form, headers=headers)
    assert response.status_code == 200 and rejected(response)
    assert await calls_of(synced_api, bound.number_id) == []


async def test_the_signing_key_of_another_project_is_refused(synced_server, synced_api, project, fakes):
    bound = await bind(synced_api, project)
    other = Project(fakes["signalwire"], project_credentials())
    response = await deliver(synced_server, project, call_form(project.id, "call-other-key"), key=other.key)
    assert rejected(response)
    assert await calls_of(synced_api, bound.number_id) == []


async def test_an_unknown_number_gets_the_same_answer_as_a_forged_call(synced_server, synced_api, project):
    """Whether a number exists under some project must not show in the answer."""
    await bind(synced_api, project)
    forged = await post_webhook(
        synced_server.url, INBOUND, data=call_form(project.id, "call-x1"), headers={"X-SignalWire-Signature": "x"}
    )
    unknown = await deliver(synced_server, project, call_form(project.id, "call-x2", to="+14155550199"))
    stranger = str(uuid.uuid4())
    other_project = await deliver(synced_server, project, call_form(stranger, "call-x3"))
    assert forged.status_code == unknown.status_code == other_project.status_code == 200
    assert forged.content == unknown.content == other_project.content


async def test_without_a_signing_key_calls_are_rejected_and_counted_not_stored(synced_server, synced_api, fakes):
    keyless = Project(fakes["signalwire"], {k: v for k, v in project_credentials().items() if k != "signingKey"})
    bound = await bind(synced_api, keyless)
    form = call_form(keyless.id, "call-keyless")
    response = await post_webhook(synced_server.url, INBOUND, data=form, headers=signed(keyless.credentials["apiToken"], INBOUND, form))
    assert rejected(response)
    assert await calls_of(synced_api, bound.number_id) == []
    async with synced_server.db.read() as session:
        reasons = (await session.scalars(select(InboundRejectionCount.reason))).all()
    assert "SIGNATURE_SECRET_MISSING" in reasons


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"content": b'{"CallSid": "x"}', "headers": {"content-type": "application/json"}}, "not a form"),
        ({"data": {"CallSid": "c1", "To": NUMBER}}, "no AccountSid"),
        ({"data": {"AccountSid": "p", "To": NUMBER}}, "no CallSid"),
        ({"content": b"To=%ff", "headers": {"content-type": FORM}}, "not UTF-8"),
    ],
)
async def test_requests_that_are_not_signalwire_call_webhooks_are_400(synced_server, kwargs, why):
    import httpx

    async with httpx.AsyncClient(base_url=synced_server.url) as client:
        response = await client.post("/telephony/signalwire/inbound", **kwargs)
    assert response.status_code == 400, (why, response.text)
