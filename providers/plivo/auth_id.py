"""``AuthIdProvider``: the base shared by Plivo and Vobiz (a Plivo-like API). What the two
share is the application: its ``answer_url`` receives the inbound calls of every number linked
to it, it is read with ``GET …/Application/{app_id}/`` and changed with a JSON ``POST`` of
``answer_url``/``answer_method`` to the same path. What differs (auth, hosts and paths, how a
number is found, linked and unlinked) is spelled out by each provider's ``AuthIdApi``. The
attach/detach flow itself is ``LinkedApplicationProvider``'s.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Mapping
from typing import Any, ClassVar, TypeVar

from ..base import DIGITS_HINT, DIGITS_PATTERN, CredentialField, InboundNumber, opaque_secret
from ..errors import FailureKind, ProviderError
from ..http import ProviderHttp
from ..linked_application import LinkedApplicationApi, LinkedApplicationProvider

T = TypeVar("T")


async def unless_missing(call: Awaitable[T]) -> T | None:
    """The call's result, or None when the provider answers 404 (NOT_FOUND)."""
    try:
        return await call
    except ProviderError as exc:
        if exc.kind is FailureKind.NOT_FOUND:
            return None
        raise


class AuthIdApi(LinkedApplicationApi[dict[str, Any], None]):
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

    async def send(self, method: str, url: str, **kwargs: Any) -> None:
        await self.http.request(self.provider, method, url, **self.auth(), **kwargs)

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
        return f"{self.account_url}/Application/{self.app_id}/"

    async def answers_at(self, url: str) -> bool:
        """Whether the application already POSTs its calls to `url`."""
        application = await unless_missing(self.fetch(self.application_url, "application lookup"))
        if application is None:
            raise ProviderError(
                FailureKind.NOT_FOUND,
                f"{self.provider} has no application {self.app_id} in this account; "
                f"check the Application ID of this configuration in the {self.provider} console.",
            )
        method = str(application.get("answer_method") or "POST").upper()
        return application.get("answer_url") == url and method == "POST"

    async def set_answer_url(self, url: str) -> None:
        await self.send("POST", self.application_url, json={"answer_url": url, "answer_method": "POST"})

    async def point_application_at(self, url: str) -> None:
        if not await self.answers_at(url):
            await self.set_answer_url(url)

    async def find_number_to_detach(self, number: InboundNumber) -> dict[str, Any] | None:
        # A 404 anywhere in the lookup means the number is gone: nothing to detach.
        return await unless_missing(self.find_number(number))

    def is_linked(self, found: dict[str, Any]) -> bool:
        return self.linked_application(found) == self.app_id

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
    host (``api_base``). The account id is the auth id, which webhooks carry and which is part of
    every API path.
    """

    # The number is linked to the application whose answer_url is the inbound webhook.
    supports_inbound_sync = True
    needs_caller_ids = True
    api_class: ClassVar[type[AuthIdApi]]
    api_base: ClassVar[str]

    def account_id(self, credentials: Mapping[str, str]) -> str:
        return credentials["authId"].strip()

    def api(self, http: ProviderHttp, credentials: Mapping[str, str]) -> AuthIdApi:
        return self.api_class(http, self.display_name, http.base(self.key, self.api_base), credentials)

    async def verify_credentials(self, http: ProviderHttp, credentials: Mapping[str, str]) -> str:
        return await self.api(http, credentials).verify()

    def attached(self, api: AuthIdApi, number: InboundNumber, application: None) -> str:
        return f"{self.display_name} now sends inbound calls to {number.address} to Switchboard (application {api.app_id})."

    def not_linked(self, api: AuthIdApi, number: InboundNumber) -> str:
        return f"{number.address} is not linked to {self.display_name} application {api.app_id}; left as it is."

    def detached(self, api: AuthIdApi, number: InboundNumber) -> str:
        return (
            f"{self.display_name} no longer sends inbound calls to {number.address} to Switchboard "
            f"(unlinked from application {api.app_id})."
        )


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
