"""Exotel: v2_beta REST API on a regional host; inbound calls arrive through Exotel flows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .base import CredentialField, FieldType, InboundNumber, ProviderPlugin, opaque_secret
from .errors import FailureKind, ProviderError
from .http import ProviderHttp

DEFAULT_SUBDOMAIN = "api.exotel.com"
#: The two clusters: a key and token are only known on their account's own cluster.
_REGIONS = {"api.exotel.com": "Singapore", "api.in.exotel.com": "Mumbai"}
_MAX_PAGES = 20


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
                f"Exotel sends an ExoPhone's calls only to an Exotel flow, which its API cannot build. In the Exotel "
                f"dashboard (App Bazaar), create a flow whose Voicebot applet takes its URL from {url} and assign "
                f"the ExoPhone {number.address} to it."
            )
        return (
            f"Switchboard no longer takes the calls of {number.address} and refuses them. In the Exotel dashboard, "
            f"assign the ExoPhone to another flow, or take {url} out of its flow; Exotel's API cannot do this."
        )

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
        url = f"{http.base(self.key, f'https://{subdomain}')}/v2_beta/Accounts/{sid}/IncomingPhoneNumbers"
        auth = (credentials["apiKey"].strip(), credentials["apiToken"].strip())
        params: dict[str, str] = {}
        count = 0
        for _ in range(_MAX_PAGES):
            page = await http.json(self.display_name, "GET", url, params=params, auth=auth)
            numbers = page.get("incoming_phone_numbers") if isinstance(page, dict) else None
            if not isinstance(numbers, list):
                raise ProviderError(
                    FailureKind.BAD_RESPONSE, "Exotel answered the ExoPhone list with an unexpected body."
                )
            count += len(numbers)
            params = _next_page_params(page.get("next_page_uri"))
            if not params or not numbers:
                return count, False
        return count, True


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
