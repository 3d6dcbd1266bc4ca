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


@pytest.mark.parametrize(
    "given",
    [
        "",
        "https://agent.example.com/media",
        "ws://agent.example.com/media",
        "ws://10.0.0.1/media",
        "wss:///media",
        "wss://agent.example.com:99999/media",
        "wss://u:p@agent.example.com/media",
        "wss://agent.example.com/media#frag",
        "wss://agent.example.com/me dia",
        "wss://agent.example.com/\x7f",
        "agent.example.com/media",
        "wss://" + "a" * 2050,
    ],
)
def test_bad_agent_urls_are_refused_with_a_sentence(given):
    with pytest.raises(InvalidAgentUrl) as refused:
        clean_agent_stream_url(given)
    assert str(refused.value).startswith("The agent stream URL")


def test_webhook_values_the_call_log_cannot_store_are_named():
    assert webhook_field_problem({"call id": "CA1", "account id": None, "called number": "+14155550100"}) is None
    assert webhook_field_problem({"call id": "CA\x001"}) == "its call id contains a NUL character"
    assert webhook_field_problem({"call id": "C" * 255}) is None
    assert webhook_field_problem({"calling number": "1" * 256}) == "its calling number is longer than 255 characters"
