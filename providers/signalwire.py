"""SignalWire: the Twilio-compatible (LaML/cXML) REST API of a SignalWire space."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from .base import UUID_HINT, UUID_PATTERN, AccountNumbers, Attached, CredentialField, FieldType, InboundNumber, opaque_secret
from .errors import FailureKind, ProviderError
from .http import ProviderHttp
from .inbound import WebhookRequest
from .signalwire_signature import signalwire_signature_valid
from .twilio_compat import TwilioCompatibleApi, TwilioCompatibleProvider

#: The LaML API lives under each space's own host; SWITCHBOARD_SIGNALWIRE_API_BASE replaces
#: ``https://{space}`` and keeps this path.
LAML_PATH = "/api/laml/2010-04-01"


class SignalwireProvider(TwilioCompatibleProvider):
    key = "signalwire"
    display_name = "SignalWire"
    notes = "Twilio-compatible API."
    docs_url = "https://developer.signalwire.com/compatibility-api/rest/"
    # Each number's VoiceUrl is set with POST .../IncomingPhoneNumbers/{Sid}.json, as on Twilio.
    supports_inbound_sync = True
    needs_caller_ids = True
    # Webhooks are signed with the project's Signing Key, not with the API token.
    webhook_secret_field = "signingKey"
    signing_field = "signingKey"
    fields = (
        CredentialField(
            name="spaceUrl",
            label="Space URL",
            # The host of the space; a pasted https:// prefix or trailing slash is tolerated
            # (see space_host).
            pattern=r"^(?:https?:\/\/)?[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.signalwire\.com\/?$",
            pattern_hint="must look like example.signalwire.com",
            description="The host name of your SignalWire space.",
            placeholder="example.signalwire.com",
        ),
        CredentialField(
            name="projectId",
            label="Project ID",
            pattern=UUID_PATTERN,
            pattern_hint=UUID_HINT,
            description="SignalWire Dashboard > API > Project ID.",
        ),
        # Newer tokens start with PT, older ones are ~50 letters and digits ("(?)").
        opaque_secret(
            "apiToken",
            "API Token",
            "SignalWire Dashboard > API > API Tokens (needs the Voice and Numbers scopes).",
        ),
        CredentialField(
            name="signingKey",
            label="Signing Key",
            type=FieldType.SECRET,
            required=False,
            secret=True,
            pattern=r"^PSK_[A-Za-z0-9]+$",
            pattern_hint="must look like PSK_ followed by letters and digits",
            description="SignalWire Dashboard > API > Signing Key. Verifies SignalWire webhooks.",
        ),
    )

    def account_id(self, credentials: Mapping[str, str]) -> str:
        # Project ids are UUIDs: case-insensitive, carried lower case as AccountSid.
        return credentials["projectId"].strip().lower()

    def signature_valid(self, request: WebhookRequest, credentials: Mapping[str, str]) -> bool:
        headers = request.headers
        return signalwire_signature_valid(
            credentials.get(self.signing_field, ""),
            request.url,
            request.parameters() if request.method == "POST" else {},
            request.body,
            headers.get("x-signalwire-signature") or headers.get("x-twilio-signature"),
        )

    @staticmethod
    def space_host(credentials: Mapping[str, str]) -> str:
        """The space's host name, lower case, without the scheme or a trailing slash."""
        host = credentials["spaceUrl"].strip().lower()
        host = host.removeprefix("https://").removeprefix("http://")
        return host.rstrip("/")

    def api(self, http: ProviderHttp, credentials: Mapping[str, str]) -> TwilioCompatibleApi:
        project = self.account_id(credentials)
        host = http.base(self.key, f"https://{self.space_host(credentials)}")
        return TwilioCompatibleApi(
            http,
            self.display_name,
            host,
            f"{LAML_PATH}/Accounts/{project}",
            (project, credentials["apiToken"]),
            tenant_host=not http.overridden(self.key),
        )

    @asynccontextmanager
    async def _explained(self, credentials: Mapping[str, str], *, verifying: bool = False) -> AsyncIterator[None]:
        """Say what to check when the space refuses the token or (on verify) does not know the project."""
        try:
            yield
        except ProviderError as exc:
            if exc.kind is FailureKind.REJECTED:
                hint = "check the Project ID and API Token, and that the token has the Voice and Numbers scopes."
            elif exc.kind is FailureKind.NOT_FOUND and verifying:
                hint = f"check that {self.space_host(credentials)} is the space of this project."
            else:
                raise
            raise ProviderError(exc.kind, f"{exc.message.removesuffix('.')}; {hint}") from exc

    async def verify_credentials(self, http: ProviderHttp, credentials: Mapping[str, str]) -> str:
        async with self._explained(credentials, verifying=True):
            return await super().verify_credentials(http, credentials)

    async def attach_inbound(
        self, http: ProviderHttp, credentials: Mapping[str, str], number: InboundNumber, url: str
    ) -> Attached:
        async with self._explained(credentials):
            return await super().attach_inbound(http, credentials, number, url)

    async def detach_inbound(
        self,
        http: ProviderHttp,
        credentials: Mapping[str, str],
        number: InboundNumber,
        url: str,
        replaced: Mapping[str, Any] | None = None,
    ) -> str:
        async with self._explained(credentials):
            return await super().detach_inbound(http, credentials, number, url, replaced)

    async def account_numbers(self, http: ProviderHttp, credentials: Mapping[str, str]) -> AccountNumbers:
        async with self._explained(credentials):
            return await super().account_numbers(http, credentials)
