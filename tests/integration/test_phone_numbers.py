"""SPEC §4 phone numbers through the contract."""

import pytest
from helpers import UPDATE_NUMBER, create_config, create_number, create_workflow


@pytest.fixture
async def config(api):
    return (await create_config(api))["telephonyConfig"]


async def update(api, **input_):
    return (await api.query(UPDATE_NUMBER, {"input": input_}))["updatePhoneNumber"]


@pytest.mark.parametrize(
    ("address", "country", "normalized", "kind", "stored_country"),
    [
        ("+1 (415) 555-0100", None, "+14155550100", "PSTN", "US"),
        ("020 7946 0958", "gb", "+442079460958", "PSTN", "GB"),
        ("0044 20 7946 0958", None, "+442079460958", "PSTN", "GB"),
        ("+44 (0)20 7946 0958", "US", "+442079460958", "PSTN", "GB"),
        ("tel:+1-415-555-0100", None, "+14155550100", "PSTN", "US"),
        ("SIP:Alice@Example.COM:5060", None, "sip:Alice@example.com", "SIP_URI", None),
        ("Front.Desk", None, "front.desk", "SIP_EXTENSION", None),
    ],
)
async def test_normalization_is_stored_and_returned(api, config, address, country, normalized, kind, stored_country):
    payload = await create_number(api, config["id"], address, countryCode=country)
    assert payload["errors"] == []
    number = payload["phoneNumber"]
    assert number["address"] == address
    assert (number["addressNormalized"], number["addressType"], number["countryCode"]) == (normalized, kind, stored_country)


@pytest.mark.parametrize(
    ("address", "country", "code", "field"),
    [
        ("4155550100", None, "INVALID_PHONE_NUMBER", "address"),
        ("sip:", None, "INVALID_PHONE_NUMBER", "address"),
        ("hello world", None, "INVALID_PHONE_NUMBER", "address"),
        ("x" * 256, None, "INVALID_PHONE_NUMBER", "address"),
        ("+14155550100", "XX", "INVALID", "countryCode"),
    ],
)
async def test_rejections_change_nothing(api, config, address, country, code, field):
    payload = await create_number(api, config["id"], address, countryCode=country)
    assert payload["phoneNumber"] is None
    assert payload["errors"][0]["code"] == code
    assert payload["errors"][0]["field"] == ["input", field]
    assert (await api.query("{ phoneNumbers { totalCount } }"))["phoneNumbers"]["totalCount"] == 0


async def test_national_number_without_country_asks_for_plus_or_country(api, config):
    payload = await create_number(api, config["id"], "4155550100")
    message = payload["errors"][0]["message"]
    assert "+" in message and "countryCode" in message


async def test_label_and_metadata_rules(api, config):
    assert (await create_number(api, config["id"], "+14155550100", label="l" * 65))["errors"][0]["field"] == ["input", "label"]
    bad_meta = await create_number(api, config["id"], "+14155550100", extraMetadata=[1, 2])
    assert bad_meta["errors"][0]["field"] == ["input", "extraMetadata"]
    ok = await create_number(api, config["id"], "+14155550100", label="Main", extraMetadata={"team": "sales"})
    assert ok["phoneNumber"]["extraMetadata"] == {"team": "sales"}


async def test_same_number_same_account_is_a_conflict_across_organizations(api, other_api):
    mine = (await create_config(api))["telephonyConfig"]
    theirs = (await create_config(other_api, credentials={"twilio": {**api.twilio}}))["telephonyConfig"]
    assert (await create_number(api, mine["id"], "+14155550100"))["errors"] == []
    clash = await create_number(other_api, theirs["id"], "+1 415 555 0100")
    assert clash["errors"][0]["code"] == "CONFLICT"
    message = clash["errors"][0]["message"]
    assert message.startswith("+14155550100 is already registered for this Twilio account.")
    assert "verifyTelephonyConfig" in message, "an unverified configuration is told how to prove the account is its own"


async def test_same_number_on_another_account_is_fine(api, other_api):
    mine = (await create_config(api))["telephonyConfig"]
    theirs = (await create_config(other_api))["telephonyConfig"]
    assert (await create_number(api, mine["id"], "+14155550100"))["errors"] == []
    assert (await create_number(other_api, theirs["id"], "+14155550100"))["errors"] == []


async def test_country_code_update_renormalizes_and_rechecks_uniqueness(api, config):
    national = (await create_number(api, config["id"], "07946 095800", countryCode="GB"))["phoneNumber"]
    await create_number(api, config["id"], "+4915112345678")
    moved = await update(api, id=national["id"], countryCode="DE")
    assert moved["errors"] == []
    assert moved["phoneNumber"]["countryCode"] == "DE"
    assert moved["phoneNumber"]["addressNormalized"].startswith("+49")
    invalid = await update(api, id=national["id"], countryCode="ZZ")
    assert invalid["errors"][0]["field"] == ["input", "countryCode"]


async def test_country_change_onto_an_existing_number_is_a_conflict_and_changes_nothing(api, config):
    await create_number(api, config["id"], "+442079460958")
    irish = (await create_number(api, config["id"], "02079460958", countryCode="IE"))["phoneNumber"]
    assert irish["addressNormalized"] == "+3532079460958"
    clash = await update(api, id=irish["id"], countryCode="GB")
    assert clash["errors"][0]["code"] == "CONFLICT"
    after = await api.query("query($id: ID!) { phoneNumber(id: $id) { addressNormalized countryCode } }", {"id": irish["id"]})
    assert after["phoneNumber"] == {"addressNormalized": "+3532079460958", "countryCode": "IE"}


async def test_default_caller_id(api, config):
    first = (await create_number(api, config["id"], "+14155550100", isDefaultCallerId=True))["phoneNumber"]
    second = (await create_number(api, config["id"], "+14155550101"))["phoneNumber"]
    inactive = (await create_number(api, config["id"], "+14155550102", isActive=False))["phoneNumber"]
    assert first["isDefaultCallerId"] is True
    set_second = await api.query(
        "mutation($id: ID!) { setDefaultCallerId(input: {phoneNumberId: $id}) { phoneNumber { isDefaultCallerId } errors { code } } }",
        {"id": second["id"]},
    )
    assert set_second["setDefaultCallerId"]["phoneNumber"]["isDefaultCallerId"] is True
    refused = await api.query(
        "mutation($id: ID!) { setDefaultCallerId(input: {phoneNumberId: $id}) { errors { code field } } }",
        {"id": inactive["id"]},
    )
    assert refused["setDefaultCallerId"]["errors"][0]["code"] == "INVALID"
    inactive_default = await create_number(api, config["id"], "+14155550103", isActive=False, isDefaultCallerId=True)
    assert inactive_default["errors"][0]["field"] == ["input", "isDefaultCallerId"]
    data = await api.query(
        "query($id: ID!) { telephonyConfig(id: $id) { defaultCallerId { id } phoneNumbers { nodes { isDefaultCallerId } } } }",
        {"id": config["id"]},
    )
    assert data["telephonyConfig"]["defaultCallerId"]["id"] == second["id"]
    assert sum(n["isDefaultCallerId"] for n in data["telephonyConfig"]["phoneNumbers"]["nodes"]) == 1


async def test_workflow_binding_rules(api, other_api, config):
    workflow = await create_workflow(api, "Reception")
    other_workflow = await create_workflow(api, "Sales")
    foreign = await create_workflow(other_api, "Foreign")
    number = (await create_number(api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    assert (number["inboundWorkflowId"], number["inboundWorkflowName"]) == (workflow, "Reception")
    assert number["inboundWorkflow"]["name"] == "Reception"
    assert number["inboundWebhookUrl"] is None  # the test server has no public base URL

    refused = await update(api, id=number["id"], inboundWorkflowId=foreign)
    assert refused["errors"][0] == {
        "code": "NOT_FOUND",
        "message": refused["errors"][0]["message"],
        "field": ["input", "inboundWorkflowId"],
    }
    unchanged = await update(api, id=number["id"], inboundWorkflowId=None, label="Front desk")
    assert unchanged["phoneNumber"]["inboundWorkflowName"] == "Reception"
    rebound = await update(api, id=number["id"], inboundWorkflowId=other_workflow)
    assert rebound["phoneNumber"]["inboundWorkflowName"] == "Sales"

    blocked = await api.query(
        "mutation($id: ID!) { deleteWorkflow(input: {id: $id}) { deletedId errors { code message } } }", {"id": other_workflow}
    )
    assert blocked["deleteWorkflow"]["errors"][0]["code"] == "CONFLICT"
    assert "1 phone number" in blocked["deleteWorkflow"]["errors"][0]["message"]

    cleared = await api.query(
        "mutation($id: ID!) { clearInboundWorkflow(input: {phoneNumberId: $id}) { phoneNumber { inboundWorkflowId inboundWorkflowName } errors { code } } }",
        {"id": number["id"]},
    )
    assert cleared["clearInboundWorkflow"]["phoneNumber"] == {"inboundWorkflowId": None, "inboundWorkflowName": None}
    rebound = await update(api, id=number["id"], inboundWorkflowId=workflow)
    unbound = await update(api, id=number["id"], clearInboundWorkflow=True)
    assert unbound["phoneNumber"]["inboundWorkflowId"] is None
    both = await update(api, id=number["id"], inboundWorkflowId=workflow, clearInboundWorkflow=True)
    assert both["errors"][0]["code"] == "INVALID"


async def test_workflow_inbound_phone_numbers(api, config):
    workflow = await create_workflow(api, "Reception")
    for i in range(3):
        await create_number(api, config["id"], f"+1415555010{i}", inboundWorkflowId=workflow)
    await create_number(api, config["id"], "+14155550109")
    data = await api.query(
        "query($id: ID!) { workflow(id: $id) { inboundPhoneNumbers(first: 2) { totalCount nodes { addressNormalized inboundWorkflowName } pageInfo { hasNextPage endCursor } } } }",
        {"id": workflow},
    )
    connection = data["workflow"]["inboundPhoneNumbers"]
    assert connection["totalCount"] == 3
    assert [n["addressNormalized"] for n in connection["nodes"]] == ["+14155550100", "+14155550101"]
    assert connection["pageInfo"]["hasNextPage"] is True


async def test_label_update_clear_and_keep(api, config):
    number = (await create_number(api, config["id"], "+14155550100", label="Main"))["phoneNumber"]
    kept = await update(api, id=number["id"], isActive=False)
    assert (kept["phoneNumber"]["label"], kept["phoneNumber"]["isActive"]) == ("Main", False)
    cleared = await update(api, id=number["id"], label=None, extraMetadata={"a": 1})
    assert (cleared["phoneNumber"]["label"], cleared["phoneNumber"]["extraMetadata"]) == (None, {"a": 1})


async def test_filters_and_search(api, config):
    second = (await create_config(api, "Second"))["telephonyConfig"]
    await create_number(api, config["id"], "+14155550100", label="Support 50% off")
    await create_number(api, config["id"], "sip:desk@pbx.example.com", label="desk_1/2")
    await create_number(api, second["id"], "1001", isActive=False)

    async def addresses(**args):
        data = await api.query(
            "query($c: ID, $a: Boolean, $t: AddressType, $s: String) { phoneNumbers(telephonyConfigId: $c, isActive: $a, addressType: $t, search: $s) { totalCount nodes { address } } }",
            args,
        )
        return sorted(n["address"] for n in data["phoneNumbers"]["nodes"])

    assert await addresses(c=second["id"]) == ["1001"]
    assert await addresses(a=False) == ["1001"]
    assert await addresses(t="SIP_URI") == ["sip:desk@pbx.example.com"]
    assert await addresses(s="PBX.example") == ["sip:desk@pbx.example.com"]
    assert await addresses(s="4155550100") == ["+14155550100"]
    assert await addresses(s="50%") == ["+14155550100"]
    assert await addresses(s="%") == ["+14155550100"]
    assert await addresses(s="_") == await addresses(s="k_1/") == ["sip:desk@pbx.example.com"]
    assert await addresses(s="/") == ["sip:desk@pbx.example.com"]
    assert await addresses(c="bm90LWFuLWlk") == []


async def test_delete_number_and_tenancy(api, other_api, config):
    number = (await create_number(api, config["id"], "+14155550100"))["phoneNumber"]
    for mutation, arg in (
        ("setDefaultCallerId", "phoneNumberId"),
        ("clearInboundWorkflow", "phoneNumberId"),
        ("deletePhoneNumber", "id"),
    ):
        data = await other_api.query(
            f"mutation($id: ID!) {{ {mutation}(input: {{{arg}: $id}}) {{ errors {{ code }} }} }}", {"id": number["id"]}
        )
        assert data[mutation]["errors"][0]["code"] == "NOT_FOUND"
    assert (await update(other_api, id=number["id"], label="mine"))["errors"][0]["code"] == "NOT_FOUND"
    assert (await other_api.query("query($id: ID!) { phoneNumber(id: $id) { id } }", {"id": number["id"]}))["phoneNumber"] is None
    deleted = await api.query(
        "mutation($id: ID!) { deletePhoneNumber(input: {id: $id}) { deletedId providerSync { ok } errors { code } } }",
        {"id": number["id"]},
    )
    assert deleted["deletePhoneNumber"] == {"deletedId": number["id"], "providerSync": None, "errors": []}
    assert (await api.query("query($id: ID!) { phoneNumber(id: $id) { id } }", {"id": number["id"]}))["phoneNumber"] is None
