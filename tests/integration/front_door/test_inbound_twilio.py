"""Twilio's call webhooks at the front door, signed by twilio-python's RequestValidator."""

import hashlib
import xml.etree.ElementTree as ET

import pytest
from front_door import AGENT_URL, bind_number, calls_of, front_door_url, post_webhook, twiml_stream
from helpers import UPDATE_NUMBER
from sqlalchemy import select
from switchboard.db.models import InboundRejectionCount
from switchboard.resolvers.ids import from_global_id
from twilio.request_validator import RequestValidator

NUMBER = "+14155550100"
INBOUND = front_door_url("twilio")
STATUS = front_door_url("twilio", "status")


def call_sid(tag: str) -> str:
    """A CallSid as Twilio makes them (CA and 32 hex digits), different for each tag."""
    return "CA" + hashlib.md5(tag.encode()).hexdigest()


def call_form(account_sid: str, sid: str, to: str = NUMBER, **extra: str) -> dict[str, str]:
    return {
        "CallSid": sid,
        "AccountSid": account_sid,
        "From": "+14155559876",
        "To": to,
        "Called": to,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        "ToCountry": "US",
        **extra,
    }


def signed(token: str, url: str, form: dict[str, str]) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, form)}


@pytest.fixture
def twilio(fakes, synced_api):
    fake = fakes["twilio"]
    fake.add_account(synced_api.twilio["accountSid"], synced_api.twilio["authToken"])
    fake.add_number(synced_api.twilio["accountSid"], NUMBER)
    return fake


async def deliver(server, api, form: dict[str, str], url: str = INBOUND, token: str | None = None):
    return await post_webhook(server.url, url, data=form, headers=signed(token or api.twilio["authToken"], url, form))


async def test_a_bound_number_streams_to_the_agent_and_the_call_is_logged(synced_server, synced_api, twilio):
    bound = await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER)
    assert bound.inbound_url == INBOUND
    response = await deliver(synced_server, synced_api, call_form(synced_api.twilio["accountSid"], call_sid("1")))

    url, parameters = twiml_stream(response)
    assert url == AGENT_URL
    [call] = await calls_of(synced_api, bound.number_id)
    assert parameters == {"callId": call["id"], "workflowId": bound.workflow_id, "from": "+14155559876", "to": NUMBER}
    assert from_global_id(call["id"])[0] == "InboundCall"
    assert call["status"] == "CONNECTED" and call["rejectReason"] is None
    assert call["providerCallId"] == call_sid("1")
    assert (call["from"], call["to"], call["provider"]) == ("+14155559876", NUMBER, "TWILIO")
    assert call["phoneNumber"]["id"] == bound.number_id and call["workflow"]["id"] == bound.workflow_id
    assert call["telephonyConfig"]["id"] == bound.config_id and call["endedAt"] is None


async def test_a_retried_webhook_gets_the_same_answer_and_one_record(synced_server, synced_api, twilio):
    bound = await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER)
    form = call_form(synced_api.twilio["accountSid"], call_sid("2"))
    first = await deliver(synced_server, synced_api, form)
    again = await deliver(synced_server, synced_api, form)
    assert first.content == again.content
    assert len(await calls_of(synced_api, bound.number_id)) == 1


async def test_the_status_callback_ends_the_call(synced_server, synced_api, twilio):
    bound = await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER)
    sid, ending = synced_api.twilio["accountSid"], call_sid("3")
    await deliver(synced_server, synced_api, call_form(sid, ending))
    forged = {"CallSid": ending, "AccountSid": sid, "CallStatus": "completed", "CallDuration": "7"}
    response = await post_webhook(synced_server.url, STATUS, data=forged, headers=signed("0" * 32, STATUS, forged))
    assert response.status_code == 204
    [call] = await calls_of(synced_api, bound.number_id)
    assert call["status"] == "CONNECTED", "a wrongly signed status callback must not end the call"

    response = await deliver(synced_server, synced_api, forged, url=STATUS)
    assert response.status_code == 204
    [call] = await calls_of(synced_api, bound.number_id)
    assert call["status"] == "ENDED" and call["endedAt"] is not None and call["durationSeconds"] >= 0


async def test_a_port_in_the_signed_url_is_accepted(synced_server, synced_api, twilio):
    """Twilio sometimes signs the URL with the default port; the SDK's validator accepts both."""
    await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER)
    form = call_form(synced_api.twilio["accountSid"], call_sid("4"))
    with_port = INBOUND.replace(".test/", ".test:443/")
    response = await post_webhook(synced_server.url, INBOUND, data=form, headers=signed(synced_api.twilio["authToken"], with_port, form))
    assert ET.fromstring(response.content).find("./Connect/Stream") is not None


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda form, headers: headers.update({"X-Twilio-Signature": "AAAA"}), id="wrong signature"),
        pytest.param(lambda form, headers: headers.clear(), id="unsigned"),
        pytest.param(lambda form, headers: form.update({"From": "+14155550000"}), id="a changed parameter"),
    ],
)
async def test_an_unauthentic_webhook_is_rejected_and_nothing_is_stored(synced_server, synced_api, twilio, tamper):
    bound = await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER)
    form = call_form(synced_api.twilio["accountSid"], call_sid("5"))
    headers = signed(synced_api.twilio["authToken"], INBOUND, form)
    tamper(form, headers)
    response = await post_webhook(synced_server.url, INBOUND, data=form, headers=headers)
    assert response.status_code == 200
    document = ET.fromstring(response.content)
    assert document.find("Say") is not None and document.find("Hangup") is not None
    assert document.find("./Connect") is None
    assert await calls_of(synced_api, bound.number_id) == []


async def test_an_unknown_number_gets_the_same_answer_as_a_forged_call(synced_server, synced_api, twilio):
    """Whether a number exists under some account must not show in the answer."""
    await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER)
    sid = synced_api.twilio["accountSid"]
    forged = call_form(sid, call_sid("6"))
    forged_answer = await post_webhook(synced_server.url, INBOUND, data=forged, headers={"X-Twilio-Signature": "x"})
    unknown = call_form(sid, call_sid("7"), to="+14155550199")
    unknown_answer = await deliver(synced_server, synced_api, unknown)
    other_account = call_form("AC" + "f" * 32, call_sid("8"))
    other_answer = await deliver(synced_server, synced_api, other_account)
    assert forged_answer.status_code == unknown_answer.status_code == other_answer.status_code == 200
    assert forged_answer.content == unknown_answer.content == other_answer.content


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ({"isActive": False}, "NUMBER_INACTIVE"),
        ({"agent_url": None}, "NO_AGENT_URL"),
    ],
)
async def test_a_signed_call_that_cannot_be_taken_is_rejected_with_its_reason(synced_server, synced_api, twilio, setup, reason):
    options = dict(setup)
    agent_url = options.pop("agent_url", AGENT_URL)
    bound = await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER, agent_url=agent_url, **options)
    response = await deliver(synced_server, synced_api, call_form(synced_api.twilio["accountSid"], call_sid("9")))
    assert ET.fromstring(response.content).find("Hangup") is not None
    [call] = await calls_of(synced_api, bound.number_id)
    assert (call["status"], call["rejectReason"]) == ("REJECTED", reason)
    assert reason.lower().replace("_", " ") not in response.text.lower()


async def test_a_call_to_an_unbound_number_is_rejected(synced_server, synced_api, twilio):
    bound = await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER)
    await synced_api.query(UPDATE_NUMBER, {"input": {"id": bound.number_id, "clearInboundWorkflow": True}})
    await deliver(synced_server, synced_api, call_form(synced_api.twilio["accountSid"], call_sid("a")))
    [call] = await calls_of(synced_api, bound.number_id)
    assert (call["status"], call["rejectReason"], call["workflow"]) == ("REJECTED", "NO_WORKFLOW", None)


async def test_max_concurrent_calls_is_enforced_until_a_call_ends(synced_server, synced_api, twilio):
    bound = await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER, max_concurrent_calls=1)
    sid = synced_api.twilio["accountSid"]
    await deliver(synced_server, synced_api, call_form(sid, call_sid("b")))
    await deliver(synced_server, synced_api, call_form(sid, call_sid("c")))
    second, first = await calls_of(synced_api, bound.number_id)
    assert (first["status"], second["status"], second["rejectReason"]) == ("CONNECTED", "REJECTED", "CONCURRENCY_LIMIT")

    ended = {"CallSid": call_sid("b"), "AccountSid": sid, "CallStatus": "completed"}
    await deliver(synced_server, synced_api, ended, url=STATUS)
    response = await deliver(synced_server, synced_api, call_form(sid, call_sid("d")))
    assert ET.fromstring(response.content).find("./Connect/Stream") is not None


@pytest.mark.parametrize(
    ("path", "kwargs", "status"),
    [
        ("/telephony/twilio/inbound", {"content": b'{"CallSid": "x"}', "headers": {"content-type": "application/json"}}, 400),
        ("/telephony/twilio/inbound", {"data": {"CallSid": "CA1"}}, 400),
        ("/telephony/twilio/inbound", {"content": b"To=%ff", "headers": {"content-type": "application/x-www-form-urlencoded"}}, 400),
        ("/telephony/twilio/inbound", {"content": b"a=" + b"x" * 70_000, "headers": {"content-type": "application/x-www-form-urlencoded"}}, 413),
        ("/telephony/nosuch/inbound", {"data": {"CallSid": "CA1"}}, 404),
        ("/telephony/ari/inbound", {"data": {"CallSid": "CA1"}}, 404),
    ],
)
async def test_requests_that_are_not_twilio_call_webhooks_get_a_clear_status(synced_server, http, path, kwargs, status):
    import httpx

    async with httpx.AsyncClient(base_url=synced_server.url) as client:
        response = await client.post(path, **kwargs)
    assert response.status_code == status, response.text


async def test_a_flood_of_forged_webhooks_only_counts(synced_server, synced_api, twilio):
    """Unauthenticated traffic cannot grow the tenant's storage: one counter row per number,
    hour and reason, whatever the number of forged requests."""
    bound = await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER)
    sid = synced_api.twilio["accountSid"]
    for n in range(30):
        form = call_form(sid, call_sid(f"flood {n}"))
        await post_webhook(synced_server.url, INBOUND, data=form, headers=signed("0" * 32, INBOUND, form))
    number_id = from_global_id(bound.number_id)[1]
    async with synced_server.db.read() as session:
        rows = (await session.execute(select(InboundRejectionCount).where(InboundRejectionCount.phone_number_id == number_id))).scalars().all()
    assert [(row.reason, row.count) for row in rows] == [("SIGNATURE_INVALID", 30)]
    assert await calls_of(synced_api, bound.number_id) == []


@pytest.mark.parametrize(
    "changes",
    [{"CallSid": "CA\x00" + "1" * 32}, {"From": "+1415555\x009876"}, {"CallSid": "CA" + "5" * 300}],
    ids=["NUL in the call id", "NUL in the caller", "an overlong call id"],
)
async def test_values_the_call_log_cannot_store_are_a_400(synced_server, synced_api, twilio, changes):
    """PostgreSQL refuses NUL in text, and the call id column holds 255 characters: such a
    webhook is malformed, never a server error, even when correctly signed."""
    bound = await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER)
    form = {**call_form(synced_api.twilio["accountSid"], call_sid("nul")), **changes}
    response = await deliver(synced_server, synced_api, form)
    assert response.status_code == 400, response.text
    assert await calls_of(synced_api, bound.number_id) == []
