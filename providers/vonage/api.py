"""Vonage's REST APIs for inbound sync: numbers on rest.nexmo.com, applications on api.nexmo.com."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ..account_listing import Pages, listed
from ..base import InboundNumber
from ..errors import FailureKind, ProviderError
from ..http import ProviderHttp
from ..linked_application import LinkedApplicationApi
from .application import point_webhooks, previous_event_url
from .webhooks import international

REST_HOST = "https://rest.nexmo.com"
API_HOST = "https://api.nexmo.com"
_PAGE_SIZE = 100
_MAX_PAGES = 10
_CREDENTIALS_HINT = "Check the API key and secret under Vonage API Dashboard > API Settings."
#: /number/update answers HTTP 200 with its own status in "error-code".
_ERROR_CODE_KINDS = {"401": FailureKind.REJECTED, "403": FailureKind.REJECTED, "404": FailureKind.NOT_FOUND, "429": FailureKind.RATE_LIMITED}

_READ_ONLY_APPLICATION_FIELDS = ("id", "_links")


def _section(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The object at body[key][key]..., created where missing or not an object."""
    for key in keys:
        if not isinstance(body.get(key), dict):
            body[key] = {}
        body = body[key]
    return body


def _editable(app: dict[str, Any]) -> dict[str, Any]:
    """The application as a PUT sends it back: a copy without the read-only fields."""
    return copy.deepcopy({k: v for k, v in app.items() if k not in _READ_ONLY_APPLICATION_FIELDS})


class VonageApi(LinkedApplicationApi[dict[str, Any], tuple[dict[str, Any], dict[str, Any] | None]]):
    provider = "Vonage"

    def __init__(self, http: ProviderHttp, rest_host: str, api_host: str, credentials: Mapping[str, str]) -> None:
        self.http = http
        self.rest_host = rest_host
        self.api_host = api_host
        self.api_key = credentials["apiKey"].strip()
        self.auth = (self.api_key, credentials["apiSecret"].strip())
        self.application_id = credentials["applicationId"].strip().lower()

    async def call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            body = await self.http.json(self.provider, method, url, auth=self.auth, **kwargs)
        except ProviderError as exc:
            if exc.kind is FailureKind.REJECTED:
                raise ProviderError(exc.kind, f"{exc.message} {_CREDENTIALS_HINT}") from exc
            raise
        if not isinstance(body, dict):
            raise ProviderError(FailureKind.BAD_RESPONSE, f"Vonage answered {method} {urlsplit(url).path} with an unexpected body.")
        return body

    async def balance(self) -> dict[str, Any]:
        return await self.call("GET", f"{self.rest_host}/account/get-balance")

    async def find_number(self, number: InboundNumber) -> dict[str, Any] | None:
        """The owned number whose msisdn is exactly the number's digits (the pattern also matches partially)."""
        digits = number.digits
        for index in range(1, _MAX_PAGES + 1):
            params = {"pattern": digits, "search_pattern": "1", "size": str(_PAGE_SIZE), "index": str(index)}
            page = await self.call("GET", f"{self.rest_host}/account/numbers", params=params)
            numbers = page.get("numbers", [])  # absent when nothing matches
            if not isinstance(numbers, list):
                raise ProviderError(FailureKind.BAD_RESPONSE, "Vonage answered the number lookup with an unexpected body.")
            for found in numbers:
                if isinstance(found, dict) and found.get("msisdn") == digits and found.get("country"):
                    return found
            count = page.get("count")
            if not isinstance(count, int) or index * _PAGE_SIZE >= count:
                break
        return None

    async def application(self) -> dict[str, Any]:
        try:
            return await self.call("GET", f"{self.api_host}/v2/applications/{self.application_id}")
        except ProviderError as exc:
            if exc.kind is FailureKind.NOT_FOUND:
                raise ProviderError(
                    exc.kind,
                    f"Vonage has no application {self.application_id} under API key {self.api_key}; "
                    "check the Application ID (Vonage API Dashboard > Applications).",
                ) from exc
            raise

    async def point_application_at(self, url: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Make the application's voice answer URL `url` and its event URL the status URL; what
        changed (see application.point_webhooks). The update is a full replacement, so everything
        else of the application is sent back as it was."""
        app = await self.application()
        body = _editable(app)
        changed = point_webhooks(_section(body, "capabilities", "voice", "webhooks"), url)
        if changed is not None:
            await self.put_application(body)
        return app, changed

    async def put_application(self, body: dict[str, Any]) -> None:
        await self.call("PUT", f"{self.api_host}/v2/applications/{self.application_id}", json=body)

    async def linked_count(self) -> int:
        """How many of the account's numbers are linked to the application."""
        page = await self.call("GET", f"{self.rest_host}/account/numbers", params={"application_id": self.application_id, "size": "1"})
        count = page.get("count")
        if not isinstance(count, int):
            raise ProviderError(FailureKind.BAD_RESPONSE, "Vonage answered the number count with an unexpected body.")
        return count

    async def release(self, url: str) -> str | None:
        """Give the application its own event URL back once no number is linked to it. The number
        is unlinked already, so a failure here is told, not raised."""
        try:
            if await self.linked_count() > 0:
                return None
            body = _editable(await self.application())
            webhooks = _section(body, "capabilities", "voice", "webhooks")
            previous = previous_event_url(webhooks, url)
            if previous is None:
                return None
            webhooks["event_url"] = previous
            await self.put_application(body)
        except ProviderError as exc:
            return f"The application's own event URL could not be put back: {exc.message}"
        return f"No number is linked to the application any more, so its event URL is {previous['address']} again."

    def is_linked(self, found: dict[str, Any]) -> bool:
        """Linked to our application, with no SIP or phone forwarding taking its calls first."""
        if _forwarding(found):
            return False
        if str(found.get("app_id") or "").lower() == self.application_id:
            return True
        return found.get("voiceCallbackType") == "app" and str(found.get("voiceCallbackValue") or "").lower() == self.application_id

    def routing_of(self, found: dict[str, Any]) -> dict[str, Any] | None:
        """Another application the number is linked to, and the SIP or phone forwarding it has, in
        /number/update's own parameter names."""
        routing: dict[str, Any] = {}
        app_id = str(found.get("app_id") or "")
        if app_id and app_id.lower() != self.application_id:
            routing["app_id"] = app_id
        if forwarding := _forwarding(found):
            routing["voiceCallbackType"], routing["voiceCallbackValue"] = forwarding
        return routing or None

    def describe_routing(self, routing: Mapping[str, Any]) -> str:
        parts = []
        if routing.get("app_id"):
            parts.append(f"application {routing['app_id']}")
        if routing.get("voiceCallbackType") == "sip":
            parts.append(f"SIP forwarding to {routing['voiceCallbackValue']}")
        elif routing.get("voiceCallbackType") == "tel":
            parts.append(f"forwarding to {international(str(routing['voiceCallbackValue']))}")
        return " with ".join(parts)

    async def link(self, number: InboundNumber, found: dict[str, Any]) -> None:
        """Link the number to the application. A SIP or phone forwarding would keep its calls
        (vonage-numbers: sip and tel take priority over the application), so it is cleared with
        empty values, as the Numbers API clears moHttpUrl (?: the SDK's enum cannot send them)."""
        form = {"app_id": self.application_id}
        if _forwarding(found):
            form |= {"voiceCallbackType": "", "voiceCallbackValue": ""}
        await self.update_number(found, form, f"link {found['msisdn']} to application {self.application_id}")

    async def unlink(self, number: InboundNumber, found: dict[str, Any], replaced: Mapping[str, Any] | None) -> None:
        """Unlink the number (an empty app_id), or link it back to the application the attach
        replaced, and put back the forwarding it cleared."""
        replaced = replaced or {}
        form = {"app_id": str(replaced.get("app_id") or "")}
        if replaced.get("voiceCallbackType") in FORWARDING_TYPES:
            form |= {"voiceCallbackType": replaced["voiceCallbackType"], "voiceCallbackValue": str(replaced["voiceCallbackValue"])}
        what = f"unlink {found['msisdn']} from application {self.application_id}"
        if replaced:
            what += f" and route it to {self.describe_routing(replaced)} again"
        await self.update_number(found, form, what)

    async def update_number(self, number: dict[str, Any], changes: dict[str, str], what: str) -> None:
        """POST /number/update, form-encoded as vonage-numbers sends it; the answer's error-code
        says whether it worked."""
        form = {"country": number["country"], "msisdn": number["msisdn"], **changes}
        try:
            body = await self.call("POST", f"{self.rest_host}/number/update", data=form)
        except ProviderError as exc:
            if exc.kind is FailureKind.REFUSED:
                raise ProviderError(exc.kind, f"Could not {what}: {exc.message}") from exc
            raise
        code = str(body.get("error-code", ""))
        if code != "200":
            label = body.get("error-code-label") or "no reason given"
            raise ProviderError(
                _ERROR_CODE_KINDS.get(code, FailureKind.REFUSED),
                f"Vonage refused to {what} (error-code {code or 'missing'}: {label}).",
            )

    async def number_pages(self) -> Pages:
        """The account's numbers, `index` after `index` at the largest `size`, while `count` says
        more follow (as the SDK's list_owned_numbers pages). A msisdn is E.164 without its "+",
        which is put back so that the number reads the same everywhere."""
        index = 1
        while True:
            page = await self.call("GET", f"{self.rest_host}/account/numbers", params={"size": str(_PAGE_SIZE), "index": str(index)})
            numbers = page.get("numbers", [])  # absent when there are none
            if not isinstance(numbers, list):
                raise ProviderError(FailureKind.BAD_RESPONSE, "Vonage answered the number list with an unexpected body.")
            msisdns = listed(found.get("msisdn") for found in numbers if isinstance(found, dict))
            yield [f"+{msisdn}" if msisdn.isdigit() else msisdn for msisdn in msisdns]
            count = page.get("count")
            if not isinstance(count, int) or count <= index * _PAGE_SIZE:
                return
            index += 1

#: The voiceCallbackType values that forward a number's calls away from its application.
FORWARDING_TYPES = ("sip", "tel")


def _forwarding(found: dict[str, Any]) -> tuple[str, str] | None:
    """The number's SIP or phone forwarding (voiceCallbackType, voiceCallbackValue), if any."""
    kind, value = found.get("voiceCallbackType"), found.get("voiceCallbackValue")
    return (kind, str(value)) if kind in FORWARDING_TYPES and value else None
