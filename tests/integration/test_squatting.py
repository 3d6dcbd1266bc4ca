"""No squatting (SPEC §14): a configuration whose credentials never verified cannot hold a
routing key against one whose credentials did, and the calls go to the verified one. The
scenario of the issue: organization B registers A's account SID with a made-up token, then A's
number; A is not blocked."""

import asyncio

import pytest
from conftest import new_organization
from front_door import bind_number, calls_of, front_door_url, post_webhook, twiml_stream
from helpers import Api, create_config, create_number
from twilio.request_validator import RequestValidator

NUMBER = "+14155550142"
INBOUND = front_door_url("twilio")
VERIFY = """
mutation($id: ID!) { verifyTelephonyConfig(input: {id: $id}) { verification { status message } errors { code } } }"""
IMPORT = """
mutation($input: ImportPhoneNumbersInput!) { importPhoneNumbers(input: $input) { results { status message } errors { code } } }"""
UPDATE_CONFIG = """
mutation($input: UpdateTelephonyConfigInput!) { updateTelephonyConfig(input: $input) { errors { code message } } }"""


@pytest.fixture
async def owner(synced_api, fakes) -> Api:
    """Organization A, whose Twilio account holds NUMBER."""
    fakes["twilio"].add_account(synced_api.twilio["accountSid"], synced_api.twilio["authToken"])
    fakes["twilio"].add_number(synced_api.twilio["accountSid"], NUMBER)
    return synced_api


@pytest.fixture
async def squatter(synced_server, http) -> Api:
    organization_id, key = await new_organization(synced_server.db, "Squatter")
    return Api(http, key, organization_id)


def made_up(owner: Api) -> dict:
    return {"twilio": {"accountSid": owner.twilio["accountSid"], "authToken": "0" * 32}}


async def squat(owner: Api, squatter: Api) -> dict:
    """B registers A's account with a made-up token (its check fails) and A's number."""
    created = await create_config(squatter, "Not mine", made_up(owner), verify=True)
    assert created["verification"]["status"] == "REJECTED"
    config = created["telephonyConfig"]
    squatted = await create_number(squatter, config["id"], NUMBER)
    assert squatted["errors"] == []
    return config


async def test_a_squatter_does_not_block_the_verified_owner_and_gets_none_of_its_calls(synced_server, owner, squatter):
    await squat(owner, squatter)
    bound = await bind_number(owner, {"twilio": owner.twilio}, NUMBER, verify=True)
    form = {"CallSid": "CA" + "5e" * 16, "AccountSid": owner.twilio["accountSid"], "From": "+14155559876", "To": NUMBER}
    signature = RequestValidator(owner.twilio["authToken"]).compute_signature(INBOUND, form)
    answer = await post_webhook(synced_server.url, INBOUND, data=form, headers={"X-Twilio-Signature": signature})
    assert twiml_stream(answer)[0] is not None, answer.text
    (call,) = await calls_of(owner, bound.number_id)
    assert call["status"] == "CONNECTED"
    assert (await squatter.query("{ inboundCalls { totalCount } }"))["inboundCalls"]["totalCount"] == 0


async def test_an_unverified_owner_is_told_to_verify_and_then_gets_its_number(owner, squatter):
    await squat(owner, squatter)
    config = (await create_config(owner, "Mine"))["telephonyConfig"]
    blocked = await create_number(owner, config["id"], NUMBER)
    (error,) = blocked["errors"]
    assert error["code"] == "CONFLICT" and "verifyTelephonyConfig" in error["message"]
    assert "Squatter" not in error["message"]
    verified = (await owner.query(VERIFY, {"id": config["id"]}))["verifyTelephonyConfig"]
    assert verified["verification"]["status"] == "VERIFIED"
    assert (await create_number(owner, config["id"], NUMBER))["errors"] == []


async def test_a_squatter_cannot_take_a_key_the_verified_owner_holds(owner, squatter):
    config = (await create_config(owner, "Mine", verify=True))["telephonyConfig"]
    assert (await create_number(owner, config["id"], NUMBER))["errors"] == []
    theirs = (await create_config(squatter, "Not mine", made_up(owner)))["telephonyConfig"]
    refused = await create_number(squatter, theirs["id"], NUMBER)
    assert refused["errors"][0]["code"] == "CONFLICT" and refused["phoneNumber"] is None


async def test_numbers_added_before_verifying_hold_their_keys_once_verified(synced_server, owner, squatter):
    config = (await create_config(owner, "Mine"))["telephonyConfig"]
    assert (await create_number(owner, config["id"], NUMBER))["errors"] == []
    assert (await owner.query(VERIFY, {"id": config["id"]}))["verifyTelephonyConfig"]["verification"]["status"] == "VERIFIED"
    # Verified now: an unverified newcomer is refused even though the unverified slot is free.
    theirs = (await create_config(squatter, "Not mine", made_up(owner)))["telephonyConfig"]
    assert (await create_number(squatter, theirs["id"], NUMBER))["errors"][0]["code"] == "CONFLICT"


async def test_two_verified_configurations_racing_for_one_key_leave_one_holder(owner, squatter, fakes):
    """Both organizations hold valid credentials of the account (it is shared): one key, one
    verified holder, whatever the timing."""
    mine = (await create_config(owner, "Mine", verify=True))["telephonyConfig"]
    shared = (await create_config(squatter, "Shared", {"twilio": owner.twilio}, verify=True))["telephonyConfig"]
    results = await asyncio.gather(create_number(owner, mine["id"], NUMBER), create_number(squatter, shared["id"], NUMBER))
    assert sorted(bool(result["errors"]) for result in results) == [False, True]


async def test_moving_to_another_account_needs_verifying_again(owner, squatter, fakes):
    other_sid = "AC" + "4d" * 16
    fakes["twilio"].add_account(other_sid, owner.twilio["authToken"])
    fakes["twilio"].add_number(other_sid, NUMBER)
    config = (await create_config(owner, "Mine", verify=True))["telephonyConfig"]
    moved = await owner.query(UPDATE_CONFIG, {"input": {"id": config["id"], "credentials": {"twilio": {"accountSid": other_sid}}}})
    assert moved["updateTelephonyConfig"]["errors"] == []
    assert (await create_number(owner, config["id"], NUMBER))["errors"] == []
    # The move was not verified: a configuration that proves the other account is not blocked.
    proven = {"twilio": {"accountSid": other_sid, "authToken": owner.twilio["authToken"]}}
    shared = (await create_config(squatter, "Other account", proven, verify=True))["telephonyConfig"]
    assert (await create_number(squatter, shared["id"], NUMBER))["errors"] == []
    verified = (await owner.query(VERIFY, {"id": config["id"]}))["verifyTelephonyConfig"]["verification"]
    assert verified["status"] == "VERIFIED"
    assert "1 of its numbers is registered for this account by another verified configuration" in verified["message"]


async def test_an_import_by_a_squatter_takes_no_key_a_verified_owner_holds(owner, squatter):
    mine = (await create_config(owner, "Mine", verify=True))["telephonyConfig"]
    assert (await create_number(owner, mine["id"], NUMBER))["errors"] == []
    theirs = (await create_config(squatter, "Not mine", made_up(owner)))["telephonyConfig"]
    imported = await squatter.query(IMPORT, {"input": {"telephonyConfigId": theirs["id"], "addresses": [NUMBER, "+14155550143"]}})
    results = imported["importPhoneNumbers"]["results"]
    assert [result["status"] for result in results] == ["CONFLICT", "CREATED"]
    assert "verify this configuration's credentials" in results[0]["message"]


async def test_a_verified_owner_imports_numbers_a_squatter_registered(owner, squatter):
    await squat(owner, squatter)
    mine = (await create_config(owner, "Mine", verify=True))["telephonyConfig"]
    imported = await owner.query(IMPORT, {"input": {"telephonyConfigId": mine["id"], "addresses": [NUMBER]}})
    assert [result["status"] for result in imported["importPhoneNumbers"]["results"]] == ["CREATED"]
