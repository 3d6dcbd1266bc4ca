"""SPEC §6 warnings and §3 readiness through the contract, over HTTP.

Every warning that can be produced without a provider call is produced through the API, seen on
`TelephonyConfig.warnings` and in `telephonyConfigWarnings`, and cleared again through the API.
PROVIDER_SYNC_FAILED and CREDENTIALS_NOT_VERIFIED depend on provider calls, so those tests write
the stored state directly. The last test checks that the dashboard query costs the same number of
SQL statements for 1 and for 50 configurations.
"""

import random
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from conftest import running_server
from helpers import (
    SET_DEFAULT_CALLER_ID,
    SET_DEFAULT_OUTBOUND,
    UPDATE_CONFIG,
    UPDATE_NUMBER,
    Api,
    create_config,
    create_number,
    create_workflow,
)
from sqlalchemy import update
from switchboard.db import models
from switchboard.providers.credentials import public_credentials
from switchboard.providers.registry import get_provider
from switchboard.server.secret_key import load_secret_box

# ---------------------------------------------------------------- credentials
# Every test uses a provider account of its own: the routing key (provider, account, address) is
# unique across organizations, so shared sample accounts would make tests collide.


def twilio() -> dict:
    return {"twilio": {"accountSid": "AC" + uuid.uuid4().hex, "authToken": "f" * 32}}


def ari() -> dict:
    return {
        "ari": {
            "ariEndpoint": f"http://pbx-{uuid.uuid4().hex[:8]}.example.com:8088",
            "appName": "switchboard",
            "appPassword": "asterisk-secret",
        }
    }


TELNYX_KEY = "A" * 43 + "="


def telnyx(with_secret: bool) -> dict:
    values = {"apiKey": "KEY" + uuid.uuid4().hex.upper() + "_abc", "connectionId": str(random.randrange(10**18, 10**19))}
    if with_secret:
        values["webhookPublicKey"] = TELNYX_KEY
    return {"telnyx": values}


def vonage(with_secret: bool) -> dict:
    values = {
        "apiKey": uuid.uuid4().hex[:8],
        "apiSecret": "Abcdef123456",
        "applicationId": str(uuid.uuid4()),
        "privateKey": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
    }
    if with_secret:
        values["signatureSecret"] = "vonage-signature-secret"
    return {"vonage": values}


def signalwire(with_secret: bool) -> dict:
    values = {"spaceUrl": "example.signalwire.com", "projectId": str(uuid.uuid4()), "apiToken": "PT" + uuid.uuid4().hex}
    if with_secret:
        values["signingKey"] = "PSK_abc123XYZ"
    return {"signalwire": values}


# (provider key, credentials factory, secret field, its label)
SECRET_PROVIDERS = [
    ("telnyx", telnyx, "webhookPublicKey", "Webhook Public Key"),
    ("vonage", vonage, "signatureSecret", "Signature Secret"),
    ("signalwire", signalwire, "signingKey", "Signing Key"),
]

# ---------------------------------------------------------------- operations

WARNING_FIELDS = "code severity message telephonyConfig { id name } phoneNumber { id address }"

CONFIG = f"""
query($id: ID!) {{
  telephonyConfig(id: $id) {{
    id databaseId name maxConcurrentCalls readyForOutbound outboundBlockedReason concurrencyCapacity activePhoneNumberCount
    lastVerification {{ status message }}
    warnings {{ {WARNING_FIELDS} }}
  }}
}}"""

ORG_WARNINGS = f"""
query($code: TelephonyWarningCode, $first: Int) {{
  telephonyConfigWarnings {{
    totalCount
    counts {{ code severity count }}
    affectedConfigCount
    items(code: $code, first: $first) {{ {WARNING_FIELDS} }}
  }}
}}"""

CLEAR_WORKFLOW = """
mutation($id: ID!) {
  clearInboundWorkflow(input: {phoneNumberId: $id}) { phoneNumber { id inboundWorkflowId } errors { code message } }
}"""
DELETE_CONFIG = """
mutation($id: ID!) { deleteTelephonyConfig(input: {id: $id}) { deletedId errors { code message } } }"""
DELETE_NUMBER = """
mutation($id: ID!) { deletePhoneNumber(input: {id: $id, force: true}) { deletedId errors { code message } } }"""

SEVERITY = {
    "NO_DEFAULT_OUTBOUND_CONFIG": "WARNING",
    "NO_ACTIVE_PHONE_NUMBERS": "WARNING",
    "NO_DEFAULT_CALLER_ID": "INFO",
    "DEFAULT_CALLER_ID_INACTIVE": "WARNING",
    "MISSING_WEBHOOK_VERIFICATION_SECRET": "WARNING",
    "PROVIDER_SYNC_FAILED": "ERROR",
    "CREDENTIALS_NOT_VERIFIED": "ERROR",
    "PUBLIC_BASE_URL_MISSING": "WARNING",
    "CONCURRENCY_ABOVE_CALLER_IDS": "INFO",
}
SEVERITY_RANK = {"ERROR": 0, "WARNING": 1, "INFO": 2}


# ---------------------------------------------------------------- helpers


def ok(payload: dict, key: str) -> dict:
    assert payload["errors"] == [], payload["errors"]
    return payload[key]


async def new_config(api: Api, name: str = "Primary", credentials: dict | None = None, **extra) -> dict:
    return ok(await create_config(api, name, credentials or twilio(), **extra), "telephonyConfig")


async def new_number(api: Api, config_id: str, address: str, **extra) -> dict:
    return ok(await create_number(api, config_id, address, **extra), "phoneNumber")


async def healthy_config(api: Api, name: str = "Primary", credentials: dict | None = None, **extra) -> tuple[dict, dict]:
    """The organization's default outbound configuration with one active default caller ID: no warnings."""
    config = await new_config(api, name, credentials, isDefaultOutbound=True, **extra)
    number = await new_number(api, config["id"], "+14155550100", isDefaultCallerId=True)
    return await config_state(api, config["id"]), number


async def config_state(api: Api, config_id: str) -> dict:
    return (await api.query(CONFIG, {"id": config_id}))["telephonyConfig"]


async def config_codes(api: Api, config_id: str) -> list[str]:
    return [w["code"] for w in (await config_state(api, config_id))["warnings"]]


async def org_warnings(api: Api, code: str | None = None, first: int | None = None) -> dict:
    return (await api.query(ORG_WARNINGS, {"code": code, "first": first}))["telephonyConfigWarnings"]


def only(warnings: list[dict], code: str) -> dict:
    found = [w for w in warnings if w["code"] == code]
    assert len(found) == 1, warnings
    return found[0]


async def update_config(api: Api, config_id: str, **changes) -> dict:
    payload = (await api.query(UPDATE_CONFIG, {"input": {"id": config_id, **changes}}))["updateTelephonyConfig"]
    return ok(payload, "telephonyConfig")


async def update_number(api: Api, number_id: str, **changes) -> dict:
    payload = (await api.query(UPDATE_NUMBER, {"input": {"id": number_id, **changes}}))["updatePhoneNumber"]
    return ok(payload, "phoneNumber")


async def assert_config_warning(api: Api, config: dict, code: str) -> dict:
    """`code` is on the configuration and in the aggregate (counts, items, filtered items)."""
    warning = only((await config_state(api, config["id"]))["warnings"], code)
    assert warning["severity"] == SEVERITY[code]
    assert warning["telephonyConfig"]["id"] == config["id"]
    assert config["name"] in warning["message"]
    aggregate = await org_warnings(api)
    assert {"code": code, "severity": SEVERITY[code], "count": 1} in aggregate["counts"]
    assert aggregate["affectedConfigCount"] >= 1
    item = only(aggregate["items"], code)
    assert item["telephonyConfig"]["id"] == config["id"]
    assert item["message"] == warning["message"] and item["severity"] == SEVERITY[code]
    filtered = (await org_warnings(api, code))["items"]
    assert [w["code"] for w in filtered] == [code]
    assert filtered[0]["telephonyConfig"]["id"] == config["id"]
    return warning


async def assert_cleared(api: Api, config: dict, code: str) -> None:
    assert code not in await config_codes(api, config["id"])
    aggregate = await org_warnings(api)
    assert code not in [c["code"] for c in aggregate["counts"]]
    assert code not in [w["code"] for w in aggregate["items"]]
    assert (await org_warnings(api, code))["items"] == []


def assert_aggregate_consistent(aggregate: dict) -> None:
    counts = aggregate["counts"]
    assert sum(c["count"] for c in counts) == aggregate["totalCount"]
    assert len({c["code"] for c in counts}) == len(counts), "one entry per code"
    for entry in counts:
        assert entry["severity"] == SEVERITY[entry["code"]]
    ranks = [SEVERITY_RANK[c["severity"]] for c in counts]
    assert ranks == sorted(ranks), f"counts are not most severe first: {counts}"
    item_ranks = [SEVERITY_RANK[w["severity"]] for w in aggregate["items"]]
    assert item_ranks == sorted(item_ranks), f"items are not most severe first: {aggregate['items']}"


async def write(server, *statements) -> None:
    async with server.db.write() as session:
        for statement in statements:
            await session.execute(statement)


# ---------------------------------------------------------------- a clean organization


async def test_an_organization_without_configurations_has_no_warnings(api):
    aggregate = await org_warnings(api)
    assert aggregate == {"totalCount": 0, "counts": [], "affectedConfigCount": 0, "items": []}


async def test_a_healthy_configuration_has_no_warnings(api):
    config, _ = await healthy_config(api)
    assert config["warnings"] == []  # on the mutation payload
    state = await config_state(api, config["id"])
    assert state["warnings"] == []
    assert state["readyForOutbound"] is True and state["outboundBlockedReason"] is None
    assert await org_warnings(api) == {"totalCount": 0, "counts": [], "affectedConfigCount": 0, "items": []}


# ---------------------------------------------------------------- NO_DEFAULT_OUTBOUND_CONFIG


async def test_no_default_outbound_config_is_an_organization_warning_until_one_is_set(api):
    config = await new_config(api, "Main")
    await new_number(api, config["id"], "+14155550100", isDefaultCallerId=True)
    aggregate = await org_warnings(api)
    assert aggregate["totalCount"] == 1
    assert aggregate["counts"] == [{"code": "NO_DEFAULT_OUTBOUND_CONFIG", "severity": "WARNING", "count": 1}]
    assert aggregate["affectedConfigCount"] == 0, "an organization warning belongs to no configuration"
    (item,) = aggregate["items"]
    assert item["code"] == "NO_DEFAULT_OUTBOUND_CONFIG" and item["severity"] == "WARNING"
    assert item["telephonyConfig"] is None and item["phoneNumber"] is None
    assert item["message"].endswith(".")
    assert [w["code"] for w in (await org_warnings(api, "NO_DEFAULT_OUTBOUND_CONFIG"))["items"]] == ["NO_DEFAULT_OUTBOUND_CONFIG"]
    # It is the organization's, not one configuration's.
    assert await config_codes(api, config["id"]) == []

    payload = (await api.query(SET_DEFAULT_OUTBOUND, {"id": config["id"]}))["setDefaultOutboundConfig"]
    assert ok(payload, "telephonyConfig")["isDefaultOutbound"] is True
    assert (await org_warnings(api))["totalCount"] == 0


async def test_deleting_the_default_brings_the_warning_back_and_deleting_all_removes_it(api):
    first, _ = await healthy_config(api, "First")
    second = await new_config(api, "Second")
    await new_number(api, second["id"], "+14155550101", isDefaultCallerId=True)
    assert (await org_warnings(api))["totalCount"] == 0
    assert (await api.query(DELETE_CONFIG, {"id": first["id"]}))["deleteTelephonyConfig"]["errors"] == []
    assert [c["code"] for c in (await org_warnings(api))["counts"]] == ["NO_DEFAULT_OUTBOUND_CONFIG"]
    assert (await api.query(DELETE_CONFIG, {"id": second["id"]}))["deleteTelephonyConfig"]["errors"] == []
    assert (await org_warnings(api))["totalCount"] == 0


# ---------------------------------------------------------------- NO_ACTIVE_PHONE_NUMBERS


async def test_no_active_phone_numbers_clears_when_a_number_is_added(api):
    config = await new_config(api, "Empty", isDefaultOutbound=True)
    assert [w["code"] for w in config["warnings"]] == ["NO_ACTIVE_PHONE_NUMBERS"]
    warning = await assert_config_warning(api, config, "NO_ACTIVE_PHONE_NUMBERS")
    assert warning["phoneNumber"] is None
    aggregate = await org_warnings(api)
    assert aggregate["totalCount"] == 1 and aggregate["affectedConfigCount"] == 1

    await new_number(api, config["id"], "+14155550100", isDefaultCallerId=True)
    await assert_cleared(api, config, "NO_ACTIVE_PHONE_NUMBERS")
    assert await org_warnings(api) == {"totalCount": 0, "counts": [], "affectedConfigCount": 0, "items": []}


async def test_an_inactive_number_does_not_count_and_activating_it_clears(api):
    config = await new_config(api, "Dormant", isDefaultOutbound=True)
    number = await new_number(api, config["id"], "+14155550100", isActive=False)
    await assert_config_warning(api, config, "NO_ACTIVE_PHONE_NUMBERS")
    await update_number(api, number["id"], isActive=True)
    await assert_cleared(api, config, "NO_ACTIVE_PHONE_NUMBERS")
    # Now active but not the default caller ID.
    assert await config_codes(api, config["id"]) == ["NO_DEFAULT_CALLER_ID"]


async def test_providers_without_caller_ids_do_not_need_numbers(api):
    config = await new_config(api, "PBX", ari(), isDefaultOutbound=True)
    assert config["warnings"] == []
    assert (await org_warnings(api))["totalCount"] == 0


# ---------------------------------------------------------------- NO_DEFAULT_CALLER_ID


async def test_no_default_caller_id_clears_when_one_is_set(api):
    config = await new_config(api, "Undecided", isDefaultOutbound=True)
    first = await new_number(api, config["id"], "+14155550100")
    await new_number(api, config["id"], "+14155550101")
    warning = await assert_config_warning(api, config, "NO_DEFAULT_CALLER_ID")
    assert warning["severity"] == "INFO"
    assert await config_codes(api, config["id"]) == ["NO_DEFAULT_CALLER_ID"]

    payload = (await api.query(SET_DEFAULT_CALLER_ID, {"id": first["id"]}))["setDefaultCallerId"]
    assert ok(payload, "phoneNumber")["isDefaultCallerId"] is True
    await assert_cleared(api, config, "NO_DEFAULT_CALLER_ID")
    assert await config_codes(api, config["id"]) == []


# ---------------------------------------------------------------- DEFAULT_CALLER_ID_INACTIVE


async def test_default_caller_id_inactive_clears_when_activated(api):
    config, number = await healthy_config(api, "Paused")
    await update_number(api, number["id"], isActive=False)
    await assert_config_warning(api, config, "DEFAULT_CALLER_ID_INACTIVE")
    # The only number is inactive, so outbound is blocked too; but no NO_DEFAULT_CALLER_ID.
    assert sorted(await config_codes(api, config["id"])) == ["DEFAULT_CALLER_ID_INACTIVE", "NO_ACTIVE_PHONE_NUMBERS"]
    state = await config_state(api, config["id"])
    assert state["readyForOutbound"] is False

    await update_number(api, number["id"], isActive=True)
    await assert_cleared(api, config, "DEFAULT_CALLER_ID_INACTIVE")
    assert await config_codes(api, config["id"]) == []


async def test_default_caller_id_inactive_clears_when_another_default_is_chosen(api):
    config, number = await healthy_config(api, "Rotating")
    other = await new_number(api, config["id"], "+14155550101")
    await update_number(api, number["id"], isActive=False)
    assert await config_codes(api, config["id"]) == ["DEFAULT_CALLER_ID_INACTIVE"]
    await api.query(SET_DEFAULT_CALLER_ID, {"id": other["id"]})
    await assert_cleared(api, config, "DEFAULT_CALLER_ID_INACTIVE")
    assert await config_codes(api, config["id"]) == []


# ---------------------------------------------------------------- MISSING_WEBHOOK_VERIFICATION_SECRET


@pytest.mark.parametrize(("provider", "credentials", "field", "label"), SECRET_PROVIDERS, ids=[p[0] for p in SECRET_PROVIDERS])
async def test_missing_webhook_secret_clears_when_the_secret_is_added(api, provider, credentials, field, label):
    config, _ = await healthy_config(api, f"{provider} main", credentials(with_secret=False))
    assert [w["code"] for w in config["warnings"]] == ["MISSING_WEBHOOK_VERIFICATION_SECRET"]
    warning = await assert_config_warning(api, config, "MISSING_WEBHOOK_VERIFICATION_SECRET")
    assert label in warning["message"], warning["message"]

    secret = credentials(with_secret=True)[provider][field]
    updated = await update_config(api, config["id"], credentials={provider: {field: secret}})
    assert updated["warnings"] == [], "the mutation payload already reflects the fix"
    await assert_cleared(api, config, "MISSING_WEBHOOK_VERIFICATION_SECRET")

    # Removing the optional secret again (an empty value) brings the warning back.
    removed = await update_config(api, config["id"], credentials={provider: {field: ""}})
    assert [w["code"] for w in removed["warnings"]] == ["MISSING_WEBHOOK_VERIFICATION_SECRET"]


@pytest.mark.parametrize(("provider", "credentials", "field", "label"), SECRET_PROVIDERS, ids=[p[0] for p in SECRET_PROVIDERS])
async def test_no_missing_secret_warning_when_created_with_it(api, provider, credentials, field, label):
    config, _ = await healthy_config(api, f"{provider} signed", credentials(with_secret=True))
    assert config["warnings"] == []
    assert (await org_warnings(api))["totalCount"] == 0


@pytest.mark.parametrize("credentials", [twilio, ari], ids=["twilio", "ari"])
async def test_providers_without_a_webhook_secret_field_never_get_it(api, credentials):
    config, _ = await healthy_config(api, "Plain", credentials())
    assert "MISSING_WEBHOOK_VERIFICATION_SECRET" not in await config_codes(api, config["id"])


# ---------------------------------------------------------------- PUBLIC_BASE_URL_MISSING


async def test_public_base_url_missing_when_a_number_is_bound_and_clears_when_unbound(api):
    config, number = await healthy_config(api, "Inbound")
    workflow = await create_workflow(api, "Reception")
    assert await config_codes(api, config["id"]) == []
    bound = await update_number(api, number["id"], inboundWorkflowId=workflow)
    assert bound["inboundWebhookUrl"] is None
    warning = await assert_config_warning(api, config, "PUBLIC_BASE_URL_MISSING")
    assert "SWITCHBOARD_PUBLIC_BASE_URL" in warning["message"]

    payload = (await api.query(CLEAR_WORKFLOW, {"id": number["id"]}))["clearInboundWorkflow"]
    assert ok(payload, "phoneNumber")["inboundWorkflowId"] is None
    await assert_cleared(api, config, "PUBLIC_BASE_URL_MISSING")


async def test_public_base_url_missing_clears_through_update_and_delete(api):
    config, number = await healthy_config(api, "Inbound")
    workflow = await create_workflow(api, "Reception")
    other = await new_number(api, config["id"], "+14155550101", inboundWorkflowId=workflow)
    await update_number(api, number["id"], inboundWorkflowId=workflow)
    await assert_config_warning(api, config, "PUBLIC_BASE_URL_MISSING")  # one per configuration
    await update_number(api, number["id"], clearInboundWorkflow=True)
    assert "PUBLIC_BASE_URL_MISSING" in await config_codes(api, config["id"])
    assert (await api.query(DELETE_NUMBER, {"id": other["id"]}))["deletePhoneNumber"]["errors"] == []
    await assert_cleared(api, config, "PUBLIC_BASE_URL_MISSING")


async def test_public_base_url_depends_on_the_server_setting(api, settings):
    config, number = await healthy_config(api, "Inbound")
    workflow = await create_workflow(api, "Reception")
    await update_number(api, number["id"], inboundWorkflowId=workflow)
    # Binding without a public URL also left a failed attach behind (PROVIDER_SYNC_FAILED).
    assert await config_codes(api, config["id"]) == ["PROVIDER_SYNC_FAILED", "PUBLIC_BASE_URL_MISSING"]

    https_settings = settings.model_copy(update={"public_base_url": "https://sb.example.com"})
    async with running_server(https_settings, migrated=False) as https_server:
        async with httpx.AsyncClient(base_url=https_server.url, timeout=30) as client:
            other = Api(client, api.key, api.organization_id)
            assert await config_codes(other, config["id"]) == ["PROVIDER_SYNC_FAILED"]
            url = await other.query("query($id: ID!) { phoneNumber(id: $id) { inboundWebhookUrl } }", {"id": number["id"]})
            assert url["phoneNumber"]["inboundWebhookUrl"] == "https://sb.example.com/telephony/twilio/inbound"

    http_settings = settings.model_copy(update={"public_base_url": "http://sb.example.com"})
    async with running_server(http_settings, migrated=False) as http_server:
        async with httpx.AsyncClient(base_url=http_server.url, timeout=30) as client:
            plain = Api(client, api.key, api.organization_id)
            assert "PUBLIC_BASE_URL_MISSING" in await config_codes(plain, config["id"])

    # The default test server still has none.
    assert "PUBLIC_BASE_URL_MISSING" in await config_codes(api, config["id"])


# ---------------------------------------------------------------- CONCURRENCY_ABOVE_CALLER_IDS


async def test_concurrency_above_caller_ids_clears_when_the_cap_is_lowered_or_removed(api):
    config, _ = await healthy_config(api, "Capped", maxConcurrentCalls=3)
    warning = await assert_config_warning(api, config, "CONCURRENCY_ABOVE_CALLER_IDS")
    assert "3" in warning["message"] and "1" in warning["message"]
    assert (await config_state(api, config["id"]))["concurrencyCapacity"] == 1

    lowered = await update_config(api, config["id"], maxConcurrentCalls=1)
    assert lowered["warnings"] == [] and lowered["concurrencyCapacity"] == 1
    await assert_cleared(api, config, "CONCURRENCY_ABOVE_CALLER_IDS")

    raised = await update_config(api, config["id"], maxConcurrentCalls=2)
    assert [w["code"] for w in raised["warnings"]] == ["CONCURRENCY_ABOVE_CALLER_IDS"]
    removed = await update_config(api, config["id"], maxConcurrentCalls=None)
    assert removed["maxConcurrentCalls"] is None and removed["warnings"] == []
    await assert_cleared(api, config, "CONCURRENCY_ABOVE_CALLER_IDS")


async def test_concurrency_above_caller_ids_clears_when_numbers_are_added(api):
    config, _ = await healthy_config(api, "Growing", maxConcurrentCalls=2)
    assert await config_codes(api, config["id"]) == ["CONCURRENCY_ABOVE_CALLER_IDS"]
    await new_number(api, config["id"], "+14155550101")
    await assert_cleared(api, config, "CONCURRENCY_ABOVE_CALLER_IDS")
    assert (await config_state(api, config["id"]))["concurrencyCapacity"] == 2


async def test_a_cap_on_a_provider_without_caller_ids_is_no_warning(api):
    config = await new_config(api, "PBX", ari(), isDefaultOutbound=True, maxConcurrentCalls=30)
    assert config["warnings"] == [] and config["concurrencyCapacity"] == 30


# ---------------------------------------------------------------- PROVIDER_SYNC_FAILED (state written directly)


async def test_provider_sync_failed_one_warning_per_failed_number(api, server):
    config, first = await healthy_config(api, "Synced")
    second = await new_number(api, config["id"], "+14155550101")
    third = await new_number(api, config["id"], "+14155550102")
    now = datetime.now(UTC)
    await write(
        server,
        update(models.PhoneNumber)
        .where(models.PhoneNumber.id.in_([first["databaseId"], second["databaseId"]]))
        .values(sync_ok=False, sync_action="ATTACH", sync_message="Twilio answered HTTP 500.", sync_at=now),
        update(models.PhoneNumber)
        .where(models.PhoneNumber.id == third["databaseId"])
        .values(sync_ok=True, sync_action="ATTACH", sync_message=None, sync_at=now),
    )
    state = await config_state(api, config["id"])
    failed = [w for w in state["warnings"] if w["code"] == "PROVIDER_SYNC_FAILED"]
    assert len(failed) == 2
    assert {w["phoneNumber"]["id"] for w in failed} == {first["id"], second["id"]}
    for warning in failed:
        assert warning["severity"] == "ERROR"
        assert warning["telephonyConfig"]["id"] == config["id"]
        assert warning["phoneNumber"]["address"] in warning["message"]
        assert "HTTP 500" in warning["message"]
    assert state["warnings"][:2] == failed, "errors come first"

    aggregate = await org_warnings(api)
    assert_aggregate_consistent(aggregate)
    assert aggregate["counts"][0] == {"code": "PROVIDER_SYNC_FAILED", "severity": "ERROR", "count": 2}
    assert aggregate["affectedConfigCount"] == 1
    filtered = (await org_warnings(api, "PROVIDER_SYNC_FAILED"))["items"]
    assert sorted(w["phoneNumber"]["id"] for w in filtered) == sorted([first["id"], second["id"]])
    assert len((await org_warnings(api, "PROVIDER_SYNC_FAILED", first=1))["items"]) == 1

    sync = await api.query(
        "query($id: ID!) { phoneNumber(id: $id) { lastProviderSync { ok action message } } }", {"id": first["id"]}
    )
    assert sync["phoneNumber"]["lastProviderSync"] == {"ok": False, "action": "ATTACH", "message": "Twilio answered HTTP 500."}

    # Deleting a failed number removes its warning; a successful sync clears the other.
    assert (await api.query(DELETE_NUMBER, {"id": second["id"]}))["deletePhoneNumber"]["errors"] == []
    remaining = [w for w in await config_codes(api, config["id"]) if w == "PROVIDER_SYNC_FAILED"]
    assert len(remaining) == 1
    await write(
        server,
        update(models.PhoneNumber).where(models.PhoneNumber.id == first["databaseId"]).values(sync_ok=True, sync_message=None),
    )
    await assert_cleared(api, config, "PROVIDER_SYNC_FAILED")


async def test_provider_sync_failed_message_names_the_configuration(api, server):
    """In the organization-wide list a dashboard shows, the message alone must say which configuration."""
    config, number = await healthy_config(api, "Sales EU")
    await write(
        server,
        update(models.PhoneNumber)
        .where(models.PhoneNumber.id == number["databaseId"])
        .values(sync_ok=False, sync_action="ATTACH", sync_message="Twilio answered HTTP 500.", sync_at=datetime.now(UTC)),
    )
    (item,) = (await org_warnings(api, "PROVIDER_SYNC_FAILED"))["items"]
    assert "Sales EU" in item["message"], item["message"]


async def test_failed_sync_of_another_organization_is_not_shown(api, other_api, server):
    _, theirs = await healthy_config(other_api, "Theirs")
    await healthy_config(api, "Mine")
    await write(
        server,
        update(models.PhoneNumber)
        .where(models.PhoneNumber.id == theirs["databaseId"])
        .values(sync_ok=False, sync_action="DETACH", sync_message="gone", sync_at=datetime.now(UTC)),
    )
    assert (await org_warnings(api))["totalCount"] == 0
    assert (await org_warnings(other_api))["counts"] == [{"code": "PROVIDER_SYNC_FAILED", "severity": "ERROR", "count": 1}]


# ---------------------------------------------------------------- CREDENTIALS_NOT_VERIFIED (state written directly)


async def set_verification(server, config: dict, status: str | None, message: str | None = None) -> None:
    await write(
        server,
        update(models.TelephonyConfig)
        .where(models.TelephonyConfig.id == config["databaseId"])
        .values(
            verification_status=status,
            verification_message=message,
            verification_checked_at=datetime.now(UTC) if status else None,
        ),
    )


async def test_rejected_credentials_are_an_error_and_block_outbound(api, server):
    config, _ = await healthy_config(api, "Locked out")
    await set_verification(server, config, "REJECTED", "HTTP 401 Authenticate")
    warning = await assert_config_warning(api, config, "CREDENTIALS_NOT_VERIFIED")
    assert warning["severity"] == "ERROR" and warning["phoneNumber"] is None
    assert "rejected" in warning["message"] and "HTTP 401 Authenticate" in warning["message"]
    state = await config_state(api, config["id"])
    assert state["lastVerification"] == {"status": "REJECTED", "message": "HTTP 401 Authenticate"}
    assert state["readyForOutbound"] is False
    reason = state["outboundBlockedReason"]
    assert reason and "rejected" in reason and "credentials" in reason and reason.endswith("."), reason

    await set_verification(server, config, "VERIFIED")
    await assert_cleared(api, config, "CREDENTIALS_NOT_VERIFIED")
    state = await config_state(api, config["id"])
    assert state["readyForOutbound"] is True and state["outboundBlockedReason"] is None


async def test_unreachable_is_an_error_but_does_not_block_outbound(api, server):
    config, _ = await healthy_config(api, "Flaky")
    await set_verification(server, config, "UNREACHABLE", "connect timeout")
    warning = await assert_config_warning(api, config, "CREDENTIALS_NOT_VERIFIED")
    assert warning["severity"] == "ERROR"
    assert "could not be reached" in warning["message"]
    state = await config_state(api, config["id"])
    assert state["activePhoneNumberCount"] == 1
    assert state["readyForOutbound"] is True and state["outboundBlockedReason"] is None


@pytest.mark.parametrize("status", ["VERIFIED", "UNSUPPORTED"])
async def test_verified_or_unsupported_is_no_warning(api, server, status):
    config, _ = await healthy_config(api, "Fine")
    await set_verification(server, config, status)
    assert await config_codes(api, config["id"]) == []


async def test_rejected_blocks_even_a_provider_without_caller_ids(api, server):
    config = await new_config(api, "PBX", ari(), isDefaultOutbound=True)
    await set_verification(server, config, "REJECTED")
    state = await config_state(api, config["id"])
    assert state["readyForOutbound"] is False and "rejected" in state["outboundBlockedReason"]


# ---------------------------------------------------------------- readiness (SPEC §3)


async def test_readiness_of_a_provider_that_needs_caller_ids(api):
    config = await new_config(api, "Twilio", isDefaultOutbound=True, maxConcurrentCalls=5)
    assert config["readyForOutbound"] is False
    assert config["concurrencyCapacity"] == 0
    reason = config["outboundBlockedReason"]
    assert reason and "active phone number" in reason and reason.endswith("."), reason

    inactive = await new_number(api, config["id"], "+14155550100", isActive=False)
    state = await config_state(api, config["id"])
    assert state["readyForOutbound"] is False and state["concurrencyCapacity"] == 0

    await new_number(api, config["id"], "+14155550101", isDefaultCallerId=True)
    state = await config_state(api, config["id"])
    assert state["readyForOutbound"] is True and state["outboundBlockedReason"] is None
    assert state["concurrencyCapacity"] == 1

    await update_number(api, inactive["id"], isActive=True)
    for n in range(2, 6):
        await new_number(api, config["id"], f"+1415555010{n}")
    state = await config_state(api, config["id"])
    assert state["activePhoneNumberCount"] == 6
    assert state["concurrencyCapacity"] == 5, "capped by maxConcurrentCalls"
    removed = await update_config(api, config["id"], maxConcurrentCalls=None)
    assert removed["concurrencyCapacity"] == 6, "without a cap: the active numbers"


async def test_readiness_of_a_provider_without_caller_ids(api):
    config = await new_config(api, "PBX", ari(), isDefaultOutbound=True)
    assert config["readyForOutbound"] is True and config["outboundBlockedReason"] is None
    assert config["concurrencyCapacity"] == 0
    await new_number(api, config["id"], "100")
    await new_number(api, config["id"], "101")
    assert (await config_state(api, config["id"]))["concurrencyCapacity"] == 2
    capped = await update_config(api, config["id"], maxConcurrentCalls=30)
    assert capped["concurrencyCapacity"] == 30, "the cap alone bounds a PBX"
    assert capped["readyForOutbound"] is True


# ---------------------------------------------------------------- the aggregate


async def test_aggregate_over_several_configurations(api, other_api, server):
    # No default outbound configuration: one organization warning.
    empty = await new_config(api, "Empty")  # NO_ACTIVE_PHONE_NUMBERS
    undecided = await new_config(api, "Undecided", maxConcurrentCalls=4)  # NO_DEFAULT_CALLER_ID, CONCURRENCY
    await new_number(api, undecided["id"], "+14155550100")
    unsigned = await new_config(api, "Unsigned", telnyx(with_secret=False))  # MISSING_SECRET, NO_ACTIVE
    failing, failing_number = await healthy_config(api, "Failing")  # PROVIDER_SYNC_FAILED
    await api.query(SET_DEFAULT_OUTBOUND, {"id": failing["id"]})
    await write(
        server,
        update(models.PhoneNumber)
        .where(models.PhoneNumber.id == failing_number["databaseId"])
        .values(sync_ok=False, sync_action="ATTACH", sync_message="boom", sync_at=datetime.now(UTC)),
    )
    await healthy_config(other_api, "Noise", maxConcurrentCalls=9)  # another organization's warnings

    aggregate = await org_warnings(api)
    assert_aggregate_consistent(aggregate)
    assert aggregate["counts"] == [
        {"code": "PROVIDER_SYNC_FAILED", "severity": "ERROR", "count": 1},
        {"code": "NO_ACTIVE_PHONE_NUMBERS", "severity": "WARNING", "count": 2},
        {"code": "MISSING_WEBHOOK_VERIFICATION_SECRET", "severity": "WARNING", "count": 1},
        {"code": "NO_DEFAULT_CALLER_ID", "severity": "INFO", "count": 1},
        {"code": "CONCURRENCY_ABOVE_CALLER_IDS", "severity": "INFO", "count": 1},
    ]
    assert aggregate["totalCount"] == 6
    assert aggregate["affectedConfigCount"] == 4
    items = aggregate["items"]
    assert [w["code"] for w in items] == [
        "PROVIDER_SYNC_FAILED",
        "NO_ACTIVE_PHONE_NUMBERS",
        "NO_ACTIVE_PHONE_NUMBERS",
        "MISSING_WEBHOOK_VERIFICATION_SECRET",
        "NO_DEFAULT_CALLER_ID",
        "CONCURRENCY_ABOVE_CALLER_IDS",
    ]
    assert items[0]["telephonyConfig"]["id"] == failing["id"]
    assert items[0]["phoneNumber"]["id"] == failing_number["id"]
    assert {w["telephonyConfig"]["id"] for w in items[1:3]} == {empty["id"], unsigned["id"]}
    assert items[3]["telephonyConfig"]["id"] == unsigned["id"]
    assert items[4]["telephonyConfig"]["id"] == undecided["id"]

    assert (await org_warnings(api, first=2))["items"] == items[:2]
    assert (await org_warnings(api, first=0))["items"] == []
    no_active = (await org_warnings(api, "NO_ACTIVE_PHONE_NUMBERS"))["items"]
    assert [w["code"] for w in no_active] == ["NO_ACTIVE_PHONE_NUMBERS"] * 2
    assert (await org_warnings(api, "NO_ACTIVE_PHONE_NUMBERS", first=1))["items"] == no_active[:1]
    assert (await org_warnings(api, "PUBLIC_BASE_URL_MISSING"))["items"] == []
    # The filter narrows items only; the totals stay those of the organization.
    filtered = await org_warnings(api, "NO_DEFAULT_CALLER_ID")
    assert filtered["totalCount"] == 6 and filtered["counts"] == aggregate["counts"]

    # Per configuration, the same warnings, most severe first.
    for config in (empty, undecided, unsigned, failing):
        own = [w for w in items if w["telephonyConfig"] and w["telephonyConfig"]["id"] == config["id"]]
        state = await config_state(api, config["id"])
        assert state["warnings"] == own

    # Unsetting the default adds the organization warning without touching the configurations.
    await write(
        server,
        update(models.TelephonyConfig)
        .where(models.TelephonyConfig.id == failing["databaseId"])
        .values(is_default_outbound=False),
    )
    again = await org_warnings(api)
    assert_aggregate_consistent(again)
    assert again["totalCount"] == 7 and again["affectedConfigCount"] == 4
    assert {"code": "NO_DEFAULT_OUTBOUND_CONFIG", "severity": "WARNING", "count": 1} in again["counts"]


async def test_items_first_is_capped_and_negative_is_refused(api):
    for n in range(3):
        await new_config(api, f"Empty {n}", isDefaultOutbound=n == 0)
    assert len((await org_warnings(api, first=500))["items"]) == 3
    response = await api.raw(ORG_WARNINGS, {"first": -1})
    assert response.json().get("errors"), response.text


# ---------------------------------------------------------------- statement count

DASHBOARD = """
{
  telephonyConfigs(first: 100) {
    nodes {
      name phoneNumberCount activePhoneNumberCount concurrencyCapacity readyForOutbound outboundBlockedReason
      defaultCallerId { address }
      warnings { code message }
    }
  }
  telephonyConfigWarnings {
    totalCount
    counts { code severity count }
    affectedConfigCount
    items { code telephonyConfig { name } }
  }
}"""


async def insert_configs(server, settings, organization_id: int, count: int) -> None:
    """`count` Twilio configurations with two numbers each, written directly (as the API would)."""
    plugin = get_provider("twilio")
    box = load_secret_box(settings)
    async with server.db.write() as session:
        configs = []
        for n in range(count):
            plain = {"accountSid": "AC" + uuid.uuid4().hex, "authToken": "f" * 32}
            config = models.TelephonyConfig(
                organization_id=organization_id,
                name=f"Config {n:03d}",
                provider=plugin.key,
                account_id=plugin.account_id(plain),
                credentials=box.seal(plain, plugin.secret_field_names),
                masked_credentials=public_credentials(plugin, plain),
                max_concurrent_calls=5,
                is_default_outbound=False,
                verification_status="REJECTED" if n % 2 else None,
                verification_checked_at=datetime.now(UTC) if n % 2 else None,
            )
            configs.append(config)
        session.add_all(configs)
        await session.flush()
        for config in configs:
            for position in range(2):
                address = f"+1415555{position:02d}{config.id % 100:02d}"
                session.add(
                    models.PhoneNumber(
                        organization_id=organization_id,
                        telephony_config_id=config.id,
                        provider=config.provider,
                        provider_account_id=config.account_id,
                        address=address,
                        address_normalized=address,
                        address_type="PSTN",
                        country_code="US",
                        is_active=True,
                        is_default_caller_id=position == 0,
                        extra_metadata={},
                        sync_ok=False if position == 1 else None,
                        sync_action="ATTACH" if position == 1 else None,
                        sync_message="boom" if position == 1 else None,
                        sync_at=datetime.now(UTC) if position == 1 else None,
                    )
                )


async def dashboard_statements(api: Api, server, settings, sql, size: int) -> tuple[dict, list[str]]:
    await insert_configs(server, settings, api.organization_id, size)
    await api.query("{ organization { id } }")  # warm the API-key cache
    sql.statements.clear()
    data = await api.query(DASHBOARD)
    statements = list(sql.statements)
    return data, statements


async def test_dashboard_statement_count_does_not_grow_with_configurations(api, other_api, server, settings, sql):
    small, small_statements = await dashboard_statements(api, server, settings, sql, 1)
    large, large_statements = await dashboard_statements(other_api, server, settings, sql, 50)

    assert len(small["telephonyConfigs"]["nodes"]) == 1
    assert len(large["telephonyConfigs"]["nodes"]) == 50
    node = large["telephonyConfigs"]["nodes"][1]
    assert node["phoneNumberCount"] == 2 and node["activePhoneNumberCount"] == 2
    assert node["concurrencyCapacity"] == 2 and node["readyForOutbound"] is False
    assert node["defaultCallerId"]["address"].startswith("+1415555")
    codes = {w["code"] for w in node["warnings"]}
    assert {"CREDENTIALS_NOT_VERIFIED", "PROVIDER_SYNC_FAILED", "CONCURRENCY_ABOVE_CALLER_IDS"} <= codes
    warnings = large["telephonyConfigWarnings"]
    # 25 rejected + 50 failed syncs + 50 caps above caller IDs + the organization's missing default
    assert warnings["totalCount"] == 25 + 50 + 50 + 1
    assert warnings["affectedConfigCount"] == 50
    assert len(warnings["items"]) == 50

    listing = "\n".join(large_statements)
    assert len(small_statements) == len(large_statements), (
        f"1 configuration: {len(small_statements)} statements, 50: {len(large_statements)}:\n{listing}"
    )
    assert len(large_statements) <= 8, f"{len(large_statements)} statements:\n{listing}"
