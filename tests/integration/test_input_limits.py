"""A NUL character in any text input is INVALID on both databases, and changes nothing; metadata
is at most 16 KiB (SPEC §13).

PostgreSQL's text types refuse NUL: before this, each of these was an INTERNAL_SERVER_ERROR there
(asyncpg's CharacterNotInRepertoireError), and SQLite stored the NUL."""

import pytest
from helpers import ERRORS, UPDATE_NUMBER, create_config, create_number, create_workflow

CREATE_WORKFLOW = f"mutation($input: CreateWorkflowInput!) {{ createWorkflow(input: $input) {{ workflow {{ id }} {ERRORS} }} }}"
UPDATE_WORKFLOW = f"mutation($input: UpdateWorkflowInput!) {{ updateWorkflow(input: $input) {{ workflow {{ name }} {ERRORS} }} }}"
CREATE_CONFIG = f"mutation($input: CreateTelephonyConfigInput!) {{ createTelephonyConfig(input: $input) {{ telephonyConfig {{ id }} {ERRORS} }} }}"
CREATE_NUMBER = f"mutation($input: CreatePhoneNumberInput!) {{ createPhoneNumber(input: $input) {{ phoneNumber {{ id }} {ERRORS} }} }}"
STATE = "{ workflows { totalCount nodes { name } } telephonyConfigs { totalCount } phoneNumbers { totalCount nodes { label extraMetadata } } }"
ARI = {"ariEndpoint": "http://127.0.0.1:8088", "appName": "switch\x00board", "appPassword": "secret-password", "wsClientName": "sb"}


async def payload(api, query: str, variables: dict) -> dict:
    response = await api.raw(query, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


@pytest.mark.parametrize(
    ("query", "input_", "code", "field"),
    [
        (CREATE_WORKFLOW, {"name": "Reception\x00"}, "INVALID", ["input", "name"]),
        (CREATE_CONFIG, {"name": "Main\x00line", "credentials": "TWILIO"}, "INVALID", ["input", "name"]),
        (CREATE_CONFIG, {"name": "Main", "credentials": "TWILIO_NUL_TOKEN"}, "INVALID", ["input", "credentials", "twilio", "authToken"]),
        (CREATE_CONFIG, {"name": "PBX", "credentials": {"ari": ARI}}, "INVALID", ["input", "credentials", "ari", "appName"]),
    ],
    ids=["workflow name", "configuration name", "a secret credential", "ARI app name"],
)
async def test_creating_with_a_nul_is_invalid_and_stores_nothing(api, query, input_, code, field):
    before = await api.query(STATE)
    if input_.get("credentials") == "TWILIO":
        input_ = {**input_, "credentials": {"twilio": api.twilio}}
    elif input_.get("credentials") == "TWILIO_NUL_TOKEN":
        input_ = {**input_, "credentials": {"twilio": {**api.twilio, "authToken": "a\x00" + "b" * 30}}}
    found = await payload(api, query, {"input": input_})
    assert [(e["code"], e["field"]) for e in found["errors"]] == [(code, field)]
    assert "NUL" in found["errors"][0]["message"]
    assert await api.query(STATE) == before


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"address": "sip:alice\x00@pbx.example.com"}, "INVALID_PHONE_NUMBER", ["input", "address"]),
        ({"label": "Main\x00"}, "INVALID", ["input", "label"]),
        ({"extraMetadata": {"crm\x00": "x"}}, "INVALID", ["input", "extraMetadata"]),
        ({"extraMetadata": {"crm": ["ok", {"id": "7\x00"}]}}, "INVALID", ["input", "extraMetadata"]),
    ],
    ids=["SIP address", "label", "metadata key", "nested metadata value"],
)
async def test_numbers_with_a_nul_are_invalid_and_change_nothing(api, changes, code, field):
    config = (await create_config(api))["telephonyConfig"]
    created = await payload(api, CREATE_NUMBER, {"input": {"telephonyConfigId": config["id"], "address": "+14155550100", **changes}})
    assert [(e["code"], e["field"]) for e in created["errors"]] == [(code, field)]
    number = (await create_number(api, config["id"], "+14155550101", label="Kept"))["phoneNumber"]
    if "address" not in changes:
        updated = await payload(api, UPDATE_NUMBER, {"input": {"id": number["id"], **changes}})
        assert [(e["code"], e["field"]) for e in updated["errors"]] == [(code, field)]
    assert (await api.query(STATE))["phoneNumbers"]["nodes"] == [{"label": "Kept", "extraMetadata": {}}]


async def test_renaming_a_workflow_with_a_nul_is_invalid(api):
    workflow = await create_workflow(api, "Reception")
    found = await payload(api, UPDATE_WORKFLOW, {"input": {"id": workflow, "name": "Re\x00ception"}})
    assert [(e["code"], e["field"]) for e in found["errors"]] == [("INVALID", ["input", "name"])]
    assert (await api.query(STATE))["workflows"]["nodes"] == [{"name": "Reception"}]


async def test_a_nul_in_a_search_is_a_bad_user_input(api):
    response = await api.raw("query($q: String) { phoneNumbers(search: $q) { totalCount } }", {"q": "415\x00"})
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "NUL" in error["message"]


async def test_metadata_is_at_most_16_kib_as_json(api):
    config = (await create_config(api))["telephonyConfig"]
    fits = {"notes": "x" * (16 * 1024 - 20)}
    created = await payload(api, CREATE_NUMBER, {"input": {"telephonyConfigId": config["id"], "address": "+14155550100", "extraMetadata": fits}})
    assert created["errors"] == []
    too_big = {"notes": "x" * (16 * 1024)}
    refused = await payload(api, UPDATE_NUMBER, {"input": {"id": created["phoneNumber"]["id"], "extraMetadata": too_big}})
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID", ["input", "extraMetadata"])]
    assert "16 KiB" in refused["errors"][0]["message"]
    assert (await api.query(STATE))["phoneNumbers"]["nodes"][0]["extraMetadata"] == fits
