"""``AuthIdProvider``: the base shared by Plivo and Vobiz (a Plivo-like API). What the two
share is the application: its ``answer_url`` receives the inbound calls of every number linked
to it and its ``hangup_url`` hears when they end; it is read with ``GET …/Application/{app_id}/``
and changed with a JSON ``POST`` of those URLs and their methods to the same path. What differs
(auth, hosts and paths, how a number is found, linked and unlinked) is spelled out by each
provider's ``AuthIdApi``. The attach/detach flow itself is ``LinkedApplicationProvider``'s; the
front door's side (webhooks, signature, answers) is the same for both and lives here too.

The application's URLs serve every number linked to it, so a detach only unlinks its number and
leaves them pointing at Switchboard: restoring a hangup URL the attach replaced would leave the
calls of the numbers still linked without an end. The attach's summary names the URLs it
replaced instead, so they are kept in the number's last sync.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Mapping
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import httpx

from ..base import DIGITS_HINT, DIGITS_PATTERN, CredentialField, InboundNumber, opaque_secret
from ..errors import FailureKind, ProviderError
from ..http import ProviderHttp
from ..inbound import CallEndedWebhook, InboundCallWebhook, StreamTarget, WebhookAnswer, WebhookRequest
from ..linked_application import LinkedApplicationApi, LinkedApplicationProvider
from . import markup
from .signature import v3_signature_valid
from .webhooks import parse_call, parse_hangup

T = TypeVar("T")


async def unless_missing(call: Awaitable[T]) -> T | None:
    """The call's result, or None when the provider answers 404 (NOT_FOUND)."""
    try:
        return await call
    except ProviderError as exc:
        if exc.kind is FailureKind.NOT_FOUND:
            return None
        raise


def status_url(inbound_url: str) -> str:
    """The front door's status URL beside its inbound URL: ``…/status`` with the same query."""
    parts = urlsplit(inbound_url)
    return parts._replace(path=parts.path.rsplit("/", 1)[0] + "/status").geturl()


#: The application's URL fields Switchboard sets, and how a summary names them.
_URL_FIELDS = (("answer_url", "answer URL"), ("hangup_url", "hangup URL"))
#: How a summary names the fields of a number's routing (`routing_of`).
_ROUTING_NAMES = {"app_id": "application", "application_id": "application", "trunk_group_id": "trunk"}


class AuthIdApi(LinkedApplicationApi[dict[str, Any], dict[str, str]]):
    """One account's calls to a Plivo-like API. Subclasses give ``account_url`` (the prefix of
    ``/Application/{app_id}/``) and spell the auth, the number lookup and the (un)linking."""

    def __init__(self, http: ProviderHttp, provider: str, base: str, credentials: Mapping[str, str]) -> None:
        self.http = http
        self.provider = provider
        self.base = base
        self.auth_id = credentials["authId"]
        self.token = credentials["authToken"]
        self.app_id = credentials["applicationId"]

    @abc.abstractmethod
    def auth(self) -> dict[str, Any]:
        """The keyword arguments of ``ProviderHttp.request`` that authenticate a request."""

    async def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return await self.http.request(self.provider, method, url, **self.auth(), **kwargs)

    async def fetch(self, url: str, what: str, **kwargs: Any) -> dict[str, Any]:
        """GET a JSON object; `what` names it in the message when the body is something else."""
        body = await self.http.json(self.provider, "GET", url, **self.auth(), **kwargs)
        if not isinstance(body, dict):
            raise self.unexpected(what)
        return body

    def unexpected(self, what: str) -> ProviderError:
        return ProviderError(FailureKind.BAD_RESPONSE, f"{self.provider} answered the {what} with an unexpected body.")

    def not_found(self, number: InboundNumber) -> ProviderError:
        return ProviderError(FailureKind.NOT_FOUND, f"{number.address} is not in this {self.provider} account.")

    @property
    @abc.abstractmethod
    def account_url(self) -> str: ...

    # --- the application, the same on both wires
    @property
    def application_url(self) -> str:
        """Where the application is changed (POST), and by default read (GET)."""
        return f"{self.account_url}/Application/{self.app_id}/"

    @property
    def application_read_url(self) -> str:
        return self.application_url

    async def application(self) -> dict[str, Any]:
        application = await unless_missing(self.fetch(self.application_read_url, "application lookup"))
        if application is None:
            raise ProviderError(
                FailureKind.NOT_FOUND,
                f"{self.provider} has no application {self.app_id} in this account; "
                f"check the Application ID of this configuration in the {self.provider} console.",
            )
        return application

    async def point_application_at(self, url: str) -> dict[str, str]:
        """Make the application POST its calls to `url` and their hangups to the status URL,
        writing only when something differs; return the URLs it replaced, by their names."""
        wanted = {"answer_url": url, "answer_method": "POST", "hangup_url": status_url(url), "hangup_method": "POST"}
        application = await self.application()
        current = {name: str(application.get(name) or "") for name in wanted}
        for method in ("answer_method", "hangup_method"):
            current[method] = current[method].upper() or "POST"  # POST is the default of both
        if current == wanted:
            return {}
        await self.send("POST", self.application_url, json=wanted)
        return {label: current[name] for name, label in _URL_FIELDS if current[name] not in ("", wanted[name])}

    async def find_number_to_detach(self, number: InboundNumber) -> dict[str, Any] | None:
        # A 404 anywhere in the lookup means the number is gone: nothing to detach.
        return await unless_missing(self.find_number(number))

    def is_linked(self, found: dict[str, Any]) -> bool:
        return self.linked_application(found) == self.app_id

    def describe_routing(self, routing: Mapping[str, Any]) -> str:
        return " and ".join(f"{_ROUTING_NAMES.get(name, name)} {value}" for name, value in routing.items())

    # --- what each wire spells its own way (and find_number, link, unlink: see LinkedApplicationApi)
    @abc.abstractmethod
    async def verify(self) -> str:
        """The cheapest authenticated call; a short sentence about what the provider said."""

    @abc.abstractmethod
    def linked_application(self, found: dict[str, Any]) -> str | None:
        """The id of the application the number is linked to, if any."""


class AuthIdProvider(LinkedApplicationProvider[AuthIdApi]):
    """Providers whose credentials are an auth id, an auth token and an application id.

    Subclasses declare ``fields = auth_id_fields(...)``, their wire (``api_class``) and its default
    host (``api_base``), and for the front door their signature headers (``signature_header``) and
    the country of the national numbers their webhooks may carry (``national_country``). The account
    id is the auth id, which is part of every API path; the answer request does not carry it, so
    Switchboard's inbound URL does (``account_in_inbound_url``).
    """

    # The number is linked to the application whose answer_url is the inbound webhook.
    supports_inbound_sync = True
    needs_caller_ids = True
    supports_inbound_dispatch = True
    account_in_inbound_url = True
    api_class: ClassVar[type[AuthIdApi]]
    api_base: ClassVar[str]
    #: The (lower-case) header of the V3 signature; its nonce's header adds ``-nonce``.
    signature_header: ClassVar[str]
    national_country: ClassVar[str | None] = None

    def account_id(self, credentials: Mapping[str, str]) -> str:
        return credentials["authId"].strip()

    def api(self, http: ProviderHttp, credentials: Mapping[str, str]) -> AuthIdApi:
        return self.api_class(http, self.display_name, http.base(self.key, self.api_base), credentials)

    async def verify_credentials(self, http: ProviderHttp, credentials: Mapping[str, str]) -> str:
        return await self.api(http, credentials).verify()

    def attached(self, api: AuthIdApi, number: InboundNumber, application: dict[str, str]) -> str:
        summary = f"{self.display_name} now sends inbound calls to {number.address} to Switchboard (application {api.app_id})."
        if application:
            replaced = " and ".join(f"{label} {url}" for label, url in application.items())
            summary += f" It replaced the application's {replaced}."
        return summary

    def not_linked(self, api: AuthIdApi, number: InboundNumber) -> str:
        return f"{number.address} is not linked to {self.display_name} application {api.app_id}; left as it is."

    def detached(self, api: AuthIdApi, number: InboundNumber) -> str:
        return (
            f"{self.display_name} no longer sends inbound calls to {number.address} to Switchboard "
            f"(unlinked from application {api.app_id})."
        )

    # --- the front door
    def parse_inbound(self, request: WebhookRequest) -> InboundCallWebhook | CallEndedWebhook | None:
        return parse_call(request, self.national_country)

    def parse_status(self, request: WebhookRequest) -> CallEndedWebhook | None:
        return parse_hangup(request)

    def signature(self, request: WebhookRequest) -> tuple[str | None, str]:
        """The request's signature header and its nonce (blank when missing, as SDK users read it)."""
        return request.headers.get(self.signature_header), request.headers.get(self.signature_header + "-nonce", "")

    def signature_valid(self, request: WebhookRequest, credentials: Mapping[str, str]) -> bool:
        header, nonce = self.signature(request)
        token = credentials.get("authToken", "")
        return v3_signature_valid(token, request.method, request.url, request.parameters(), nonce, header)

    def stream_answer(self, target: StreamTarget) -> WebhookAnswer:
        return markup.stream(target)

    def reject_answer(self) -> WebhookAnswer:
        return markup.speak_and_hang_up()


def auth_id_fields(
    provider: str, *, auth_id_pattern: str, auth_id_hint: str, auth_id_placeholder: str
) -> tuple[CredentialField, ...]:
    """The authId / authToken / applicationId fields of an ``AuthIdProvider``."""
    return (
        CredentialField(
            name="authId",
            label="Auth ID",
            pattern=auth_id_pattern,
            pattern_hint=auth_id_hint,
            description=f"{provider} console > Overview.",
            placeholder=auth_id_placeholder,
        ),
        # Neither provider documents the token format ("(?)").
        opaque_secret(
            "authToken",
            "Auth Token",
            f"{provider} console > Overview. Also signs {provider}'s webhooks.",
        ),
        CredentialField(
            name="applicationId",
            label="Application ID",
            pattern=DIGITS_PATTERN,
            pattern_hint=DIGITS_HINT,
            description=f"The {provider} application whose answer URL receives inbound calls.",
            placeholder="29986316244302815",
        ),
    )
