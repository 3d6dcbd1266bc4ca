"""providerPhoneNumbers (SPEC §14) against every provider's fake: the list call as each SDK makes
it, the registered flag, paging and search; and the faults of a listing (pages that never end, a
page of 10,000 numbers, odd formats, 429s and a timeout on a later page): bounded, and partial
results that say so."""

import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from conftest import PROVIDER_TIMEOUT
from helpers import create_config, create_number, twilio_credentials
from switchboard.providers.base import MAX_ACCOUNT_NUMBERS
from test_ari import credentials as ari_credentials
from test_signalwire import signalwire_credentials
from test_telnyx import telnyx_credentials
from test_vonage import vonage_credentials

LIST = """
query($id: ID!, $first: Int, $after: String, $search: String) {
  providerPhoneNumbers(telephonyConfigId: $id, first: $first, after: $after, search: $search) {
    totalCount complete incompleteReason
    pageInfo { hasNextPage hasPreviousPage endCursor }
    nodes { address addressNormalized addressType registered phoneNumber { id } }
  }
}"""
WARNINGS = """
query($id: ID!) { telephonyConfig(id: $id) { warnings { code message phoneNumber { address } } } }"""


@dataclass
class Account:
    """A fresh account at one provider's fake: how to add numbers to it, and the list request
    its official SDK makes (path and query of the first page)."""

    provider: str
    credentials: dict
    fake: object
    add: Callable[[str], object]
    path: str
    query: dict = field(default_factory=dict)


def twilio_like(fake, provider: str, credentials: dict, sid: str, prefix: str) -> Account:
    fake.add_account(sid, credentials["authToken" if provider == "twilio" else "apiToken"])
    return Account(
        provider,
        credentials,
        fake,
        lambda e164: fake.add_number(sid, e164),
        f"{prefix}/Accounts/{sid}/IncomingPhoneNumbers.json",
        {"PageSize": ["1000"]},
    )


def make_account(fakes, provider: str) -> Account:
    fake = fakes.get(provider)
    if provider == "twilio":
        credentials = twilio_credentials()
        return twilio_like(fake, provider, credentials, credentials["accountSid"], "/2010-04-01")
    if provider == "signalwire":
        credentials = signalwire_credentials()
        return twilio_like(fake, provider, credentials, credentials["projectId"], "/api/laml/2010-04-01")
    if provider == "telnyx":
        credentials = telnyx_credentials()
        key = credentials["apiKey"]
        fake.add_account(key)
        query = {"page[number]": ["1"], "page[size]": ["250"]}
        return Account(provider, credentials, fake, lambda e164: fake.add_number(key, e164), "/v2/phone_numbers", query)
    if provider == "vonage":
        credentials = vonage_credentials()
        key = credentials["apiKey"]
        fake.add_account(key, credentials["apiSecret"])
        add = lambda e164: fake.add_number(key, e164.lstrip("+"))  # noqa: E731
        return Account(provider, credentials, fake, add, "/account/numbers", {"size": ["100"], "index": ["1"]})
    if provider in ("plivo", "vobiz"):
        auth_id = "MA" + secrets.token_hex(9).upper() if provider == "plivo" else "MA_" + secrets.token_hex(4).upper()
        credentials = {"authId": auth_id, "authToken": secrets.token_urlsafe(30), "applicationId": "2998631624430281"}
        fake.add_account(auth_id, credentials["authToken"])
        add = lambda e164: fake.add_number(auth_id, e164)  # noqa: E731
        if provider == "plivo":
            return Account(provider, credentials, fake, add, f"/v1/Account/{auth_id}/Number/", {"limit": ["20"], "offset": ["0"]})
        return Account(provider, credentials, fake, add, f"/api/v1/account/{auth_id}/numbers", {"page": ["1"], "per_page": ["100"]})
    if provider == "cloudonix":
        domain = f"t{secrets.token_hex(6)}.cloudonix.net"
        credentials = {"bearerToken": "XI" + secrets.token_hex(16), "domainId": domain, "applicationName": "agents"}
        fake.add_domain(domain, credentials["bearerToken"])
        fake.add_application(domain, "agents")
        fake.add_dnid(domain, "+1415555", "agents", prefix=True)  # a pattern, not a number: not listed
        add = lambda e164: fake.add_dnid(domain, e164, "agents")  # noqa: E731
        return Account(provider, credentials, fake, add, f"/customers/self/domains/{domain}/dnids")
    if provider == "exotel":
        sid = "acme" + secrets.token_hex(4)
        credentials = {"accountSid": sid, "apiKey": secrets.token_hex(8), "apiToken": secrets.token_hex(8), "subdomain": "api.in.exotel.com"}
        fake.add_account(sid, credentials["apiKey"], credentials["apiToken"])
        return Account(provider, credentials, fake, lambda e164: fake.add_number(sid, e164), f"/v2_beta/Accounts/{sid}/IncomingPhoneNumbers")
    raise AssertionError(provider)


LISTING_PROVIDERS = ("twilio", "signalwire", "telnyx", "vonage", "plivo", "vobiz", "cloudonix", "exotel")


async def configured(api, account: Account) -> dict:
    payload = await create_config(api, f"{account.provider} {uuid.uuid4().hex[:6]}", {account.provider: account.credentials})
    return payload["telephonyConfig"]


async def listing(api, config_id: str, **variables) -> dict:
    return (await api.query(LIST, {"id": config_id, **variables}))["providerPhoneNumbers"]


@pytest.mark.parametrize("provider", LISTING_PROVIDERS)
async def test_the_account_is_listed_as_the_sdk_lists_it_and_marked_registered(api, fakes, provider):
    account = make_account(fakes, provider)
    numbers = ["+14155550103", "+14155550101", "+14155550102"]
    for number in numbers:
        account.add(number)
    config = await configured(api, account)
    registered = (await create_number(api, config["id"], "+14155550102"))["phoneNumber"]
    found = await listing(api, config["id"])
    assert found["complete"] is True and found["incompleteReason"] is None
    assert found["totalCount"] == 3
    assert found["nodes"] == [
        {
            "address": number,
            "addressNormalized": number,
            "addressType": "PSTN",
            "registered": number == "+14155550102",
            "phoneNumber": {"id": registered["id"]} if number == "+14155550102" else None,
        }
        for number in sorted(numbers)
    ]
    (request,) = [r for r in account.fake.requests if r.path == account.path]
    assert request.method == "GET"
    assert request.query == account.query


async def test_a_provider_without_a_number_list_is_unsupported(api, fakes):
    config = (await create_config(api, "PBX", {"ari": ari_credentials()}))["telephonyConfig"]
    (error,) = await api.errors(LIST, {"id": config["id"]})
    assert error["extensions"] == {"code": "UNSUPPORTED", "reason": "UNSUPPORTED"}
    assert error["message"] == "Asterisk ARI offers no list of an account's numbers."


async def test_rejected_credentials_are_a_provider_error_naming_the_provider(api, fakes):
    account = make_account(fakes, "twilio")
    config = await configured(api, account)
    account.fake.accounts[account.credentials["accountSid"]].token = "0" * 32  # the token was changed at Twilio
    (error,) = await api.errors(LIST, {"id": config["id"]})
    assert error["extensions"] == {"code": "PROVIDER_ERROR", "reason": "REJECTED"}
    assert error["message"] == "Twilio rejected the credentials (HTTP 401)."
    assert error["path"] == ["providerPhoneNumbers"]


async def test_another_organizations_configuration_lists_nothing(api, other_api, fakes):
    account = make_account(fakes, "twilio")
    account.add("+14155550101")
    config = await configured(other_api, account)
    assert await listing(api, config["id"]) is None
    assert account.fake.requests == []


async def test_pages_follow_cursors_and_search_matches_text_or_digits(api, fakes):
    account = make_account(fakes, "telnyx")
    numbers = [f"+1415555{n:04d}" for n in range(120)] + ["+442071838750"]
    for number in numbers:
        account.add(number)
    config = await configured(api, account)
    seen, after = [], None
    while True:
        page = await listing(api, config["id"], first=50, after=after)
        assert page["totalCount"] == 121
        seen += [n["address"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(numbers)
    assert [n["address"] for n in (await listing(api, config["id"], search="20 7183"))["nodes"]] == ["+442071838750"]
    searched = await listing(api, config["id"], search="+1 415 555 011")
    assert searched["totalCount"] == 10
    (error,) = await api.errors(LIST, {"id": config["id"], "after": "bm90LWEtY3Vyc29y"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_one_request_lists_the_account_once(api, fakes):
    account = make_account(fakes, "twilio")
    account.add("+14155550101")
    config = await configured(api, account)
    both = await api.query(
        "query($id: ID!) { a: providerPhoneNumbers(telephonyConfigId: $id, first: 1) { totalCount } "
        "b: providerPhoneNumbers(telephonyConfigId: $id, search: \"0101\") { totalCount } }",
        {"id": config["id"]},
    )
    assert both == {"a": {"totalCount": 1}, "b": {"totalCount": 1}}
    assert len(account.fake.sent("GET", "IncomingPhoneNumbers")) == 1


# --- NUMBER_NOT_IN_ACCOUNT: a fact stored by the listing, read by the warnings


async def test_a_registered_number_the_account_lacks_is_warned_about_after_a_listing(api, fakes, sql):
    account = make_account(fakes, "vonage")
    account.add("+14155550101")
    config = await configured(api, account)
    await create_number(api, config["id"], "+14155550101")
    await create_number(api, config["id"], "+14155550109")
    await create_number(api, config["id"], "sip:desk@pbx.example.com")
    before = await api.query(WARNINGS, {"id": config["id"]})
    assert "NUMBER_NOT_IN_ACCOUNT" not in {w["code"] for w in before["telephonyConfig"]["warnings"]}
    await listing(api, config["id"])
    requests = len(account.fake.requests)
    after = await api.query(WARNINGS, {"id": config["id"]})
    missing = [w for w in after["telephonyConfig"]["warnings"] if w["code"] == "NUMBER_NOT_IN_ACCOUNT"]
    assert missing == [
        {
            "code": "NUMBER_NOT_IN_ACCOUNT",
            "message": f"+14155550109 in {config['name']} was not in the Vonage account's number list at the last check, so "
            "Vonage will not route its calls. Add it to the account, or check the configuration's credentials.",
            "phoneNumber": {"address": "+14155550109"},
        }
    ]
    assert len(account.fake.requests) == requests  # the warnings called no provider
    account.add("+14155550109")
    await listing(api, config["id"])
    cleared = await api.query(WARNINGS, {"id": config["id"]})
    assert "NUMBER_NOT_IN_ACCOUNT" not in {w["code"] for w in cleared["telephonyConfig"]["warnings"]}


async def test_an_incomplete_listing_does_not_call_the_unlisted_numbers_missing(api, fakes):
    account = make_account(fakes, "twilio")
    account.add("+14155550101")
    config = await configured(api, account)
    await create_number(api, config["id"], "+14155550109")
    account.fake.endless = "same"
    found = await listing(api, config["id"])
    assert found["complete"] is False
    warnings = await api.query(WARNINGS, {"id": config["id"]})
    assert "NUMBER_NOT_IN_ACCOUNT" not in {w["code"] for w in warnings["telephonyConfig"]["warnings"]}


# --- faults: bounded in time and size, partial results that say so


async def test_a_next_link_pointing_at_its_own_page_stops_the_listing(api, fakes):
    account = make_account(fakes, "twilio")
    for n in range(3):
        account.add(f"+1415555010{n}")
    account.fake.endless = "same"
    config = await configured(api, account)
    found = await listing(api, config["id"])
    assert [n["address"] for n in found["nodes"]] == ["+14155550100", "+14155550101", "+14155550102"]
    assert found["complete"] is False
    assert found["incompleteReason"] == (
        "Twilio answered page 2 with numbers it had listed already, so the listing stopped there after 3 numbers."
    )
    assert len(account.fake.sent("GET", "IncomingPhoneNumbers")) == 2


async def test_pages_that_never_end_stop_at_the_maximum(api, fakes):
    account = make_account(fakes, "twilio")
    account.fake.endless = "growing"
    config = await configured(api, account)
    found = await listing(api, config["id"], first=1)
    assert found["totalCount"] == MAX_ACCOUNT_NUMBERS and found["complete"] is False
    assert found["incompleteReason"] == "The account holds more than 10,000 numbers; only the first 10,000 are listed."
    assert len(account.fake.sent("GET", "IncomingPhoneNumbers")) == MAX_ACCOUNT_NUMBERS // 1000 + 1


async def test_a_page_of_ten_thousand_numbers_is_read_whole(api, fakes):
    account = make_account(fakes, "twilio")
    for n in range(MAX_ACCOUNT_NUMBERS):
        account.add(f"+1202555{n:04d}")
    account.fake.served_page_size = MAX_ACCOUNT_NUMBERS
    config = await configured(api, account)
    await create_number(api, config["id"], "+12025559999")
    started = time.monotonic()
    found = await listing(api, config["id"], search="2025559999")
    assert time.monotonic() - started < 5
    assert found["complete"] is True and found["totalCount"] == 1
    assert found["nodes"][0]["registered"] is True
    assert len(account.fake.sent("GET", "IncomingPhoneNumbers")) == 1


async def test_numbers_in_odd_formats_are_normalized_or_listed_as_given(api, fakes):
    account = make_account(fakes, "exotel")
    for odd in ("+91 80 3075 2400", "tel:+918030752401", "08030752402", "  +918030752403  ", ""):
        account.add(odd)
    config = await configured(api, account)
    await create_number(api, config["id"], "+918030752400")
    found = {n["address"]: n for n in (await listing(api, config["id"]))["nodes"]}
    assert found.keys() == {"+91 80 3075 2400", "+918030752403", "08030752402", "tel:+918030752401"}
    assert found["+91 80 3075 2400"]["addressNormalized"] == "+918030752400"
    assert found["+91 80 3075 2400"]["registered"] is True
    assert found["tel:+918030752401"]["addressNormalized"] == "+918030752401"
    assert found["08030752402"] == {
        "address": "08030752402",
        "addressNormalized": None,
        "addressType": None,
        "registered": False,
        "phoneNumber": None,
    }


async def test_429s_on_a_later_page_are_retried_then_reported_as_a_partial_listing(api, fakes):
    account = make_account(fakes, "vonage")
    for n in range(250):
        account.add(f"+1415555{n:04d}")
    config = await configured(api, account)
    account.fake.fail_next("status", status=429, retry_after="0", after=1)
    assert (await listing(api, config["id"]))["complete"] is True  # one 429: retried
    account.fake.fail_next("status", status=429, retry_after="0", times=3, after=1)
    found = await listing(api, config["id"])
    assert found["complete"] is False and found["totalCount"] == 100
    assert found["incompleteReason"] == (
        "The listing stopped after 100 numbers (1 page): Vonage is rate-limiting requests (HTTP 429); try again shortly."
    )


async def test_a_timeout_on_page_seven_ends_within_the_budget_with_what_was_read(api, fakes):
    account = make_account(fakes, "plivo")
    for n in range(150):
        account.add(f"+1415555{n:04d}")
    config = await configured(api, account)
    account.fake.fail_next("hang", after=6)
    started = time.monotonic()
    found = await listing(api, config["id"])
    assert time.monotonic() - started < PROVIDER_TIMEOUT + 1
    assert found["complete"] is False and found["totalCount"] == 120
    assert found["incompleteReason"] == f"The listing stopped after 120 numbers (6 pages): Plivo did not answer within {PROVIDER_TIMEOUT:g} s."
    offsets = [r.query["offset"] for r in account.fake.sent("GET", "/Number/")]
    assert offsets == [[str(20 * page)] for page in range(7)]
