"""Telnyx: API v2 with a Call Control application (connection)."""

from __future__ import annotations

from collections.abc import Mapping

from .base import DIGITS_HINT, DIGITS_PATTERN, CredentialField, FieldType, ProviderPlugin


class TelnyxProvider(ProviderPlugin):
    key = "telnyx"
    display_name = "Telnyx"
    notes = "Recommended for high volume."
    docs_url = "https://developers.telnyx.com/docs/voice/programmable-voice/get-started"
    # A number is attached to the Call Control application with PATCH /v2/phone_numbers/{id}.
    supports_inbound_sync = True
    needs_caller_ids = True
    webhook_secret_field = "webhookPublicKey"
    fields = (
        CredentialField(
            name="apiKey",
            label="API Key",
            type=FieldType.SECRET,
            secret=True,
            # Observed V2 keys are KEY + 32 upper-case hex + "_" + 22 base64url characters,
            # but Telnyx does not specify the format (marked "(?)"), so only the KEY prefix
            # and the base64url alphabet are checked.
            pattern=r"^KEY[A-Za-z0-9_\-]+$",
            pattern_hint="must be a Telnyx API v2 key starting with KEY",
            description="Mission Control Portal > Account Settings > Keys & Credentials > API Keys.",
            placeholder="KEY0123...",
        ),
        CredentialField(
            name="connectionId",
            label="Connection ID",
            # Call Control application ids are int64 numbers sent as strings.
            pattern=DIGITS_PATTERN,
            pattern_hint=DIGITS_HINT,
            description="ID of the Call Control application that numbers are attached to.",
            placeholder="2812968115544000352",
        ),
        CredentialField(
            name="webhookPublicKey",
            label="Webhook Public Key",
            required=False,
            # An Ed25519 public key: 32 bytes, 44 base64 characters (the padding is tolerated
            # when left out).
            pattern=r"^[A-Za-z0-9+\/]{43}=?$",
            pattern_hint="must be the base64 Ed25519 public key (44 characters)",
            description=(
                "Mission Control Portal > Keys & Credentials > Public Key. Verifies the "
                "signatures of Telnyx webhooks."
            ),
        ),
    )

    def account_id(self, credentials: Mapping[str, str]) -> str:
        return credentials["connectionId"].strip()
