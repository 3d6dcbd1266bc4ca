"""Telnyx API v2 with one key: numbers, the Call Control application, and call commands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ..account_listing import Pages, listed
from ..base import InboundNumber
from ..errors import FailureKind, ProviderError
from ..http import ProviderHttp
from ..linked_application import LinkedApplicationApi

#: Paths keep their /v2 prefix, so SWITCHBOARD_TELNYX_API_BASE replaces the host only.
API_BASE = "https://api.telnyx.com"
_PAGE_SIZE = 100
_MAX_PAGES = 10
#: The largest page[size] of GET /v2/phone_numbers.
_LIST_PAGE_SIZE = 250
#: What a path segment keeps unescaped (RFC 3986 pchar): call control ids look like "v3:...".
_PATH_SAFE = ":@!$&'()*+,;="
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
        """The phone number whose `phone_number` is exactly the E.164 address. The filter takes
        digits only (a "+" makes it match nothing, telnyx-python's PhoneNumberListParams) and
        matches partially, so the match is made here."""
        e164 = number.address
        for page in range(1, _MAX_PAGES + 1):
            params = {"filter[phone_number]": number.digits, "page[number]": str(page), "page[size]": str(_PAGE_SIZE)}
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

    async def set_connection(self, number: dict[str, Any], connection_id: str) -> None:
        """Put the number on `connection_id`; the empty string takes it off any connection.

        telnyx-python types `connection_id` as a string (PhoneNumberUpdateParams), so there is no
        null to send: "" is the only unset it can express (?: Telnyx documents no other)."""
        try:
            await self.call("PATCH", f"/phone_numbers/{number['id']}", json={"connection_id": connection_id})
        except ProviderError as exc:
            if exc.kind is not FailureKind.REFUSED:
                raise
            phone_number = number["phone_number"]
            if connection_id == self.connection_id:
                what = f"put {phone_number} on Call Control application {self.connection_id}"
            elif connection_id:
                what = f"put {phone_number} back on connection {connection_id}"
            else:
                what = f"take {phone_number} off Call Control application {self.connection_id}"
            raise ProviderError(exc.kind, f"Could not {what}: {exc.message}") from exc

    def is_linked(self, found: dict[str, Any]) -> bool:
        return str(found.get("connection_id") or "") == self.connection_id

    def routing_of(self, found: dict[str, Any]) -> dict[str, Any] | None:
        """The connection the number is on (another Call Control or TeXML application, a SIP
        connection...), which Telnyx names in `connection_name`."""
        connection_id = str(found.get("connection_id") or "")
        if not connection_id:
            return None
        name = found.get("connection_name")
        return {"connection_id": connection_id, "connection_name": name if isinstance(name, str) and name else None}

    def describe_routing(self, routing: Mapping[str, Any]) -> str:
        name = routing.get("connection_name")
        return f"connection '{name}' ({routing['connection_id']})" if name else f"connection {routing['connection_id']}"

    async def link(self, number: InboundNumber, found: dict[str, Any]) -> None:
        await self.set_connection(found, self.connection_id)

    async def unlink(self, number: InboundNumber, found: dict[str, Any], replaced: Mapping[str, Any] | None) -> None:
        """Back on the connection the attach replaced, or on none."""
        await self.set_connection(found, str((replaced or {}).get("connection_id") or ""))

    async def command(self, call_control_id: str, action: str, body: dict[str, Any]) -> None:
        """POST a Call Control command (``answer``, ``reject``...) to a call."""
        await self.call("POST", f"/calls/{quote(call_control_id, safe=_PATH_SAFE)}/actions/{action}", json=body)

    async def number_pages(self) -> Pages:
        """The account's phone numbers, page[number] after page[number] as the SDK's flat
        pagination goes: on while meta.total_pages says there are more (or does not say)."""
        page = 1
        while True:
            body = await self.call("GET", "/phone_numbers", params={"page[number]": str(page), "page[size]": str(_LIST_PAGE_SIZE)})
            if not isinstance(body["data"], list):
                raise ProviderError(FailureKind.BAD_RESPONSE, "Telnyx answered the number list with an unexpected body.")
            yield listed(found.get("phone_number") for found in body["data"] if isinstance(found, dict))
            meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
            total_pages = meta.get("total_pages")
            if isinstance(total_pages, int) and page >= total_pages:
                return
            page += 1
