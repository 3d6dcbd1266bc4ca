"""The Twilio 2010-04-01 REST shape, spoken by Twilio and by SignalWire's compatibility (LaML) API."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass
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
                raise ProviderError(
                    FailureKind.BAD_RESPONSE, f"{self.provider} answered the number lookup with an unexpected body."
                )
            for number in numbers:
                if isinstance(number, dict) and number.get("phone_number") == e164 and number.get("sid"):
                    return number
            next_page = page.get("next_page_uri")
            if not isinstance(next_page, str) or not next_page:
                break
            url, params = urljoin(self.host + "/", next_page.lstrip("/")), None
        raise ProviderError(FailureKind.NOT_FOUND, f"{e164} is not in this {self.provider} account.")

    async def update_number(self, number_sid: str, form: Mapping[str, str]) -> None:
        """POST the IncomingPhoneNumber update `form` (Twilio's parameter names, form-encoded)."""
        await self.http.request(
            self.provider,
            "POST",
            f"{self.account_url}/IncomingPhoneNumbers/{number_sid}.json",
            data=dict(form),
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


@dataclass(frozen=True, slots=True)
class Routing:
    """Where an IncomingPhoneNumber sends its calls: a SIP trunk, else an application (whose voice
    URL serves every number linked to it), else its own voice URL; and where its call-status
    callbacks go. Per the twilio SDK's resource documentation, `trunk_sid` makes the number
    ignore its voice URL and application, and `voice_application_sid` its voice URL."""

    voice_url: str
    voice_method: str
    application_sid: str
    trunk_sid: str
    status_callback: str
    status_callback_method: str

    @classmethod
    def of(cls, resource: Mapping[str, Any]) -> Routing:
        def text(name: str, default: str = "") -> str:
            value = resource.get(name)
            return value if isinstance(value, str) and value else default

        return cls(
            voice_url=text("voice_url"),
            voice_method=text("voice_method", "POST").upper(),
            application_sid=text("voice_application_sid"),
            trunk_sid=text("trunk_sid"),
            status_callback=text("status_callback"),
            status_callback_method=text("status_callback_method", "POST").upper(),
        )

    def replaced_by(self, url: str, status: str) -> dict[str, str] | None:
        """What pointing the number at `url` and its status callbacks at `status` takes away, as
        the update parameters that put it back; None when nothing but Switchboard's was there."""
        replaced: dict[str, str] = {}
        if self.trunk_sid:
            replaced["TrunkSid"] = self.trunk_sid
        if self.application_sid:
            replaced["VoiceApplicationSid"] = self.application_sid
        if self.voice_url and self.voice_url != url:
            replaced |= {"VoiceUrl": self.voice_url, "VoiceMethod": self.voice_method}
        if self.status_callback and self.status_callback != status:
            replaced |= {"StatusCallback": self.status_callback, "StatusCallbackMethod": self.status_callback_method}
        return replaced or None


def attach_form(url: str, status: str) -> dict[str, str]:
    """The update that sends the number's calls to `url` and their status callbacks to `status`:
    off any SIP trunk and application, which would take precedence over the voice URL."""
    return {
        "VoiceUrl": url,
        "VoiceMethod": "POST",
        "VoiceApplicationSid": "",
        "TrunkSid": "",
        "StatusCallback": status,
        "StatusCallbackMethod": "POST",
    }


def detach_form(routing: Routing, status: str, replaced: Mapping[str, Any]) -> dict[str, str]:
    """The update that takes Switchboard's voice URL (and status callback, when it is still ours)
    off a number whose voice URL is Switchboard's, and puts back what the attach `replaced`. A
    trunk or application put on the number since then is the user's choice and stays."""
    kept = {name: value for name, value in replaced.items() if isinstance(value, str)}
    form = {"VoiceUrl": kept.get("VoiceUrl", ""), "VoiceMethod": kept.get("VoiceMethod", "POST")}
    if not routing.trunk_sid and not routing.application_sid:
        form |= {name: kept[name] for name in ("VoiceApplicationSid", "TrunkSid") if kept.get(name)}
    if routing.status_callback == status:
        form["StatusCallback"] = kept.get("StatusCallback", "")
        if form["StatusCallback"]:
            form["StatusCallbackMethod"] = kept.get("StatusCallbackMethod", "POST")
    return form


def describe(routing: Mapping[str, str]) -> str:
    """The routing named by update parameters, in a few words ("SIP trunk TK… and voice URL …
    (POST)"); "" when they name none."""
    parts = []
    if routing.get("TrunkSid"):
        parts.append(f"SIP trunk {routing['TrunkSid']}")
    if routing.get("VoiceApplicationSid"):
        parts.append(f"application {routing['VoiceApplicationSid']}")
    if routing.get("VoiceUrl"):
        parts.append(f"voice URL {routing['VoiceUrl']} ({routing.get('VoiceMethod', 'POST')})")
    if routing.get("StatusCallback"):
        parts.append(f"status callback {routing['StatusCallback']}")
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


class TwilioCompatibleProvider(ProviderPlugin):
    """Attach = point the number's VoiceUrl at Switchboard, taking it off any SIP trunk and
    application (either would take precedence over the voice URL), and its StatusCallback at the
    front door's status URL (so that calls end when the provider says so). What that replaced is
    kept, as the update parameters that restore it, and named in the summary. Detach = when the
    voice URL is still Switchboard's, put back what the attach replaced (or blank it). Each
    number has its own URLs.

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
        replaced = Routing.of(found).replaced_by(url, status)
        await api.update_number(found["sid"], attach_form(url, status))
        summary = f"{self.display_name} now sends inbound calls to {number.address} to Switchboard."
        if replaced:
            summary += f" It replaced {describe(replaced)}; Switchboard keeps that and puts it back when the number is unbound."
        return Attached(summary, replaced)

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
        routing = Routing.of(found)
        if routing.voice_url != url:
            return f"{number.address} does not point at Switchboard at {self.display_name}; left as it is."
        form = detach_form(routing, status_url(url), replaced or {})
        await api.update_number(found["sid"], form)
        summary = f"{self.display_name} no longer sends inbound calls to {number.address} to Switchboard"
        restored = describe(form)
        return f"{summary}; Switchboard put back {restored}." if restored else f"{summary}."

    async def account_numbers(self, http: ProviderHttp, credentials: Mapping[str, str]) -> AccountNumbers:
        return await collect(http, self.display_name, self.api(http, credentials).number_pages())
