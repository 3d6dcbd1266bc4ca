"""Cloudonix: a SIP platform (bring your own carrier) with a REST API for DNIDs and apps."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from .base import CredentialField, FieldType, InboundNumber, ProviderPlugin
from .errors import FailureKind, ProviderError
from .http import ProviderHttp

_DEFAULT_DOMAIN_SUFFIX = ".cloudonix.net"
API_BASE = "https://api.cloudonix.io"
#: DNID match modes; a DNID with any of them set is a pattern that other numbers share too.
_PATTERN_FLAGS = ("prefix", "expression", "asteriskCompatible")


class CloudonixProvider(ProviderPlugin):
    key = "cloudonix"
    display_name = "Cloudonix"
    notes = "Enterprise SIP, bring your own carrier."
    docs_url = "https://docs.cloudonix.io/"
    # A DNID is bound to the voice application with POST .../applications/{uuid}/dnids.
    supports_inbound_sync = True
    # Outbound calls are placed through the REST API from the domain's DNIDs, whose numbers
    # are presented as the caller ID, and the domain has a DNID inventory to sync.
    needs_caller_ids = True
    fields = (
        CredentialField(
            name="bearerToken",
            label="API Key",
            type=FieldType.SECRET,
            secret=True,
            # Keys are "XI" + 32 characters; the charset and length are not confirmed ("(?)"),
            # so only the prefix is checked.
            pattern=r"^XI\S+$",
            pattern_hint="must be a Cloudonix API key starting with XI",
            description="Cloudonix Cockpit > API keys. Sent as a Bearer token.",
        ),
        CredentialField(
            name="domainId",
            label="Domain",
            pattern=r"^[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*\.?$",
            pattern_hint="must be a domain name such as acme.cloudonix.net",
            description="Your Cloudonix domain; a bare name means <name>.cloudonix.net.",
            placeholder="acme.cloudonix.net",
        ),
        CredentialField(
            name="applicationName",
            label="Voice Application",
            pattern=r"^[A-Za-z0-9._\-]+$",
            pattern_hint="must contain only letters, digits, '.', '_' and '-'",
            description="Name of the voice application whose URL receives inbound calls.",
        ),
    )

    def account_id(self, credentials: Mapping[str, str]) -> str:
        return self.domain(credentials)

    @staticmethod
    def domain(credentials: Mapping[str, str]) -> str:
        """The full domain name, lower case: a bare name gets ``.cloudonix.net``."""
        domain = credentials["domainId"].strip().rstrip(".").lower()
        return domain if "." in domain else domain + _DEFAULT_DOMAIN_SUFFIX

    async def verify_credentials(self, http: ProviderHttp, credentials: Mapping[str, str]) -> str:
        # Domain-scope keys cannot read /customers/self, so ask for the domain itself.
        domain = _Domain(self, http, credentials)
        try:
            info = await domain.call("GET")
        except ProviderError as exc:
            if exc.kind is FailureKind.NOT_FOUND:
                raise ProviderError(
                    exc.kind, f"Cloudonix has no domain {domain.name} for this API key; check the Domain field."
                ) from exc
            raise
        if not isinstance(info, dict):
            raise ProviderError(FailureKind.BAD_RESPONSE, "Cloudonix answered the domain lookup with an unexpected body.")
        state = "active" if info.get("active", True) else "inactive"
        return f"Cloudonix accepted the API key for domain {info.get('domain') or domain.name} ({state})."

    async def _number(
        self, http: ProviderHttp, credentials: Mapping[str, str], number: InboundNumber
    ) -> tuple[_Domain, dict[str, Any] | None]:
        """The domain and the number's own DNID (None when it has none)."""
        self.require_pstn(number)
        domain = _Domain(self, http, credentials)
        return domain, await domain.find_dnid(number.address)

    # A DNID is the binding of a number (or a pattern) to one voice application, fixed when the DNID is
    # created. Attach: point the shared application at `url` (PATCH only when it differs), then make
    # sure the number has its own exact DNID on that application (create it, or replace one that is
    # elsewhere or inactive). Detach: delete the number's own DNID when it is on our application and
    # that application points at `url`; the application itself is never changed. Hence not
    # `LinkedApplicationProvider`: a missing DNID is created rather than an error, a DNID is replaced
    # rather than relinked, and detach checks the application's URL too.
    async def attach_inbound(
        self, http: ProviderHttp, credentials: Mapping[str, str], number: InboundNumber, url: str
    ) -> str:
        domain, dnid = await self._number(http, credentials, number)
        app = await domain.application()
        await domain.point_application(app, url)
        name = domain.application_name
        if dnid is None:
            await domain.bind(app, number.address)
            how = f"DNID bound to '{name}'"
        elif _bound_to(dnid, app) and dnid.get("active", True) is not False:
            how = f"DNID already on '{name}'"
        else:
            # A DNID's application is fixed when it is created (and this one is elsewhere or
            # inactive): replace it with one on our application.
            await domain.delete_dnid(dnid)
            try:
                await domain.bind(app, number.address)
            except ProviderError as exc:
                raise ProviderError(
                    exc.kind, f"{exc.message} Its previous DNID was removed, so it has none now; resync the number to retry."
                ) from exc
            how = f"DNID moved to '{name}'"
        return f"Cloudonix now sends inbound calls to {number.address} to Switchboard ({how})."

    async def detach_inbound(
        self, http: ProviderHttp, credentials: Mapping[str, str], number: InboundNumber, url: str
    ) -> str:
        domain, dnid = await self._number(http, credentials, number)
        if dnid is None:
            return f"{number.address} has no DNID in the Cloudonix domain {domain.name}; nothing to detach."
        try:
            app = await domain.application()
        except ProviderError as exc:
            if exc.kind is not FailureKind.NOT_FOUND:
                raise
            app = None
        if app is None or not _bound_to(dnid, app) or app.get("url") != url:
            return (
                f"{number.address} is not bound to the Cloudonix application '{domain.application_name}' "
                "pointing at Switchboard; left as it is."
            )
        await domain.delete_dnid(dnid)
        return f"Cloudonix no longer sends inbound calls to {number.address} to Switchboard (DNID removed)."


def _identifiers(ref: Any) -> set[str]:
    """The ids, uuids and names by which an application (or a DNID's reference to one) is known."""
    if isinstance(ref, dict):
        return {str(ref[k]) for k in ("id", "uuid", "name") if ref.get(k) not in (None, "")}
    return {str(ref)} if ref not in (None, "") else set()


def _bound_to(dnid: dict[str, Any], app: dict[str, Any]) -> bool:
    return bool(_identifiers(dnid.get("application")) & _identifiers(app))


def _is_exactly(dnid: Any, e164: str) -> bool:
    """True when the DNID matches exactly this number, not a prefix or pattern other numbers share."""
    if not isinstance(dnid, dict) or any(dnid.get(flag) for flag in _PATTERN_FLAGS):
        return False
    source = str(dnid.get("source") or "").strip()
    if source:
        return source in (e164, e164.lstrip("+"))
    escaped = re.escape(e164)
    return str(dnid.get("dnid") or "").strip() in (e164, f"^{escaped}$", f"^({escaped})$")


class _Domain:
    """One Cloudonix domain as an API key sees it: its voice application and its DNIDs."""

    def __init__(self, provider: CloudonixProvider, http: ProviderHttp, credentials: Mapping[str, str]) -> None:
        self.http = http
        self.provider = provider.display_name
        self.name = provider.domain(credentials)
        self.application_name = credentials["applicationName"].strip()
        self.url = f"{http.base(provider.key, API_BASE)}/customers/self/domains/{quote(self.name, safe='')}"
        self.headers = {"Authorization": f"Bearer {credentials['bearerToken'].strip()}"}

    async def call(self, method: str, path: str = "", *, json: dict[str, Any] | None = None, read: bool = True) -> Any:
        """Send JSON; return the parsed answer when `read` (DELETE and POST answers are not needed)."""
        send = self.http.json if read else self.http.request
        try:
            return await send(self.provider, method, self.url + path, headers=self.headers, json=json)
        except ProviderError as exc:
            if exc.kind is FailureKind.REJECTED:
                raise ProviderError(
                    exc.kind,
                    f"{exc.message.removesuffix('.')}; check that the API key is active and belongs to "
                    f"the domain {self.name} or to its customer account.",
                ) from exc
            raise

    @property
    def application_path(self) -> str:
        return f"/applications/{quote(self.application_name, safe='')}"

    async def find_dnid(self, e164: str) -> dict[str, Any] | None:
        """The DNID of exactly this number; None when it has none (a pattern DNID covering it does not count)."""
        try:
            dnid = await self.call("GET", f"/dnids/{quote(e164, safe='')}")
        except ProviderError as exc:
            if exc.kind is FailureKind.NOT_FOUND:
                return None
            raise
        return dnid if _is_exactly(dnid, e164) else None

    async def application(self) -> dict[str, Any]:
        try:
            app = await self.call("GET", self.application_path)
        except ProviderError as exc:
            if exc.kind is FailureKind.NOT_FOUND:
                raise ProviderError(
                    exc.kind,
                    f"The Cloudonix domain {self.name} has no voice application named '{self.application_name}'; "
                    "create it in Cloudonix Cockpit or correct the Voice Application field.",
                ) from exc
            raise
        if not isinstance(app, dict) or not _identifiers(app):
            raise ProviderError(FailureKind.BAD_RESPONSE, "Cloudonix answered the application lookup with an unexpected body.")
        return app

    async def point_application(self, app: dict[str, Any], url: str) -> None:
        """Make the shared application call `url` with POST; only when it does not already."""
        method = app.get("method")
        if app.get("url") != url or (method and str(method).upper() != "POST"):
            await self.call("PATCH", self.application_path, json={"url": url, "method": "POST"}, read=False)

    async def bind(self, app: dict[str, Any], e164: str) -> None:
        target = quote(str(app.get("uuid") or self.application_name), safe="")
        body = {"source": e164, "prefix": False, "expression": False, "asteriskCompatible": False}
        await self.call("POST", f"/applications/{target}/dnids", json=body, read=False)

    async def delete_dnid(self, dnid: dict[str, Any]) -> None:
        if dnid.get("id") is None:
            raise ProviderError(FailureKind.BAD_RESPONSE, "Cloudonix answered the DNID lookup without an id.")
        try:
            await self.call("DELETE", f"/dnids/{quote(str(dnid['id']), safe='')}", read=False)
        except ProviderError as exc:
            if exc.kind is not FailureKind.NOT_FOUND:  # already gone
                raise
