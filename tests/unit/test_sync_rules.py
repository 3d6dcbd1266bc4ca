"""When a number's inbound binding is pushed to the provider, and the inbound URL it is pushed with
(SPEC §4 "Provider sync", §11)."""

import pytest
from switchboard.resolvers.rules.sync import SyncAction, inbound_token_purpose, inbound_url, resync_action, routed, sync_action


@pytest.mark.parametrize(
    ("is_active", "workflow_id", "expected"),
    [(True, 3, True), (True, 0, True), (True, None, False), (False, 3, False), (False, None, False)],
)
def test_a_number_is_routed_when_it_is_active_and_bound_to_a_workflow(is_active, workflow_id, expected):
    assert routed(is_active=is_active, workflow_id=workflow_id) is expected


@pytest.mark.parametrize(
    ("was_routed", "is_routed", "action"),
    [
        (False, True, SyncAction.ATTACH),  # bound, or activated while bound
        (True, False, SyncAction.DETACH),  # unbound, deactivated or deleted
        (True, True, None),  # re-bound to another workflow, or a label edit
        (False, False, None),  # an edit of a number that stays unrouted
    ],
)
def test_only_a_change_of_routing_needs_a_provider_call(was_routed, is_routed, action):
    assert sync_action(was_routed=was_routed, is_routed=is_routed) is action


@pytest.mark.parametrize(("is_routed", "action"), [(True, SyncAction.ATTACH), (False, SyncAction.DETACH)])
def test_a_resync_pushes_the_binding_the_number_has_now(is_routed, action):
    assert resync_action(is_routed=is_routed) is action


def test_the_actions_are_the_contract_s_enum_values():
    assert [action.value for action in SyncAction] == ["ATTACH", "DETACH", "MANUAL_STEP"]


@pytest.mark.parametrize(
    ("account_id", "token", "url"),
    [
        (None, None, "https://sb.example.com/telephony/twilio/inbound"),
        ("", "", "https://sb.example.com/telephony/twilio/inbound"),
        ("AC123", None, "https://sb.example.com/telephony/twilio/inbound?account=AC123"),
        (None, "t0k", "https://sb.example.com/telephony/twilio/inbound?token=t0k"),
        ("AC123", "t0k", "https://sb.example.com/telephony/twilio/inbound?account=AC123&token=t0k"),
        # Values are query-encoded, so an account id cannot add or change a parameter.
        ("a b&token=x", "t/k+=", "https://sb.example.com/telephony/twilio/inbound?account=a+b%26token%3Dx&token=t%2Fk%2B%3D"),
    ],
)
def test_the_inbound_url_carries_the_account_and_token_only_when_given(account_id, token, url):
    assert inbound_url("https://sb.example.com", "twilio", account_id=account_id, token=token) == url


def test_the_inbound_url_without_keywords_has_no_query():
    assert inbound_url("https://sb.example.com/base", "telnyx") == "https://sb.example.com/base/telephony/telnyx/inbound"


def test_the_inbound_token_purpose_names_the_configuration():
    """The token in URLs already set at providers is derived for this text: changing it would
    refuse every call to them until each number is resynced."""
    assert inbound_token_purpose(7) == "inbound-token:7"
    assert inbound_token_purpose(7) != inbound_token_purpose(70)
