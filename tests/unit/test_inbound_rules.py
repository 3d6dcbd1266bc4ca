"""The front door's pure rules: the decision, the cut-off, the agent URL (SPEC §5, §11, §12)."""

from datetime import UTC, datetime

import pytest
from switchboard.resolvers.rules.inbound import (
    InvalidAgentUrl,
    RejectReason,
    clean_agent_stream_url,
    decide,
    hour_of,
    in_progress_since,
    webhook_field_problem,
)

ACCEPTABLE = {
    "is_active": True,
    "workflow_id": 3,
    "agent_stream_url": "wss://agent.example.com/media",
    "max_concurrent_calls": None,
    "calls_in_progress": 0,
}


def test_an_active_bound_number_with_an_agent_and_room_is_accepted():
    assert decide(**ACCEPTABLE) is None
    assert decide(**{**ACCEPTABLE, "max_concurrent_calls": 2, "calls_in_progress": 1}) is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"is_active": False}, RejectReason.NUMBER_INACTIVE),
        ({"workflow_id": None}, RejectReason.NO_WORKFLOW),
        ({"agent_stream_url": None}, RejectReason.NO_AGENT_URL),
        ({"agent_stream_url": ""}, RejectReason.NO_AGENT_URL),
        ({"max_concurrent_calls": 2, "calls_in_progress": 2}, RejectReason.CONCURRENCY_LIMIT),
        ({"max_concurrent_calls": 1, "calls_in_progress": 5}, RejectReason.CONCURRENCY_LIMIT),
        # The first thing to fix is named: the number before its workflow before the limit.
        ({"is_active": False, "workflow_id": None, "max_concurrent_calls": 0}, RejectReason.NUMBER_INACTIVE),
        ({"workflow_id": None, "agent_stream_url": None}, RejectReason.NO_WORKFLOW),
        ({"agent_stream_url": None, "max_concurrent_calls": 1, "calls_in_progress": 1}, RejectReason.NO_AGENT_URL),
    ],
)
def test_each_reason_and_which_comes_first(changes, reason):
    assert decide(**{**ACCEPTABLE, **changes}) is reason


def test_the_cut_off_and_the_counter_hour():
    now = datetime(2026, 12, 6, 14, 37, 12, 5, tzinfo=UTC)
    assert in_progress_since(now, 4 * 3600) == datetime(2026, 12, 6, 10, 37, 12, 5, tzinfo=UTC)
    assert hour_of(now) == datetime(2026, 12, 6, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("wss://agent.example.com/media", "wss://agent.example.com/media"),
        ("  WSS://agent.example.com:8443/media?tenant=7  ", "WSS://agent.example.com:8443/media?tenant=7"),
        ("ws://localhost:8765/media", "ws://localhost:8765/media"),
        ("ws://127.0.0.1:8765", "ws://127.0.0.1:8765"),
        ("ws://[::1]:8765/m", "ws://[::1]:8765/m"),
    ],
)
def test_good_agent_urls_are_kept_trimmed(given, kept):
    assert clean_agent_stream_url(given) == kept


EMPTY = "The agent stream URL must not be empty; use clearAgentStreamUrl to remove it."
NOT_WSS = "The agent stream URL must be a wss:// URL with a host, such as wss://agent.example.com/stream."
WS_NOT_LOOPBACK = "The agent stream URL must use wss://; ws:// is allowed only for loopback hosts in development."
NOT_A_URL = "The agent stream URL is not a valid URL."
CREDENTIALS = "The agent stream URL must not carry a user name or password."
FRAGMENT = "The agent stream URL must not have a #fragment."
SPACES = "The agent stream URL must not contain spaces or control characters."
TOO_LONG = "The agent stream URL must be at most 2048 characters."


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", EMPTY),
        (" \t ", EMPTY),
        ("https://agent.example.com/media", NOT_WSS),
        ("agent.example.com/media", NOT_WSS),
        ("wss:///media", NOT_WSS),
        ("ws://agent.example.com/media", WS_NOT_LOOPBACK),
        ("ws://10.0.0.1/media", WS_NOT_LOOPBACK),
        ("ws://localhost.example.com/media", WS_NOT_LOOPBACK),
        ("wss://agent.example.com:99999/media", NOT_A_URL),
        ("wss://[::1/media", NOT_A_URL),
        ("wss://u:p@agent.example.com/media", CREDENTIALS),
        ("wss://u@agent.example.com/media", CREDENTIALS),
        ("wss://:p@agent.example.com/media", CREDENTIALS),
        ("wss://agent.example.com/media#frag", FRAGMENT),
        ("wss://agent.example.com/me dia", SPACES),
        ("wss://agent.example.com/\x7f", SPACES),
        ("wss://agent.example.com/a\x01b", SPACES),
        ("wss://agent.example.com/a\x00b", SPACES),
        ("wss://agent.example.com/a\x9bb", SPACES),
        ("wss://" + "a" * 2050, TOO_LONG),
        ("wss://agent.example.com/" + "a" * 2025, TOO_LONG),
    ],
)
def test_bad_agent_urls_are_refused_with_a_sentence(given, message):
    with pytest.raises(InvalidAgentUrl) as refused:
        clean_agent_stream_url(given)
    assert str(refused.value) == message


def test_an_agent_url_of_the_maximum_length_is_kept():
    url = "wss://agent.example.com/" + "a" * 2024
    assert len(url) == 2048
    assert clean_agent_stream_url(url) == url


def test_webhook_values_the_call_log_cannot_store_are_named():
    assert webhook_field_problem({"call id": "CA1", "account id": None, "called number": "+14155550100"}) is None
    assert webhook_field_problem({"call id": "CA\x001"}) == "its call id contains a NUL character"
    assert webhook_field_problem({"call id": "C" * 255}) is None
    assert webhook_field_problem({"calling number": "1" * 256}) == "its calling number is longer than 255 characters"


def test_a_webhook_value_after_an_absent_one_is_still_checked():
    assert webhook_field_problem({"account id": None, "call id": "CA\x001"}) == "its call id contains a NUL character"
