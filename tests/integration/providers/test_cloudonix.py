"""Cloudonix against its fake: credential checks and inbound sync through the shared voice application
and the number's DNID (the binding of a number to an application)."""

import secrets
from urllib.parse import parse_qs

import httpx
import pytest
from conftest import PUBLIC_BASE_URL
from helpers import UPDATE_NUMBER, create_config, create_number, create_workflow
from test_faults import assert_committed_and_failed
from test_twilio import CLEAR, DELETE, RESYNC, VERIFY

INBOUND_URL = f"{PUBLIC_BASE_URL}/telephony/cloudonix/inbound"
OLD_URL = "https://old-agent.example/cloudonix/cxml"
IVR_URL = "https://ivr.example/cxml"
APP = "switchboard-agents"
BIND_BODY = {"source": "+14155550100", "prefix": False, "expression": False, "asteriskCompatible": False}


class Cloudonix:
    """The fake seeded with a fresh domain: our voice application (pointing elsewhere for now), an IVR
    application that owns a prefix DNID covering +1415555…, and +14155550100 without a DNID."""

    def __init__(self, fake) -> None:
        self.fake = fake
        self.name = f"t{secrets.token_hex(6)}"
        self.domain = f"{self.name}.cloudonix.net"
        self.credentials = {"bearerToken": "XI" + secrets.token_hex(16), "domainId": self.domain, "applicationName": APP}
        fake.add_domain(self.domain, self.credentials["bearerToken"])
        fake.add_application(self.domain, APP, OLD_URL)
        fake.add_application(self.domain, "ivr", IVR_URL)
        self.decoy = fake.add_dnid(self.domain, "+1415555", "ivr", prefix=True)

    @property
    def app(self):
        return self.fake.application(self.domain, APP)

    def dnids(self, source: str) -> list:
        return self.fake.dnids_of(self.domain, source)

    def prefix(self, path: str = "") -> str:
        return f"/customers/self/domains/{self.domain}{path}"


@pytest.fixture
def cloudonix(fakes) -> Cloudonix:
    return Cloudonix(fakes["cloudonix"])


async def make_config(api, credentials: dict) -> dict:
    return (await create_config(api, "Cloudonix", credentials={"cloudonix": credentials}))["telephonyConfig"]


@pytest.fixture
async def bound(synced_api, cloudonix):
    config = await make_config(synced_api, cloudonix.credentials)
    workflow = await create_workflow(synced_api, "Reception")
    return config, workflow


async def test_verify_reads_the_domain_with_the_bearer_key(synced_api, cloudonix):
    bare = {**cloudonix.credentials, "domainId": cloudonix.name}  # a bare name means <name>.cloudonix.net
    config = await make_config(synced_api, bare)
    payload = (await synced_api.query(VERIFY, {"id": config["id"]}))["verifyTelephonyConfig"]
    assert payload["verification"]["status"] == "VERIFIED"
    assert payload["verification"]["message"] == f"Cloudonix accepted the API key for domain {cloudonix.domain} (active)."
    [request] = cloudonix.fake.sent("GET")
    assert request.path == cloudonix.prefix()
    assert request.headers["authorization"] == f"Bearer {cloudonix.credentials['bearerToken']}"


async def test_verify_reports_a_rejected_key_without_revealing_it(synced_api, cloudonix):
    wrong = {**cloudonix.credentials, "bearerToken": "XI" + "0" * 32}
    config = await make_config(synced_api, wrong)
    payload = await synced_api.query(VERIFY, {"id": config["id"]})
    verification = payload["verifyTelephonyConfig"]["verification"]
    assert verification["status"] == "REJECTED"
    assert verification["message"] == (
        "Cloudonix rejected the credentials (HTTP 401); check that the API key is active and belongs to "
        f"the domain {cloudonix.domain} or to its customer account."
    )
    assert wrong["bearerToken"] not in str(payload)
    async with httpx.AsyncClient(base_url=cloudonix.fake.url) as client:
        response = await client.get(cloudonix.prefix(), headers={"Authorization": f"Bearer {wrong['bearerToken']}"})
    assert (response.status_code, response.json()) == (401, {"status": 401, "message": "Unauthorized"})


async def test_verify_reports_an_unknown_domain(synced_api, cloudonix):
    config = await make_config(synced_api, {**cloudonix.credentials, "domainId": "nowhere.example.org"})
    verification = (await synced_api.query(VERIFY, {"id": config["id"]}))["verifyTelephonyConfig"]["verification"]
    assert verification == {
        "status": "REJECTED",
        "message": "Cloudonix has no domain nowhere.example.org for this API key; check the Domain field.",
        "checkedAt": verification["checkedAt"],
    }


async def test_binding_points_the_application_and_binds_the_exact_number(synced_api, cloudonix, bound):
    config, workflow = bound
    payload = await create_number(synced_api, config["id"], "+1 415 555 0100", inboundWorkflowId=workflow)
    assert payload["providerSync"] == {"ok": True}
    assert payload["phoneNumber"]["lastProviderSync"]["message"] == (
        f"Cloudonix now sends inbound calls to +14155550100 to Switchboard (DNID bound to '{APP}')."
    )
    # Cloudonix signs nothing: the URL names the domain and carries the configuration's token.
    url = payload["phoneNumber"]["inboundWebhookUrl"]
    base, _, query = url.partition("?")
    token = parse_qs(query)["token"][0]
    assert base == INBOUND_URL and parse_qs(query) == {"account": [cloudonix.domain], "token": [token]}
    assert len(token) >= 32
    # The look-up sent the number percent-encoded and saw only the IVR's prefix DNID: not this number's own.
    assert cloudonix.fake.raw_dnid_paths == [cloudonix.prefix("/dnids/%2B14155550100").encode()]
    assert [r.path for r in cloudonix.fake.sent("GET")] == [
        cloudonix.prefix("/dnids/+14155550100"),
        cloudonix.prefix(f"/applications/{APP}"),
    ]
    [patch] = cloudonix.fake.sent("PATCH")
    assert patch.path == cloudonix.prefix(f"/applications/{APP}")
    assert patch.json == {"url": url, "method": "POST"}
    assert patch.headers["content-type"] == "application/json"
    [post] = cloudonix.fake.sent("POST")
    assert post.path == cloudonix.prefix(f"/applications/{APP}/dnids")  # the OpenAPI's {application-name}
    assert post.json == BIND_BODY
    assert cloudonix.fake.sent("DELETE") == []
    [dnid] = cloudonix.dnids("+14155550100")
    assert dnid.application is cloudonix.app and not dnid.prefix
    assert cloudonix.app.url == url
    assert cloudonix.dnids("+1415555") == [cloudonix.decoy] and cloudonix.decoy.application.url == IVR_URL


async def test_a_second_number_leaves_the_shared_application_alone(synced_api, cloudonix, bound):
    config, workflow = bound
    already = cloudonix.fake.add_dnid(cloudonix.domain, "+14155550101", APP)
    await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    second = await create_number(synced_api, config["id"], "+14155550101", inboundWorkflowId=workflow)
    assert second["providerSync"] == {"ok": True}
    assert second["phoneNumber"]["lastProviderSync"]["message"] == (
        f"Cloudonix now sends inbound calls to +14155550101 to Switchboard (DNID already on '{APP}')."
    )
    assert len(cloudonix.fake.sent("PATCH")) == 1  # the URL was right for the second number
    assert len(cloudonix.fake.sent("POST")) == 1  # the second number's DNID was already on our application
    assert cloudonix.dnids("+14155550101") == [already]


async def test_a_dnid_on_another_application_is_moved_to_ours_and_put_back(synced_api, cloudonix, bound):
    config, workflow = bound
    old = cloudonix.fake.add_dnid(cloudonix.domain, "+14155550100", "call-routing")
    payload = await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    number = payload["phoneNumber"]
    assert number["lastProviderSync"]["message"] == (
        f"Cloudonix now sends inbound calls to +14155550100 to Switchboard (DNID moved to '{APP}'). Its DNID was on "
        "application 'call-routing'; Switchboard keeps that and puts it back when the number is unbound."
    )
    # Moved with a DNID update, not deleted and created again: the DNID keeps its id.
    dnid_patch = [r for r in cloudonix.fake.sent("PATCH") if "/dnids/" in r.path]
    assert [(r.path, r.json) for r in dnid_patch] == [(cloudonix.prefix(f"/dnids/{old.id}"), {"voice-application": APP})]
    assert cloudonix.fake.sent("DELETE") == [] and cloudonix.fake.sent("POST") == []
    assert cloudonix.dnids("+14155550100") == [old] and old.application is cloudonix.app
    # A resync finds the DNID on our application: it replaces nothing, and the record stays.
    resync = (await synced_api.query(RESYNC, {"id": number["id"]}))["resyncPhoneNumber"]["providerSync"]
    assert resync["ok"] is True and "DNID already on" in resync["message"]
    cloudonix.fake.reset()
    cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]["providerSync"]
    assert cleared["message"] == (
        "Cloudonix no longer sends inbound calls to +14155550100 to Switchboard "
        "(its DNID is on application 'call-routing' again, as before Switchboard)."
    )
    [patch] = cloudonix.fake.sent("PATCH")
    assert (patch.path, patch.json) == (cloudonix.prefix(f"/dnids/{old.id}"), {"voice-application": "call-routing"})
    assert cloudonix.dnids("+14155550100") == [old] and old.application.name == "call-routing"
    assert cloudonix.app.url == number["inboundWebhookUrl"], "the shared application keeps Switchboard's URL"


async def test_an_inactive_dnid_is_activated_and_made_inactive_again(synced_api, cloudonix, bound):
    config, workflow = bound
    old = cloudonix.fake.add_dnid(cloudonix.domain, "+14155550100", "ivr", active=False)
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    assert number["lastProviderSync"]["message"].endswith(
        "Its DNID was on application 'ivr' and inactive; Switchboard keeps that and puts it back when the number is unbound."
    )
    assert (old.application, old.active) == (cloudonix.app, True)
    assert cloudonix.fake.sent("PATCH")[-1].json == {"voice-application": APP, "active": True}
    deleted = (await synced_api.query(DELETE, {"id": number["id"]}))["deletePhoneNumber"]
    assert deleted["providerSync"]["message"].endswith(
        "(its DNID is on application 'ivr' and inactive again, as before Switchboard)."
    )
    assert cloudonix.fake.sent("PATCH")[-1].json == {"voice-application": "ivr", "active": False}
    assert cloudonix.dnids("+14155550100") == [old] and (old.application.name, old.active) == ("ivr", False)


async def test_a_dnid_whose_previous_application_is_gone_is_removed_and_said_so(synced_api, cloudonix, bound):
    config, workflow = bound
    cloudonix.fake.add_application(cloudonix.domain, "legacy", "https://legacy.example/cxml")
    cloudonix.fake.add_dnid(cloudonix.domain, "+14155550100", "legacy")
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    del cloudonix.fake.domains[cloudonix.domain].applications["legacy"]
    cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]["providerSync"]
    assert cleared["ok"] is True
    assert cleared["message"] == (
        "Cloudonix no longer sends inbound calls to +14155550100 to Switchboard (DNID removed: it was on application "
        "'legacy' before, and that application no longer exists)."
    )
    assert cloudonix.dnids("+14155550100") == []


async def test_a_dnid_naming_its_application_the_data_model_way_is_recognised(synced_api, cloudonix, bound):
    config, workflow = bound
    ours = cloudonix.fake.add_dnid(cloudonix.domain, "+14155550100", APP)
    cloudonix.fake.application_field = "application"  # as the data-model page names it
    payload = await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    assert payload["phoneNumber"]["lastProviderSync"]["message"].endswith(f"(DNID already on '{APP}').")
    assert [r for r in cloudonix.fake.sent("PATCH") if "/dnids/" in r.path] == []
    cleared = (await synced_api.query(CLEAR, {"id": payload["phoneNumber"]["id"]}))["clearInboundWorkflow"]
    assert cleared["providerSync"]["message"].endswith("(DNID removed).") and cloudonix.dnids("+14155550100") == []
    assert ours.id not in cloudonix.fake.domains[cloudonix.domain].dnids


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("PATCH", "/dnids/{id}", {"application": APP}, 400, "Field(s) not editable: application"),
        ("PATCH", "/dnids/{id}", {"source": "+14155550199"}, 400, "Field(s) not editable: source"),
        ("PATCH", "/dnids/{id}", {"voice-application": "nowhere"}, 404, "Application not found"),
        ("PATCH", "/dnids/{id}", {"active": "yes"}, 400, "must be booleans"),
        ("POST", f"/applications/{APP}/dnids", {**BIND_BODY, "application": APP}, 400, "Unknown field(s): application"),
        ("PATCH", f"/applications/{APP}", {"voiceUrl": "https://a.example/"}, 400, "Field(s) not editable: voiceUrl"),
    ],
)
async def test_the_fake_refuses_what_the_openapi_does_not_list(cloudonix, method, path, body, status, message):
    dnid = cloudonix.fake.add_dnid(cloudonix.domain, "+14155550100", "ivr")
    headers = {"Authorization": f"Bearer {cloudonix.credentials['bearerToken']}"}
    async with httpx.AsyncClient(base_url=cloudonix.fake.url) as client:
        response = await client.request(method, cloudonix.prefix(path.format(id=dnid.id)), json=body, headers=headers)
    assert response.status_code == status and message in response.text
    assert dnid.application.name == "ivr" and cloudonix.dnids("+14155550199") == []


async def test_clear_and_deactivate_unbind_the_number_but_never_the_application(synced_api, cloudonix, bound):
    config, workflow = bound
    other = cloudonix.fake.add_dnid(cloudonix.domain, "+14155550101", APP)
    await create_number(synced_api, config["id"], "+14155550101", inboundWorkflowId=workflow)
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    [ours] = cloudonix.dnids("+14155550100")
    off = (await synced_api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "isActive": False}}))["updatePhoneNumber"]
    sync = off["phoneNumber"]["lastProviderSync"]
    assert (sync["ok"], sync["action"]) == (True, "DETACH")
    assert sync["message"] == "Cloudonix no longer sends inbound calls to +14155550100 to Switchboard (DNID removed)."
    [delete] = cloudonix.fake.sent("DELETE")
    assert delete.path == cloudonix.prefix(f"/dnids/{ours.id}")
    assert cloudonix.dnids("+14155550100") == []
    assert cloudonix.dnids("+14155550101") == [other] and cloudonix.dnids("+1415555") == [cloudonix.decoy]
    assert cloudonix.app.url == number["inboundWebhookUrl"]
    assert len(cloudonix.fake.sent("PATCH")) == 1
    on = (await synced_api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "isActive": True}}))["updatePhoneNumber"]
    assert on["phoneNumber"]["lastProviderSync"]["ok"] is True
    assert [d.application.name for d in cloudonix.dnids("+14155550100")] == [APP]
    cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
    assert cleared["providerSync"]["ok"] is True and cleared["providerSync"]["action"] == "DETACH"
    assert cloudonix.dnids("+14155550100") == [] and cloudonix.app.url == number["inboundWebhookUrl"]
    assert len(cloudonix.fake.sent("PATCH")) == 1


async def test_detach_leaves_dnids_that_are_not_ours(synced_api, cloudonix, bound):
    config, workflow = bound
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    # Someone moves the number to the IVR in Cockpit: detaching must not remove it from there.
    [ours] = cloudonix.dnids("+14155550100")
    del cloudonix.fake.domains[cloudonix.domain].dnids[ours.id]
    theirs = cloudonix.fake.add_dnid(cloudonix.domain, "+14155550100", "ivr")
    cloudonix.fake.reset()
    cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
    assert cleared["providerSync"] == {
        "ok": True,
        "action": "DETACH",
        "message": f"+14155550100 is not bound to the Cloudonix application '{APP}' pointing at Switchboard; left as it is.",
    }
    assert cloudonix.dnids("+14155550100") == [theirs]
    assert cloudonix.fake.sent("DELETE") == [] and cloudonix.fake.sent("PATCH") == []


async def test_a_pattern_dnid_of_our_application_is_never_removed(synced_api, cloudonix, bound):
    config, workflow = bound
    shared = cloudonix.fake.add_dnid(cloudonix.domain, "+1415555017", APP, prefix=True)
    number = (await create_number(synced_api, config["id"], "+14155550177", inboundWorkflowId=workflow))["phoneNumber"]
    # The prefix DNID that other numbers share does not count as this number's binding: it gets its own.
    [own] = cloudonix.dnids("+14155550177")
    assert own.application is cloudonix.app and cloudonix.fake.sent("POST")[-1].json["source"] == "+14155550177"
    # With only the shared prefix DNID left, detaching removes nothing.
    del cloudonix.fake.domains[cloudonix.domain].dnids[own.id]
    cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
    assert cleared["providerSync"]["message"] == (
        f"+14155550177 has no DNID in the Cloudonix domain {cloudonix.domain}; nothing to detach."
    )
    assert cloudonix.dnids("+1415555017") == [shared] and cloudonix.fake.sent("DELETE") == []


async def test_a_missing_application_fails_helpfully_and_the_write_stays(synced_api, cloudonix, bound):
    config, workflow = bound
    del cloudonix.fake.domains[cloudonix.domain].applications[APP]
    payload = await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    assert_committed_and_failed(payload, f"has no voice application named '{APP}'")
    assert payload["phoneNumber"]["lastProviderSync"]["message"] == (
        f"The Cloudonix domain {cloudonix.domain} has no voice application named '{APP}'; "
        "create it in Cloudonix Cockpit or correct the Voice Application field."
    )
    assert cloudonix.fake.sent("POST") == [] and cloudonix.fake.sent("PATCH") == []
    cloudonix.fake.add_application(cloudonix.domain, APP)
    resync = (await synced_api.query(RESYNC, {"id": payload["phoneNumber"]["id"]}))["resyncPhoneNumber"]
    assert resync["providerSync"]["ok"] is True and resync["providerSync"]["action"] == "ATTACH"
    assert cloudonix.app.url == payload["phoneNumber"]["inboundWebhookUrl"] and len(cloudonix.dnids("+14155550100")) == 1


async def test_detach_of_a_number_without_a_dnid_has_nothing_to_do(synced_api, cloudonix, bound):
    config, workflow = bound
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    cloudonix.fake.domains[cloudonix.domain].dnids.clear()
    cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
    assert cleared["providerSync"]["message"] == (
        f"+14155550100 has no DNID in the Cloudonix domain {cloudonix.domain}; nothing to detach."
    )


async def test_429_then_success_and_a_401_mid_way_is_explained(synced_api, cloudonix, bound):
    config, workflow = bound
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    cloudonix.fake.domains[cloudonix.domain].dnids.clear()
    cloudonix.fake.reset()
    cloudonix.fake.fail_next("status", status=429, retry_after="0")  # plain 429: the body shape is unknown
    resync = (await synced_api.query(RESYNC, {"id": number["id"]}))["resyncPhoneNumber"]["providerSync"]
    assert (resync["ok"], resync["action"]) == (True, "ATTACH")
    assert [r.path for r in cloudonix.fake.sent("GET", "/dnids/")] == [cloudonix.prefix("/dnids/+14155550100")] * 2
    assert len(cloudonix.dnids("+14155550100")) == 1
    cloudonix.fake.fail_next("status", status=401)
    second = await create_number(synced_api, config["id"], "+14155550101", inboundWorkflowId=workflow)
    assert_committed_and_failed(second, "Cloudonix rejected the credentials (HTTP 401); check that the API key")
    assert cloudonix.credentials["bearerToken"] not in str(second)


async def test_sip_addresses_are_not_synced(synced_api, cloudonix, bound):
    config, workflow = bound
    payload = await create_number(synced_api, config["id"], "sip:agent@example.org", inboundWorkflowId=workflow)
    sync = payload["phoneNumber"]["lastProviderSync"]
    assert sync["ok"] is False and "phone numbers only" in sync["message"]
    assert cloudonix.fake.requests == []


async def test_an_application_calling_our_url_with_get_is_switched_to_post(synced_api, cloudonix, bound):
    config, workflow = bound
    first = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    url = first["inboundWebhookUrl"]
    cloudonix.app.method = "GET"  # changed in Cockpit: the URL is ours, the method is not
    cloudonix.fake.reset()
    await create_number(synced_api, config["id"], "+14155550101", inboundWorkflowId=workflow)
    [patch] = cloudonix.fake.sent("PATCH")
    assert patch.json == {"url": url, "method": "POST"} and cloudonix.app.method == "POST"
