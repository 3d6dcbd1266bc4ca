"""Exotel: v2_beta REST API on a regional host; inbound calls arrive through Exotel flows."""

from __future__ import annotations

from collections.abc import Mapping

from .base import CredentialField, FieldType, ProviderPlugin, opaque_secret


class ExotelProvider(ProviderPlugin):
    key = "exotel"
    display_name = "Exotel"
    notes = (
        "Inbound calls reach Switchboard through an Exotel flow (Voicebot or Passthru applet) "
        "assigned to the number in the Exotel dashboard."
    )
    docs_url = "https://developer.exotel.com/api"
    # A number's VoiceUrl can only point at an Exotel flow, which is built in the console.
    supports_inbound_sync = False
    needs_caller_ids = True
    fields = (
        CredentialField(
            name="accountSid",
            label="Account SID",
            pattern=r"^[A-Za-z0-9_\-]+$",
            pattern_hint="must contain only letters, digits, '_' and '-'",
            description="Exotel dashboard > API settings.",
        ),
        # Key and token formats are not documented. The key is the HTTP Basic user name, which
        # provider-apis.md says to treat as a secret.
        opaque_secret("apiKey", "API Key", "Exotel dashboard > API settings (HTTP Basic user)."),
        opaque_secret("apiToken", "API Token", "Exotel dashboard > API settings (HTTP Basic password)."),
        CredentialField(
            name="subdomain",
            label="Region",
            type=FieldType.SELECT,
            required=False,
            default="api.exotel.com",
            options=(
                ("api.exotel.com", "Singapore (api.exotel.com)"),
                ("api.in.exotel.com", "Mumbai (api.in.exotel.com)"),
            ),
            description="The API host of your account's cluster; the wrong one fails authentication.",
        ),
    )

    def account_id(self, credentials: Mapping[str, str]) -> str:
        return credentials["accountSid"].strip()
