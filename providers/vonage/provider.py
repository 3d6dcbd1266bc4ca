"""The Vonage plugin: credentials, inbound sync through the Voice application, and the front
door (answer webhooks answered with NCCOs, call ends from the event webhook, signed callbacks)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..base import UUID_HINT, UUID_PATTERN, CredentialField, FieldType, InboundNumber, opaque_secret
from ..http import ProviderHttp
from ..inbound import CallEndedWebhook, InboundCallWebhook, StreamTarget, WebhookAnswer, WebhookRequest
from ..linked_application import LinkedApplicationProvider
from .api import API_HOST, REST_HOST, VonageApi
from .ncco import connect_websocket, talk_and_end
from .signature import ACCOUNT_PARAMETER, vonage_signature_valid
from .webhooks import parse_answer, parse_event


class VonageProvider(LinkedApplicationProvider[VonageApi]):
    key = "vonage"
    display_name = "Vonage"
    notes = "Strong European coverage."
    docs_url = "https://developer.vonage.com/en/voice/voice-api/overview"
    # A number is linked to the voice application with POST rest.nexmo.com/number/update.
    supports_inbound_sync = True
    needs_caller_ids = True
    webhook_secret_field = "signatureSecret"
    supports_inbound_dispatch = True
    # The answer webhook names no account; the signed JWT's api_key claim is checked against it.
    account_in_inbound_url = True
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

    def api(self, http: ProviderHttp, credentials: Mapping[str, str]) -> VonageApi:
        if http.overridden(self.key):
            rest_host = api_host = http.base(self.key, REST_HOST)
        else:
            rest_host, api_host = REST_HOST, API_HOST
        return VonageApi(http, rest_host, api_host, credentials)

    async def verify_credentials(self, http: ProviderHttp, credentials: Mapping[str, str]) -> str:
        api = self.api(http, credentials)
        balance = (await api.balance()).get("value")
        app = await api.application()
        return (
            f"Vonage accepted API key {api.api_key} (balance {balance if balance is not None else 'unknown'}) "
            f"and found application '{app.get('name') or api.application_id}'."
        )

    def attached(self, api: VonageApi, number: InboundNumber, application: tuple[dict[str, Any], dict[str, Any] | None]) -> str:
        app, changed = application
        name = app.get("name") or api.application_id
        notes = []
        if changed and "answer_url" in changed:
            notes.append(", whose answer URL was updated")
        if changed and "event_url" in changed:
            replaced = changed["event_url"].get("address")
            notes.append(
                f"; its event URL now reports call ends to Switchboard (it was {replaced}, which comes back "
                "when no number is linked to the application any more)"
                if replaced
                else "; its event URL now reports call ends to Switchboard"
            )
        return f"Vonage now sends inbound calls to {number.address} to Switchboard through application '{name}'{''.join(notes)}."

    def not_linked(self, api: VonageApi, number: InboundNumber) -> str:
        return f"{number.address} is not linked to application {api.application_id} at Vonage; left as it is."

    def detached(self, api: VonageApi, number: InboundNumber) -> str:
        return f"{number.address} is unlinked from application {api.application_id}; Vonage no longer sends its calls to Switchboard."

    # --- the front door

    def parse_inbound(self, request: WebhookRequest) -> InboundCallWebhook:
        return parse_answer(request)

    def parse_status(self, request: WebhookRequest) -> CallEndedWebhook | None:
        return parse_event(request)

    def signature_valid(self, request: WebhookRequest, credentials: Mapping[str, str]) -> bool:
        return vonage_signature_valid(
            credentials.get("signatureSecret", ""),
            request.headers.get("authorization"),
            request.method,
            request.body,
            request.query,
            request.query_param(ACCOUNT_PARAMETER),
        )

    def stream_answer(self, target: StreamTarget) -> WebhookAnswer:
        return connect_websocket(target)

    def reject_answer(self) -> WebhookAnswer:
        return talk_and_end()
