"""Vonage (Nexmo): Voice API with an application; numbers link to the application."""

from __future__ import annotations

from collections.abc import Mapping

from .base import UUID_HINT, UUID_PATTERN, CredentialField, FieldType, ProviderPlugin, opaque_secret


class VonageProvider(ProviderPlugin):
    key = "vonage"
    display_name = "Vonage"
    notes = "Strong European coverage."
    docs_url = "https://developer.vonage.com/en/voice/voice-api/overview"
    # A number is linked to the voice application with POST rest.nexmo.com/number/update.
    supports_inbound_sync = True
    needs_caller_ids = True
    webhook_secret_field = "signatureSecret"
    fields = (
        CredentialField(
            name="apiKey",
            label="API Key",
            # Documented examples are 8 lower-case hex characters, but the exact format is
            # not specified ("(?)"), so any letters and digits are accepted.
            pattern=r"^[A-Za-z0-9]+$",
            pattern_hint="must contain letters and digits only",
            description="Vonage API Dashboard > API Settings.",
            placeholder="abcd1234",
        ),
        CredentialField(
            name="apiSecret",
            label="API Secret",
            type=FieldType.SECRET,
            secret=True,
            # Legacy secrets are 16 letters/digits; current ones 8 to 25 characters with a
            # lower-case letter, an upper-case letter and a digit. Only the length is checked.
            pattern=r"^\S{8,25}$",
            pattern_hint="must be 8 to 25 characters without spaces",
            description="Vonage API Dashboard > API Settings.",
        ),
        CredentialField(
            name="applicationId",
            label="Application ID",
            pattern=UUID_PATTERN,
            pattern_hint=UUID_HINT,
            description="The Voice application whose answer URL receives inbound calls.",
            placeholder="aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
        ),
        CredentialField(
            name="privateKey",
            label="Private Key",
            type=FieldType.TEXTAREA,
            secret=True,
            pattern=(
                r"^-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+-----END (?:RSA )?PRIVATE KEY-----$"
            ),
            pattern_hint=(
                "must be the application's PEM private key, from -----BEGIN PRIVATE KEY----- "
                "to -----END PRIVATE KEY-----"
            ),
            description="The private key generated with the application; signs Voice API calls.",
            placeholder="-----BEGIN PRIVATE KEY-----",
        ),
        opaque_secret(
            "signatureSecret",
            "Signature Secret",
            "Vonage API Dashboard > API Settings > Signature secret. Verifies the signed "
            "callbacks of Vonage webhooks.",
            required=False,
        ),
    )

    def account_id(self, credentials: Mapping[str, str]) -> str:
        return credentials["apiKey"].strip()
