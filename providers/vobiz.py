"""Vobiz: a Plivo-like REST API authenticated with X-Auth-ID / X-Auth-Token headers.

Every call is spelled as vobiz-python 0.1.1 spells it (``resources/*.py``): the application lives
under ``/api/v1/Account/{auth_id}/Application/`` (upper-case ``Account``; read without a trailing
slash, changed with one), everything else under ``/api/v1/account/{auth_id}/`` (lower case): the
balance, the number list (with a partial ``search``; items carry ``application_id`` and
``trunk_group_id``), a number's application (``POST``/``DELETE …/numbers/{number}/application``)
and its SIP trunk (``POST``/``DELETE …/numbers/{number}/assign``). Numbers in paths are
``%2B``-encoded E.164, as Vobiz's documentation asks (the SDK pastes them in as given).

A number on a SIP trunk sends its calls to the trunk ("all inbound calls to that phone number are
routed through the designated trunk"), so the attach takes it off the trunk as well, and the
detach puts back both the trunk and the application it had.

Its webhooks are Plivo's too, except that numbers may arrive national (``0XXXXXXXXXX``, Indian),
and that the V3 signature is accepted as vobiz-python computes it (Plivo's) or as Vobiz's
documentation describes it (the URL without its query and the nonce, parameters unsigned).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from .account_listing import Pages, listed
from .base import InboundNumber
from .inbound import WebhookRequest
from .plivo import AuthIdApi, AuthIdProvider, auth_id_fields, unless_missing
from .plivo.signature import url_only_signature_valid

VOBIZ_API_BASE = "https://api.vobiz.ai"
PER_PAGE = 100  # the documented maximum
_MAX_PAGES = 10


class VobizApi(AuthIdApi):
    """api.vobiz.ai/api/v1: X-Auth-ID / X-Auth-Token headers, JSON bodies, numbers as %2B-encoded E.164."""

    @property
    def account_url(self) -> str:
        return f"{self.base}/api/v1/Account/{self.auth_id}"

    @property
    def application_read_url(self) -> str:
        return self.application_url.removesuffix("/")

    @property
    def lower_account_url(self) -> str:
        return f"{self.base}/api/v1/account/{self.auth_id}"

    def auth(self) -> dict[str, Any]:
        return {"headers": {"X-Auth-ID": self.auth_id, "X-Auth-Token": self.token}}

    def number_url(self, number: InboundNumber, resource: str) -> str:
        """A number's `resource`: ``application`` or ``assign`` (its trunk)."""
        return f"{self.lower_account_url}/numbers/{quote(number.address, safe='')}/{resource}"

    async def verify(self) -> str:
        balance = await self.fetch(f"{self.lower_account_url}/balance/INR", "balance lookup")
        amount = balance.get("balance", "unknown")
        return f"{self.provider} accepted the credentials (balance {amount} {balance.get('currency') or 'INR'})."

    async def find_number(self, number: InboundNumber) -> dict[str, Any] | None:
        # `search` matches partially: the exact `e164` is picked here, page after page.
        for page in range(1, _MAX_PAGES + 1):
            params = {"page": page, "per_page": PER_PAGE, "search": number.address}
            body = await self.fetch(f"{self.lower_account_url}/numbers", "number lookup", params=params)
            items, per_page, total = body.get("items"), body.get("per_page"), body.get("total")
            if not isinstance(items, list):
                raise self.unexpected("number lookup")
            for item in items:
                if isinstance(item, dict) and item.get("e164") == number.address:
                    return item
            if not items or not isinstance(per_page, int) or not isinstance(total, int) or page * per_page >= total:
                break
        return None

    def linked_application(self, found: dict[str, Any]) -> str | None:
        linked = found.get("application_id")
        return None if linked in (None, "") else str(linked)

    @staticmethod
    def trunk(found: dict[str, Any]) -> str | None:
        trunk = found.get("trunk_group_id")
        return None if trunk in (None, "") else str(trunk)

    def is_linked(self, found: dict[str, Any]) -> bool:
        # A trunk takes the number's calls whatever its application.
        return super().is_linked(found) and self.trunk(found) is None

    def routing_of(self, found: dict[str, Any]) -> dict[str, Any] | None:
        """The trunk and the (other) application the number had, by the names their calls take."""
        routing = {"trunk_group_id": self.trunk(found), "application_id": self.linked_application(found)}
        if routing["application_id"] == self.app_id:
            del routing["application_id"]
        return {name: value for name, value in routing.items() if value} or None

    async def link(self, number: InboundNumber, found: dict[str, Any]) -> None:
        if self.trunk(found):
            await self.send("DELETE", self.number_url(number, "assign"))
        if not super().is_linked(found):
            await self.send("POST", self.number_url(number, "application"), json={"application_id": self.app_id})

    async def unlink(self, number: InboundNumber, found: dict[str, Any], replaced: Mapping[str, Any] | None) -> str | None:
        """Put back the trunk first (while the number is still ours, a failure leaves it linked, to
        be retried), then the previous application, or no application; a trunk or an application
        that no longer exists is said so."""
        replaced = replaced or {}
        said = []
        trunk = replaced.get("trunk_group_id")
        if trunk:
            back = await self.put_back(number, "assign", {"trunk_group_id": trunk})
            said.append(f"It is on trunk {trunk} again." if back else f"Its previous trunk {trunk} no longer exists.")
        previous = replaced.get("application_id")
        if previous:
            if await self.put_back(number, "application", {"application_id": previous}):
                return " ".join([*said, f"It is linked to application {previous} again, as before Switchboard."])
            said.append(f"Its previous application {previous} no longer exists. It is on no application now.")
        # 404: the binding is already gone, which is what detaching wants.
        await unless_missing(self.send("DELETE", self.number_url(number, "application")))
        return " ".join(said) or None

    async def put_back(self, number: InboundNumber, resource: str, body: dict[str, str]) -> bool:
        """POST `body` to the number's `resource`; False when Vobiz answers 404 (what it named is gone)."""
        return await unless_missing(self.send("POST", self.number_url(number, resource), json=body)) is not None

    async def number_pages(self) -> Pages:
        """GET /account/{auth_id}/numbers, `page` after `page` at the largest `per_page` (the
        SDK's numbers.list), until page × per_page reaches `total`."""
        page = 1
        while True:
            params = {"page": page, "per_page": PER_PAGE}
            body = await self.fetch(f"{self.lower_account_url}/numbers", "number list", params=params)
            items, per_page, total = body.get("items"), body.get("per_page"), body.get("total")
            if not isinstance(items, list):
                raise self.unexpected("number list")
            yield listed(item.get("e164") for item in items if isinstance(item, dict))
            if not isinstance(per_page, int) or not isinstance(total, int) or page * per_page >= total:
                return
            page += 1


class VobizProvider(AuthIdProvider):
    key = "vobiz"
    display_name = "Vobiz"
    notes = "Regional provider (India)."
    docs_url = "https://docs.vobiz.ai/"
    fields = auth_id_fields(
        "Vobiz",
        # Observed ids are MA_ or SA_ + 8 upper-case characters; the length is not confirmed
        # ("(?)"), so any length is accepted after the prefix.
        auth_id_pattern=r"^(?:MA|SA)_[A-Z0-9]+$",
        auth_id_hint="must look like MA_ or SA_ followed by upper-case letters or digits",
        auth_id_placeholder="MA_XXXXXXXX",
    )
    api_class = VobizApi
    api_base = VOBIZ_API_BASE
    signature_header = "x-vobiz-signature-v3"
    # An Indian provider: a national number in a webhook is an Indian one.
    national_country = "IN"

    def signature_valid(self, request: WebhookRequest, credentials: Mapping[str, str]) -> bool:
        """The SDK's V3 (parameters signed), else the documented V3 (URL and nonce only): the two
        disagree, and which one Vobiz sends is not confirmed."""
        if super().signature_valid(request, credentials):
            return True
        header, nonce = self.signature(request)
        return url_only_signature_valid(credentials.get("authToken", ""), request.url, nonce, header)
