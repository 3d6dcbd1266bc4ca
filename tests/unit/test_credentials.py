"""Credential validation, merging and masking (switchboard.providers.credentials)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from switchboard.providers.base import CredentialField, FieldType, ProviderPlugin
from switchboard.providers.credentials import (
    MASK,
    FieldProblem,
    mask_secret,
    merge_update,
    public_credentials,
    validate_new,
)
from switchboard.providers.twilio import TwilioProvider

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "s3cr3t-token-value-0042"
OTHER_TOKEN = "another-token-value-9999"


class DemoProvider(ProviderPlugin):
    key = "demo"
    display_name = "Demo"
    supports_inbound_sync = True
    needs_caller_ids = True
    webhook_secret_field = "signingKey"
    fields = (
        TwilioProvider.fields[0],  # accountSid: AC + 32 hex
        CredentialField(
            name="authToken",
            label="Auth Token",
            type=FieldType.SECRET,
            secret=True,
            pattern=r"^[a-z0-9\-]+$",
            pattern_hint="must contain lower-case letters, digits and '-' only",
        ),
        CredentialField(
            name="region",
            label="Region",
            type=FieldType.SELECT,
            required=False,
            default="us1",
            options=(("us1", "United States"), ("ie1", "Ireland")),
        ),
        CredentialField(name="signingKey", label="Signing Key", required=False, secret=True),
        CredentialField(name="note", label="Note", required=False),
    )

    def account_id(self, credentials: Mapping[str, str]) -> str:
        return credentials["accountSid"]


@pytest.fixture
def plugin() -> DemoProvider:
    return DemoProvider()


def stored_demo(plugin: DemoProvider, **extra: str) -> dict[str, str]:
    clean, problems = validate_new(plugin, {"accountSid": SID, "authToken": TOKEN, **extra})
    assert problems == []
    return clean


def fields_of(problems: list[FieldProblem]) -> list[str]:
    return [p.field for p in problems]


# ---------------------------------------------------------------- masking


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("", "****"),
        ("abc", "****"),
        ("a" * 10 + "yz", "****" + "aayz"),  # 12 characters: last 4 revealed
        ("abcdefghijk", "****"),  # 11 characters: nothing revealed
        ("abcdefghijkl", "****ijkl"),
        ("x" * 80 + "1234", "****1234"),
    ],
)
def test_mask_secret(value: str, masked: str) -> None:
    assert mask_secret(value) == masked
    assert MASK == "****"


PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj==\n-----END PRIVATE KEY-----\n"


def test_a_pem_key_masks_to_the_end_of_its_body_not_its_armor() -> None:
    """A Vonage private key masked as ****---- (issue 23): the dashes said nothing."""
    assert mask_secret(PEM) == "****Kj=="
    assert mask_secret(PEM.replace("\n", "\r\n")) == "****Kj=="


def test_a_multi_line_value_without_content_reveals_nothing() -> None:
    assert mask_secret("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----") == MASK
    assert mask_secret("first line is long\nab") == MASK


@pytest.mark.parametrize(
    ("last_line", "masked"),
    [("abc", MASK), ("abcd", "****abcd"), ("abcde", "****bcde")],
)
def test_a_multi_line_value_reveals_its_last_line_only_when_it_has_4_characters(last_line: str, masked: str) -> None:
    assert mask_secret(f"first line is long\n{last_line}") == masked


def test_a_value_that_is_only_an_armor_line_reveals_nothing() -> None:
    assert mask_secret("-----BEGIN PRIVATE KEY-----") == MASK


def test_mask_does_not_reveal_length() -> None:
    assert mask_secret("a" * 12 + "wxyz") == mask_secret("b" * 40 + "wxyz")
    assert mask_secret("a") == mask_secret("a" * 11)


# ---------------------------------------------------------------- validate_new


def test_validate_new_accepts_and_applies_defaults(plugin: DemoProvider) -> None:
    clean, problems = validate_new(plugin, {"accountSid": SID, "authToken": TOKEN})
    assert problems == []
    assert clean == {"accountSid": SID, "authToken": TOKEN, "region": "us1"}


def test_validate_new_strips_values(plugin: DemoProvider) -> None:
    clean, problems = validate_new(plugin, {"accountSid": f"  {SID}\n", "authToken": f"\t{TOKEN} ", "note": "  hi  "})
    assert problems == []
    assert clean["accountSid"] == SID
    assert clean["authToken"] == TOKEN
    assert clean["note"] == "hi"


def test_validate_new_omits_none_and_blank_optional_fields(plugin: DemoProvider) -> None:
    clean, problems = validate_new(
        plugin, {"accountSid": SID, "authToken": TOKEN, "note": None, "signingKey": "  ", "region": None}
    )
    assert problems == []
    assert "note" not in clean and "signingKey" not in clean
    assert clean["region"] == "us1"


def test_validate_new_missing_required(plugin: DemoProvider) -> None:
    clean, problems = validate_new(plugin, {"authToken": TOKEN})
    assert problems == [FieldProblem("accountSid", "Account SID is required.")]
    assert "accountSid" not in clean


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_validate_new_blank_required(plugin: DemoProvider, blank: str) -> None:
    _, problems = validate_new(plugin, {"accountSid": SID, "authToken": blank})
    assert problems == [FieldProblem("authToken", "Auth Token is required.")]


def test_validate_new_pattern_mismatch_names_the_field(plugin: DemoProvider) -> None:
    _, problems = validate_new(plugin, {"accountSid": "AC123", "authToken": TOKEN})
    assert problems == [FieldProblem("accountSid", "Account SID must look like AC followed by 32 hex characters.")]


def test_validate_new_pattern_must_match_whole_value(plugin: DemoProvider) -> None:
    _, problems = validate_new(plugin, {"accountSid": SID + "00", "authToken": TOKEN})
    assert fields_of(problems) == ["accountSid"]


def test_validate_new_secret_value_never_in_message(plugin: DemoProvider) -> None:
    bad_secret = "NOT-Allowed Secret Value 123"
    _, problems = validate_new(plugin, {"accountSid": SID, "authToken": bad_secret})
    assert fields_of(problems) == ["authToken"]
    for problem in problems:
        assert bad_secret not in problem.message
        assert "Allowed" not in problem.message


def test_validate_new_rejects_value_outside_options(plugin: DemoProvider) -> None:
    _, problems = validate_new(plugin, {"accountSid": SID, "authToken": TOKEN, "region": "mars"})
    assert problems == [FieldProblem("region", "Region must be one of: us1, ie1.")]


def test_validate_new_unknown_key(plugin: DemoProvider) -> None:
    clean, problems = validate_new(plugin, {"accountSid": SID, "authToken": TOKEN, "apiKey": "x"})
    assert problems == [FieldProblem("apiKey", "apiKey is not a Demo credential field.")]
    assert "apiKey" not in clean


@pytest.mark.parametrize("value", ["\x00", "before\x00after", "trailing\x00"])
def test_validate_new_refuses_a_nul_character(plugin: DemoProvider, value: str) -> None:
    _, problems = validate_new(plugin, {"accountSid": SID, "authToken": TOKEN, "note": value})
    assert problems == [FieldProblem("note", "Note must not contain NUL characters.")]


class HintlessProvider(DemoProvider):
    """A plugin (from a third party, say) whose pattern comes without a hint."""

    webhook_secret_field = None
    fields = (CredentialField(name="pin", label="PIN", pattern=r"^[0-9]{4}$"),)


def test_validate_new_without_a_pattern_hint_says_the_format_is_invalid() -> None:
    _, problems = validate_new(HintlessProvider(), {"pin": "12a4"})
    assert problems == [FieldProblem("pin", "PIN has an invalid format.")]


def test_validate_new_refuses_a_value_that_is_not_a_string_and_checks_the_other_fields(plugin: DemoProvider) -> None:
    clean, problems = validate_new(plugin, {"accountSid": SID, "authToken": 42, "region": "ie1"})
    assert problems == [FieldProblem("authToken", "Auth Token must be a string.")]
    assert clean == {"accountSid": SID, "region": "ie1"}


def test_validate_new_reports_every_problem(plugin: DemoProvider) -> None:
    _, problems = validate_new(plugin, {"accountSid": "nope", "extra": "1"})
    assert sorted(fields_of(problems)) == ["accountSid", "authToken", "extra"]


def test_validate_new_with_a_real_provider() -> None:
    clean, problems = validate_new(TwilioProvider(), {"accountSid": SID, "authToken": "a" * 32})
    assert problems == []
    assert clean == {"accountSid": SID, "authToken": "a" * 32}


# ---------------------------------------------------------------- merge_update


def test_merge_omitted_and_none_keep_stored(plugin: DemoProvider) -> None:
    stored = stored_demo(plugin, note="keep me")
    merged, problems = merge_update(plugin, stored, {"authToken": None})
    assert problems == []
    assert merged == stored


def test_merge_masked_value_keeps_secret(plugin: DemoProvider) -> None:
    stored = stored_demo(plugin)
    shown = public_credentials(plugin, stored)["authToken"]
    assert shown == mask_secret(TOKEN) != TOKEN
    merged, problems = merge_update(plugin, stored, {"authToken": shown})
    assert problems == []
    assert merged["authToken"] == TOKEN


def test_merge_bare_mask_keeps_secret(plugin: DemoProvider) -> None:
    stored = stored_demo(plugin, signingKey="short")
    merged, problems = merge_update(plugin, stored, {"authToken": "****", "signingKey": "****"})
    assert problems == []
    assert merged["authToken"] == TOKEN
    assert merged["signingKey"] == "short"


@pytest.mark.parametrize("mask", [MASK, mask_secret(TOKEN)])
def test_merge_a_kept_secret_does_not_stop_the_fields_after_it(plugin: DemoProvider, mask: str) -> None:
    """{authToken: <mask>, region: "ie1"} kept us1 when the loop stopped at the mask (issue 25)."""
    stored = stored_demo(plugin)
    merged, problems = merge_update(plugin, stored, {"authToken": mask, "region": "ie1"})
    assert problems == []
    assert merged == {"accountSid": SID, "authToken": TOKEN, "region": "ie1"}


def test_merge_stale_mask_is_refused_not_stored(plugin: DemoProvider) -> None:
    stored = stored_demo(plugin)
    merged, problems = merge_update(plugin, stored, {"authToken": mask_secret(OTHER_TOKEN), "region": "ie1"})
    assert problems == [
        FieldProblem(
            "authToken",
            "Auth Token looks like a masked value that does not match the stored one; enter the full value, "
            "or leave the field out to keep it.",
        )
    ]
    assert merged == {"accountSid": SID, "authToken": TOKEN, "region": "ie1"}


def test_merge_refuses_a_value_that_is_not_a_string_and_applies_the_others(plugin: DemoProvider) -> None:
    stored = stored_demo(plugin)
    merged, problems = merge_update(plugin, stored, {"authToken": ["not", "a", "string"], "region": "ie1"})
    assert problems == [FieldProblem("authToken", "Auth Token must be a string.")]
    assert merged == {"accountSid": SID, "region": "ie1"}


def test_merge_mask_on_non_secret_field_is_a_value(plugin: DemoProvider) -> None:
    stored = stored_demo(plugin)
    _, problems = merge_update(plugin, stored, {"accountSid": "****"})
    assert fields_of(problems) == ["accountSid"]  # pattern mismatch, like any other value


def test_merge_new_value_replaces(plugin: DemoProvider) -> None:
    stored = stored_demo(plugin)
    merged, problems = merge_update(plugin, stored, {"authToken": f" {OTHER_TOKEN} ", "region": "ie1"})
    assert problems == []
    assert merged["authToken"] == OTHER_TOKEN
    assert merged["region"] == "ie1"
    assert merged["accountSid"] == SID


def test_merge_new_value_is_validated(plugin: DemoProvider) -> None:
    stored = stored_demo(plugin)
    _, problems = merge_update(plugin, stored, {"accountSid": "AC-not-a-sid"})
    assert problems == [FieldProblem("accountSid", "Account SID must look like AC followed by 32 hex characters.")]


def test_merge_empty_string_clears_optional(plugin: DemoProvider) -> None:
    stored = stored_demo(plugin, note="old", signingKey="k" * 20)
    merged, problems = merge_update(plugin, stored, {"note": "", "signingKey": ""})
    assert problems == []
    assert "note" not in merged and "signingKey" not in merged


def test_merge_empty_string_on_an_optional_field_never_stored_changes_nothing(plugin: DemoProvider) -> None:
    stored = stored_demo(plugin)
    merged, problems = merge_update(plugin, stored, {"note": "", "signingKey": " "})
    assert problems == []
    assert merged == stored


def test_merge_empty_string_on_optional_with_default_restores_default(plugin: DemoProvider) -> None:
    stored = stored_demo(plugin, region="ie1")
    merged, problems = merge_update(plugin, stored, {"region": ""})
    assert problems == []
    assert merged["region"] == "us1"


@pytest.mark.parametrize("blank", ["", "  "])
def test_merge_empty_string_on_required_is_a_problem(plugin: DemoProvider, blank: str) -> None:
    stored = stored_demo(plugin)
    _, problems = merge_update(plugin, stored, {"authToken": blank})
    assert problems == [FieldProblem("authToken", "Auth Token is required.")]


def test_merge_unknown_key_is_a_problem(plugin: DemoProvider) -> None:
    stored = stored_demo(plugin)
    _, problems = merge_update(plugin, stored, {"bogus": "1"})
    assert fields_of(problems) == ["bogus"]


def test_merge_drops_stored_keys_no_longer_declared(plugin: DemoProvider) -> None:
    stored = {**stored_demo(plugin), "legacyField": "x"}
    merged, problems = merge_update(plugin, stored, {})
    assert problems == []
    assert "legacyField" not in merged


def test_merge_secret_never_in_messages(plugin: DemoProvider) -> None:
    stored = stored_demo(plugin)
    bad = "Bad Secret With Spaces"
    _, problems = merge_update(plugin, stored, {"authToken": bad})
    assert fields_of(problems) == ["authToken"]
    assert all(bad not in p.message and TOKEN not in p.message for p in problems)


# ---------------------------------------------------------------- public_credentials


def test_public_credentials_masks_secrets(plugin: DemoProvider) -> None:
    stored = stored_demo(plugin, signingKey="tiny", note="visible")
    shown = public_credentials(plugin, {**stored, "undeclared": "hidden"})
    assert shown == {
        "accountSid": SID,
        "authToken": "****" + TOKEN[-4:],
        "region": "us1",
        "signingKey": "****",
        "note": "visible",
    }
    assert list(shown) == [f.name for f in plugin.fields]


def test_public_credentials_omits_absent_fields(plugin: DemoProvider) -> None:
    assert public_credentials(plugin, {"accountSid": SID}) == {"accountSid": SID}


def test_secret_field_names(plugin: DemoProvider) -> None:
    assert plugin.secret_field_names == frozenset({"authToken", "signingKey"})
    assert plugin.field("region").default == "us1"
    with pytest.raises(KeyError):
        plugin.field("nope")
