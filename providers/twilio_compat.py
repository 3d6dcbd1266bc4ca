"""The Twilio 2010-04-01 REST shape, spoken by Twilio and by SignalWire's compatibility (LaML) API."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

from .account_listing import Pages, collect, listed, same_host
from .base import AccountNumbers, Attached, InboundNumber, ProviderPlugin
from .errors import FailureKind, ProviderError
from .http import ProviderHttp
from .inbound import (
    CallEndedWebhook,
    InboundCallWebhook,
    MalformedWebhook,
    StreamTarget,
    WebhookAnswer,
    WebhookRequest,
    status_url,
)
from .twilio_signature import twilio_signature_valid
from .twiml import connect_stream, say_and_hang_up

_MAX_PAGES = 10
#: The largest PageSize of Twilio's list calls (its documented maximum).
LIST_PAGE_SIZE = 1000
# CallStatus values after which a call is over (Twilio's call-progress events).
ENDED_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


def _require_form(request: WebhookRequest) -> None:
    if request.method == "POST" and request.media_type != "application/x-www-form-urlencoded":
        raise MalformedWebhook(f"expected a form-encoded body, got {request.media_type or 'none'}")


class TwilioCompatibleApi:
    def __init__(
        self,
        http: ProviderHttp,
        provider: str,
        host: str,
        account_path: str,
        auth: tuple[str, str],
        *,
        tenant_host: bool = False,
    ) -> None:
        """`tenant_host`: `host` is one a tenant supplied (a SignalWire space), so every call is
        vetted by ProviderHttp's URL guard."""
        self.http = http
        self.provider = provider
        self.host = host
        self.account_url = f"{host}{account_path}"
        self.auth = auth
        self.tenant_host = tenant_host

    async def _json(self, method: str, url: str, **kwargs: Any) -> Any:
        return await self.http.json(self.provider, method, url, auth=self.auth, tenant_host=self.tenant_host, **kwargs)

    async def account(self) -> dict[str, Any]:
        return await self._json("GET", f"{self.account_url}.json")

    async def find_number(self, e164: str) -> dict[str, Any]:
        """The IncomingPhoneNumber whose phone_number is exactly `e164` (the filter also matches partially)."""
        url: str | None = f"{self.account_url}/IncomingPhoneNumbers.json"
        params: dict[str, str] | None = {"PhoneNumber": e164}
        for _ in range(_MAX_PAGES):
            page = await self._json("GET", url, params=params)
            numbers = page.get("incoming_phone_numbers") if isinstance(page, dict) else None
            if not isinstance(numbers, list):
                raise ProviderError(FailureKind.BAD_RESPONSE, f"{self.provider} answered the number lookup with an unexpected body.")
            for number in numbers:
                if isinstance(number, dict) and number.get("phone_number") == e164 and number.get("sid"):
                    return number
            next_page = page.get("next_page_uri")
            if not next_page:
                break
            url, params = urljoin(self.host + "/", next_page.lstrip("/")), None
        raise ProviderError(FailureKind.NOT_FOUND, f"{e164} is not in this {self.provider} account.")

    async def set_voice_url(self, number_sid: str, url: str, status_callback: str | None = None) -> None:
        """Point (or, with "", stop pointing) the number's calls at `url`; `status_callback`, when
        given, is set (or cleared) too."""
        # Clearing VoiceApplicationSid too: a linked application would take precedence over VoiceUrl.
        form = {"VoiceUrl": url, "VoiceMethod": "POST"}
        if url:
            form["VoiceApplicationSid"] = ""
        if status_callback is not None:
            form["StatusCallback"] = status_callback
            if status_callback:
                form["StatusCallbackMethod"] = "POST"
        await self.http.request(
            self.provider,
            "POST",
            f"{self.account_url}/IncomingPhoneNumbers/{number_sid}.json",
            data=form,
            auth=self.auth,
            tenant_host=self.tenant_host,
        )

    async def number_pages(self) -> Pages:
        """The account's IncomingPhoneNumbers, page by page: the largest PageSize the API takes,
        then each next_page_uri, as the SDK's `stream` follows it (on our host: `same_host`)."""
        url = f"{self.account_url}/IncomingPhoneNumbers.json"
        params: dict[str, str] | None = {"PageSize": str(LIST_PAGE_SIZE)}
        while True:
            page = await self._json("GET", url, params=params)
            numbers = page.get("incoming_phone_numbers") if isinstance(page, dict) else None
            if not isinstance(numbers, list):
                raise ProviderError(FailureKind.BAD_RESPONSE, f"{self.provider} answered the number list with an unexpected body.")
            yield listed(number.get("phone_number") for number in numbers if isinstance(number, dict))
            next_page = page.get("next_page_uri")
            if not isinstance(next_page, str) or not next_page:
                return
            url, params = self.host + same_host(next_page), None


class TwilioCompatibleProvider(ProviderPlugin):
    """Attach = set the number's VoiceUrl, and its StatusCallback to the front door's status URL
    (so that calls end when the provider says so); detach = blank them when they are still
    Switchboard's. Each number has its own URLs.

    Call webhooks are form POSTs (or GETs) with Twilio's names, answered in TwiML."""

    supports_inbound_dispatch = True
    #: The credential field whose value signs the webhooks.
    signing_field: str = "authToken"

    def parse_inbound(self, request: WebhookRequest) -> InboundCallWebhook:
        _require_form(request)
        return InboundCallWebhook(
            call_id=request.required("CallSid"),
            account_id=request.required("AccountSid"),
            called=request.required("To", "Called"),
            calling=request.param("From") or request.param("Caller") or "",
            called_country=request.param("ToCountry") or None,
        )

    def parse_status(self, request: WebhookRequest) -> CallEndedWebhook | None:
        _require_form(request)
        call = CallEndedWebhook(call_id=request.required("CallSid"), account_id=request.required("AccountSid"))
        return call if request.param("CallStatus") in ENDED_STATUSES else None

    def signature_valid(self, request: WebhookRequest, credentials: Mapping[str, str]) -> bool:
        return twilio_signature_valid(
            credentials.get(self.signing_field, ""),
            request.url,
            request.parameters() if request.method == "POST" else {},
            request.body,
            request.headers.get("x-twilio-signature"),
        )

    def stream_answer(self, target: StreamTarget) -> WebhookAnswer:
        return connect_stream(target)

    def reject_answer(self) -> WebhookAnswer:
        return say_and_hang_up()

    @abc.abstractmethod
    def api(self, http: ProviderHttp, credentials: Mapping[str, str]) -> TwilioCompatibleApi: ...

    async def verify_credentials(self, http: ProviderHttp, credentials: Mapping[str, str]) -> str:
        account = await self.api(http, credentials).account()
        name = account.get("friendly_name") or account.get("sid") or "account"
        return f"{self.display_name} accepted the credentials of '{name}' (status {account.get('status', 'unknown')})."

    async def attach_inbound(
        self, http: ProviderHttp, credentials: Mapping[str, str], number: InboundNumber, url: str
    ) -> Attached:
        self.require_pstn(number)
        api = self.api(http, credentials)
        found = await api.find_number(number.address)
        status = status_url(url)
        await api.set_voice_url(found["sid"], url, status)
        summary = f"{self.display_name} now sends inbound calls to {number.address} to Switchboard."
        previous = found.get("status_callback")
        if previous and previous != status:
            summary += f" Its StatusCallback was {previous}; Switchboard's replaces it."
        return Attached(summary)

    async def detach_inbound(
        self,
        http: ProviderHttp,
        credentials: Mapping[str, str],
        number: InboundNumber,
        url: str,
        replaced: Mapping[str, Any] | None = None,
    ) -> str:
        self.require_pstn(number)
        api = self.api(http, credentials)
        try:
            found = await api.find_number(number.address)
        except ProviderError as exc:
            if exc.kind is FailureKind.NOT_FOUND:
                return f"{number.address} is no longer in this {self.display_name} account; nothing to detach."
            raise
        if found.get("voice_url") != url:
            return f"{number.address} does not point at Switchboard at {self.display_name}; left as it is."
        ours = found.get("status_callback") == status_url(url)
        await api.set_voice_url(found["sid"], "", "" if ours else None)
        return f"{self.display_name} no longer sends inbound calls to {number.address} to Switchboard."

    async def account_numbers(self, http: ProviderHttp, credentials: Mapping[str, str]) -> AccountNumbers:
        return await collect(http, self.display_name, self.api(http, credentials).number_pages())
