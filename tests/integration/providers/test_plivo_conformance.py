"""Switchboard's Plivo requests against the official SDK's (plivo 4.63): both drive the same fake,
and what it recorded must match call for call (method, path, query, JSON body, auth)."""

import plivo
import pytest
from requests_loopback import to_fake
from test_plivo import NUMBER, SECOND, PlivoAccount


@pytest.fixture
def account(fakes) -> PlivoAccount:
    return PlivoAccount(fakes["plivo"])


async def test_every_call_is_the_one_plivo_python_makes(synced_api, account):
    """NUMBER is on no application and SECOND on another one: between them, attach and detach make
    every call the plugin has (the account, a number read and updated, the application read and
    updated, a number linked back to its previous application)."""
    account.fake.add_number(account.auth_id, SECOND, account.other_app_id)
    await account.verify_bind_and_unbind(synced_api, (NUMBER, SECOND))
    ours = account.wire()

    def the_sdk() -> None:
        client = plivo.RestClient(account.auth_id, account.credentials["authToken"])
        to_fake(client.session, account.fake.url)
        digits, second_digits = NUMBER.lstrip("+"), SECOND.lstrip("+")
        client.account.get()
        # Attach NUMBER: the number, the application, its URLs, the link.
        client.numbers.get(digits)
        client.applications.get(account.app_id)
        # Only the fields Switchboard sets: the SDK's defaults for the others (message_method,
        # default_number_app=False, log_incoming_messages=True…) would reset the settings of an
        # application that other numbers share, so they are passed as None, which it leaves out.
        _, _, urls = account.set_answer_url()
        client.applications.update(
            account.app_id,
            **urls,
            fallback_method=None,
            message_method=None,
            default_number_app=None,
            default_endpoint_app=None,
            log_incoming_messages=None,
        )
        client.numbers.update(digits, app_id=account.app_id)
        # Attach SECOND: the application already points at Switchboard.
        client.numbers.get(second_digits)
        client.applications.get(account.app_id)
        client.numbers.update(second_digits, app_id=account.app_id)
        # Detach NUMBER: an empty app_id (the SDK has no other way to unlink), then the outcome.
        client.numbers.get(digits)
        client.numbers.update(digits, app_id="")
        client.numbers.get(digits)
        # Detach SECOND: linked back to the application it had.
        client.numbers.get(second_digits)
        client.numbers.update(second_digits, app_id=account.other_app_id)

    assert await account.sdk_wire(the_sdk) == ours
    assert len(ours) == 13
