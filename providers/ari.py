"""Asterisk ARI: your own Asterisk PBX, reached over its REST Interface and WebSocket."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from .base import (
    OPAQUE_TOKEN_HINT,
    OPAQUE_TOKEN_PATTERN,
    Connectivity,
    CredentialField,
    FieldType,
    InboundNumber,
    ProviderPlugin,
)
from .errors import FailureKind, ProviderError
from .http import ProviderHttp

_DEFAULT_PORTS = {"http": "80", "https": "443"}


class AriProvider(ProviderPlugin):
    key = "ari"
    display_name = "Asterisk ARI"
    notes = (
        "Your own Asterisk PBX. Route inbound calls to Switchboard from the dialplan with "
        "Stasis(<ARI app name>)."
    )
    docs_url = "https://docs.asterisk.org/Configuration/Interfaces/Asterisk-REST-Interface-ARI/"
    connectivity = Connectivity.SIP
    # Calls reach the app only through the PBX dialplan, which ARI cannot edit.
    supports_inbound_sync = False
    # The PBX originates calls itself; a caller ID is optional (extensions need none).
    needs_caller_ids = False
    fields = (
        CredentialField(
            name="ariEndpoint",
            label="ARI Endpoint",
            type=FieldType.URL,
            pattern=(
                r"^https?:\/\/(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._\-]+)(?::[0-9]{1,5})?"
                r"(?:\/[^\s?#]*)?$"
            ),
            pattern_hint=(
                "must be an http:// or https:// URL such as http://pbx.example.com:8088, "
                "without credentials, query or fragment"
            ),
            description="Base URL of the Asterisk HTTP server, without /ari.",
            placeholder="http://pbx.example.com:8088",
        ),
        CredentialField(
            name="appName",
            label="ARI User / App Name",
            # The ari.conf user is also the HTTP Basic user name, so no colon.
            pattern=r"^[^\s:]+$",
            pattern_hint="must not contain spaces or colons",
            description="The user section name in ari.conf; also the Stasis application name.",
        ),
        CredentialField(
            name="appPassword",
            label="ARI Password",
            type=FieldType.SECRET,
            secret=True,
            description="The password of that ari.conf user.",
        ),
        CredentialField(
            name="wsClientName",
            label="WebSocket Client Name",
            required=False,
            pattern=OPAQUE_TOKEN_PATTERN,
            pattern_hint=OPAQUE_TOKEN_HINT,
            description="Connection name in websocket_client.conf, used for externalMedia.",
        ),
    )

    def account_id(self, credentials: Mapping[str, str]) -> str:
        """``host[:port]/appName``: host lower case, the scheme's default port left out."""
        url = urlsplit(credentials["ariEndpoint"].strip())
        host = url.netloc.lower()  # the pattern admits no user info
        default_port = _DEFAULT_PORTS.get(url.scheme.lower())
        host = host.removesuffix(f":{default_port}")
        return f"{host}/{credentials['appName'].strip()}"

    def manual_inbound_step(self, number: InboundNumber, url: str, *, attach: bool) -> str:
        # Calls reach a Stasis application over ARI's WebSocket: the front door's URL has no part in it.
        where = (
            "Asterisk hands calls to an ARI application only from its dialplan, which ARI cannot edit, and they "
            "arrive over Asterisk's WebSocket, not at Switchboard's inbound webhook URL (which does not answer ARI "
            "calls). In the Asterisk dialplan (extensions.conf), "
        )
        if attach:
            step = (
                f"route {number.address} to Stasis(<app name>), where <app name> is this configuration's ARI User / "
                f"App Name (e.g. exten => {number.address},1,Stasis(<app name>)), then run 'dialplan reload'."
            )
        else:
            step = f"remove the Stasis(<app name>) line that routes {number.address}, then run 'dialplan reload'."
        return where + step

    def api_base(self, http: ProviderHttp, credentials: Mapping[str, str]) -> str:
        """``<ariEndpoint>/ari``; SWITCHBOARD_ARI_API_BASE replaces the endpoint's scheme://host:port
        and keeps its path (Asterisk may be served under a prefix)."""
        url = urlsplit(credentials["ariEndpoint"].strip())
        # ARI answers 404 to any URL ending in "/", and a doubled "/" would be one.
        path = url.path.rstrip("/")
        return f"{http.base(self.key, f'{url.scheme}://{url.netloc}')}{path}/ari"

    async def verify_credentials(self, http: ProviderHttp, credentials: Mapping[str, str]) -> str:
        user = credentials["appName"].strip()
        where = self.account_id(credentials).rsplit("/", 1)[0]
        try:
            info = await http.json(
                self.display_name,
                "GET",
                f"{self.api_base(http, credentials)}/asterisk/info",
                auth=(user, credentials["appPassword"]),
                tenant_host=not http.overridden(self.key),
            )
        except ProviderError as exc:
            raise _explained(exc, user, where) from exc
        system = info.get("system") if isinstance(info, dict) else None
        version = system.get("version") if isinstance(system, dict) else None
        if not isinstance(version, str) or not version:
            raise ProviderError(
                FailureKind.BAD_RESPONSE, f"{where} answered /ari/asterisk/info without an Asterisk version."
            )
        return f"Asterisk {version} at {where} accepted the ARI user '{user}'."


def _explained(exc: ProviderError, user: str, where: str) -> ProviderError:
    if exc.kind is FailureKind.REJECTED:
        message = (
            f"{exc.message} Check that ari.conf on {where} has enabled = yes under [general] and a user "
            f"section [{user}] with this password (with password_format = crypt, enter the plain password, "
            "not the hash)."
        )
    elif exc.kind is FailureKind.NOT_FOUND:
        message = (
            f"{where} has no ARI at this endpoint (HTTP 404). Check the ARI Endpoint (the Asterisk HTTP "
            "server's URL without /ari), and that res_ari is loaded and enabled in ari.conf."
        )
    elif exc.kind is FailureKind.UNREACHABLE:
        message = (
            f"{exc.message} Check that the Asterisk HTTP server at {where} is running, enabled in http.conf "
            "and reachable from Switchboard; while Asterisk starts up it answers 503 until fully booted."
        )
    else:
        return exc
    return ProviderError(exc.kind, message)
