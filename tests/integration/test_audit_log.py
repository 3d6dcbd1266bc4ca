"""The audit log (SPEC §13): who changed what, old and new values, secrets only as changed,
written in the change's own transaction, listed by `auditEvents` for ADMIN keys, pruned."""

from datetime import UTC, datetime, timedelta

from conftest import running_server
from helpers import create_config, create_number, create_workflow
from sqlalchemy import select
from switchboard.db.models import AuditEvent
from switchboard.db.types import utcnow

EVENTS = """
query($targetId: ID, $actor: String, $since: DateTime, $first: Int, $after: String) {
  auditEvents(targetId: $targetId, actor: $actor, since: $since, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id at actor actorName role action targetType targetId changes providerSync requestId }
  }
}"""
UPDATE_CONFIG = """
mutation($input: UpdateTelephonyConfigInput!) { updateTelephonyConfig(input: $input) { errors { code } } }"""
UPDATE_NUMBER = """
mutation($input: UpdatePhoneNumberInput!) { updatePhoneNumber(input: $input) { errors { code } } }"""
CREATE_WORKFLOW = """
mutation($name: String!) { createWorkflow(input: {name: $name}) { workflow { id } errors { code } } }"""
CREATE_KEY = """
mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret errors { code } } }"""


async def events(api, **filters) -> list[dict]:
    return (await api.query(EVENTS, filters))["auditEvents"]["nodes"]


async def test_a_credential_change_names_the_actor_and_never_the_secret(api):
    config = (await create_config(api, "Main"))["telephonyConfig"]
    new_token = "f" * 8 + api.twilio["authToken"][8:]
    await api.query(UPDATE_CONFIG, {"input": {"id": config["id"], "name": "Main line", "credentials": {"twilio": {"authToken": new_token}}}})
    response = await api.raw(EVENTS, {"targetId": config["id"]})
    assert api.twilio["authToken"] not in response.text and new_token not in response.text
    updated, created = response.json()["data"]["auditEvents"]["nodes"]
    assert (created["action"], updated["action"]) == ("createTelephonyConfig", "updateTelephonyConfig")
    assert api.key.startswith(updated["actor"]) and updated["actorName"] == "API key" and updated["role"] == "ADMIN"
    assert updated["targetType"] == "TelephonyConfig" and updated["targetId"] == config["id"]
    assert updated["changes"] == {
        "credentials.authToken": "changed",
        "name": {"old": "Main", "new": "Main line"},
    }
    assert created["changes"]["credentials.accountSid"] == {"old": None, "new": api.twilio["accountSid"]}
    assert created["changes"]["credentials.authToken"] == "changed"
    assert len(updated["requestId"]) == 16


async def test_a_binding_records_the_provider_sync_outcome(api):
    config = (await create_config(api))["telephonyConfig"]
    workflow = await create_workflow(api, "Support")
    number = (await create_number(api, config["id"], "+14155550123"))["phoneNumber"]
    await api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "inboundWorkflowId": workflow}})
    bound, _created = await events(api, targetId=number["id"])
    assert bound["action"] == "updatePhoneNumber"
    assert bound["changes"] == {"inboundWorkflowId": {"old": None, "new": workflow}}
    # The test server has no public base URL, so the attach fails and says why.
    assert bound["providerSync"]["ok"] is False and bound["providerSync"]["action"] == "ATTACH"
    assert "SWITCHBOARD_PUBLIC_BASE_URL" in bound["providerSync"]["message"]


async def test_a_rolled_back_mutation_leaves_no_event(api):
    await api.query(CREATE_WORKFLOW, {"name": "Sales"})
    before = await events(api)
    conflict = (await api.query(CREATE_WORKFLOW, {"name": "Sales"}))["createWorkflow"]
    assert conflict["errors"] == [{"code": "CONFLICT"}]
    assert await events(api) == before


async def test_a_refused_or_empty_change_leaves_no_event(api):
    viewer_key = (await api.query(CREATE_KEY, {"input": {"name": "Viewer", "role": "VIEWER"}}))["createApiKey"]["secret"]
    viewer = type(api)(api.http, viewer_key, api.organization_id)
    before = await events(api)
    assert (await viewer.query(CREATE_WORKFLOW, {"name": "Nope"}))["createWorkflow"]["errors"] == [{"code": "FORBIDDEN"}]
    workflow = await create_workflow(api, "Same")
    await api.query('mutation($id: ID!) { updateWorkflow(input: {id: $id, name: "Same"}) { errors { code } } }', {"id": workflow})
    assert [event["action"] for event in await events(api)] == ["createWorkflow"] + [event["action"] for event in before]


async def test_events_are_filtered_paged_newest_first_and_kept_to_their_organization(api, other_api):
    first = await create_workflow(api, "One")
    second = await create_workflow(api, "Two")
    await create_workflow(other_api, "Theirs")
    everything = await events(api)
    theirs = (await events(other_api))[0]["targetId"]
    assert [event["targetId"] for event in everything[:2]] == [second, first]
    assert theirs not in {event["targetId"] for event in everything}
    assert [event["targetId"] for event in await events(api, targetId=first)] == [first]
    page = (await api.query(EVENTS, {"first": 1}))["auditEvents"]
    assert page["pageInfo"]["hasNextPage"] and page["nodes"][0]["targetId"] == second
    rest = (await api.query(EVENTS, {"first": 1, "after": page["pageInfo"]["endCursor"]}))["auditEvents"]["nodes"]
    assert rest[0]["targetId"] == first
    actor = everything[0]["actor"]
    assert len(await events(api, actor=actor)) == len(everything)
    assert await events(api, actor="sb_nobody") == []
    assert await events(api, since=(datetime.now(UTC) + timedelta(minutes=1)).isoformat()) == []
    assert (await api.query(EVENTS, {"targetId": theirs}))["auditEvents"]["totalCount"] == 0


async def test_a_deletion_keeps_what_was_deleted(api):
    workflow = await create_workflow(api, "Short-lived", agent_stream_url=None)
    await api.query('mutation($id: ID!) { deleteWorkflow(input: {id: $id}) { errors { code } } }', {"id": workflow})
    deleted, _ = await events(api, targetId=workflow)
    assert deleted["action"] == "deleteWorkflow"
    assert deleted["changes"] == {"name": {"old": "Short-lived", "new": None}}


async def test_events_past_their_retention_are_pruned_at_start(settings, api):
    async with running_server(settings) as running:
        async with running.db.write() as session:
            for age_days in (400, 2):
                session.add(
                    AuditEvent(
                        organization_id=api.organization_id,
                        at=utcnow() - timedelta(days=age_days),
                        actor="sb_old",
                        role="ADMIN",
                        action=f"aged{age_days}",
                        target_type="Workflow",
                        target_id="V29ya2Zsb3c6MQ",
                        changes={},
                        request_id="",
                    )
                )
    async with running_server(settings.model_copy(update={"audit_retention_days": 30})) as running:
        async with running.db.read() as session:
            kept = set((await session.scalars(select(AuditEvent.action).where(AuditEvent.actor == "sb_old"))).all())
    assert kept == {"aged2"}
