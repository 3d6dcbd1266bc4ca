"""Exotel: v2_beta REST API on a regional host; inbound calls arrive through Exotel flows."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .account_listing import Pages, collect, listed
from .base import AccountNumbers, CredentialField, FieldType, InboundNumber, ProviderPlugin, opaque_secret
from .errors import FailureKind, ProviderError
from .http import ProviderHttp
from .inbound import CallEndedWebhook, InboundCallWebhook, MalformedWebhook, StreamTarget, WebhookAnswer, WebhookRequest

DEFAULT_SUBDOMAIN = "api.exotel.com"
#: The two clusters: a key and token are only known on their account's own cluster.
_REGIONS = {"api.exotel.com": "Singapore", "api.in.exotel.com": "Mumbai"}
_MAX_PAGES = 20
#: The answer that refuses a call: a synchronous Passthru applet goes to its 302 branch.
REFUSED = WebhookAnswer(b"", "text/plain", 302)


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
    # The flow's applets request the inbound URL with the call in the query, signed by nothing: the
    # URL names the account and carries the configuration's token.
    supports_inbound_dispatch = True
    account_in_inbound_url = True
    token_in_inbound_url = True
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
            default=DEFAULT_SUBDOMAIN,
            options=(
                ("api.exotel.com", "Singapore (api.exotel.com)"),
                ("api.in.exotel.com", "Mumbai (api.in.exotel.com)"),
            ),
            description="The API host of your account's cluster; the wrong one fails authentication.",
        ),
    )

    def account_id(self, credentials: Mapping[str, str]) -> str:
        return credentials["accountSid"].strip()

    def manual_inbound_step(self, number: InboundNumber, url: str, *, attach: bool) -> str:
        if attach:
            return (
                "Exotel sends an ExoPhone's calls only to a flow, which its API cannot build. In the Exotel dashboard "
                f"(App Bazaar), create a flow: a synchronous Passthru applet with the URL {url}; on 200 OK, a "
                "Voicebot applet with the same URL, then an asynchronous Passthru applet with the same URL but "
                "/status in place of /inbound (so that the call ends in Switchboard), then Hangup; on 302, a Greeting "
                f"saying the call cannot be taken, then Hangup. Assign the ExoPhone {number.address} to that flow."
            )
        return (
            f"Switchboard no longer takes the calls of {number.address}: it refuses them (the flow takes its 302 "
            "branch). In the Exotel dashboard, assign the ExoPhone to another flow; Exotel's API cannot do this."
        )

    # The front door. A Passthru applet requests the inbound URL and takes its 200 branch (on to the
    # Voicebot) or its 302 branch (refused); the Voicebot applet requests the same URL for its wss
    # URL, which is then the same call delivered again; a Passthru after the Voicebot requests the
    # status URL once the stream is over ("the stream auto-closes before the next applet").

    def parse_inbound(self, request: WebhookRequest) -> InboundCallWebhook:
        _require_query_or_form(request)
        return InboundCallWebhook(
            call_id=request.required("CallSid"),
            account_id=_account(request),
            called=request.required("CallTo", "To"),
            calling=request.param("CallFrom") or request.param("From") or "",
            # ExoPhones and callers come as Indian national numbers (0XXXXXXXXXX).
            called_country="IN",
        )

    def parse_status(self, request: WebhookRequest) -> CallEndedWebhook:
        _require_query_or_form(request)
        return CallEndedWebhook(call_id=request.required("CallSid"), account_id=_account(request))

    def stream_answer(self, target: StreamTarget) -> WebhookAnswer:
        # At most 3 custom query pairs reach the socket (start.custom_parameters), 256 characters in
        # all, with any the agent URL has: the call and the workflow. The start message has the
        # caller and the called number of its own (from, to).
        body = json.dumps({"url": target.url_with_parameters("callId", "workflowId")}).encode()
        return WebhookAnswer(body, "application/json")

    def reject_answer(self) -> WebhookAnswer:
        # Exotel has no markup to speak and hang up; a synchronous Passthru's 302 takes the flow's
        # other branch, where the Greeting and Hangup are.
        return REFUSED

    async def verify_credentials(self, http: ProviderHttp, credentials: Mapping[str, str]) -> str:
        sid = credentials["accountSid"].strip()
        subdomain = _subdomain(credentials)
        try:
            count, more = await self._count_exophones(http, credentials, sid, subdomain)
        except ProviderError as exc:
            raise _explained(exc, sid, subdomain) from exc
        phones = f"{count}{'+' if more else ''} ExoPhone{'' if count == 1 and not more else 's'}"
        return f"Exotel accepted the API key and token of account '{sid}' on {subdomain} ({phones})."

    async def _count_exophones(
        self, http: ProviderHttp, credentials: Mapping[str, str], sid: str, subdomain: str
    ) -> tuple[int, bool]:
        """How many ExoPhones the account has (the number list is the cheapest authenticated call),
        and whether there were more pages than we read."""
        count = read = 0
        async with aclosing(self._exophone_pages(http, credentials, sid, subdomain)) as pages:
            async for numbers, more in pages:
                count, read = count + len(numbers), read + 1
                if more and read == _MAX_PAGES:
                    return count, True
        return count, False

    async def _exophone_pages(
        self, http: ProviderHttp, credentials: Mapping[str, str], sid: str, subdomain: str
    ) -> AsyncIterator[tuple[list[Any], bool]]:
        """The ExoPhone list (GET /v2_beta/Accounts/{sid}/IncomingPhoneNumbers) page by page, each
        with whether another page follows (Page and PageSize of its next_page_uri)."""
        url = f"{http.base(self.key, f'https://{subdomain}')}/v2_beta/Accounts/{sid}/IncomingPhoneNumbers"
        auth = (credentials["apiKey"].strip(), credentials["apiToken"].strip())
        params: dict[str, str] = {}
        while True:
            page = await http.json(self.display_name, "GET", url, params=params, auth=auth)
            numbers = page.get("incoming_phone_numbers") if isinstance(page, dict) else None
            if not isinstance(numbers, list):
                raise ProviderError(
                    FailureKind.BAD_RESPONSE, "Exotel answered the ExoPhone list with an unexpected body."
                )
            params = _next_page_params(page.get("next_page_uri"))
            more = bool(params and numbers)
            yield numbers, more
            if not more:
                return

    async def account_numbers(self, http: ProviderHttp, credentials: Mapping[str, str]) -> AccountNumbers:
        sid, subdomain = credentials["accountSid"].strip(), _subdomain(credentials)

        async def pages() -> Pages:
            async with aclosing(self._exophone_pages(http, credentials, sid, subdomain)) as found:
                async for numbers, _more in found:
                    yield listed(number.get("phone_number") for number in numbers if isinstance(number, dict))

        try:
            return await collect(http, self.display_name, pages())
        except ProviderError as exc:
            raise _explained(exc, sid, subdomain) from exc


def _require_query_or_form(request: WebhookRequest) -> None:
    if request.method == "POST" and request.media_type != "application/x-www-form-urlencoded":
        raise MalformedWebhook(f"expected the call in the query, got a {request.media_type or 'bare'} body")


def _account(request: WebhookRequest) -> str:
    account = request.query_param("account")
    if not account:
        raise MalformedWebhook("the URL names no account")
    return account


def _subdomain(credentials: Mapping[str, str]) -> str:
    return (credentials.get("subdomain") or DEFAULT_SUBDOMAIN).strip().lower()


def _next_page_params(next_page_uri: Any) -> dict[str, str]:
    """The paging parameters of ``next_page_uri``, replayed on our own URL (so that an overridden API
    base is honoured whether Exotel answers with a relative or an absolute URI)."""
    if not isinstance(next_page_uri, str) or not next_page_uri:
        return {}
    query = parse_qs(urlsplit(next_page_uri).query)
    return {name: query[name][0] for name in ("Page", "PageSize") if query.get(name)}


def _explained(exc: ProviderError, sid: str, subdomain: str) -> ProviderError:
    """Exotel answers 401 when the account lives on the other cluster: say which one to try."""
    if exc.kind is FailureKind.REJECTED:
        others = [f"{host} ({name})" for host, name in _REGIONS.items() if host != subdomain]
        other = others[0] if others else f"{DEFAULT_SUBDOMAIN} ({_REGIONS[DEFAULT_SUBDOMAIN]})"
        return ProviderError(
            exc.kind,
            f"{exc.message} Check the API key and token of account '{sid}', and the Region: Exotel refuses "
            f"credentials sent to the wrong cluster, so if the account is on {other}, choose that Region "
            f"instead of {subdomain}.",
        )
    if exc.kind is FailureKind.NOT_FOUND:
        return ProviderError(
            exc.kind,
            f"Exotel has no account '{sid}' on {subdomain} (HTTP 404). Check the Account SID and the Region.",
        )
    return exc
