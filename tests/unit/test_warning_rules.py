"""Table-driven tests for the warning and readiness rules (SPEC §3 readiness, §6 warnings).

The rules are plain functions from `ConfigFacts` to warnings; these tests pin down that each
code appears exactly when its condition holds, with the severity of the SPEC §6 table.
"""

import dataclasses
import random

import pytest
from switchboard.resolvers.rules.readiness import concurrency_capacity, outbound_blocked_reason
from switchboard.resolvers.rules.warnings import (
    SEVERITY,
    AgentlessWorkflow,
    ConfigFacts,
    FailedSync,
    FlaggedNumber,
    NumberRejections,
    Severity,
    Warning,
    WarningCode,
    config_warnings,
    most_severe_first,
    organization_warnings,
    public_base_url_usable,
)

C = WarningCode

# A configuration with nothing to warn about: two active numbers, an active default caller ID,
# no bound numbers, no cap, never verified, no webhook secret declared as missing.
CLEAN = ConfigFacts(
    config_id=7,
    name="Sales EU",
    provider_name="Twilio",
    needs_caller_ids=True,
    webhook_secret_label=None,
    active_numbers=2,
    has_default_caller_id=True,
    default_caller_id_active=True,
    bound_numbers=0,
    max_concurrent_calls=None,
    verification_status=None,
    verification_message=None,
)

# A provider that needs no caller ID (Asterisk ARI) with no numbers at all.
SIP_CLEAN = dataclasses.replace(
    CLEAN,
    provider_name="Asterisk ARI",
    needs_caller_ids=False,
    active_numbers=0,
    has_default_caller_id=False,
    default_caller_id_active=False,
)


def facts(base: ConfigFacts = CLEAN, **changes) -> ConfigFacts:
    return dataclasses.replace(base, **changes)


NO_DEFAULT = {"has_default_caller_id": False, "default_caller_id_active": False}
INACTIVE_DEFAULT = {"has_default_caller_id": True, "default_caller_id_active": False}

# (id, facts, public_base_url_ok, expected codes as a sorted list)
CASES = [
    # nothing to report
    ("clean", CLEAN, False, []),
    ("clean-with-public-url", CLEAN, True, []),
    ("sip-clean", SIP_CLEAN, False, []),
    ("verified", facts(verification_status="VERIFIED"), False, []),
    ("unsupported-verification", facts(verification_status="UNSUPPORTED"), False, []),
    # NO_ACTIVE_PHONE_NUMBERS: needs caller IDs and no active number
    ("no-active-numbers", facts(active_numbers=0, **NO_DEFAULT), False, [C.NO_ACTIVE_PHONE_NUMBERS]),
    ("no-active-numbers-sip-provider", facts(SIP_CLEAN, active_numbers=0), False, []),
    ("one-active-number", facts(active_numbers=1), False, []),
    # NO_DEFAULT_CALLER_ID: active numbers exist but none is the default
    ("no-default-caller-id", facts(**NO_DEFAULT), False, [C.NO_DEFAULT_CALLER_ID]),
    ("no-default-caller-id-sip-provider", facts(SIP_CLEAN, active_numbers=3), False, [C.NO_DEFAULT_CALLER_ID]),
    ("no-default-no-numbers-sip", facts(SIP_CLEAN, active_numbers=0), False, []),
    # DEFAULT_CALLER_ID_INACTIVE: the default exists and is inactive (and then no NO_DEFAULT_CALLER_ID)
    ("default-inactive", facts(**INACTIVE_DEFAULT), False, [C.DEFAULT_CALLER_ID_INACTIVE]),
    (
        "default-inactive-and-only-number",
        facts(active_numbers=0, **INACTIVE_DEFAULT),
        False,
        [C.DEFAULT_CALLER_ID_INACTIVE, C.NO_ACTIVE_PHONE_NUMBERS],
    ),
    ("default-inactive-sip", facts(SIP_CLEAN, **INACTIVE_DEFAULT), False, [C.DEFAULT_CALLER_ID_INACTIVE]),
    # MISSING_WEBHOOK_VERIFICATION_SECRET: the facts carry the label of the missing secret field
    (
        "missing-webhook-secret",
        facts(provider_name="Telnyx", webhook_secret_label="Webhook Public Key"),
        False,
        [C.MISSING_WEBHOOK_VERIFICATION_SECRET],
    ),
    # PUBLIC_BASE_URL_MISSING: bound numbers and no usable public base URL
    ("bound-without-public-url", facts(bound_numbers=1), False, [C.PUBLIC_BASE_URL_MISSING]),
    ("bound-with-public-url", facts(bound_numbers=3), True, []),
    ("unbound-without-public-url", facts(bound_numbers=0), False, []),
    ("bound-without-public-url-sip", facts(SIP_CLEAN, bound_numbers=1), False, [C.PUBLIC_BASE_URL_MISSING]),
    # CONCURRENCY_ABOVE_CALLER_IDS: cap strictly above the active count, providers with caller IDs
    ("cap-above-active", facts(max_concurrent_calls=3), False, [C.CONCURRENCY_ABOVE_CALLER_IDS]),
    ("cap-equal-to-active", facts(max_concurrent_calls=2), False, []),
    ("cap-below-active", facts(max_concurrent_calls=1), False, []),
    ("no-cap", facts(max_concurrent_calls=None), False, []),
    ("cap-sip-provider", facts(SIP_CLEAN, max_concurrent_calls=10), False, []),
    (
        "cap-and-no-active-numbers",
        facts(active_numbers=0, max_concurrent_calls=1, **NO_DEFAULT),
        False,
        [C.CONCURRENCY_ABOVE_CALLER_IDS, C.NO_ACTIVE_PHONE_NUMBERS],
    ),
    # CREDENTIALS_NOT_VERIFIED: last check REJECTED or UNREACHABLE
    ("rejected", facts(verification_status="REJECTED"), False, [C.CREDENTIALS_NOT_VERIFIED]),
    (
        "rejected-with-message",
        facts(verification_status="REJECTED", verification_message="HTTP 401 Authenticate"),
        False,
        [C.CREDENTIALS_NOT_VERIFIED],
    ),
    ("unreachable", facts(verification_status="UNREACHABLE"), False, [C.CREDENTIALS_NOT_VERIFIED]),
    # PROVIDER_SYNC_FAILED: one per failed number
    (
        "one-failed-sync",
        facts(failed_syncs=(FailedSync(11, "+14155550100", "HTTP 500 from Twilio."),)),
        False,
        [C.PROVIDER_SYNC_FAILED],
    ),
    (
        "two-failed-syncs",
        facts(failed_syncs=(FailedSync(11, "+14155550100", None), FailedSync(12, "+14155550101", "timeout"))),
        False,
        [C.PROVIDER_SYNC_FAILED, C.PROVIDER_SYNC_FAILED],
    ),
    # everything at once
    (
        "everything",
        facts(
            active_numbers=0,
            max_concurrent_calls=5,
            bound_numbers=2,
            webhook_secret_label="Signing Key",
            verification_status="UNREACHABLE",
            failed_syncs=(FailedSync(11, "+14155550100", "boom"),),
            **INACTIVE_DEFAULT,
        ),
        False,
        [
            C.CONCURRENCY_ABOVE_CALLER_IDS,
            C.CREDENTIALS_NOT_VERIFIED,
            C.DEFAULT_CALLER_ID_INACTIVE,
            C.MISSING_WEBHOOK_VERIFICATION_SECRET,
            C.NO_ACTIVE_PHONE_NUMBERS,
            C.PROVIDER_SYNC_FAILED,
            C.PUBLIC_BASE_URL_MISSING,
        ],
    ),
]


@pytest.mark.parametrize(("config", "url_ok", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_code_appears_exactly_when_its_condition_holds(config, url_ok, expected):
    found = config_warnings(config, public_base_url_ok=url_ok)
    assert sorted(w.code for w in found) == sorted(expected)
    for warning in found:
        assert warning.config_id == config.config_id


@pytest.mark.parametrize(("config", "url_ok", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_messages_name_the_configuration(config, url_ok, expected):
    for warning in config_warnings(config, public_base_url_ok=url_ok):
        message = warning.message
        assert config.name in message, f"{warning.code}: message does not name the configuration: {message!r}"


@pytest.mark.parametrize(("config", "url_ok", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_messages_read_as_sentences_a_dashboard_can_show(config, url_ok, expected):
    for warning in config_warnings(config, public_base_url_ok=url_ok):
        message = warning.message
        assert message[0].isupper(), message
        assert message.endswith("."), message
        assert ".." not in message and ". ." not in message, message
        assert "None" not in message and "{" not in message, message
        assert "  " not in message and "\n" not in message, message


@pytest.mark.parametrize(
    ("code", "severity"),
    [
        (C.NO_DEFAULT_OUTBOUND_CONFIG, Severity.WARNING),
        (C.NO_ACTIVE_PHONE_NUMBERS, Severity.WARNING),
        (C.NO_DEFAULT_CALLER_ID, Severity.INFO),
        (C.DEFAULT_CALLER_ID_INACTIVE, Severity.WARNING),
        (C.MISSING_WEBHOOK_VERIFICATION_SECRET, Severity.WARNING),
        (C.PROVIDER_SYNC_FAILED, Severity.ERROR),
        (C.CREDENTIALS_NOT_VERIFIED, Severity.ERROR),
        (C.PUBLIC_BASE_URL_MISSING, Severity.WARNING),
        (C.CONCURRENCY_ABOVE_CALLER_IDS, Severity.INFO),
        (C.INBOUND_CALLS_REJECTED, Severity.WARNING),
        (C.WORKFLOW_WITHOUT_AGENT_URL, Severity.WARNING),
    ],
)
def test_severities_follow_the_spec_table(code, severity):
    assert SEVERITY[code] is severity
    assert Warning(code, "x").severity is severity


def test_every_code_has_a_severity_and_the_codes_match_the_contract():
    assert set(SEVERITY) == set(WarningCode)
    assert [c.value for c in WarningCode] == [
        "NO_DEFAULT_OUTBOUND_CONFIG",
        "NO_ACTIVE_PHONE_NUMBERS",
        "NO_DEFAULT_CALLER_ID",
        "DEFAULT_CALLER_ID_INACTIVE",
        "MISSING_WEBHOOK_VERIFICATION_SECRET",
        "PROVIDER_SYNC_FAILED",
        "CREDENTIALS_NOT_VERIFIED",
        "PUBLIC_BASE_URL_MISSING",
        "CONCURRENCY_ABOVE_CALLER_IDS",
        # Added by SPEC §6 after the contract: additions to an enum are not breaking.
        "INBOUND_CALLS_REJECTED",
        "WORKFLOW_WITHOUT_AGENT_URL",
        "NUMBER_NOT_IN_ACCOUNT",
    ]
    assert [s.name for s in Severity] == ["INFO", "WARNING", "ERROR"]


def test_failed_syncs_give_one_warning_per_number_with_its_id_address_and_message():
    config = facts(
        failed_syncs=(
            FailedSync(11, "+14155550100", "Twilio answered HTTP 500"),
            FailedSync(12, "sip:alice@pbx.example.com", None),
        )
    )
    found = [w for w in config_warnings(config, public_base_url_ok=True) if w.code is C.PROVIDER_SYNC_FAILED]
    assert [w.number_id for w in found] == [11, 12]
    assert "+14155550100" in found[0].message and "Twilio answered HTTP 500" in found[0].message
    assert "sip:alice@pbx.example.com" in found[1].message
    assert all(w.severity is Severity.ERROR and w.config_id == 7 for w in found)


def test_numbers_the_account_lacks_give_one_warning_each():
    config = facts(not_in_account=(FlaggedNumber(11, "+14155550100"), FlaggedNumber(12, "+14155550101")))
    found = [w for w in config_warnings(config, public_base_url_ok=True) if w.code is C.NUMBER_NOT_IN_ACCOUNT]
    assert [w.number_id for w in found] == [11, 12]
    assert found[0].message.startswith("+14155550100 in ")
    assert "was not in the Twilio account's number list at the last check" in found[0].message
    assert all(w.severity is Severity.WARNING and w.config_id == 7 for w in found)


@pytest.mark.parametrize("detail", ["timeout", "Twilio answered HTTP 500"])
def test_sync_failure_detail_ends_before_the_next_sentence(detail):
    """A provider detail without a final period must not run into "Resync the number."."""
    config = facts(failed_syncs=(FailedSync(11, "+14155550100", detail),))
    (warning,) = config_warnings(config, public_base_url_ok=True)
    assert detail in warning.message
    assert f"{detail} Resync" not in warning.message, warning.message


def test_other_warnings_have_no_phone_number():
    config = facts(active_numbers=0, max_concurrent_calls=4, bound_numbers=1, webhook_secret_label="Signing Key")
    found = config_warnings(config, public_base_url_ok=False)
    assert found and all(w.number_id is None for w in found)


def test_credential_messages_say_rejected_or_unreachable_and_carry_the_provider_detail():
    rejected = config_warnings(facts(verification_status="REJECTED", verification_message="HTTP 401"), public_base_url_ok=True)
    unreachable = config_warnings(facts(verification_status="UNREACHABLE"), public_base_url_ok=True)
    assert "rejected" in rejected[0].message and "HTTP 401" in rejected[0].message
    assert "Twilio" in rejected[0].message
    assert "could not be reached" in unreachable[0].message
    assert rejected[0].message != unreachable[0].message


def test_missing_secret_message_names_the_field():
    found = config_warnings(facts(provider_name="Vonage", webhook_secret_label="Signature Secret"), public_base_url_ok=True)
    assert "Signature Secret" in found[0].message and "Vonage" in found[0].message


def test_concurrency_message_gives_both_numbers():
    found = config_warnings(facts(max_concurrent_calls=9, active_numbers=2), public_base_url_ok=True)
    assert "9" in found[0].message and "2" in found[0].message and "maxConcurrentCalls" in found[0].message


def test_public_base_url_message_names_the_setting():
    found = config_warnings(facts(bound_numbers=1), public_base_url_ok=False)
    assert "SWITCHBOARD_PUBLIC_BASE_URL" in found[0].message and "https" in found[0].message


# ---------------------------------------------------------------- organization-level


@pytest.mark.parametrize(
    ("config_count", "has_default", "expected"),
    [
        (0, False, []),
        (1, False, [C.NO_DEFAULT_OUTBOUND_CONFIG]),
        (5, False, [C.NO_DEFAULT_OUTBOUND_CONFIG]),
        (1, True, []),
        (5, True, []),
    ],
)
def test_no_default_outbound_config(config_count, has_default, expected):
    found = organization_warnings(config_count=config_count, has_default_outbound=has_default)
    assert [w.code for w in found] == expected
    for warning in found:
        assert warning.severity is Severity.WARNING
        assert warning.config_id is None and warning.number_id is None
        assert warning.message[0].isupper() and warning.message.endswith(".")
        assert "default" in warning.message and "outbound" in warning.message


# ---------------------------------------------------------------- ordering

MOST_SEVERE_FIRST = [
    C.PROVIDER_SYNC_FAILED,
    C.CREDENTIALS_NOT_VERIFIED,
    C.NO_DEFAULT_OUTBOUND_CONFIG,
    C.NO_ACTIVE_PHONE_NUMBERS,
    C.DEFAULT_CALLER_ID_INACTIVE,
    C.MISSING_WEBHOOK_VERIFICATION_SECRET,
    C.PUBLIC_BASE_URL_MISSING,
    C.INBOUND_CALLS_REJECTED,
    C.WORKFLOW_WITHOUT_AGENT_URL,
    C.NUMBER_NOT_IN_ACCOUNT,
    C.NO_DEFAULT_CALLER_ID,
    C.CONCURRENCY_ABOVE_CALLER_IDS,
]


@pytest.mark.parametrize("seed", range(5))
def test_most_severe_first_orders_by_severity_then_enum_order(seed):
    warnings = [Warning(code, code.value) for code in WarningCode]
    random.Random(seed).shuffle(warnings)
    before = list(warnings)
    ordered = most_severe_first(warnings)
    assert [w.code for w in ordered] == MOST_SEVERE_FIRST
    assert warnings == before, "most_severe_first must not sort its argument in place"
    severities = [w.severity for w in ordered]
    assert severities == sorted(severities, reverse=True)


def test_most_severe_first_keeps_the_input_order_of_equal_codes():
    warnings = [
        Warning(C.NO_DEFAULT_CALLER_ID, "a", config_id=3),
        Warning(C.PROVIDER_SYNC_FAILED, "b", config_id=3, number_id=30),
        Warning(C.NO_DEFAULT_CALLER_ID, "c", config_id=1),
        Warning(C.PROVIDER_SYNC_FAILED, "d", config_id=1, number_id=10),
        Warning(C.NO_ACTIVE_PHONE_NUMBERS, "e", config_id=2),
    ]
    assert [w.message for w in most_severe_first(warnings)] == ["b", "d", "e", "a", "c"]


def test_most_severe_first_of_nothing():
    assert most_severe_first([]) == []


# ---------------------------------------------------------------- public base URL


@pytest.mark.parametrize(
    ("url", "usable"),
    [
        (None, False),
        ("", False),
        ("http://sb.example.com", False),
        ("http://127.0.0.1:8000", False),
        ("ftp://sb.example.com", False),
        ("sb.example.com", False),
        ("https://sb.example.com", True),
        ("https://sb.example.com/base", True),
        ("HTTPS://SB.EXAMPLE.COM", True),
    ],
)
def test_public_base_url_usable(url, usable):
    assert public_base_url_usable(url) is usable


# ---------------------------------------------------------------- readiness (SPEC §3)


@pytest.mark.parametrize(
    ("needs_caller_ids", "active", "cap", "capacity"),
    [
        # providers that call from owned numbers: active numbers, capped
        (True, 0, None, 0),
        (True, 3, None, 3),
        (True, 3, 2, 2),
        (True, 3, 3, 3),
        (True, 2, 10, 2),
        (True, 0, 5, 0),
        # providers without caller IDs: the cap, or the active count without one
        (False, 0, None, 0),
        (False, 4, None, 4),
        (False, 0, 30, 30),
        (False, 4, 2, 2),
        (False, 4, 30, 30),
    ],
)
def test_concurrency_capacity(needs_caller_ids, active, cap, capacity):
    assert concurrency_capacity(needs_caller_ids=needs_caller_ids, active_numbers=active, max_concurrent_calls=cap) == capacity


def blocked(*, needs_caller_ids=True, active=1, status=None, provider="Twilio"):
    return outbound_blocked_reason(
        provider_name=provider, needs_caller_ids=needs_caller_ids, active_numbers=active, verification_status=status
    )


@pytest.mark.parametrize(
    ("needs_caller_ids", "active", "status", "is_blocked"),
    [
        (True, 1, None, False),
        (True, 1, "VERIFIED", False),
        (True, 1, "UNSUPPORTED", False),
        (True, 1, "UNREACHABLE", False),
        (True, 1, "REJECTED", True),
        (True, 0, None, True),
        (True, 0, "VERIFIED", True),
        (True, 0, "UNREACHABLE", True),
        (False, 0, None, False),
        (False, 0, "UNREACHABLE", False),
        (False, 0, "VERIFIED", False),
        (False, 0, "REJECTED", True),
        (False, 3, "REJECTED", True),
    ],
)
def test_outbound_blocked_reason(needs_caller_ids, active, status, is_blocked):
    reason = blocked(needs_caller_ids=needs_caller_ids, active=active, status=status)
    assert (reason is not None) is is_blocked
    if reason is not None:
        assert reason[0].isupper() and reason.endswith("."), reason
        assert reason.count(". ") == 0, f"one sentence: {reason!r}"
        assert "Twilio" in reason


def test_rejected_is_the_reason_even_without_active_numbers():
    reason = blocked(active=0, status="REJECTED")
    assert "rejected" in reason and "credentials" in reason


def test_no_active_number_reason_says_what_to_do():
    reason = blocked(active=0)
    assert "active" in reason and "number" in reason
    assert reason != blocked(active=1, status="REJECTED")


def test_rejected_calls_give_one_warning_per_number_naming_the_most_frequent_reason_and_the_count():
    config = facts(
        rejections=(
            NumberRejections(11, "+14155550100", (("CONCURRENCY_LIMIT", 2), ("SIGNATURE_INVALID", 5))),
            NumberRejections(12, "+14155550101", (("NO_AGENT_URL", 1),)),
        )
    )
    found = [w for w in config_warnings(config, public_base_url_ok=True) if w.code is C.INBOUND_CALLS_REJECTED]
    assert [(w.number_id, w.config_id, w.severity) for w in found] == [(11, 7, Severity.WARNING), (12, 7, Severity.WARNING)]
    assert found[0].message == (
        "+14155550100 in Sales EU rejected 7 inbound calls in the last 24 hours, most often because the webhook "
        "signature did not verify (5). Check that the configuration's credentials are the account's current ones."
    )
    assert found[1].message.startswith("+14155550101 in Sales EU rejected 1 inbound call in the last 24 hours")
    assert "agent stream URL (1). Set the workflow's agentStreamUrl." in found[1].message


def test_a_tie_between_reasons_names_the_one_closest_to_the_number():
    tied = NumberRejections(1, "+1", (("CONCURRENCY_LIMIT", 3), ("NUMBER_INACTIVE", 3)))
    assert tied.most_frequent == ("NUMBER_INACTIVE", 3)


def test_no_rejections_no_warning():
    assert C.INBOUND_CALLS_REJECTED not in {w.code for w in config_warnings(CLEAN, public_base_url_ok=True)}


def test_each_agentless_workflow_gets_a_warning_with_its_number_count():
    config = facts(agentless_workflows=(AgentlessWorkflow(3, "Reception", 1), AgentlessWorkflow(4, "Sales", 4)))
    found = [w for w in config_warnings(config, public_base_url_ok=True) if w.code is C.WORKFLOW_WITHOUT_AGENT_URL]
    assert [w.message for w in found] == [
        "1 active number of Sales EU is bound to the workflow 'Reception', which has no agent stream URL, so their "
        "calls are rejected. Set its agentStreamUrl.",
        "4 active numbers of Sales EU are bound to the workflow 'Sales', which has no agent stream URL, so their "
        "calls are rejected. Set its agentStreamUrl.",
    ]
    assert all(w.severity is Severity.WARNING and w.config_id == 7 for w in found)


# ---------------------------------------------------------------- the exact messages (SPEC §6: part of the contract)

MESSAGES = [
    (
        "rejected-with-detail",
        facts(verification_status="REJECTED", verification_message="HTTP 401 Authenticate."),
        "Twilio rejected the credentials of Sales EU (HTTP 401 Authenticate). Update them and verify again.",
    ),
    (
        "rejected",
        facts(verification_status="REJECTED"),
        "Twilio rejected the credentials of Sales EU. Update them and verify again.",
    ),
    (
        "unreachable-with-detail",
        facts(verification_status="UNREACHABLE", verification_message="timed out"),
        "Twilio could not be reached to check the credentials of Sales EU (timed out). Verify again.",
    ),
    (
        "unreachable",
        facts(verification_status="UNREACHABLE"),
        "Twilio could not be reached to check the credentials of Sales EU. Verify again.",
    ),
    (
        "sync-failed-with-detail",
        facts(failed_syncs=(FailedSync(11, "+14155550100", "HTTP 500."),)),
        "The inbound webhook of +14155550100 in Sales EU could not be updated at Twilio: HTTP 500. Resync the number.",
    ),
    (
        "sync-failed",
        facts(failed_syncs=(FailedSync(11, "+14155550100", None),)),
        "The inbound webhook of +14155550100 in Sales EU could not be updated at Twilio. Resync the number.",
    ),
    (
        "no-active-numbers",
        facts(active_numbers=0, **NO_DEFAULT),
        "Sales EU has no active phone number, so it cannot place outbound calls. Add one.",
    ),
    (
        "default-inactive",
        facts(**INACTIVE_DEFAULT),
        "The default caller ID of Sales EU is inactive. Activate it or choose another default.",
    ),
    ("no-default", facts(**NO_DEFAULT), "Sales EU has active numbers but no default caller ID. Choose one."),
    (
        "missing-secret",
        facts(webhook_secret_label="Auth Token"),
        "Sales EU has no Twilio Auth Token, so inbound webhooks cannot be verified. Add it.",
    ),
    (
        "public-base-url",
        facts(bound_numbers=1),
        "Sales EU has numbers bound to workflows but SWITCHBOARD_PUBLIC_BASE_URL is not set to an https URL, "
        "so inbound webhooks cannot be synced. Set it.",
    ),
    (
        "concurrency-above-ids",
        facts(max_concurrent_calls=3),
        "Sales EU allows 3 concurrent calls but has only 2 active caller IDs. Add numbers or lower maxConcurrentCalls.",
    ),
    (
        "concurrency-above-one-id",
        facts(active_numbers=1, max_concurrent_calls=2),
        "Sales EU allows 2 concurrent calls but has only 1 active caller ID. Add numbers or lower maxConcurrentCalls.",
    ),
    (
        "not-in-account",
        facts(not_in_account=(FlaggedNumber(11, "+14155550100"),)),
        "+14155550100 in Sales EU was not in the Twilio account's number list at the last check, so Twilio will not "
        "route its calls. Add it to the account, or check the configuration's credentials.",
    ),
]


@pytest.mark.parametrize(("config", "message"), [m[1:] for m in MESSAGES], ids=[m[0] for m in MESSAGES])
def test_each_warning_says_exactly_what_is_wrong_and_what_to_do(config, message):
    assert [w.message for w in config_warnings(config, public_base_url_ok=False)] == [message]


def test_the_organization_warning_says_exactly_what_to_do():
    (warning,) = organization_warnings(config_count=1, has_default_outbound=False)
    assert warning.message == "No telephony configuration is the default for outbound calls. Choose one."


@pytest.mark.parametrize(("active_numbers", "warned"), [(0, False), (1, True), (2, True)])
def test_one_active_number_without_a_default_caller_id_is_enough_to_warn(active_numbers, warned):
    config = facts(SIP_CLEAN, active_numbers=active_numbers)
    assert (C.NO_DEFAULT_CALLER_ID in {w.code for w in config_warnings(config, public_base_url_ok=True)}) is warned


def test_a_rejection_reason_without_advice_is_named_as_recorded():
    config = facts(rejections=(NumberRejections(11, "+14155550100", (("CARRIER_BLOCKED", 2),)),))
    (warning,) = config_warnings(config, public_base_url_ok=True)
    assert warning.message == (
        "+14155550100 in Sales EU rejected 2 inbound calls in the last 24 hours, most often (CARRIER_BLOCKED) (2)."
    )


@pytest.mark.parametrize(
    "counts",
    [(("CARRIER_BLOCKED", 3), ("SIGNATURE_SECRET_MISSING", 3)), (("SIGNATURE_SECRET_MISSING", 3), ("CARRIER_BLOCKED", 3))],
)
def test_a_tie_prefers_a_reason_with_advice_over_an_unknown_one(counts):
    assert NumberRejections(1, "+1", counts).most_frequent == ("SIGNATURE_SECRET_MISSING", 3)


def test_the_most_frequent_reason_wins_over_an_earlier_one():
    rejections = NumberRejections(1, "+1", (("NUMBER_INACTIVE", 1), ("SIGNATURE_SECRET_MISSING", 2), ("CARRIER_BLOCKED", 4)))
    assert rejections.most_frequent == ("CARRIER_BLOCKED", 4)
    assert rejections.total == 7


@pytest.mark.parametrize(
    ("detail", "shown"),
    [("Unknown key SKX.", "Unknown key SKX"), ("Unknown key SKX", "Unknown key SKX"), ("Wait...", "Wait")],
)
def test_only_the_final_periods_of_a_provider_detail_are_dropped(detail, shown):
    rejected = config_warnings(facts(verification_status="REJECTED", verification_message=detail), public_base_url_ok=True)
    failed = config_warnings(facts(failed_syncs=(FailedSync(11, "+14155550100", detail),)), public_base_url_ok=True)
    assert rejected[0].message == f"Twilio rejected the credentials of Sales EU ({shown}). Update them and verify again."
    assert failed[0].message == (
        f"The inbound webhook of +14155550100 in Sales EU could not be updated at Twilio: {shown}. Resync the number."
    )
