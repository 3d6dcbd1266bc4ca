"""The call log (SPEC §12) and the workflow's agent URL (SPEC §5), over GraphQL, with calls made
through the front door by Twilio-signed webhooks (twilio-python's RequestValidator)."""

from datetime import timedelta

import pytest
from front_door import AGENT_URL, CREATE_WORKFLOW, bind_number, calls_of, front_door_url, post_webhook
from helpers import UPDATE_NUMBER
from sqlalchemy.exc import IntegrityError
from switchboard.db.errors import is_foreign_key_violation
from switchboard.db.inbound_calls import record_call
from switchboard.db.models import InboundCall
from switchboard.db.types import utcnow
from switchboard.resolvers.ids import from_global_id
from test_inbound_twilio import NUMBER, call_form, call_sid, deliver, signed, twilio  # noqa: F401 (fixture)

UPDATE_WORKFLOW = """
mutation($input: UpdateWorkflowInput!) { updateWorkflow(input: $input) { workflow { id agentStreamUrl } errors { code message field } } }"""
SIMULATE = """
mutation($input: SimulateInboundCallInput!) { simulateInboundCall(input: $input) {
  simulation { accepted rejectReason agentStreamUrl workflow { id } providerAnswer { statusCode contentType body } }
  errors { code message field } } }"""
PAGE = """
query($first: Int, $after: String, $status: InboundCallStatus, $since: DateTime, $workflow: ID) {
  inboundCalls(first: $first, after: $after, status: $status, since: $since, workflowId: $workflow) {
    totalCount pageInfo { hasNextPage endCursor } nodes { providerCallId status } } }"""


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://agent.example.com/ws", "must be a wss:// URL"),
        ("ws://agent.example.com/ws", "ws:// is allowed only for loopback"),
        ("wss://", "must be a wss:// URL with a host"),
        ("wss://user:pw@agent.example.com/ws", "user name or password"),
        ("wss://agent.example.com/ws#x", "#fragment"),
        ("wss://agent.example.com/a b", "spaces"),
        ("wss://agent.example.com/\x00", "control characters"),
        ("   ", "must not be empty"),
        ("wss://agent.example.com/" + "a" * 2048, "at most 2048"),
    ],
)
async def test_a_bad_agent_url_is_invalid_with_its_field_and_changes_nothing(api, url, message):
    created = (await api.query(CREATE_WORKFLOW, {"input": {"name": "Bad", "agentStreamUrl": url}}))["createWorkflow"]
    assert created["workflow"] is None
    [error] = created["errors"]
    assert (error["code"], error["field"]) == ("INVALID", ["input", "agentStreamUrl"])
    assert message in error["message"]
    assert (await api.query("{ workflows { totalCount } }"))["workflows"]["totalCount"] == 0


async def test_agent_urls_are_kept_changed_and_cleared(api):
    created = (await api.query(CREATE_WORKFLOW, {"input": {"name": "A", "agentStreamUrl": " ws://127.0.0.1:8765/media "}}))
    workflow = created["createWorkflow"]["workflow"]
    assert workflow["agentStreamUrl"] == "ws://127.0.0.1:8765/media", "loopback ws:// is allowed, trimmed"
    kept = (await api.query(UPDATE_WORKFLOW, {"input": {"id": workflow["id"], "name": "B"}}))["updateWorkflow"]
    assert kept["workflow"]["agentStreamUrl"] == "ws://127.0.0.1:8765/media"
    changed = (await api.query(UPDATE_WORKFLOW, {"input": {"id": workflow["id"], "agentStreamUrl": AGENT_URL}}))["updateWorkflow"]
    assert changed["workflow"]["agentStreamUrl"] == AGENT_URL
    bad = (await api.query(UPDATE_WORKFLOW, {"input": {"id": workflow["id"], "agentStreamUrl": "http://x"}}))["updateWorkflow"]
    assert bad["errors"][0]["field"] == ["input", "agentStreamUrl"]
    cleared = (await api.query(UPDATE_WORKFLOW, {"input": {"id": workflow["id"], "clearAgentStreamUrl": True}}))["updateWorkflow"]
    assert cleared["workflow"]["agentStreamUrl"] is None


@pytest.mark.usefixtures("twilio")
async def test_the_log_pages_newest_first_and_filters(synced_server, synced_api):
    bound = await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER, max_concurrent_calls=2)
    sid = synced_api.twilio["accountSid"]
    for n in range(5):
        await deliver(synced_server, synced_api, call_form(sid, call_sid(f"page {n}")))
    first = (await synced_api.query(PAGE, {"first": 2}))["inboundCalls"]
    assert [c["providerCallId"] for c in first["nodes"]] == [call_sid("page 4"), call_sid("page 3")]
    assert first["totalCount"] == 5 and first["pageInfo"]["hasNextPage"]
    rest = (await synced_api.query(PAGE, {"first": 10, "after": first["pageInfo"]["endCursor"]}))["inboundCalls"]
    assert [c["providerCallId"] for c in rest["nodes"]] == [call_sid(f"page {n}") for n in (2, 1, 0)]
    assert not rest["pageInfo"]["hasNextPage"]

    rejected = (await synced_api.query(PAGE, {"status": "REJECTED"}))["inboundCalls"]
    assert rejected["totalCount"] == 3, "two connected calls fill maxConcurrentCalls: 2"
    assert (await synced_api.query(PAGE, {"status": "CONNECTED"}))["inboundCalls"]["totalCount"] == 2
    later = (utcnow() + timedelta(minutes=1)).isoformat()
    assert (await synced_api.query(PAGE, {"since": later}))["inboundCalls"]["totalCount"] == 0
    assert (await synced_api.query(PAGE, {"workflow": bound.workflow_id}))["inboundCalls"]["totalCount"] == 5

    config = await synced_api.query(
        "query($id: ID!) { node(id: $id) { ... on TelephonyConfig { activeInboundCallCount } } }", {"id": bound.config_id}
    )
    assert config["node"]["activeInboundCallCount"] == 2
    number = await synced_api.query(
        "query($id: ID!) { node(id: $id) { ... on PhoneNumber { inboundCalls(first: 1) { totalCount nodes { providerCallId } } } } }",
        {"id": bound.number_id},
    )
    assert number["node"]["inboundCalls"] == {"totalCount": 5, "nodes": [{"providerCallId": call_sid("page 4")}]}


@pytest.mark.usefixtures("twilio")
async def test_another_organization_sees_none_of_the_calls(synced_server, synced_api, other_api):
    bound = await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER)
    await deliver(synced_server, synced_api, call_form(synced_api.twilio["accountSid"], call_sid("e")))
    [call] = await calls_of(synced_api, bound.number_id)
    assert (await synced_api.query("query($id: ID!) { node(id: $id) { id } }", {"id": call["id"]}))["node"] == {"id": call["id"]}
    assert (await other_api.query("query($id: ID!) { node(id: $id) { id } }", {"id": call["id"]}))["node"] is None
    assert (await other_api.query("{ inboundCalls { totalCount } }"))["inboundCalls"]["totalCount"] == 0
    found = await other_api.query("query($n: ID) { inboundCalls(phoneNumberId: $n) { totalCount } }", {"n": bound.number_id})
    assert found["inboundCalls"]["totalCount"] == 0


@pytest.mark.usefixtures("twilio")
async def test_an_accepted_call_costs_two_statements(synced_server, synced_api):
    """The route (one indexed read) and the record (one insert): SPEC §11 on the call-setup path."""
    await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER, max_concurrent_calls=5)
    statements: list[str] = []
    stop = synced_server.db.listen_statements(statements.append)
    try:
        response = await deliver(synced_server, synced_api, call_form(synced_api.twilio["accountSid"], call_sid("f")))
    finally:
        stop()
    assert b"<Stream" in response.content
    assert len(statements) == 2, statements


@pytest.mark.usefixtures("twilio")
async def test_a_call_older_than_the_cut_off_no_longer_counts_toward_the_limit(synced_server, synced_api):
    """A lost status callback must not block a number forever (SWITCHBOARD_CALL_MAX_SECONDS, 4 h)."""
    bound = await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER, max_concurrent_calls=1)
    async with synced_server.db.write() as session:
        session.add(
            InboundCall(
                organization_id=synced_api.organization_id,
                telephony_config_id=from_global_id(bound.config_id)[1],
                phone_number_id=from_global_id(bound.number_id)[1],
                workflow_id=from_global_id(bound.workflow_id)[1],
                provider="twilio",
                provider_call_id="CA-lost-its-status-callback",
                from_address="+14155559876",
                to_address=NUMBER,
                status="CONNECTED",
                started_at=utcnow() - timedelta(hours=4, minutes=1),
            )
        )
    response = await deliver(synced_server, synced_api, call_form(synced_api.twilio["accountSid"], call_sid("90")))
    assert b"<Stream" in response.content


@pytest.mark.usefixtures("twilio")
async def test_simulation_shows_the_exact_answer_and_stores_nothing(synced_server, synced_api):
    bound = await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER)
    payload = (await synced_api.query(SIMULATE, {"input": {"phoneNumberId": bound.number_id, "from": "+14155559876"}}))[
        "simulateInboundCall"
    ]
    simulation = payload["simulation"]
    assert payload["errors"] == [] and simulation["accepted"] and simulation["rejectReason"] is None
    assert simulation["agentStreamUrl"] == AGENT_URL and simulation["workflow"]["id"] == bound.workflow_id
    real = await deliver(synced_server, synced_api, call_form(synced_api.twilio["accountSid"], call_sid("12")))
    [call] = await calls_of(synced_api, bound.number_id)
    answer = simulation["providerAnswer"]
    assert (answer["statusCode"], answer["contentType"]) == (200, "text/xml")
    assert answer["body"] == real.text.replace(call["id"], "simulated"), "the real answer, but for the call id"

    await synced_api.query(UPDATE_NUMBER, {"input": {"id": bound.number_id, "isActive": False}})
    payload = (await synced_api.query(SIMULATE, {"input": {"phoneNumberId": bound.number_id, "from": "+1"}}))["simulateInboundCall"]
    assert (payload["simulation"]["accepted"], payload["simulation"]["rejectReason"]) == (False, "NUMBER_INACTIVE")
    assert "<Hangup" in payload["simulation"]["providerAnswer"]["body"]
    assert len(await calls_of(synced_api, bound.number_id)) == 1, "simulations store nothing"


@pytest.mark.usefixtures("twilio")
async def test_simulation_input_errors(synced_api, other_api):
    bound = await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER)
    foreign = (await other_api.query(SIMULATE, {"input": {"phoneNumberId": bound.number_id, "from": "+1"}}))["simulateInboundCall"]
    assert [(e["code"], e["field"]) for e in foreign["errors"]] == [("NOT_FOUND", ["input", "phoneNumberId"])]
    blank = (await synced_api.query(SIMULATE, {"input": {"phoneNumberId": bound.number_id, "from": " "}}))["simulateInboundCall"]
    assert [(e["code"], e["field"]) for e in blank["errors"]] == [("INVALID", ["input", "from"])]


@pytest.mark.usefixtures("twilio")
async def test_rejections_and_agentless_workflows_show_as_warnings(synced_server, synced_api):
    bound = await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER, agent_url=None)
    sid = synced_api.twilio["accountSid"]
    await deliver(synced_server, synced_api, call_form(sid, call_sid("21")))
    forged = call_form(sid, call_sid("22"))
    for _ in range(3):
        await post_webhook(synced_server.url, front_door_url("twilio"), data=forged, headers=signed("0" * 32, front_door_url("twilio"), forged))
    found = await synced_api.query(
        "query($id: ID!) { node(id: $id) { ... on TelephonyConfig { warnings { code severity message phoneNumber { id } } } } }",
        {"id": bound.config_id},
    )
    by_code = {w["code"]: w for w in found["node"]["warnings"]}
    rejected = by_code["INBOUND_CALLS_REJECTED"]
    assert rejected["severity"] == "WARNING" and rejected["phoneNumber"]["id"] == bound.number_id
    assert "rejected 4 inbound calls in the last 24 hours, most often because the webhook signature did not verify (3)" in rejected["message"]
    assert "'Agent', which has no agent stream URL" in by_code["WORKFLOW_WITHOUT_AGENT_URL"]["message"]


async def test_recording_a_call_for_a_number_deleted_since_the_route_is_a_classified_foreign_key_violation(server, api):
    """The front door routes, then records: a number deleted in between makes the record refer to
    nothing. The database refuses it as a foreign-key violation, which the front door answers
    with the rejection (nothing to connect to) instead of a server error, and the parameters stay
    out of the message."""
    values = {
        "organization_id": api.organization_id,
        "telephony_config_id": None,
        "phone_number_id": 2_000_000_000,
        "workflow_id": None,
        "provider": "twilio",
        "provider_call_id": call_sid("deleted number"),
        "from_address": "+14155559876",
        "to_address": "+14155550100",
        "status": "CONNECTED",
        "reject_reason": None,
        "started_at": utcnow(),
    }
    with pytest.raises(IntegrityError) as refused:
        await record_call(server.db, values)
    assert is_foreign_key_violation(refused.value)
    assert values["provider_call_id"] not in str(refused.value)
    assert await calls_of(api) == []
