"""The Telnyx plugin: credentials, inbound sync through the Call Control application, and the
front door (signed JSON events in, Call Control commands out)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ..base import DIGITS_HINT, DIGITS_PATTERN, CredentialField, FieldType, InboundNumber
from ..errors import ProviderError
from ..http import ProviderHttp
from ..inbound import CallEndedWebhook, InboundCallWebhook, StreamTarget, WebhookAnswer, WebhookRequest
from ..linked_application import LinkedApplicationProvider
from .api import API_BASE, TelnyxApi
from .commands import ANSWER, REJECT, REJECT_COMMAND, answer_command, command_answer
from .events import parse_ended, parse_event
from .signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, telnyx_signature_valid

log = logging.getLogger("switchboard.providers")


class TelnyxProvider(LinkedApplicationProvider[TelnyxApi]):
    key = "telnyx"
    display_name = "Telnyx"
    notes = "Recommended for high volume."
    docs_url = "https://developers.telnyx.com/docs/voice/programmable-voice/get-started"
    # A number is attached to the Call Control application with PATCH /v2/phone_numbers/{id}.
    supports_inbound_sync = True
    needs_caller_ids = True
    webhook_secret_field = "webhookPublicKey"
    supports_inbound_dispatch = True
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
        # What call events carry in data.payload.connection_id.
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

    # --- the front door

    def parse_inbound(self, request: WebhookRequest) -> InboundCallWebhook | CallEndedWebhook | None:
        return parse_event(request)

    def parse_status(self, request: WebhookRequest) -> CallEndedWebhook | None:
        return parse_ended(request)

    def signature_valid(self, request: WebhookRequest, credentials: Mapping[str, str]) -> bool:
        return telnyx_signature_valid(
            credentials.get("webhookPublicKey", ""),
            request.body,
            request.headers.get(SIGNATURE_HEADER),
            request.headers.get(TIMESTAMP_HEADER),
            request.received_at,
        )

    def stream_answer(self, target: StreamTarget) -> WebhookAnswer:
        return command_answer(answer_command(target))

    def reject_answer(self) -> WebhookAnswer:
        return command_answer(REJECT_COMMAND)

    async def complete_answer(
        self, http: ProviderHttp, credentials: Mapping[str, str], call: InboundCallWebhook, target: StreamTarget | None
    ) -> None:
        """Send the answer (or reject) command. A refusal is logged, never raised: the webhook is
        still acknowledged, a retried webhook sends the same command again, and a call that was
        never answered ends with a call.hangup event all the same.

        Rejection is ``reject`` (603, no audio) rather than answer, speak and hang up: Telnyx
        speaks only to an answered call and the hang-up would have to wait for call.speak.ended,
        an event the front door would then have to tie back to a rejection; answering would
        also make every rejected call a billed one."""
        action, command = (ANSWER, answer_command(target)) if target is not None else (REJECT, REJECT_COMMAND)
        try:
            with http.budget():
                await self.api(http, credentials).command(call.call_id, action, command)
        except ProviderError as exc:
            log.warning("Telnyx %s command for a call of connection %s failed: %s", action, call.account_id, exc.message)
