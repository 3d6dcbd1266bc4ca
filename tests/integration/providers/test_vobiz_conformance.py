"""Switchboard's Vobiz requests against the official SDK's (vobiz-python 0.1.1): both drive the same
fake, and what it recorded must match call for call (method, path, query, JSON body, auth headers)."""

from urllib.parse import quote

import pytest
import vobiz
from requests_loopback import to_fake
from test_plivo import NUMBER, SECOND
from test_vobiz import VobizAccount

TRUNK = "e3e55a78-1234-5678-90ab-cdef12345678"


@pytest.fixture
def account(fakes) -> VobizAccount:
    return VobizAccount(fakes["vobiz"])


async def test_every_call_is_the_one_vobiz_python_makes(synced_api, account):
    """NUMBER is on a SIP trunk and SECOND on another application: between them, attach and detach
    make every call the plugin has."""
    account.fake.accounts[account.auth_id].trunks.add(TRUNK)
    account.number().trunk_group_id = TRUNK
    account.fake.add_number(account.auth_id, SECOND, account.other_app_id)
    await account.verify_bind_and_unbind(synced_api, (NUMBER, SECOND))
    ours = account.wire()

    def the_sdk() -> None:
        client = vobiz.RestClient(account.auth_id, account.credentials["authToken"])
        to_fake(client.session, account.fake.url)
        # The SDK pastes a number into its paths as given; Vobiz's documentation asks for %2B.
        number, second_number = quote(NUMBER), quote(SECOND)
        client.accounts.get_balance(account.auth_id, "INR")
        # Attach NUMBER: found in the list, the application and its URLs, off the trunk, linked.
        client.phone_numbers.list(page=1, per_page=100, search=NUMBER)
        client.applications.get(account.app_id)
        _, _, urls = account.set_answer_url()
        client.applications.update(account.app_id, **urls)
        client.phone_numbers.unassign_from_trunk(number)
        client.applications.attach_number(number, account.app_id)
        # Attach SECOND: the application already points at Switchboard.
        client.phone_numbers.list(page=1, per_page=100, search=SECOND)
        client.applications.get(account.app_id)
        client.applications.attach_number(second_number, account.app_id)
        # Detach NUMBER: back on its trunk, off the application.
        client.phone_numbers.list(page=1, per_page=100, search=NUMBER)
        client.phone_numbers.assign_to_trunk(number, TRUNK)
        client.applications.detach_number(number)
        # Detach SECOND: linked back to the application it had.
        client.phone_numbers.list(page=1, per_page=100, search=SECOND)
        client.applications.attach_number(second_number, account.other_app_id)

    assert await account.sdk_wire(the_sdk) == ours
    assert len(ours) == 14
