"""Cloudonix's REST API as the plugin uses it: one domain's voice application and DNIDs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..account_listing import Pages, listed
from ..errors import FailureKind, ProviderError
from ..http import ProviderHttp

if TYPE_CHECKING:
    from .plugin import CloudonixProvider

API_BASE = "https://api.cloudonix.io"
#: DNID match modes; a DNID with any of them set is a pattern that other numbers share too.
_PATTERN_FLAGS = ("prefix", "expression", "asteriskCompatible")


def identifiers(ref: Any) -> set[str]:
    """The ids, uuids and names by which an application (or a DNID's reference to one) is known."""
    if isinstance(ref, dict):
        return {str(ref[k]) for k in ("id", "uuid", "name") if ref.get(k) not in (None, "")}
    return {str(ref)} if ref not in (None, "") else set()


def voice_application(dnid: dict[str, Any]) -> Any:
    """The application a DNID launches: `voice-application` in Cloudonix's OpenAPI (the DNID schema,
    and what a DNID update takes); the data-model page calls it `application`, read when the other
    is absent."""
    return dnid.get("voice-application", dnid.get("application"))


def reference(ref: Any) -> str | int | None:
    """How a DNID update names an application (`voice-application`: a name or an id)."""
    if isinstance(ref, dict):
        return next((ref[k] for k in ("name", "id", "uuid") if ref.get(k) not in (None, "")), None)
    return ref if ref not in (None, "") else None


def bound_to(dnid: dict[str, Any], app: dict[str, Any]) -> bool:
    return bool(identifiers(voice_application(dnid)) & identifiers(app))


def listed_number(dnid: Any) -> str | None:
    """The number a DNID routes, as its `source` (or its `dnid` without ^…$) writes it; None for a
    pattern that several numbers share (a prefix, a glob, an Asterisk pattern)."""
    if not isinstance(dnid, dict) or any(dnid.get(flag) for flag in _PATTERN_FLAGS):
        return None
    source = dnid.get("source")
    if isinstance(source, str) and source.strip():
        return source
    exact = re.fullmatch(r"\^\(?(\\?\+?[0-9]+)\)?\$", str(dnid.get("dnid") or "").strip())
    return exact.group(1).replace("\\", "") if exact else None


def is_exactly(dnid: Any, e164: str) -> bool:
    """True when the DNID matches exactly this number, not a prefix or pattern other numbers share."""
    if not isinstance(dnid, dict) or any(dnid.get(flag) for flag in _PATTERN_FLAGS):
        return False
    source = str(dnid.get("source") or "").strip()
    if source:
        return source in (e164, e164.lstrip("+"))
    escaped = re.escape(e164)
    return str(dnid.get("dnid") or "").strip() in (e164, f"^{escaped}$", f"^({escaped})$")


class Domain:
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
        return dnid if is_exactly(dnid, e164) else None

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
        if not isinstance(app, dict) or not identifiers(app):
            raise ProviderError(FailureKind.BAD_RESPONSE, "Cloudonix answered the application lookup with an unexpected body.")
        return app

    async def point_application(self, app: dict[str, Any], url: str) -> None:
        """Make the shared application call `url` with POST; only when it does not already."""
        method = app.get("method")
        if app.get("url") != url or (method and str(method).upper() != "POST"):
            await self.call("PATCH", self.application_path, json={"url": url, "method": "POST"}, read=False)

    async def bind(self, e164: str) -> None:
        """Create the number's own DNID (exact: no pattern flag) on our application."""
        body = {"source": e164, "prefix": False, "expression": False, "asteriskCompatible": False}
        await self.call("POST", f"{self.application_path}/dnids", json=body, read=False)

    @staticmethod
    def dnid_path(dnid: dict[str, Any]) -> str:
        if dnid.get("id") is None:
            raise ProviderError(FailureKind.BAD_RESPONSE, "Cloudonix answered the DNID lookup without an id.")
        return f"/dnids/{quote(str(dnid['id']), safe='')}"

    async def update_dnid(self, dnid: dict[str, Any], changes: Mapping[str, Any]) -> None:
        """PATCH the DNID (its `voice-application`, `active`)."""
        await self.call("PATCH", self.dnid_path(dnid), json=dict(changes), read=False)

    async def delete_dnid(self, dnid: dict[str, Any]) -> None:
        try:
            await self.call("DELETE", self.dnid_path(dnid), read=False)
        except ProviderError as exc:
            if exc.kind is not FailureKind.NOT_FOUND:  # already gone
                raise

    async def number_pages(self) -> Pages:
        """The domain's DNIDs (GET …/dnids, a JSON array in one answer) as numbers."""
        dnids = await self.call("GET", "/dnids")
        if not isinstance(dnids, list):
            raise ProviderError(FailureKind.BAD_RESPONSE, "Cloudonix answered the DNID list with an unexpected body.")
        yield listed(listed_number(dnid) for dnid in dnids)
