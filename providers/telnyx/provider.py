"""The Telnyx plugin: credentials, inbound sync through the Call Control application."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..base import DIGITS_HINT, DIGITS_PATTERN, CredentialField, FieldType, InboundNumber
from ..http import ProviderHttp
from ..linked_application import LinkedApplicationProvider
from .api import API_BASE, TelnyxApi


class TelnyxProvider(LinkedApplicationProvider[TelnyxApi]):
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

    def api(self, http: ProviderHttp, credentials: Mapping[str, str]) -> TelnyxApi:
        return TelnyxApi(http, http.base(self.key, API_BASE), credentials["apiKey"].strip(), self.account_id(credentials))

    async def verify_credentials(self, http: ProviderHttp, credentials: Mapping[str, str]) -> str:
        balance = await self.api(http, credentials).balance()
        amount = " ".join(str(balance[k]) for k in ("balance", "currency") if balance.get(k) is not None)
        return f"Telnyx accepted the API key (balance {amount or 'unknown'})."

    def attached(self, api: TelnyxApi, number: InboundNumber, application: tuple[dict[str, Any], bool]) -> str:
        app, updated = application
        notes = [", whose webhook URL was updated" if updated else ""]
        if app.get("active") is False:
            notes.append("; the application is inactive: enable it in Mission Control")
        return (
            f"Telnyx now sends inbound calls to {number.address} to Switchboard through "
            f"Call Control application '{app['application_name']}'{''.join(notes)}."
        )

    def not_linked(self, api: TelnyxApi, number: InboundNumber) -> str:
        return f"{number.address} is not on Call Control application {api.connection_id} at Telnyx; left as it is."

    def detached(self, api: TelnyxApi, number: InboundNumber) -> str:
        return f"{number.address} is off Call Control application {api.connection_id}; Telnyx no longer sends its calls to Switchboard."
