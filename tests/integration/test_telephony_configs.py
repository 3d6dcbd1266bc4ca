"""SPEC §3 telephony configurations through the contract."""

from datetime import UTC, datetime

import pytest
from helpers import UPDATE_CONFIG, create_config, create_number
from sqlalchemy import select
from switchboard.db.models import PhoneNumber, TelephonyConfig

TELNYX = {"apiKey": "KEY0123456789ABCDEF0123456789ABCDEF_abcdefghijklmnopqrstuv", "connectionId": "2812968115544000352"}


async def test_create_masks_secrets_and_encrypts_them_at_rest(api, server):
    payload = await create_config(api, "  Primary  ")
    assert payload["errors"] == []
    config = payload["telephonyConfig"]
    assert config["name"] == "Primary"
    assert config["provider"] == "TWILIO"
    assert config["credentials"] == {"accountSid": api.twilio["accountSid"], "authToken": "****" + api.twilio["authToken"][-4:]}
    async with server.db.read() as session:
        row = await session.scalar(select(TelephonyConfig).where(TelephonyConfig.id == config["databaseId"]))
    assert api.twilio["authToken"] not in str(row.credentials)
    assert row.credentials["accountSid"] == api.twilio["accountSid"]


async def test_short_secret_mask_reveals_nothing(api):
    payload = await create_config(
        api, "ARI", {"ari": {"ariEndpoint": "https://pbx.example.com:8089", "appName": "switchboard", "appPassword": "short"}}
    )
    assert payload["errors"] == []
    assert payload["telephonyConfig"]["credentials"]["appPassword"] == "****"


@pytest.mark.parametrize(
    ("credentials", "field"),
    [
        ({"twilio": {"accountSid": "AC" + "0" * 32}}, "authToken"),
        ({"twilio": {"accountSid": "  ", "authToken": "f" * 32}}, "accountSid"),
        ({"twilio": {"accountSid": "AC123", "authToken": "f" * 32}}, "accountSid"),
        ({"telnyx": {"apiKey": TELNYX["apiKey"], "connectionId": "not-digits"}}, "connectionId"),
    ],
    ids=["missing-required", "blank-required", "pattern", "telnyx-pattern"],
)
async def test_invalid_credentials_name_the_field_and_write_nothing(api, credentials, field):
    payload = await create_config(api, "Broken", credentials)
    provider = next(iter(credentials))
    assert payload["telephonyConfig"] is None
    assert ["input", "credentials", provider, field] in [e["field"] for e in payload["errors"]]
    assert {e["code"] for e in payload["errors"]} == {"INVALID"}
    assert (await api.query("{ telephonyConfigs { totalCount } }"))["telephonyConfigs"]["totalCount"] == 0


async def test_secret_values_never_appear_in_errors(api):
    secret = "sk-very-secret value with spaces"
    payload = await create_config(api, "Leaky", {"twilio": {"accountSid": api.twilio["accountSid"], "authToken": secret}})
    assert payload["errors"]
    assert secret not in str(payload)


async def test_two_providers_at_once_is_rejected_by_one_of(api):
    errors = await api.errors(
        "mutation($input: CreateTelephonyConfigInput!) { createTelephonyConfig(input: $input) { errors { code } } }",
        {"input": {"name": "x", "credentials": {"twilio": api.twilio, "telnyx": TELNYX}}},
    )
    assert errors[0]["extensions"]["code"] in {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"}


@pytest.mark.parametrize("name", ["", "  ", "n" * 65])
async def test_name_rules(api, name):
    payload = await create_config(api, name)
    assert payload["errors"][0]["code"] == "INVALID"
    assert payload["errors"][0]["field"] == ["input", "name"]


async def test_duplicate_name_case_insensitive_conflict(api):
    await create_config(api, "Primary")
    payload = await create_config(api, "PRIMARY")
    assert payload["errors"][0]["code"] == "CONFLICT"


async def test_max_concurrent_calls_must_be_positive(api):
    payload = await create_config(api, "Capped", maxConcurrentCalls=0)
    assert payload["errors"][0]["field"] == ["input", "maxConcurrentCalls"]


async def update(api, **input_):
    return (await api.query(UPDATE_CONFIG, {"input": input_}))["updateTelephonyConfig"]


async def test_update_keeps_omitted_and_masked_secrets(api, server):
    config = (await create_config(api))["telephonyConfig"]
    masked = config["credentials"]["authToken"]
    for credentials in ({"twilio": {}}, {"twilio": {"authToken": masked}}, {"twilio": {"authToken": "****"}}):
        payload = await update(api, id=config["id"], credentials=credentials)
        assert payload["errors"] == [], credentials
        assert payload["telephonyConfig"]["credentials"]["authToken"] == masked
    payload = await update(api, id=config["id"], credentials={"twilio": {"authToken": "a" * 32}})
    assert payload["telephonyConfig"]["credentials"]["authToken"] == "****aaaa"


async def test_update_naming_another_provider_is_provider_mismatch(api):
    config = (await create_config(api))["telephonyConfig"]
    payload = await update(api, id=config["id"], credentials={"telnyx": TELNYX})
    assert payload["errors"][0]["code"] == "PROVIDER_MISMATCH"
    assert payload["telephonyConfig"] is None


async def test_update_name_and_cap_and_clear_cap(api):
    config = (await create_config(api, maxConcurrentCalls=5))["telephonyConfig"]
    payload = await update(api, id=config["id"], name="Renamed", maxConcurrentCalls=2)
    assert payload["telephonyConfig"]["name"] == "Renamed"
    assert payload["telephonyConfig"]["maxConcurrentCalls"] == 2
    kept = await update(api, id=config["id"])
    assert kept["telephonyConfig"]["maxConcurrentCalls"] == 2
    cleared = await update(api, id=config["id"], maxConcurrentCalls=None)
    assert cleared["telephonyConfig"]["maxConcurrentCalls"] is None


async def test_changing_account_rekeys_numbers(api, server):
    config = (await create_config(api))["telephonyConfig"]
    number = (await create_number(api, config["id"], "+14155550100"))["phoneNumber"]
    new_sid = "AC" + "f" * 31 + "1"
    payload = await update(api, id=config["id"], credentials={"twilio": {"accountSid": new_sid}})
    assert payload["errors"] == []
    async with server.db.read() as session:
        row = await session.get(PhoneNumber, number["databaseId"])
    assert row.provider_account_id == new_sid


async def test_rekey_collision_fails_whole_update(api, other_api):
    new_sid = other_api.twilio["accountSid"]
    theirs = (await create_config(other_api))["telephonyConfig"]
    await create_number(other_api, theirs["id"], "+14155550100")
    mine = (await create_config(api))["telephonyConfig"]
    await create_number(api, mine["id"], "+14155550100")
    payload = await update(api, id=mine["id"], name="Renamed", credentials={"twilio": {"accountSid": new_sid}})
    assert payload["errors"][0]["code"] == "CONFLICT"
    assert "Other" not in payload["errors"][0]["message"]
    after = await api.query("query($id: ID!) { telephonyConfig(id: $id) { name credentials } }", {"id": mine["id"]})
    assert after["telephonyConfig"] == {"name": "Primary", "credentials": mine["credentials"]}


async def test_default_outbound_moves_and_delete_leaves_none(api):
    first = (await create_config(api, "A", isDefaultOutbound=True))["telephonyConfig"]
    second = (await create_config(api, "B", isDefaultOutbound=True))["telephonyConfig"]
    data = await api.query(
        "{ organization { defaultOutboundConfig { id } } telephonyConfigs { nodes { name isDefaultOutbound } } }"
    )
    assert data["organization"]["defaultOutboundConfig"]["id"] == second["id"]
    assert [n["isDefaultOutbound"] for n in data["telephonyConfigs"]["nodes"]] == [False, True]
    moved = await api.query(
        "mutation($id: ID!) { setDefaultOutboundConfig(input: {id: $id}) { telephonyConfig { isDefaultOutbound } errors { code } } }",
        {"id": first["id"]},
    )
    assert moved["setDefaultOutboundConfig"]["telephonyConfig"]["isDefaultOutbound"] is True
    deleted = await api.query(
        "mutation($id: ID!) { deleteTelephonyConfig(input: {id: $id}) { deletedId providerSync { ok } errors { code } } }",
        {"id": first["id"]},
    )
    assert deleted["deleteTelephonyConfig"] == {"deletedId": first["id"], "providerSync": [], "errors": []}
    data = await api.query("{ organization { defaultOutboundConfig { id } } telephonyConfigs { nodes { isDefaultOutbound } } }")
    assert data["organization"]["defaultOutboundConfig"] is None
    assert data["telephonyConfigs"]["nodes"] == [{"isDefaultOutbound": False}]


async def test_delete_removes_its_numbers(api, server):
    config = (await create_config(api))["telephonyConfig"]
    await create_number(api, config["id"], "+14155550100")
    await api.query("mutation($id: ID!) { deleteTelephonyConfig(input: {id: $id}) { deletedId } }", {"id": config["id"]})
    assert (await api.query("{ phoneNumbers { totalCount } }"))["phoneNumbers"]["totalCount"] == 0


async def test_ids_of_deleted_objects_are_never_given_again(api):
    """Apollo Client caches objects by `__typename:id`: a new configuration or number must not
    take the ID of a deleted one, which SQLite hands out again unless told not to."""
    config = (await create_config(api))["telephonyConfig"]
    number = (await create_number(api, config["id"], "+14155550100"))["phoneNumber"]
    await api.query("mutation($id: ID!) { deleteTelephonyConfig(input: {id: $id}) { deletedId } }", {"id": config["id"]})
    again = (await create_config(api))["telephonyConfig"]
    number_again = (await create_number(api, again["id"], "+14155550100"))["phoneNumber"]
    assert again["id"] != config["id"]
    assert number_again["id"] != number["id"]


async def test_provider_filter_and_counts(api):
    twilio = (await create_config(api, "T", maxConcurrentCalls=1))["telephonyConfig"]
    await create_config(api, "X", {"telnyx": TELNYX})
    await create_number(api, twilio["id"], "+14155550100")
    await create_number(api, twilio["id"], "+14155550101")
    await create_number(api, twilio["id"], "+14155550102", isActive=False)
    data = await api.query(
        "{ telephonyConfigs(provider: TWILIO) { totalCount nodes { name phoneNumberCount activePhoneNumberCount concurrencyCapacity } } }"
    )
    assert data["telephonyConfigs"] == {
        "totalCount": 1,
        "nodes": [{"name": "T", "phoneNumberCount": 3, "activePhoneNumberCount": 2, "concurrencyCapacity": 1}],
    }


async def test_another_organizations_config_is_untouchable(api, other_api):
    theirs = (await create_config(other_api, "Theirs"))["telephonyConfig"]
    mine = await api.query("query($id: ID!) { telephonyConfig(id: $id) { id } node(id: $id) { id } }", {"id": theirs["id"]})
    assert mine == {"telephonyConfig": None, "node": None}
    for mutation in ("setDefaultOutboundConfig", "verifyTelephonyConfig", "deleteTelephonyConfig"):
        data = await api.query(
            f"mutation($id: ID!) {{ {mutation}(input: {{id: $id}}) {{ errors {{ code }} }} }}", {"id": theirs["id"]}
        )
        assert data[mutation]["errors"][0]["code"] == "NOT_FOUND"
    payload = await update(api, id=theirs["id"], name="Mine now")
    assert payload["errors"][0]["code"] == "NOT_FOUND"
    number = await create_number(api, theirs["id"], "+14155550100")
    assert number["errors"][0] == {
        "code": "NOT_FOUND",
        "message": number["errors"][0]["message"],
        "field": ["input", "telephonyConfigId"],
    }
    still = await other_api.query("{ telephonyConfigs { nodes { name isDefaultOutbound phoneNumberCount } } }")
    assert still["telephonyConfigs"]["nodes"] == [{"name": "Theirs", "isDefaultOutbound": False, "phoneNumberCount": 0}]


async def test_telephony_providers_derive_from_declarations(api):
    data = await api.query(
        "{ telephonyProviders { provider displayName connectivity supportsInboundSync fields { name type required secret pattern } } }"
    )
    providers = {p["provider"]: p for p in data["telephonyProviders"]}
    assert set(providers) == {"ARI", "CLOUDONIX", "EXOTEL", "PLIVO", "SIGNALWIRE", "TELNYX", "TWILIO", "VOBIZ", "VONAGE"}
    twilio_fields = {f["name"]: f for f in providers["TWILIO"]["fields"]}
    assert twilio_fields["authToken"]["secret"] is True
    assert twilio_fields["accountSid"]["pattern"].startswith("^AC")
    assert providers["ARI"]["connectivity"] == "SIP"


async def test_new_credentials_forget_the_last_verification(api, server):
    config = (await create_config(api))["telephonyConfig"]
    await create_number(api, config["id"], "+14155550100")
    async with server.db.write() as session:
        row = await session.get(TelephonyConfig, config["databaseId"])
        row.verification_status, row.verification_checked_at = "REJECTED", datetime.now(UTC)
    query = "query($id: ID!) { telephonyConfig(id: $id) { readyForOutbound lastVerification { status } } }"
    assert (await api.query(query, {"id": config["id"]}))["telephonyConfig"]["readyForOutbound"] is False
    same = await update(api, id=config["id"], credentials={"twilio": {"authToken": config["credentials"]["authToken"]}})
    assert same["errors"] == []
    assert (await api.query(query, {"id": config["id"]}))["telephonyConfig"]["lastVerification"] == {"status": "REJECTED"}
    await update(api, id=config["id"], credentials={"twilio": {"authToken": "c" * 32}})
    assert (await api.query(query, {"id": config["id"]}))["telephonyConfig"] == {
        "readyForOutbound": True,
        "lastVerification": None,
    }
