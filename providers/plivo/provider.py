"""Plivo's wire: api.plivo.com/v1, where a number names its application by URI."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx

from ..account_listing import Pages, listed
from ..base import InboundNumber
from ..errors import FailureKind, ProviderError
from .auth_id import AuthIdApi, AuthIdProvider, auth_id_fields, unless_missing

PLIVO_API_BASE = "https://api.plivo.com"
# The number's `application` is a URI such as /v1/Account/MA…/Application/29986316244302815/.
_APPLICATION_URI = re.compile(r"/Application/([^/]+)/?$")
#: The largest `limit` of the number list (the SDK checks 0 < limit <= 20).
LIST_LIMIT = 20


class PlivoApi(AuthIdApi):
    """api.plivo.com/v1: Basic auth, JSON bodies, every path ends with "/", numbers without "+"."""

    @property
    def account_url(self) -> str:
        return f"{self.base}/v1/Account/{self.auth_id}"

    def auth(self) -> dict[str, Any]:
        return {"auth": (self.auth_id, self.token)}

    def number_url(self, number: InboundNumber) -> str:
        return f"{self.account_url}/Number/{number.digits}/"

    async def verify(self) -> str:
        account = await self.fetch(f"{self.account_url}/", "account lookup")
        name = account.get("name") or account.get("auth_id") or "account"
        return f"{self.provider} accepted the credentials of '{name}' (cash credits {account.get('cash_credits', 'unknown')})."

    async def find_number(self, number: InboundNumber) -> dict[str, Any] | None:
        # A direct, exact lookup: 404 means the account does not own the number.
        found = await unless_missing(self.fetch(self.number_url(number), "number lookup"))
        if found is None or str(found.get("number", "")).lstrip("+") != number.digits:
            return None
        return found

    def linked_application(self, found: dict[str, Any]) -> str | None:
        match = _APPLICATION_URI.search(str(found.get("application") or ""))
        return match.group(1) if match else None

    def routing_of(self, found: dict[str, Any]) -> dict[str, Any] | None:
        """The application the number was linked to, as the number update that links it back takes it."""
        linked = self.linked_application(found)
        return {"app_id": linked} if linked else None

    async def update_number(self, number: InboundNumber, app_id: str) -> httpx.Response:
        """Link the number to `app_id` ("": none). The body names the number too, as plivo-python's
        numbers.update sends it."""
        return await self.send("POST", self.number_url(number), json={"number": number.digits, "app_id": app_id})

    async def link(self, number: InboundNumber, found: dict[str, Any]) -> None:
        await self.update_number(number, self.app_id)

    async def unlink(self, number: InboundNumber, found: dict[str, Any], replaced: Mapping[str, Any] | None) -> str | None:
        """Link the number back to the application it had (`replaced`); without one, or when that
        application is gone, send an empty app_id (what plivo-python's numbers.update sends), after
        which Plivo puts the number on the account's default number application, if there is one."""
        previous = (replaced or {}).get("app_id")
        if previous and await unless_missing(self.update_number(number, previous)) is not None:
            return f"It is linked to application {previous} again, as before Switchboard."
        await self.update_number(number, "")
        after = await self.find_number(number)
        if after is None:
            raise self.not_found(number)
        if self.is_linked(after):
            raise ProviderError(
                FailureKind.REFUSED,
                f"{self.provider} kept {number.address} on application {self.app_id}, probably because it is the "
                f"account's default number application; link the number to another application in the {self.provider} console.",
            )
        default = self.linked_application(after)
        now = (
            f"{self.provider} linked it to application {default}, the account's default number application."
            if default
            else "It is on no application now."
        )
        if previous:
            return f"Its previous application {previous} no longer exists. {now}"
        return now if default else None

    async def number_pages(self) -> Pages:
        """GET …/Number/ at `offset` after `offset`, while meta.next names a next page (the SDK's
        numbers.list takes limit and offset and leaves the paging to its caller). A number is
        E.164 without its "+", which is put back so that the number reads the same everywhere."""
        offset = 0
        while True:
            body = await self.fetch(f"{self.account_url}/Number/", "number list", params={"limit": LIST_LIMIT, "offset": offset})
            objects, meta = body.get("objects"), body.get("meta")
            if not isinstance(objects, list) or not isinstance(meta, dict):
                raise self.unexpected("number list")
            numbers = listed(found.get("number") for found in objects if isinstance(found, dict))
            yield [f"+{number}" if number.isdigit() else number for number in numbers]
            if not meta.get("next"):
                return
            offset += LIST_LIMIT


class PlivoProvider(AuthIdProvider):
    key = "plivo"
    display_name = "Plivo"
    notes = "Cost-effective option."
    docs_url = "https://www.plivo.com/docs/voice/api/overview"
    fields = auth_id_fields(
        "Plivo",
        # The Plivo SDK's own validator: MA (main account) or SA (subaccount) + 18 characters.
        auth_id_pattern=r"^(?:MA|SA)[A-Z0-9]{18}$",
        auth_id_hint="must look like MA or SA followed by 18 upper-case letters or digits",
        auth_id_placeholder="MAXXXXXXXXXXXXXXXXXX",
    )
    api_class = PlivoApi
    api_base = PLIVO_API_BASE
    signature_header = "x-plivo-signature-v3"
