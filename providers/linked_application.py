"""Providers whose inbound URL lives on an application that many numbers share.

Telnyx (Call Control application), Vonage (Voice application) and the Plivo-like APIs (Plivo,
Vobiz) route a number's inbound calls to the URL of the application the number is linked to.
That URL is shared by every number on the application, so the sync flow is the same for all:
`LinkedApplicationProvider` is that flow; each provider spells its wire in a
`LinkedApplicationApi` and its one-line summaries in the message hooks.

Cloudonix looks alike but is not one of them: a number's DNID is created (not found) on attach
when it has none, and detach also requires the application to call our URL.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from .account_listing import Pages, collect
from .base import AccountNumbers, Attached, InboundNumber, ProviderPlugin
from .errors import FailureKind, ProviderError
from .http import ProviderHttp

NumberT = TypeVar("NumberT")
ApplicationT = TypeVar("ApplicationT")


class LinkedApplicationApi(abc.ABC, Generic[NumberT, ApplicationT]):
    """One account's calls for the shared-application flow.

    ``NumberT`` is the provider's record of a number, ``ApplicationT`` whatever
    `point_application_at` reports for the summary of an attach.
    """

    @abc.abstractmethod
    async def find_number(self, number: InboundNumber) -> NumberT | None:
        """The provider's record of exactly this number; None when the account has no such number."""

    async def find_number_to_detach(self, number: InboundNumber) -> NumberT | None:
        """The number as detach looks it up (None: nothing to detach); by default `find_number`."""
        return await self.find_number(number)

    @abc.abstractmethod
    async def point_application_at(self, url: str) -> ApplicationT:
        """Make the shared application send its calls to `url`, writing only when it does not already."""

    @abc.abstractmethod
    def is_linked(self, found: NumberT) -> bool:
        """Whether the number is linked to our application."""

    @abc.abstractmethod
    async def link(self, number: InboundNumber, found: NumberT) -> None: ...

    @abc.abstractmethod
    async def unlink(self, number: InboundNumber, found: NumberT, replaced: Mapping[str, Any] | None) -> str | None:
        """Take the number off our application and put back the routing the attach `replaced`; a
        sentence for the summary saying what the number routes to now, or None."""

    def routing_of(self, found: NumberT) -> dict[str, Any] | None:
        """What a number not linked to our application routes to (another application, a
        forwarding), in the form `unlink` restores; None when it routes nowhere. None by default."""
        return None

    def describe_routing(self, routing: Mapping[str, Any]) -> str:
        """`routing` (from `routing_of`) in a few words, for the summary of an attach."""
        return ", ".join(f"{name} {value}" for name, value in routing.items())

    async def release(self, url: str) -> str | None:
        """After a number left the application: give back what attaching took besides the URL
        the numbers share, once no number needs it; a sentence for the summary, or None when
        nothing changed. Nothing by default."""
        return None

    @abc.abstractmethod
    def number_pages(self) -> Pages:
        """The account's numbers, page by page, as the provider's SDK lists them (see account_listing)."""


ApiT = TypeVar("ApiT", bound=LinkedApplicationApi[Any, Any])


class LinkedApplicationProvider(ProviderPlugin, Generic[ApiT]):
    """A provider plugin whose inbound sync links numbers to one shared application.

    Subclasses give `api` and the summaries `attached`, `not_linked` and `detached`; the
    summaries for a number the account lacks are the same for all (`not_in_account`,
    `nothing_to_detach`).
    """

    @abc.abstractmethod
    def api(self, http: ProviderHttp, credentials: Mapping[str, str]) -> ApiT: ...

    def inbound_api(self, http: ProviderHttp, credentials: Mapping[str, str], number: InboundNumber) -> ApiT:
        """The API for syncing `number`, which must be a phone number (applications route PSTN only)."""
        self.require_pstn(number)
        return self.api(http, credentials)

    async def attach_inbound(
        self, http: ProviderHttp, credentials: Mapping[str, str], number: InboundNumber, url: str
    ) -> Attached:
        """Find the number (the account must have it), point the application at `url` only when it
        does not already, then link the number when it is not linked yet."""
        api = self.inbound_api(http, credentials, number)
        found = await api.find_number(number)
        if found is None:
            raise ProviderError(FailureKind.NOT_FOUND, self.not_in_account(number))
        # The URL is shared by every number of the application: only written when it differs.
        application = await api.point_application_at(url)
        replaced = None
        if not api.is_linked(found):
            replaced = api.routing_of(found)
            await api.link(number, found)
        summary = self.attached(api, number, application)
        if replaced:
            summary += (
                f" It was routed to {api.describe_routing(replaced)}; Switchboard keeps that and puts it back "
                "when the number is unbound."
            )
        return Attached(summary, replaced)

    async def detach_inbound(
        self,
        http: ProviderHttp,
        credentials: Mapping[str, str],
        number: InboundNumber,
        url: str,
        replaced: Mapping[str, Any] | None = None,
    ) -> str:
        """Find the number (gone: nothing to detach) and unlink it only when it is linked to our
        application; the application's URL is never changed, other numbers use it."""
        api = self.inbound_api(http, credentials, number)
        found = await api.find_number_to_detach(number)
        if found is None:
            return self.nothing_to_detach(number)
        if not api.is_linked(found):
            return self.not_linked(api, number)
        # Only the number leaves the application: its URL serves other numbers too.
        restored = await api.unlink(number, found, replaced)
        released = await api.release(url)
        if restored is None and replaced:
            restored = f"It is routed to {api.describe_routing(replaced)} again."
        return " ".join(filter(None, (self.detached(api, number), restored, released)))

    # --- the one-line summaries
    def not_in_account(self, number: InboundNumber) -> str:
        return f"{number.address} is not in this {self.display_name} account."

    def nothing_to_detach(self, number: InboundNumber) -> str:
        return f"{number.address} is no longer in this {self.display_name} account; nothing to detach."

    @abc.abstractmethod
    def attached(self, api: ApiT, number: InboundNumber, application: Any) -> str:
        """The summary of an attach; `application` is what `point_application_at` returned."""

    @abc.abstractmethod
    def not_linked(self, api: ApiT, number: InboundNumber) -> str:
        """Why detach left a number linked elsewhere (or nowhere) as it is."""

    @abc.abstractmethod
    def detached(self, api: ApiT, number: InboundNumber) -> str: ...

    async def account_numbers(self, http: ProviderHttp, credentials: Mapping[str, str]) -> AccountNumbers:
        return await collect(http, self.display_name, self.api(http, credentials).number_pages())
