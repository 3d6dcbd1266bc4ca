"""importPhoneNumbers (SPEC §14): one result per row in input order, a bad row never fails the
others, a fixed number of SQL statements whatever the batch's size, one audit event per number,
the account's listing read before anything is written, and the attaches of bound numbers."""

import pytest
from helpers import create_config, create_number, create_workflow
from test_accounts import configured, make_account

IMPORT = """
mutation($input: ImportPhoneNumbersInput!) { importPhoneNumbers(input: $input) {
  createdCount accountListComplete accountListMessage
  results { row address status message addressNormalized inAccount phoneNumber { id address inboundWorkflowId } providerSync { ok action message } }
  errors { code message field }
} }"""
AUDIT = """
query { auditEvents(first: 100) { nodes { action targetId changes providerSync } } }"""


async def import_numbers(api, config_id: str, addresses: list[str], **extra) -> dict:
    variables = {"input": {"telephonyConfigId": config_id, "addresses": addresses, **extra}}
    return (await api.query(IMPORT, variables))["importPhoneNumbers"]


async def test_each_row_gets_its_own_result_in_input_order(api, other_api, fakes):
    account = make_account(fakes, "twilio")
    for number in ("+14155550101", "+14155550102", "+14155550103"):
        account.add(number)
    config = await configured(api, account)
    other = (await create_config(api, "Second", {"twilio": account.credentials}))
    assert other["errors"] == [], "a second configuration of the same account"
    registered = (await create_number(api, config["id"], "+14155550102"))["phoneNumber"]
    await create_number(api, other["telephonyConfig"]["id"], "+14155550104")
    foreign = await create_config(other_api, "Theirs", {"twilio": account.credentials})
    await create_number(other_api, foreign["telephonyConfig"]["id"], "+14155550105")

    rows = ["+1 415 555 0101", "not a number!", "+14155550102", "+14155550104", "+14155550105", "(415) 555-0106", "+14155550101"]
    payload = await import_numbers(api, config["id"], rows, countryCode="us")
    assert payload["errors"] == []
    assert payload["createdCount"] == 2
    assert payload["accountListComplete"] is True and payload["accountListMessage"] is None
    results = payload["results"]
    assert [(r["row"], r["address"], r["status"]) for r in results] == [
        (0, "+1 415 555 0101", "CREATED"),
        (1, "not a number!", "INVALID"),
        (2, "+14155550102", "ALREADY_REGISTERED"),
        (3, "+14155550104", "CONFLICT"),
        (4, "+14155550105", "CONFLICT"),
        (5, "(415) 555-0106", "CREATED"),
        (6, "+14155550101", "ALREADY_REGISTERED"),
    ]
    assert results[0]["addressNormalized"] == "+14155550101" and results[0]["inAccount"] is True
    assert results[0]["message"] is None and results[0]["phoneNumber"]["address"] == "+1 415 555 0101"
    assert results[1]["message"] == "'not a number!' is not a phone number, a SIP URI or a SIP extension."
    assert results[2]["phoneNumber"] == {"id": registered["id"], "address": "+14155550102", "inboundWorkflowId": None}
    assert results[3]["message"] == "The number is registered under another configuration of this Twilio account."
    assert results[3]["phoneNumber"] is None
    # Another organization's number: nothing about it or its organization is told.
    assert results[4]["message"] == (
        "The number is already registered for this Twilio account. "
        "If the account is yours, verify this configuration's credentials and import it again."
    )
    assert results[4]["phoneNumber"] is None and results[4]["inAccount"] is None
    assert results[5]["inAccount"] is False  # not in the account's list: see NUMBER_NOT_IN_ACCOUNT
    assert results[6]["message"] == "The same number as row 0."
    assert results[6]["phoneNumber"] == results[0]["phoneNumber"]

    listed = await api.query("{ phoneNumbers(first: 100) { nodes { address } } }")
    assert {n["address"] for n in listed["phoneNumbers"]["nodes"]} == {
        "+14155550102", "+14155550104", "+1 415 555 0101", "(415) 555-0106"
    }
    warnings = await api.query(
        "query($id: ID!) { telephonyConfig(id: $id) { warnings { code phoneNumber { address } } } }", {"id": config["id"]}
    )
    assert {w["phoneNumber"]["address"] for w in warnings["telephonyConfig"]["warnings"] if w["code"] == "NUMBER_NOT_IN_ACCOUNT"} == {
        "(415) 555-0106"
    }


async def test_one_audit_event_per_created_number(api, fakes):
    account = make_account(fakes, "twilio")
    config = await configured(api, account)
    payload = await import_numbers(api, config["id"], ["+14155550101", "+14155550102", "nope!"])
    created = {r["phoneNumber"]["id"] for r in payload["results"] if r["status"] == "CREATED"}
    events = [e for e in (await api.query(AUDIT))["auditEvents"]["nodes"] if e["action"] == "importPhoneNumbers"]
    assert {e["targetId"] for e in events} == created and len(events) == 2
    assert events[0]["changes"]["address"]["new"] in ("+14155550101", "+14155550102")
    assert events[0]["changes"]["isActive"] == {"old": None, "new": True}


async def statements_of_import(api, sql, config_id: str, addresses: list[str], **extra) -> tuple[int, dict]:
    await api.query("{ __typename }")  # the API-key lookup is cached from here on
    before = sql.count
    payload = await import_numbers(api, config_id, addresses, **extra)
    return sql.count - before, payload


async def test_an_import_costs_a_fixed_number_of_statements_whatever_its_size(api, fakes, sql, is_postgres):
    account = make_account(fakes, "twilio")
    config = await configured(api, account)
    await create_number(api, config["id"], "+14155550000")
    await create_number(api, config["id"], "+14155551000")
    ten, small = await statements_of_import(api, sql, config["id"], [f"+1415555{n:04d}" for n in range(10)])
    statements = sql.statements[-ten:]
    many, large = await statements_of_import(api, sql, config["id"], [f"+1415555{n:04d}" for n in range(1000, 2000)])
    assert small["createdCount"] == 9 and large["createdCount"] == 999
    assert ten == many, sql.statements[-many:]
    # The configuration, the listing's facts (2), the keys verified configurations hold (this one's
    # credentials never verified), the insert, the look-up of the rows that did not insert, the
    # audit events; on PostgreSQL the live-update notices of the new numbers, one pg_notify for
    # all of them (db/changes.py).
    assert ten <= (8 if is_postgres else 7), statements


async def test_bound_numbers_are_attached_and_their_outcomes_stored_in_a_fixed_number_of_statements(synced_api, fakes, sql):
    account = make_account(fakes, "twilio")
    for n in range(30):
        account.add(f"+1415555{n:04d}")
    config = await configured(synced_api, account)
    workflow = await create_workflow(synced_api, "Reception")
    addresses = [f"+1415555{n:04d}" for n in range(30)] + ["+14155559999"]
    payload = await import_numbers(synced_api, config["id"], addresses, inboundWorkflowId=workflow)
    results = payload["results"]
    assert payload["createdCount"] == 31
    assert all(r["providerSync"]["ok"] for r in results[:30]), results[:3]
    assert results[0]["providerSync"]["action"] == "ATTACH"
    assert results[30]["providerSync"] == {
        "ok": False,
        "action": "ATTACH",
        "message": "+14155559999 is not in this Twilio account.",
    }
    assert account.fake.number(account.credentials["accountSid"], "+14155550007").voice_url.endswith("/telephony/twilio/inbound")
    stored = await synced_api.query(
        "query($id: ID!) { phoneNumber(id: $id) { inboundWorkflowId lastProviderSync { ok action } } }",
        {"id": results[7]["phoneNumber"]["id"]},
    )
    assert stored["phoneNumber"] == {"inboundWorkflowId": workflow, "lastProviderSync": {"ok": True, "action": "ATTACH"}}
    events = [e for e in (await synced_api.query(AUDIT))["auditEvents"]["nodes"] if e["action"] == "importPhoneNumbers"]
    assert len(events) == 31 and all(e["providerSync"] is not None for e in events)


async def test_attaches_that_do_not_fit_the_time_budget_are_not_attempted_and_say_so(synced_api, fakes):
    account = make_account(fakes, "twilio")
    for n in range(12):
        account.add(f"+1415555{n:04d}")
    config = await configured(synced_api, account)
    workflow = await create_workflow(synced_api, "Reception")
    account.fake.fail_next("hang", times=4, after=1)  # the listing answers; four attaches hang
    payload = await import_numbers(synced_api, config["id"], [f"+1415555{n:04d}" for n in range(12)], inboundWorkflowId=workflow)
    syncs = [r["providerSync"] for r in payload["results"]]
    assert payload["createdCount"] == 12
    assert all(sync["ok"] is False for sync in syncs)
    not_attempted = [s for s in syncs if s["message"].startswith("Not attached: the import's time for Twilio")]
    assert len(not_attempted) == 8, syncs
    assert not_attempted[0]["message"].endswith("ran out before this number's turn. Resync it to attach it.")


@pytest.mark.parametrize(
    ("extra", "code", "field"),
    [
        ({"addresses": ["+14155550101"] * 1001}, "INVALID", ["input", "addresses"]),
        ({"countryCode": "XX"}, "INVALID", ["input", "countryCode"]),
        ({"inboundWorkflowId": "V29ya2Zsb3c6OTk5OTk5"}, "NOT_FOUND", ["input", "inboundWorkflowId"]),
    ],
)
async def test_a_bad_batch_fails_whole_and_writes_nothing(api, fakes, extra, code, field):
    account = make_account(fakes, "twilio")
    config = await configured(api, account)
    given = {"addresses": ["+14155550101"]} | extra
    payload = await import_numbers(api, config["id"], given.pop("addresses"), **given)
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert payload["results"] == []
    assert (await api.query("{ phoneNumbers { totalCount } }"))["phoneNumbers"]["totalCount"] == 0


async def test_a_listing_that_fails_leaves_the_import_going_without_the_account_facts(api, fakes):
    account = make_account(fakes, "telnyx")
    config = await configured(api, account)
    account.fake.fail_next("status", status=503, times=3)
    payload = await import_numbers(api, config["id"], ["+14155550101"])
    assert payload["createdCount"] == 1 and payload["results"][0]["inAccount"] is None
    assert payload["accountListComplete"] is None
    assert payload["accountListMessage"] == (
        "Telnyx's number list could not be read, so whether the numbers are in the account is unknown: "
        "Telnyx had an error of its own (HTTP 503); try again later."
    )


async def test_an_incomplete_listing_is_read_before_anything_is_written_and_told(api, fakes):
    account = make_account(fakes, "plivo")
    for n in range(30):
        account.add(f"+1415555{n:04d}")
    config = await configured(api, account)
    account.fake.fail_next("status", status=429, times=3, after=1)
    payload = await import_numbers(api, config["id"], ["+14155550001", "+14155550025", "+14155559999"])
    assert [r["inAccount"] for r in payload["results"]] == [True, None, None]
    assert payload["accountListComplete"] is False
    assert payload["accountListMessage"] == (
        "The listing stopped after 20 numbers (1 page): Plivo is rate-limiting requests (HTTP 429); try again shortly. "
        "Numbers beyond the listing are not known to be in the account or not."
    )
    listing_requests = [r for r in account.fake.requests if r.path.endswith("/Number/")]
    assert len(listing_requests) == 4  # page 1, then page 2 three times
