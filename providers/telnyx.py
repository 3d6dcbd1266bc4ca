"""Telnyx: API v2 with a Call Control application (connection).

The inbound webhook (`webhook_event_url`) lives on the Call Control application, which every
number on it shares; a number follows it through its `connection_id`. Attach makes sure the
application points at Switchboard and puts the number on it; detach only takes the number off.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import DIGITS_HINT, DIGITS_PATTERN, CredentialField, FieldType, InboundNumber
from .errors import FailureKind, ProviderError
from .http import ProviderHttp
from .linked_application import LinkedApplicationApi, LinkedApplicationProvider

#: Paths keep their /v2 prefix, so SWITCHBOARD_TELNYX_API_BASE replaces the host only.
API_BASE = "https://api.telnyx.com"
_PAGE_SIZE = 100
_MAX_PAGES = 10
_KEY_HINT = "Check the API key under Mission Control > Account Settings > Keys & Credentials."


class TelnyxApi(LinkedApplicationApi[dict[str, Any], tuple[dict[str, Any], bool]]):
    """API v2 calls with one key; answers are `{"data": ...}` envelopes."""

    provider = "Telnyx"

    def __init__(self, http: ProviderHttp, host: str, api_key: str, connection_id: str) -> None:
        self.http = http
        self.host = host
        self.headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        self.connection_id = connection_id

    async def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            body = await self.http.json(self.provider, method, f"{self.host}/v2{path}", headers=self.headers, **kwargs)
        except ProviderError as exc:
            if exc.kind is FailureKind.REJECTED:
                raise ProviderError(exc.kind, f"{exc.message} {_KEY_HINT}") from exc
            raise
        if not isinstance(body, dict) or "data" not in body:
            raise ProviderError(FailureKind.BAD_RESPONSE, f"Telnyx answered {method} {path} with an unexpected body.")
        return body

    async def balance(self) -> dict[str, Any]:
        data = (await self.call("GET", "/balance"))["data"]
        return data if isinstance(data, dict) else {}

    async def find_number(self, number: InboundNumber) -> dict[str, Any] | None:
        """The phone number whose `phone_number` is exactly the E.164 address (the filter also matches partially)."""
        e164 = number.address
        for page in range(1, _MAX_PAGES + 1):
            params = {"filter[phone_number]": e164, "page[number]": str(page), "page[size]": str(_PAGE_SIZE)}
            body = await self.call("GET", "/phone_numbers", params=params)
            if not isinstance(body["data"], list):
                raise ProviderError(FailureKind.BAD_RESPONSE, "Telnyx answered the number lookup with an unexpected body.")
            for found in body["data"]:
                if isinstance(found, dict) and found.get("phone_number") == e164 and found.get("id"):
                    return found
            meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
            total_pages = meta.get("total_pages")
            if not isinstance(total_pages, int) or page >= total_pages:
                break
        return None

    async def application(self) -> dict[str, Any]:
        try:
            data = (await self.call("GET", f"/call_control_applications/{self.connection_id}"))["data"]
        except ProviderError as exc:
            if exc.kind is FailureKind.NOT_FOUND:
                raise ProviderError(
                    exc.kind,
                    f"Telnyx has no Call Control application {self.connection_id} in this account; "
                    "check the Connection ID (Mission Control > Voice > Programmable Voice).",
                ) from exc
            raise
        if not isinstance(data, dict) or not data.get("application_name"):
            raise ProviderError(FailureKind.BAD_RESPONSE, "Telnyx answered with a Call Control application without a name.")
        return data

    async def point_application_at(self, url: str) -> tuple[dict[str, Any], bool]:
        """Make the application's webhook `url`; True when it had to change. Telnyx requires the
        name next to the URL in every update, so the current one is sent back."""
        app = await self.application()
        if app.get("webhook_event_url") == url:
            return app, False
        body = {"application_name": app["application_name"], "webhook_event_url": url}
        await self.call("PATCH", f"/call_control_applications/{self.connection_id}", json=body)
        return app, True

    async def set_connection(self, number: dict[str, Any], connection_id: str | None) -> None:
        """Put the number on `connection_id`, or with None take it off any connection."""
        try:
            await self.call("PATCH", f"/phone_numbers/{number['id']}", json={"connection_id": connection_id})
        except ProviderError as exc:
            if exc.kind is not FailureKind.REFUSED:
                raise
            what = f"put {number['phone_number']} on" if connection_id else f"take {number['phone_number']} off"
            raise ProviderError(exc.kind, f"Could not {what} Call Control application {self.connection_id}: {exc.message}") from exc

    def is_linked(self, found: dict[str, Any]) -> bool:
        return str(found.get("connection_id") or "") == self.connection_id

    async def link(self, number: InboundNumber, found: dict[str, Any]) -> None:
        await self.set_connection(found, self.connection_id)

    async def unlink(self, number: InboundNumber, found: dict[str, Any]) -> None:
        await self.set_connection(found, None)


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
